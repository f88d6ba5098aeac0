"""Demo work orders (SPEC §2): a fixed mix of requests in every state, written through the
work-order services — so each one has its real timeline, approval route, SLA clocks,
notifications and, for the completed ones, a signed PDF report.

Called by apps.demo.generator at the end of a run. Times are fixed offsets from the
generator's `now` (the current minute by default), so the dispatch board shows live clocks:
new requests from the last hours, visits booked for today, a job on site right now.
Customers and instruments are picked in code order by what each story needs (full-line user,
prospect, in or out of warranty, in arrears), so the same seed writes the same stories.
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from apps.catalog.choices import ProductFamily
from apps.customers.choices import ProductLineUsage
from apps.customers.models import Contact
from apps.instruments.choices import InstrumentStatus
from apps.instruments.models import Instrument
from apps.workorders.choices import PauseKind

# How many customers (in code order) the stories choose from: enough for every kind of story,
# few enough to stay quick at any scale.
CANDIDATES = 240

DESCRIPTIONS = {
    "repair": [
        "仪器开机自检报错 E-203，反应盘温度无法达到 37 ℃，急诊样本积压。",
        "样本针堵塞报警频繁，清洗后仍报“液面检测失败”。",
        "比色系统光源能量低报警，部分项目结果偏低。",
        "机械臂运动时有异响，偶发“试剂针碰撞”报警后停机。",
        "糖化仪色谱柱压力过高报警，无法完成质控。",
    ],
    "maintenance": [
        "年度预防性维护：更换灯泡、清洗比色杯、校准加样系统。",
        "半年保养：检查管路、更换过滤器、性能验证。",
    ],
    "app_new_project": ["新开展胱抑素C（Cys-C）与同型半胱氨酸（HCY）项目，需上机调试并做方法学验证。"],
    "app_troubleshooting": [
        "总胆红素质控连续两天失控（2s 偏高），已更换新批号质控品仍偏高。",
        "肌酐结果与临床不符，疑似定标曲线异常。",
    ],
}


def _signature_png(name_seed: int) -> bytes:
    """A small hand-drawn-looking signature (a deterministic wavy stroke)."""
    import math

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    points = [(20 + x * 4, 60 + 28 * math.sin((x + name_seed) / 5.0) * math.cos(x / 17.0)) for x in range(0, 80)]
    draw.line(points, fill="black", width=4, joint="curve")
    draw.line([(60, 95), (300, 88)], fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class _Stories:
    def __init__(self, gen):
        from apps.workorders import services

        self.gen = gen
        self.wo = services
        self.now = gen.now
        self.today = timezone.localdate(self.now)
        self.users = gen.users
        self.clerk = self.users["clerk"]
        self.head = self.users["techhead"]
        self.used: set[int] = set()
        customers = list(gen.customers[:CANDIDATES])
        self.customers = customers
        self.instruments: dict[int, list[Instrument]] = {}
        for instrument in (
            Instrument.objects.filter(
                customer__in=customers, status__in=(InstrumentStatus.IN_USE, InstrumentStatus.UNDER_REPAIR)
            )
            .select_related("model")
            .order_by("serial_no")
        ):
            self.instruments.setdefault(instrument.customer_id, []).append(instrument)
        self.contacts = {
            c.customer_id: c
            for c in Contact.objects.filter(customer__in=customers, is_primary=True).order_by("customer_id", "id")
        }

    # --- helpers ------------------------------------------------------------------------------
    def at(self, **offset) -> dt.datetime:
        return self.now - dt.timedelta(**offset)

    def today_at(self, hour: int, minute: int = 0) -> dt.datetime:
        local = timezone.localtime(self.now).replace(hour=hour, minute=minute, second=0, microsecond=0)
        return local

    def in_warranty(self, instrument, at: dt.datetime) -> bool:
        return bool(instrument.warranty_end and timezone.localdate(at) <= instrument.warranty_end)

    def pick(self, *, at, usage=None, warranty=None, arrears=None, family=None, reuse=None):
        """The first unused customer (in code order) with an instrument that fits the story."""
        for relax in (False, True):
            for customer in self.customers:
                if customer.pk in self.used or not customer.responsible_sales_id:
                    continue
                if arrears is not None and customer.in_arrears != arrears and not relax:
                    continue
                if arrears is False and customer.in_arrears:
                    continue  # never serve an arrears customer by accident
                if usage is not None and customer.product_line_usage != usage:
                    continue
                for instrument in self.instruments.get(customer.pk, []):
                    if warranty is not None and self.in_warranty(instrument, at) != warranty:
                        continue
                    if family is not None and instrument.model.family != family:
                        continue
                    self.used.add(customer.pk)
                    return customer, instrument
        raise RuntimeError("demo data: no customer fits a work-order story")

    def text(self, work_type: str) -> str:
        return self.gen.wo_rng.choice(DESCRIPTIONS.get(work_type, DESCRIPTIONS["repair"]))

    def create(self, customer, instrument, work_type, *, at, urgency="normal", description=None, channel="phone"):
        contact = self.contacts.get(customer.pk)
        return self.wo.workorder_create(
            actor=self.clerk,
            customer=customer,
            instrument=instrument,
            work_type=work_type,
            urgency=urgency,
            channel=channel,
            description=description or self.text(work_type),
            contact=contact,
            caller_name=contact.name if contact else "",
            caller_phone=contact.mobile if contact else "",
            at=at,
        )

    def file(self, order, *, billing, at, content=""):
        return self.wo.workorder_file_application(
            order=order,
            actor=order.customer.responsible_sales,
            billing=billing,
            work_content=content or order.description[:200],
            user_and_dealer_agree=True,
            at=at,
        )

    def approve(self, order, *, at, **data):
        """Approve the current step of the order's application as the person that step needs."""
        from apps.workorders.choices import ApprovalStep
        from apps.workorders.models import ServiceApplication

        step = ServiceApplication.objects.get(work_order=order).step_code
        sales = order.customer.responsible_sales
        actor = {
            ApprovalStep.TECH_HEAD: self.head,
            ApprovalStep.MARKETING_HEAD: self.users["marketing"],
            ApprovalStep.GENERAL_MANAGER: self.users["gm"],
            ApprovalStep.QUOTE: self.head,
            ApprovalStep.CUSTOMER_AGREEMENT: sales,
            ApprovalStep.DEPOSIT: sales,
            ApprovalStep.DEPOSIT_CONFIRMED: self.users["finance"],
        }[step]
        return self.wo.workorder_decide(order=order, actor=actor, decision="approve", at=at, **data)

    def best_engineer(self, order):
        from apps.workorders.dispatching import suggest_engineers

        return suggest_engineers(order=order, limit=1, on=timezone.localdate(self.now))[0].engineer

    def dispatch(self, order, *, at, reason="", arrears_agreement=""):
        order = self.wo.workorder_dispatch(
            order=order,
            actor=self.head,
            engineer=self.best_engineer(order),
            reason=reason,
            arrears_agreement=arrears_agreement,
            at=at,
        )
        return order

    def ready(self, order, *, at):
        for item in list(order.checklist.all()):
            self.wo.workorder_check_item(order=order, actor=order.engineer, code=item.code, done=True, at=at)

    def schedule(self, order, *, at, appointment):
        contact = self.contacts.get(order.customer_id)
        self.ready(order, at=at)
        return self.wo.workorder_schedule(
            order=order,
            actor=order.engineer,
            appointment_at=appointment,
            agreed_with=contact.name if contact else "检验科",
            at=at,
        )

    def visit(self, order, *, at, findings, work_done, finished=True):
        contact = self.contacts.get(order.customer_id)
        self.wo.workorder_check_in(order=order, actor=order.engineer, at=at)
        self.wo.workorder_record_visit(
            order=order,
            actor=order.engineer,
            findings=findings,
            work_done=work_done if finished else "",
            drift_warning_given=finished,
            lab_head_consent=finished,
            lab_head_name=contact.name if contact and finished else "",
        )

    def sign(self, order, *, at, seed):
        from apps.workorders.reports import report_sign

        contact = self.contacts.get(order.customer_id)
        return report_sign(
            order=order,
            actor=order.engineer,
            signer_name=contact.name if contact else "检验科主任",
            signer_title=contact.title if contact and contact.title else "检验科主任",
            signature_png=_signature_png(seed),
            outcome="solved",
            email_to="",
            at=at,
        )


def create_work_orders(gen) -> None:
    """The stories of SPEC §2, each in the state a demo needs (see the module docstring)."""
    from apps.workorders.choices import Billing, Urgency, WorkType

    s = _Stories(gen)
    count = 0

    # Completed: a free maintenance for a prospect, two weeks ago — signed on the phone.
    start = s.at(days=14)
    prospect, prospect_unit = s.pick(at=start, usage=ProductLineUsage.PROSPECT, warranty=False)
    order = s.create(prospect, prospect_unit, WorkType.MAINTENANCE, at=start)
    s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=1))
    s.approve(order, at=start + dt.timedelta(hours=20), reason="同意免费保养一次，争取转化")
    order = s.dispatch(order, at=start + dt.timedelta(hours=22))
    appointment = start + dt.timedelta(days=2)
    s.schedule(order, at=start + dt.timedelta(hours=23), appointment=appointment)
    s.visit(
        order,
        at=appointment,
        findings="光源使用超过 2000 小时，比色杯轻度污染，加样针垂直度偏差。",
        work_done="更换光源灯，清洗全部比色杯，校准加样针，质控在控。",
    )
    s.sign(order, at=appointment + dt.timedelta(hours=3), seed=1)
    count += 1

    # Waiting for approval: a repeat free request from the same prospect → the general manager.
    start = s.at(days=1, hours=2)
    order = s.create(prospect, prospect_unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=1))
    s.approve(order, at=start + dt.timedelta(hours=3), reason="客户尚未签单，请总经理定夺")
    count += 1

    # Completed: a warranty repair, five days ago, signed.
    start = s.at(days=5)
    customer, unit = s.pick(at=start, warranty=True, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.WARRANTY, at=start + dt.timedelta(minutes=30))
    s.approve(order, at=start + dt.timedelta(minutes=50))
    order = s.dispatch(order, at=start + dt.timedelta(hours=1))
    appointment = start + dt.timedelta(hours=26)
    s.schedule(order, at=start + dt.timedelta(hours=1, minutes=20), appointment=appointment)
    s.visit(
        order,
        at=appointment,
        findings="反应盘温控传感器接触不良，温度波动 ±1.5 ℃。",
        work_done="重新插接并固定温控传感器，连续监测 2 小时温度稳定在 37.0±0.1 ℃，复测质控在控。",
    )
    s.sign(order, at=appointment + dt.timedelta(hours=2), seed=2)
    count += 1

    # New: an urgent repair 25 minutes ago (urgent clocks running), and two calmer ones.
    customer, unit = s.pick(at=s.at(minutes=25), arrears=False)
    s.create(customer, unit, WorkType.REPAIR, at=s.at(minutes=25), urgency=Urgency.URGENT)
    customer, unit = s.pick(at=s.at(minutes=40), family=ProductFamily.BIOCHEMISTRY, arrears=False)
    order = s.create(customer, unit, WorkType.APP_TROUBLESHOOTING, at=s.at(minutes=40))
    s.wo.workorder_record_remote(
        order=order,
        actor=s.clerk,
        actions="已指导客户重新定标并更换质控品批号，等待结果后回电。",
        callback_due_at=s.at(minutes=-20),
        at=s.at(minutes=30),
    )
    customer, unit = s.pick(at=s.at(hours=3), arrears=False)
    s.create(customer, unit, WorkType.REPAIR, at=s.at(hours=3), channel="web")
    count += 3

    # Waiting for approval: a free repair for a full-line user → the marketing-centre head.
    start = s.at(hours=6)
    customer, unit = s.pick(at=start, usage=ProductLineUsage.FULL, warranty=False, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=1))
    count += 1

    # Waiting for approval: a paid repair — quoted, contract signed, deposit paid, finance to confirm.
    start = s.at(days=2)
    customer, unit = s.pick(at=start, usage=ProductLineUsage.PARTIAL, warranty=False, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.PAID, at=start + dt.timedelta(hours=2))
    s.approve(order, at=start + dt.timedelta(hours=4), quote_amount="6800", quote_note="更换加样注射器组件及人工费")
    s.approve(
        order,
        at=start + dt.timedelta(hours=20),
        contract_no=f"FW{s.today:%Y}-0{order.pk:03d}",
    )
    s.approve(order, at=s.at(hours=5), deposit_reference="工行转账 20261128-3391")
    count += 1

    # Approved, waiting for dispatch: a warranty repair and a new application project.
    start = s.at(hours=5)
    customer, unit = s.pick(at=start, warranty=True, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.WARRANTY, at=start + dt.timedelta(minutes=40))
    s.approve(order, at=start + dt.timedelta(hours=1))
    start = s.at(days=1, hours=4)
    customer, unit = s.pick(at=start, family=ProductFamily.BIOCHEMISTRY, arrears=False)
    order = s.create(customer, unit, WorkType.APP_NEW_PROJECT, at=start, channel="staff")
    s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=2))
    s.approve(order, at=start + dt.timedelta(hours=5))
    count += 2

    # Dispatched, not booked yet: a customer in arrears (the agreement recorded, WO-15) …
    start = s.at(hours=9)
    customer, unit = s.pick(at=start, arrears=True, warranty=True)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.WARRANTY, at=start + dt.timedelta(minutes=30))
    s.approve(order, at=start + dt.timedelta(hours=1))
    s.dispatch(
        order,
        at=s.at(hours=2),
        arrears_agreement="销售经理电话确认：客户已承诺月底前结清，同意先服务" if order.customer.in_arrears else "",
    )
    # … and a maintenance waiting for the customer (its clocks paused).
    start = s.at(days=2, hours=3)
    customer, unit = s.pick(at=start, usage=ProductLineUsage.FULL, warranty=False, arrears=False)
    order = s.create(customer, unit, WorkType.MAINTENANCE, at=start)
    s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=1))
    s.approve(order, at=start + dt.timedelta(hours=6))
    order = s.dispatch(order, at=start + dt.timedelta(hours=8))
    s.wo.workorder_pause(
        order=order,
        actor=order.engineer,
        kind=PauseKind.WAITING_CUSTOMER,
        reason="检验科搬迁新楼，客户通知后再约上门时间",
        at=s.at(days=1),
    )
    count += 2

    # Scheduled: a visit today (later in the day) and one tomorrow.
    start = s.at(hours=20)
    customer, unit = s.pick(at=start, warranty=True, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.WARRANTY, at=start + dt.timedelta(minutes=20))
    s.approve(order, at=start + dt.timedelta(minutes=40))
    order = s.dispatch(order, at=start + dt.timedelta(hours=1))
    later_today = max(s.now + dt.timedelta(minutes=45), s.today_at(16))
    later_today = min(later_today, s.today_at(23, 30))
    s.schedule(order, at=start + dt.timedelta(hours=2), appointment=later_today)
    start = s.at(hours=7)
    customer, unit = s.pick(at=start, family=ProductFamily.HBA1C, arrears=False)
    order = s.create(customer, unit, WorkType.MAINTENANCE, at=start)
    s.file(order, billing=Billing.WARRANTY if s.in_warranty(unit, start) else Billing.FREE, at=start)
    s.approve(order, at=start + dt.timedelta(hours=1))
    order = s.dispatch(order, at=start + dt.timedelta(hours=2))
    s.schedule(order, at=start + dt.timedelta(hours=3), appointment=s.today_at(10) + dt.timedelta(days=1))
    count += 2

    # On site right now: checked in 50 minutes ago, the record half written.
    start = s.at(days=1, hours=1)
    customer, unit = s.pick(at=start, warranty=True, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.file(order, billing=Billing.WARRANTY, at=start + dt.timedelta(minutes=30))
    s.approve(order, at=start + dt.timedelta(hours=1))
    order = s.dispatch(order, at=start + dt.timedelta(hours=2))
    s.schedule(order, at=start + dt.timedelta(hours=3), appointment=s.at(hours=1))
    s.visit(order, at=s.at(minutes=50), findings="试剂针液面检测板故障，更换中。", work_done="", finished=False)
    count += 1

    # Solved remotely and cancelled.
    start = s.at(days=2, hours=5)
    customer, unit = s.pick(at=start, family=ProductFamily.BIOCHEMISTRY, arrears=False)
    order = s.create(customer, unit, WorkType.APP_TROUBLESHOOTING, at=start)
    s.wo.workorder_resolve_remotely(
        order=order,
        actor=s.clerk,
        solution="远程指导重新定标并更换新批号质控品，复测在控，客户确认解决。",
        at=start + dt.timedelta(minutes=45),
    )
    start = s.at(days=3)
    customer, unit = s.pick(at=start, arrears=False)
    order = s.create(customer, unit, WorkType.REPAIR, at=start)
    s.wo.workorder_cancel(
        order=order, actor=s.clerk, reason="客户来电：已自行重启恢复正常，撤销报修", at=start + dt.timedelta(hours=2)
    )
    count += 2

    # Emergency: dispatched at once by the technical head, the application still missing (WO-5).
    start = s.at(minutes=90)
    customer, unit = s.pick(at=start, arrears=False)
    order = s.create(
        customer,
        unit,
        WorkType.REPAIR,
        at=start,
        urgency=Urgency.URGENT,
        description="急诊生化仪停机，夜班样本无法出报告。",
    )
    s.wo.workorder_emergency_dispatch(
        order=order,
        actor=s.head,
        engineer=s.best_engineer(order),
        reason="急诊科主任来电，已与销售核实设备归属，王总同意先派工",
        at=s.at(minutes=80),
    )
    count += 1

    gen.say(f"work orders: {count}")
