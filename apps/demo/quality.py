"""Demo data of complaints and what hangs from them (SPEC §6, §10; issue 5).

Called by apps.demo.generator after apps.demo.aftercare. Everything goes through the real
services at fixed offsets from the generator's `now`, so the quality department finds its board
alive:

- a product complaint about a reagent lot with a serious injury, known to the sales person a day
  before the hotline registered it: reportable, its 20-day report pending, investigation open,
  a CAPA opened;
- a group event registered this morning: the 12-hour phone report already made, the 24-hour
  individual reports and the 7-day investigation report pending;
- a service complaint against an engineer waiting for the reply (apology and talk recorded, his
  self-assessment missing) — his second one, so a reassignment review is raised;
- a product complaint closed last month (no defect, lot released, retention date), one call that
  turned out not to be a complaint, and a fresh one whose first-reply clock is already late.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.utils import timezone

APPS = ("apps.complaints",)


def create_quality(gen) -> None:
    if not all(apps.is_installed(name) for name in APPS):
        gen.say("quality: skipped (complaints app not installed)")
        return
    q = _Quality(gen)
    q.complaints()
    for name, step in (
        ("apps.trace", "trace"),
        ("apps.knowledge", "knowledge"),
        ("apps.suggestions", "suggestions"),
        ("apps.returns", "returns"),
        ("apps.trending", "trending"),
    ):
        if apps.is_installed(name) and hasattr(q, step):
            getattr(q, step)()
    q.report()


class _Quality:
    def __init__(self, gen):
        from apps.catalog.choices import ItemKind
        from apps.catalog.models import Lot
        from apps.instruments.models import Instrument

        self.gen = gen
        self.now = gen.now
        self.users = gen.users
        self.quality = self.users["quality"]
        self.head = self.users["techhead"]
        self.clerk = self.users["clerk"]
        self.customers = [c for c in gen.customers[:60] if c.responsible_sales_id]
        lots = list(
            Lot.objects.filter(item__kind=ItemKind.REAGENT, is_active=True).select_related("item").order_by("id")[:4]
        )
        self.lot, self.other_lot = lots[0], lots[1]
        self.instruments = {
            i.customer_id: i
            for i in Instrument.objects.filter(customer__in=self.customers)
            .select_related("model")
            .order_by("serial_no")
        }
        self.made = {}

    def at(self, **offset) -> dt.datetime:
        return self.now - dt.timedelta(**offset)

    def customer(self, index: int):
        return self.customers[index % len(self.customers)]

    def register(self, *, at, actor=None, **data):
        from apps.complaints import services

        values = {"complainant_phone": "13912345678", "received_at": at}
        values.update(data)
        return services.complaint_create(actor=actor or self.clerk, data=values, at=at)

    # --- complaints -----------------------------------------------------------------------------
    def complaints(self) -> None:
        from apps.complaints import services as cs
        from apps.complaints.choices import Disposition, Kind, ReplyKind, ReplyMethod, YesNoUnknown

        quality, head = self.quality, self.head

        # 1. Serious injury after wrong results on a reagent lot (CP-3 adverse event): 20-day report.
        c1_customer = self.customer(0)
        received = self.at(days=3, hours=2)
        c1 = self.register(
            at=received,
            kind=Kind.PRODUCT,
            customer=c1_customer,
            complainant_name="王主任",
            complainant_employer=c1_customer.name,
            product_name=self.lot.item.name,
            lot=self.lot,
            summary="血糖结果偏低导致漏诊，患者低血糖昏迷入院",
            details="检验科反映该批号试剂连续三天质控偏低约 12%，一名患者血糖结果偏低未及时处理，"
            "后因低血糖昏迷收入 ICU，现已好转。",
            device_used=YesNoUnknown.YES,
            used_for_diagnosis=YesNoUnknown.YES,
            met_specification=YesNoUnknown.NO,
            harm="serious_injury",
            harm_details="低血糖昏迷，ICU 观察 2 天后转回普通病房。",
            told_to_stop_use=True,
            aware_at=received - dt.timedelta(days=1),
            handler=quality,
        )
        cs.complaint_evaluate(
            actor=quality,
            complaint=c1,
            is_complaint=True,
            rationale="产品性能投诉，涉及患者伤害",
            at=received + dt.timedelta(hours=1),
        )
        cs.complaint_add_reply(
            actor=quality,
            complaint=c1,
            kind=ReplyKind.ACKNOWLEDGEMENT,
            method=ReplyMethod.PHONE,
            content="已致电王主任，告知暂停使用该批号，质量部 24 小时内派人取样。",
            at=received + dt.timedelta(hours=2),
        )
        cs.complaint_decide_reportability(
            actor=quality,
            complaint=c1,
            reportable=True,
            events=["serious_injury"],
            rationale="可能导致严重伤害，属于不良事件报告范围",
            at=received + dt.timedelta(hours=3),
        )
        cs.capa_create(
            actor=quality,
            complaint=c1,
            data={
                "title": f"批号 {self.lot.lot_no} 葡萄糖试剂偏低调查",
                "description": "留样复测、稳定性复核、生产记录审查",
            },
            at=received + dt.timedelta(hours=4),
        )
        self.made["serious"] = c1

        # 2. Group event this morning: the 12-hour phone report made, the others pending.
        c2_customer = self.customer(3)
        received = self.at(hours=5)
        c2 = self.register(
            at=received,
            actor=quality,
            kind=Kind.PRODUCT,
            customer=c2_customer,
            complainant_name="刘科长",
            complainant_employer=c2_customer.name,
            product_name=self.other_lot.item.name,
            lot=self.other_lot,
            summary="同一批号试剂 5 名患者结果异常",
            details="同一天内 5 名患者检测结果明显异常，临床复查后确认与试剂批号相关。",
            device_used=YesNoUnknown.YES,
            used_for_diagnosis=YesNoUnknown.YES,
            harm="injury",
            told_to_stop_use=True,
            handler=quality,
        )
        cs.complaint_evaluate(
            actor=quality,
            complaint=c2,
            is_complaint=True,
            rationale="群体性结果异常",
            at=received + dt.timedelta(minutes=30),
        )
        cs.complaint_decide_reportability(
            actor=quality,
            complaint=c2,
            reportable=True,
            events=["group_event"],
            rationale="疑似群体不良事件",
            at=received + dt.timedelta(minutes=45),
        )
        phone = c2.reports.get(rule__code="cn-group-phone")
        cs.report_submit(
            actor=quality,
            report=phone,
            report_number="省局电话登记 2026-118",
            note="电话报告省药监局，传真已发送",
            at=received + dt.timedelta(hours=2),
        )
        self.made["group"] = c2

        # 3. A service complaint against an engineer (his second: a reassignment review).
        engineer = self.users["engineer"]
        c3_customer = next((c for c in self.customers if c.responsible_engineer_id == engineer.pk), self.customer(5))
        earlier_at = self.at(days=70)
        earlier = self.register(
            at=earlier_at,
            kind=Kind.SERVICE,
            customer=c3_customer,
            complainant_name="陈老师",
            product_name="生化分析仪保养服务",
            summary="保养未按约定时间到场",
            details="约定上午 9 点保养，工程师 11 点才到，未提前告知。",
            engineer=engineer,
            handler=head,
        )
        cs.complaint_evaluate(
            actor=head,
            complaint=earlier,
            is_complaint=True,
            rationale="服务投诉",
            at=earlier_at + dt.timedelta(hours=1),
        )
        received = self.at(days=1, hours=4)
        c3 = self.register(
            at=received,
            kind=Kind.SERVICE,
            customer=c3_customer,
            complainant_name="陈老师",
            product_name="生化分析仪维修服务",
            summary="维修后仪器当天再次报警，工程师态度生硬",
            details="维修后两小时再次出现温度报警，联系工程师时对方称“不是我的问题”。",
            engineer=engineer,
            handler=head,
        )
        at = received + dt.timedelta(minutes=40)
        cs.complaint_evaluate(actor=head, complaint=c3, is_complaint=True, rationale="服务态度与维修质量投诉", at=at)
        cs.complaint_apologise(
            actor=head,
            complaint=c3,
            text="技术部负责人电话向陈老师致歉，并安排主管次日上门复查。",
            at=at + dt.timedelta(minutes=20),
        )
        cs.complaint_decide_reportability(
            actor=quality,
            complaint=c3,
            reportable=False,
            rationale="服务投诉，无伤害，不属于报告范围",
            at=at + dt.timedelta(hours=1),
        )
        cs.complaint_talk_with_engineer(
            actor=head, complaint=c3, note="与张伟面谈：沟通方式与维修后观察时间。", at=at + dt.timedelta(hours=3)
        )
        cs.complaint_complete_investigation(
            actor=head,
            complaint=c3,
            findings="温控板接插件松动，维修后未做足够的观察。",
            cause_category="service",
            at=at + dt.timedelta(hours=20),
        )
        cs.complaint_record_disposition(
            actor=head, complaint=c3, disposition=Disposition.NOT_APPLICABLE, at=at + dt.timedelta(hours=21)
        )
        cs.complaint_record_correction(
            actor=head,
            complaint=c3,
            correction="主管上门复查并更换接插件",
            no_capa_reason="个别服务问题，已在培训中分享",
            at=at + dt.timedelta(hours=22),
        )
        self.made["service"] = c3

        # 4. Closed last month: no defect, lot released.
        c4_customer = self.customer(7)
        received = self.at(days=40)
        c4 = self.register(
            at=received,
            kind=Kind.PRODUCT,
            customer=c4_customer,
            complainant_name="赵组长",
            product_name=self.lot.item.name,
            lot=self.lot,
            summary="试剂开瓶后浑浊",
            details="新开一盒试剂 R1 略显浑浊，担心影响结果。",
            handler=quality,
        )
        t = received
        for step in range(1, 7):
            t = received + dt.timedelta(hours=step * 6)
            c4.refresh_from_db()
            if step == 1:
                cs.complaint_evaluate(actor=quality, complaint=c4, is_complaint=True, rationale="产品外观投诉", at=t)
            elif step == 2:
                cs.complaint_decide_reportability(
                    actor=quality, complaint=c4, reportable=False, rationale="无伤害，未影响结果", at=t
                )
            elif step == 3:
                cs.complaint_complete_investigation(
                    actor=quality,
                    complaint=c4,
                    findings="留样与客户样品复测均在规格内，浑浊为低温运输后的可逆析出。",
                    cause_category="transport",
                    at=t,
                )
            elif step == 4:
                cs.complaint_record_disposition(
                    actor=quality, complaint=c4, disposition=Disposition.LOT_RELEASED, note="批号放行", at=t
                )
            elif step == 5:
                cs.complaint_record_correction(
                    actor=quality,
                    complaint=c4,
                    correction="提示客户室温平衡 30 分钟后使用",
                    no_capa_reason="无缺陷",
                    at=t,
                )
            elif step == 6:
                cs.complaint_send_resolution(
                    actor=quality,
                    complaint=c4,
                    method=ReplyMethod.PHONE,
                    content="告知复测结果合格及使用前平衡方法，客户满意。",
                    satisfied=YesNoUnknown.YES,
                    at=t,
                )
        cs.complaint_close(
            actor=quality, complaint=c4, review_note="调查充分，客户满意，关闭。", at=t + dt.timedelta(days=1)
        )

        # 5. Not a complaint; 6. a fresh one already late for its first reply.
        received = self.at(days=6)
        c5 = self.register(
            at=received,
            kind=Kind.PRODUCT,
            customer=self.customer(9),
            complainant_name="孙医生",
            product_name="糖化血红蛋白分析仪",
            summary="询问色谱柱更换周期",
            details="客户来电询问色谱柱多久更换一次。",
        )
        cs.complaint_evaluate(
            actor=quality,
            complaint=c5,
            is_complaint=False,
            rationale="咨询，不涉及产品缺陷或服务不满",
            at=received + dt.timedelta(hours=1),
        )
        instrument = self.instruments.get(self.customer(11).pk)
        self.register(
            at=self.at(hours=30),
            kind=Kind.PRODUCT,
            customer=self.customer(11),
            complainant_name="周主任",
            product_name=instrument.model.name if instrument else "生化分析仪",
            instrument=instrument,
            summary="仪器加样针频繁堵针",
            details="近一周每天堵针 3–4 次，已按说明书清洗，仍未改善。",
        )

    # --- deliveries, lot trace, a class II notice (issue 5) ----------------------------------------
    def trace(self) -> None:
        from apps.core.services import record_create
        from apps.trace import services as ts
        from apps.trace.models import Delivery

        admin = self.users["admin"]
        day = timezone.localdate(self.now)
        # The lot of the serious-injury complaint went to eight customers, the other lot to five.
        for index, (lot, customers) in enumerate(((self.lot, range(0, 8)), (self.other_lot, range(3, 8)))):
            for n in customers:
                customer = self.customer(n)
                record_create(
                    model=Delivery,
                    actor=self.users["logistics"],
                    data={
                        "delivered_on": day - dt.timedelta(days=60 - 3 * n - index),
                        "customer": customer,
                        "item": lot.item,
                        "lot": lot,
                        "quantity": 2 + n % 4,
                        "document_no": f"FH{day:%y%m}{index}{n:03d}",
                        "dealer": customer.dealer,
                    },
                )
        for customer_index, instrument in list(self.instruments.items())[:6]:
            record_create(
                model=Delivery,
                actor=admin,
                data={
                    "delivered_on": instrument.install_date or day - dt.timedelta(days=400),
                    "customer_id": customer_index,
                    "instrument": instrument,
                    "serial_no": instrument.serial_no,
                    "quantity": 1,
                    "document_no": f"YQ{instrument.serial_no[-6:]}",
                },
            )
        # Class II notice to the lot of the serious-injury complaint, issued yesterday: some told,
        # two acknowledged, the rest still open on the board.
        issued = self.at(days=1, hours=3)
        notice = ts.notice_create(
            actor=self.quality,
            data={
                "title": f"{self.lot.item.name} 批号 {self.lot.lot_no} 结果偏低风险通知",
                "notice_class": "2",
                "reason": "部分用户反馈该批号质控偏低，调查确认个别批次校准品赋值偏差。",
                "action_required": "立即停用该批号，联系当地工程师更换批号并重新定标，回执确认。",
            },
            m2m={"lots": [self.lot]},
            at=issued,
        )
        notice = ts.notice_issue(actor=self.quality, notice=notice, at=issued + dt.timedelta(minutes=10))
        for n, recipient in enumerate(notice.recipients.order_by("id")):
            if n < 5:
                recipient = ts.recipient_notify(
                    actor=self.quality, recipient=recipient, channel="phone", at=issued + dt.timedelta(hours=1 + n)
                )
            if n < 2:
                ts.recipient_acknowledge(
                    actor=self.quality,
                    recipient=recipient,
                    name="检验科主任",
                    position="主任",
                    at=issued + dt.timedelta(hours=3 + n),
                )

    def trending(self) -> None:
        from apps.trending.services import trend_scan

        trend_scan(now=self.now)

    def report(self) -> None:
        from apps.complaints.models import Complaint, RegulatoryReport

        self.gen.say(
            f"quality: complaints {Complaint.objects.count()}, regulatory reports {RegulatoryReport.objects.count()}"
        )
