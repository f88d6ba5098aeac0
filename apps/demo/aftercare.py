"""Demo data of what follows a completed job (SPEC §4, §5; issue 4): follow-ups, surveys, the
engineers' service-quality ratings, the VIP programme and new-project survival.

Called by apps.demo.generator right after apps.demo.workorders. Completing a job already plans
its follow-ups, opens its survey, records a VIP visit and starts new-project tracking (the
work-order services call apps.workorders.aftercare); this module completes a few more jobs with
the work-order stories' helpers and then works the results through the real services only, at
fixed offsets from the generator's `now`, so a newcomer finds every page alive:

- an installation done three days ago whose results were worse than usual at both phone
  follow-ups → a daily follow-up today on its engineer's call list, his follow-up sheet
  submitted for review;
- a new project that went live forty days ago, its first monthly check recorded (in use, usage);
- a repair follow-up waiting in the leader's queue, one customer not reached, others due or
  overdue on the clerk's and the engineers' call lists;
- a survey answered through the customer's link, one by phone with a low product-quality score
  (its case open, the cause recorded), others pending with a live link;
- last month's ratings of a few engineers by the technical head, the marketing head and sales;
- purchase volumes of the year over the VIP tiers, re-tiering, planned visits, one visit done
  two days ago and one announced.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from apps.accounts.choices import Role
from apps.catalog.choices import ProductFamily
from apps.customers.choices import CustomerKind, CustomerTier

APPS = ("apps.followups", "apps.surveys", "apps.vip", "apps.survival")

# Purchase volumes of the year (CNY), highest first: three customers per default VIP tier, one
# more on the lowest, and three below every tier (they stay normal customers).
VOLUMES = (
    "1860000",
    "1240000",
    "1020000",
    "820000",
    "640000",
    "510000",
    "430000",
    "310000",
    "260000",
    "205000",
    "180000",
    "96000",
    "42000",
)

# The project the new-project job set up (the checklist note the survival app names it by; it
# matches one catalogue reagent, so the project links to it).
NEW_PROJECT = "胱抑素C(Cys-C)"


def create_aftercare(gen) -> None:
    """Follow-ups, surveys, ratings, VIP programme and new-project survival (module docstring)."""
    if not all(apps.is_installed(name) for name in APPS):
        gen.say("aftercare: skipped (follow-up, survey, VIP or survival app not installed)")
        return
    from apps.demo.workorders import _Stories
    from apps.workorders.models import WorkOrder

    before = WorkOrder.objects.count()
    s = _Stories(gen)
    s.used.update(WorkOrder.objects.values_list("customer_id", flat=True))
    a = _Aftercare(s)
    project = a.new_project_story()  # 40 days ago
    a.vip_programme()  # volumes, re-tiering 22 days ago, visits planned, one done 2 days ago
    installation = a.installation_story()  # 3 days ago, worse than usual
    a.work_other_followups()
    a.surveys()
    a.ratings(installation, project.work_order)
    a.sheet(installation.engineer)
    a.report(orders=WorkOrder.objects.count() - before)


class _Aftercare:
    def __init__(self, stories):
        self.s = stories
        self.users = stories.users
        self.now = stories.now
        self.today = stories.today

    # --- small helpers on top of the work-order stories -----------------------------------------
    def ready(self, order, *, at, notes=None):
        """Tick the readiness checklist as the engineer, with a note where the story has one."""
        notes = notes or {}
        for item in list(order.checklist.all()):
            self.s.wo.workorder_check_item(
                order=order, actor=order.engineer, code=item.code, done=True, note=notes.get(item.code, ""), at=at
            )

    def book(self, order, *, at, appointment, notes=None):
        contact = self.s.contacts.get(order.customer_id)
        self.ready(order, at=at, notes=notes)
        return self.s.wo.workorder_schedule(
            order=order,
            actor=order.engineer,
            appointment_at=appointment,
            agreed_with=contact.name if contact else "检验科",
            at=at,
        )

    def dispatch_to(self, order, engineer, *, at, reason=""):
        return self.s.wo.workorder_dispatch(order=order, actor=self.s.head, engineer=engineer, reason=reason, at=at)

    def contact_name(self, customer_id) -> str:
        contact = self.s.contacts.get(customer_id)
        return contact.name if contact else "检验科主任"

    def local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

    def followups_of(self, order):
        from apps.followups.models import FollowUp

        return FollowUp.objects.filter(work_order=order).order_by("due_at", "pk")

    def open_followup(self, order, *, sequence: int):
        from apps.followups.choices import Stage, State

        return (
            self.followups_of(order)
            .filter(state=State.PLANNED, stage=Stage.FIXED, rule__sequence=sequence)
            .select_related("assignee")
            .first()
        )

    # --- a new project, live for forty days (FU-6) ---------------------------------------------
    def new_project_story(self):
        from apps.followups import services as followups
        from apps.followups.choices import Problem, State
        from apps.followups.selectors import followups_for_source
        from apps.surveys.choices import Item, SurveyChannel
        from apps.surveys.models import Survey
        from apps.surveys.services import survey_answer
        from apps.survival.models import NewProject
        from apps.workorders.choices import Billing, WorkType

        s = self.s
        start = s.at(days=44)
        customer, unit = s.pick(at=start, family=ProductFamily.BIOCHEMISTRY, arrears=False)
        order = s.create(
            customer,
            unit,
            WorkType.APP_NEW_PROJECT,
            at=start,
            channel="staff",
            description="新开展胱抑素C（Cys-C）项目，需上机调试、设置参数并做方法学验证。",
        )
        s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=1))
        s.approve(order, at=start + dt.timedelta(hours=5))
        order = s.dispatch(order, at=start + dt.timedelta(days=1))
        appointment = s.at(days=40, hours=6)
        self.book(
            order,
            at=start + dt.timedelta(days=1, hours=1),
            appointment=appointment,
            notes={"project_list": NEW_PROJECT},
        )
        s.visit(
            order,
            at=appointment,
            findings="试剂、校准品、质控品到位；仪器运行稳定，Cys-C 通道参数未设置。",
            work_done="设置 Cys-C 项目参数并定标，两水平质控在控；完成精密度与线性验证，培训操作人员 3 名。",
        )
        done = appointment + dt.timedelta(hours=4)
        s.sign(order, at=done, seed=11)
        order.refresh_from_db()
        engineer = order.engineer

        # SQ-1: the lab head scored the service on the engineer's phone before he left.
        survey = Survey.objects.get(work_order=order)
        scores = {item: {"score": 5} for item in Item.values}
        scores.update(
            {
                Item.TIMELY_SHIPPING: {"score": 4},
                Item.TIMELY_INVOICE: {"not_applicable": True},
                Item.TIMELY_FOLLOWUP: {"not_applicable": True},
            }
        )
        survey_answer(
            survey=survey,
            actor=engineer,
            channel=SurveyChannel.ON_SITE,
            answers=scores,
            respondent_name=self.contact_name(customer.pk),
            respondent_position="检验科主任",
            at=done + dt.timedelta(minutes=10),
        )

        # FU-1: application work — the reagent use one week after.
        week = self.followups_of(order).filter(state=State.PLANNED).first()
        if week is not None:
            followups.followup_record(
                followup=week,
                actor=engineer,
                problem=Problem.NONE,
                answers={
                    "results_fit_clinic": True,
                    "projects_run": "肝功、肾功、血脂、Cys-C 等 28 项",
                    "daily_samples": 380,
                    "suggestions": "希望 HCY 也能尽快上机",
                },
                spoke_with=self.contact_name(customer.pk),
                at=week.due_at + dt.timedelta(hours=2),
            )

        # FU-6: the month-1 check, answered on the engineer's call list (in use, monthly usage).
        project = NewProject.objects.get(work_order=order)
        check = project.checks.get(month=1)
        call = followups_for_source(check).filter(state=State.PLANNED).first()
        followups.followup_record(
            followup=call,
            actor=call.assignee or engineer,
            problem=Problem.NONE,
            answers={"in_use": True, "monthly_usage": 420},
            record="Cys-C 已常规开展，门诊肾内科开单为主。",
            spoke_with=self.contact_name(customer.pk),
            at=max(call.due_at + dt.timedelta(hours=3), done + dt.timedelta(days=1)),
        )
        project.refresh_from_db()
        return project

    # --- the VIP programme (FU-5) ----------------------------------------------------------------
    def vip_programme(self):
        from apps.vip import services as vip
        from apps.vip.choices import VisitState
        from apps.vip.models import VipMembership, VipVisit

        s = self.s
        commerce, head = self.users["commerce"], s.head
        year = self.today.year
        engineers = {u.pk for u in self.users.values() if u.role == Role.ENGINEER}
        candidates = [c for c in s.customers if c.is_active and c.responsible_engineer_id in engineers]
        # The lab's own VIP flag and size first: the programme keeps the big hospitals it has.
        candidates.sort(key=lambda c: (c.tier != CustomerTier.VIP, c.grade not in ("3A", "3B"), c.code))
        for customer, amount in zip(candidates, VOLUMES, strict=False):
            vip.volume_create(
                actor=commerce,
                data={
                    "customer": customer,
                    "year": year,
                    "amount": Decimal(amount),
                    "note": f"{year} 年试剂及耗材进货额（商务部统计）",
                },
            )
        # Members since 22 days ago: the first visit falls due in 8 days (a month after joining),
        # so the daily job five days ago planned them all (its horizon is two weeks).
        vip.vip_retier(year=year, actor=head, at=s.at(days=22))
        vip.vip_plan_visits(today=self.today - dt.timedelta(days=5), actor=None)

        members = list(
            VipMembership.objects.filter(is_active=True, engineer__role=Role.ENGINEER)
            .select_related("customer", "engineer", "tier")
            .order_by("-basis_amount", "customer__code")
        )
        visits = {
            v.membership_id: v
            for v in VipVisit.objects.filter(state=VisitState.PLANNED, membership__in=members).order_by("pk")
        }
        members = [m for m in members if m.pk in visits]
        if not members:
            return

        # One visit announced four days ago, done two days ago (SPEC FU-5 4, 5).
        first = members[0]
        visit = visits[first.pk]
        agreed = s.at(days=2, hours=3)
        visit = vip.vip_visit_announce(
            visit=visit,
            actor=first.engineer,
            agreed_at=agreed,
            content=first.tier.service_content or "仪器保养与性能检查；质控数据回顾",
            contact=s.contacts.get(first.customer_id),
            contact_name=self.contact_name(first.customer_id),
            special_requests="希望顺带讲解新批号校准品的使用注意事项。",
            at=s.at(days=4, hours=2),
        )
        order = visit.work_order
        s.file(order, billing="free", at=s.at(days=4, hours=1), content="VIP 定期上门服务")
        s.approve(order, at=s.at(days=3, hours=22), reason="VIP 客户定期拜访")
        order = self.dispatch_to(order, first.engineer, at=s.at(days=3, hours=20), reason="VIP 固定工程师")
        self.book(order, at=s.at(days=3, hours=19), appointment=agreed)
        s.visit(
            order,
            at=agreed,
            findings="两台分析仪运行正常；近三月室内质控在控，室间质评全部合格。",
            work_done="完成全面保养与性能检查，回顾质控数据，为新入职技师讲解校准品使用要点，并向科主任汇报。",
        )
        s.sign(order, at=agreed + dt.timedelta(hours=3), seed=12)

        # A second member's visit announced today for its planned day.
        if len(members) > 1:
            second = members[1]
            planned = visits[second.pk]
            day = max(planned.planned_on, self.today + dt.timedelta(days=1))
            vip.vip_visit_announce(
                visit=planned,
                actor=second.engineer,
                agreed_at=self.local(day, 9, 30),
                content=second.tier.service_content or "仪器巡检与保养；质控数据回顾",
                contact=s.contacts.get(second.customer_id),
                contact_name=self.contact_name(second.customer_id),
                special_requests="",
                at=s.at(hours=1),
            )
        # Today's run of the daily job: nothing new is due, nobody is overdue.
        vip.vip_plan_visits(today=self.today, actor=None)

    # --- an installation three days ago: worse than usual (FU-1, FU-3) ---------------------------
    def installation_story(self):
        from apps.followups import services as followups
        from apps.followups.choices import Problem, Trend
        from apps.instruments.choices import InstrumentStatus
        from apps.instruments.models import Instrument
        from apps.workorders.choices import Billing, WorkType

        s = self.s
        engineer = self.users.get("engineer")
        start = s.at(days=6)
        customer = None
        for candidate in s.customers:
            if (
                candidate.pk in s.used
                or not candidate.responsible_sales_id
                or candidate.in_arrears
                or candidate.kind != CustomerKind.HOSPITAL
                or (engineer is not None and candidate.responsible_engineer_id != engineer.pk)
            ):
                continue
            customer = candidate
            break
        if customer is None:  # another seed: any hospital with an engineer
            customer, _unit = s.pick(at=start, arrears=False)
        s.used.add(customer.pk)
        unit = (
            Instrument.objects.filter(customer=customer, status=InstrumentStatus.INSTALLING)
            .select_related("model")
            .order_by("serial_no")
            .first()
        )
        new_model = self.s.gen.models.get("YB-480") if unit is None else None
        contact = s.contacts.get(customer.pk)
        order = s.wo.workorder_create(
            actor=s.clerk,
            customer=customer,
            instrument=unit,
            instrument_model=new_model,
            work_type=WorkType.INSTALLATION,
            channel="staff",
            description="新购 YB-480 全自动生化分析仪已到货，申请安装调试及操作培训。"
            if unit is None
            else "新装分析仪到货，申请安装调试及操作培训。",
            contact=contact,
            caller_name=contact.name if contact else "",
            caller_phone=contact.mobile if contact else "",
            at=start,
        )
        s.file(order, billing=Billing.FREE, at=start + dt.timedelta(hours=1), content="新机安装、调试、性能验证及培训")
        s.approve(order, at=start + dt.timedelta(hours=4), reason="新机装机，按合同免费安装")
        who = engineer if engineer is not None and customer.responsible_engineer_id == engineer.pk else None
        who = who or customer.responsible_engineer or s.best_engineer(order)
        order = self.dispatch_to(order, who, at=start + dt.timedelta(hours=6), reason="驻地工程师")
        appointment = s.at(days=3, hours=7)
        self.book(order, at=start + dt.timedelta(hours=7), appointment=appointment)
        s.visit(
            order,
            at=appointment,
            findings="场地、水电、环境符合要求；仪器开箱检查完好。",
            work_done="完成安装调试、定标与质控，精密度验证通过；培训操作人员 4 名并交付操作规程。",
        )
        s.sign(order, at=appointment + dt.timedelta(hours=6), seed=13)
        order.refresh_from_db()
        caller = order.engineer

        # FU-3 at +24 h: results worse than usual, solved by phone — the plan told.
        first = self.open_followup(order, sequence=1)
        followups.followup_record(
            followup=first,
            actor=caller,
            problem=Problem.SOLVED_BY_PHONE,
            trend=Trend.WORSE,
            answers={
                "adoption": "已开始使用，先开展肝功、肾功项目",
                "device_use": "每日开机约 10 小时",
                "output_quality": "ALT 结果较原仪器系统性偏高约 8%",
                "operator_compliance": True,
                "specimens_reagents": "血清，原厂试剂",
                "specimen_handling": "离心后 2 小时内上机",
            },
            record="ALT 结果较原仪器偏高，怀疑定标因子未按新批号校准品更新。",
            plan_told="指导客户用新批号校准品重新定标后复测质控，明天再电话确认。",
            spoke_with=self.contact_name(customer.pk),
            at=first.due_at + dt.timedelta(hours=2),
        )
        # At +48 h still worse: the plan changes to a call every next day until solved.
        second = self.open_followup(order, sequence=2)
        if second is not None:
            followups.followup_record(
                followup=second,
                actor=caller,
                problem=Problem.SOLVED_BY_PHONE,
                trend=Trend.WORSE,
                answers={"output_quality": "重新定标后偏差缩小至 4%，仍高于常规", "operator_compliance": True},
                record="重新定标后 ALT 偏差缩小但仍高于常规，比色杯空白偏高。",
                plan_told="指导清洗比色杯并做杯空白检查，每天回访直至结果恢复常规。",
                spoke_with=self.contact_name(customer.pk),
                at=min(second.due_at + dt.timedelta(hours=1), s.at(hours=23)),
            )
        return order

    # --- the other call lists (FU-2, FU-3) ---------------------------------------------------------
    def work_other_followups(self):
        from apps.followups import services as followups
        from apps.followups.choices import Problem, Questionnaire, State, Trend
        from apps.followups.models import FollowUp

        planned = FollowUp.objects.filter(state=State.PLANNED, assignee__isnull=False, rule__sequence=1).select_related(
            "assignee", "customer", "work_order"
        )
        repairs = list(
            planned.filter(job="repair", questionnaire=Questionnaire.SERVICE, due_at__lt=self.now).order_by("-due_at")
        )
        # A repair whose fault came back: the engineer cannot promise a fix → the leader decides.
        if repairs:
            leader = repairs[0]
            followups.followup_record(
                followup=leader,
                actor=leader.assignee,
                problem=Problem.NEEDS_LEADER,
                trend=Trend.WORSE,
                answers={
                    "device_status": False,
                    "operator_compliance": True,
                    "output_quality": "温度偶有波动，个别批次质控失控",
                },
                record="维修后第二天反应盘温度又出现 ±0.8 ℃ 波动，客户要求免费更换温控模块，需领导决定。",
                remarks="客户情绪尚可，希望本周内答复",
                spoke_with=self.contact_name(leader.customer_id),
                at=leader.due_at + dt.timedelta(hours=2),
            )
        # A lab nobody answered at: tried once yesterday, to be called again.
        for unreached in repairs[1:2]:
            followups.followup_not_reached(
                followup=unreached,
                actor=unreached.assignee,
                note="科室电话无人接听，联系人手机关机。",
                at=self.s.at(days=1),
            )

    # --- surveys (SQ-1, SQ-2) ------------------------------------------------------------------------
    def surveys(self):
        from apps.surveys import services as surveys
        from apps.surveys.choices import CaseKind, Item, SurveyChannel, SurveyState
        from apps.surveys.models import Survey
        from apps.workorders.choices import WorkType

        s = self.s
        pending = Survey.objects.filter(state=SurveyState.PENDING).select_related("work_order").order_by("pk")
        # The customer answered the VIP visit's survey through his personal link: all 5s.
        link = pending.filter(work_order__work_type=WorkType.VIP_VISIT).first()
        if link is not None:
            surveys.survey_answer(
                survey=link,
                actor=None,
                channel=SurveyChannel.LINK,
                link_nonce=link.link_nonce,
                answers={item: {"score": 5} for item in Item.values},
                respondent_name=self.contact_name(link.customer_id),
                respondent_position="检验科主任",
                suggestion="服务很周到，感谢！",
                at=max(link.link_issued_at + dt.timedelta(hours=20), s.at(days=1)),
            )
        # The clerk took the oldest pending survey by phone: product quality scored 2 → a case.
        phone = pending.exclude(work_order__work_type__in=[WorkType.VIP_VISIT, WorkType.INSTALLATION]).first()
        if phone is None:
            return
        scores = {item: {"score": 4} for item in Item.values}
        scores.update(
            {
                Item.PRODUCT_QUALITY: {"score": 2, "comment": "同批号试剂开瓶一周后质控逐渐偏低，换瓶后恢复。"},
                Item.TIMELY_ON_SITE: {"score": 5},
                Item.TIMELY_INVOICE: {"not_applicable": True},
                Item.PACKAGING: {"not_applicable": True},
                Item.LOGISTICS: {"not_applicable": True},
                Item.OTHER: {"not_applicable": True},
            }
        )
        answered_at = max(phone.link_issued_at + dt.timedelta(days=2), s.at(days=9))
        answered_at = min(answered_at, s.at(hours=6))
        phone = surveys.survey_answer(
            survey=phone,
            actor=self.users["clerk"],
            channel=SurveyChannel.PHONE,
            answers=scores,
            respondent_name=self.contact_name(phone.customer_id),
            respondent_position="生化组组长",
            at=answered_at,
        )
        case = phone.cases.filter(kind=CaseKind.DISSATISFIED, item=Item.PRODUCT_QUALITY).first()
        if case is not None:
            surveys.case_record_cause(
                case=case,
                actor=self.users["quality"],
                cause="开瓶后试剂在机稳定性不足：客户试剂仓温度偏高（12 ℃），超出说明书 2–8 ℃ 要求。",
                at=answered_at + dt.timedelta(days=1),
            )

    # --- SQ-4: last month's ratings --------------------------------------------------------------------
    def ratings(self, *orders):
        from apps.surveys.services import rating_save

        month = (self.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        raters = [self.users["techhead"], self.users["marketing"]]
        scores = ((5, 4, 5), (4, 4, 5), (4, 5, 4), (5, 5, 4))
        seen = []
        for order in orders:
            if order is None or order.engineer is None or order.engineer in seen:
                continue
            seen.append(order.engineer)
            people = raters + ([order.customer.responsible_sales] if order.customer.responsible_sales else [])
            for n, rater in enumerate(people):
                attitude, professional, conduct = scores[(n + len(seen)) % len(scores)]
                rating_save(
                    actor=rater,
                    engineer=order.engineer,
                    month=month,
                    attitude=attitude,
                    professional=professional,
                    conduct=conduct,
                    comment="" if n else "电话抽查客户：态度好，处理问题及时。",
                    at=self.s.at(hours=5 - n),
                )

    # --- FU-4: the engineer's follow-up sheet -------------------------------------------------------
    def sheet(self, caller):
        from apps.followups import services as followups
        from apps.followups.choices import State
        from apps.followups.models import FollowUp

        if caller is None:
            return
        tz = timezone.get_current_timezone()
        for day in (self.today - dt.timedelta(days=7), self.today):
            first, last = followups.week_of(day)
            done = FollowUp.objects.filter(
                done_by=caller,
                state=State.DONE,
                sheet__isnull=True,
                done_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
                done_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
            )
            if done.exists():
                sheet = followups.sheet_create(
                    caller=caller, period_start=first, period_end=last, actor=caller, at=self.s.at(minutes=40)
                )
                followups.sheet_submit(sheet=sheet, actor=caller, at=self.s.at(minutes=35))
                return

    def report(self, *, orders: int):
        from apps.followups.choices import State
        from apps.followups.models import FollowUp
        from apps.vip.models import VipMembership

        done = FollowUp.objects.filter(state=State.DONE).count()
        planned = FollowUp.objects.filter(state=State.PLANNED).count()
        members = VipMembership.objects.filter(is_active=True).count()
        self.s.gen.say(
            f"aftercare: {orders} more work orders; follow-ups {done} done, {planned} planned; VIP members {members}"
        )
