"""VIP visits (SPEC FU-5 3-5): the cycle and the planned day, one open visit per member, the
announcement that registers the VIP_VISIT work order, completion through the work-order flow,
cancelling, overdue reminders, the fixed engineer and the cycle changed by policy."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from apps.core.exceptions import ConflictError
from apps.vip import services, tasks
from apps.vip.choices import EventKind, VisitState
from apps.vip.models import VipMembership, VipVisit
from apps.vip.tests._vip import (  # noqa: F401
    MONDAY,
    YEAR,
    announce,
    local,
    make_member,
    open_visit,
    plan,
    vip_fixture,
    visit_done,
    world_fixture,
)
from apps.workorders import services as workorders
from apps.workorders.choices import Channel, Status, WorkType
from apps.workorders.models import WorkOrder
from apps.workorders.tests._world import messages_for, walk


def _visited(membership, day: dt.date) -> VipMembership:
    VipMembership.objects.filter(pk=membership.pk).update(last_visit_on=day)
    membership.refresh_from_db()
    return membership


# --- the cycle and the planned day -------------------------------------------------------------


def test_the_next_visit_falls_a_cycle_after_the_last_one(world, vip):
    membership = _visited(make_member(world), dt.date(2026, 6, 8))  # Silver: every 90 days
    assert services.next_due(membership) == dt.date(2026, 9, 6)


def test_a_visit_due_on_a_sunday_is_planned_for_the_friday_before(world, vip):
    assert dt.date(2026, 9, 6).isoweekday() == 7
    assert services.planned_day(dt.date(2026, 9, 6), today=dt.date(2026, 8, 25)) == dt.date(2026, 9, 4)


def test_a_visit_due_in_the_national_day_holidays_is_planned_before_them(world, vip):
    # 2026-10-01 … 10-07 are public holidays (10-04 a Sunday among them).
    assert services.planned_day(dt.date(2026, 10, 4), today=dt.date(2026, 9, 20)) == dt.date(2026, 9, 30)


def test_a_visit_already_late_is_planned_for_the_first_working_day_from_today(world, vip):
    assert services.planned_day(dt.date(2026, 8, 1), today=dt.date(2026, 9, 5)) == dt.date(2026, 9, 7)


def test_the_daily_planning_plans_a_member_when_due_within_the_horizon(world, vip):
    membership = _visited(make_member(world), dt.date(2026, 6, 8))
    services.vip_member_change_cycle(
        membership=membership, actor=world.tech_head, cycle_days=90, reason="按公司政策", at=MONDAY
    )
    membership.refresh_from_db()
    assert membership.next_visit_due == dt.date(2026, 9, 6)

    assert plan(dt.date(2026, 8, 21)).planned == 0  # 16 days ahead: not yet
    assert plan(dt.date(2026, 8, 24)).planned == 1

    visit = open_visit(membership)
    assert visit.planned_on == dt.date(2026, 9, 4)
    assert visit.engineer == world.engineer
    assert visit.state == VisitState.PLANNED
    assert len(messages_for(world.engineer, contains="planned for 2026-09-04")) == 1
    assert membership.events.filter(kind=EventKind.VISIT_PLANNED).count() == 1


def test_a_member_never_has_two_open_visits(world, vip):
    membership = make_member(world)
    assert plan(dt.date(2026, 7, 1)).planned == 1
    assert plan(dt.date(2026, 7, 2)).planned == 0
    assert plan(dt.date(2026, 7, 20)).planned == 0
    assert membership.visits.count() == 1
    # The database says the same, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        VipVisit.objects.create(membership=membership, planned_on=dt.date(2026, 7, 9))


def test_the_planning_task_runs_the_service(world, vip):
    membership = make_member(world)
    VipMembership.objects.filter(pk=membership.pk).update(next_visit_due=dt.date.today())
    tasks.plan_vip_visits.call_local()
    assert membership.visits.filter(state=VisitState.PLANNED).count() == 1


# --- overdue --------------------------------------------------------------------------------------


def test_an_overdue_visit_reminds_the_engineer_once(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = open_visit(membership)
    assert visit.planned_on == dt.date(2026, 7, 8)

    assert plan(dt.date(2026, 7, 8)).overdue == 0  # due today: not late yet
    assert plan(dt.date(2026, 7, 9)).overdue == 1
    assert plan(dt.date(2026, 7, 10)).overdue == 0

    assert len(messages_for(world.engineer, contains="overdue")) == 1
    assert membership.events.filter(kind=EventKind.VISIT_OVERDUE).count() == 1


# --- announcing (SPEC FU-5 4) -------------------------------------------------------------------


def test_announcing_registers_exactly_one_vip_visit_work_order(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    at = local(2026, 7, 2, 10, 0)

    visit = announce(world, open_visit(membership), at=at, contact=vip.lab_head, agreed_at=local(2026, 7, 7, 9, 30))

    assert WorkOrder.objects.count() == 1
    order = visit.work_order
    assert order.work_type == WorkType.VIP_VISIT
    assert order.channel == Channel.STAFF
    assert order.customer == world.customer and order.contact == vip.lab_head
    assert order.status == Status.NEW
    assert order.created_by == world.engineer
    assert "2026-07-07 09:30" in order.description and "希望讲解新项目" in order.description
    assert visit.state == VisitState.ANNOUNCED
    assert visit.contact_name == "张主任" and visit.announced_by == world.engineer
    assert visit.due_on == dt.date(2026, 7, 7)
    assert membership.events.filter(kind=EventKind.VISIT_ANNOUNCED).count() == 1
    # The technical head hears of the new order as of any other (to dispatch it).
    assert messages_for(world.tech_head, contains=order.number)

    with pytest.raises(ConflictError):
        announce(world, visit, at=at)
    assert WorkOrder.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"contact_name": ""}, "contact_name"),
        ({"content": "  "}, "content"),
        ({"agreed_at": local(2026, 7, 1, 9, 0)}, "agreed_at"),
    ],
)
def test_an_announcement_says_whom_when_and_what(world, vip, changes, field):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = open_visit(membership)
    kwargs = {
        "visit": visit,
        "actor": world.engineer,
        "contact_name": "张主任",
        "agreed_at": local(2026, 7, 7, 9, 30),
        "content": "保养",
        "at": local(2026, 7, 2, 10, 0),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.vip_visit_announce(**kwargs)
    assert field in error.value.message_dict
    assert not WorkOrder.objects.exists()
    visit.refresh_from_db()
    assert visit.state == VisitState.PLANNED


def test_only_the_fixed_engineer_or_the_heads_announce_a_visit(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = open_visit(membership)
    for outsider in (world.engineer2, world.sales, world.clerk):
        with pytest.raises(PermissionDenied):
            announce(world, visit, actor=outsider, at=local(2026, 7, 2))
    assert announce(world, visit, actor=world.tech_head, at=local(2026, 7, 2)).state == VisitState.ANNOUNCED


def test_a_stale_version_is_refused(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = open_visit(membership)
    with pytest.raises(ConflictError):
        services.vip_visit_announce(
            visit=visit,
            actor=world.engineer,
            contact_name="张主任",
            agreed_at=local(2026, 7, 7),
            content="保养",
            expected_version=visit.version + 1,
            at=local(2026, 7, 2),
        )


# --- completion (SPEC FU-5 5) ---------------------------------------------------------------------


def test_completing_the_visit_order_marks_the_visit_done_and_plans_the_next_one(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=local(2026, 7, 2, 10, 0))

    done, order = visit_done(world, visit, at=local(2026, 7, 6, 9, 0))  # through apps.workorders.aftercare

    assert order.status == Status.COMPLETED
    assert done.pk == visit.pk and done.state == VisitState.DONE
    membership.refresh_from_db()
    day = order.completed_at.astimezone(local(2026, 1, 1).tzinfo).date()
    assert membership.last_visit_on == day == dt.date(2026, 7, 6)
    assert membership.next_visit_due == dt.date(2026, 10, 4)  # + 90 days (Silver)
    assert membership.events.filter(kind=EventKind.VISIT_DONE).count() == 1

    # The hook is called once per completed job; a second call changes nothing.
    again = services.vip_visit_completed(order=order, actor=world.engineer, at=order.completed_at)
    assert again.pk == visit.pk
    assert membership.events.filter(kind=EventKind.VISIT_DONE).count() == 1

    # … and the next visit is planned when it falls due (a holiday Sunday → the last working day before).
    assert plan(dt.date(2026, 9, 19)).planned == 0
    assert plan(dt.date(2026, 9, 20)).planned == 1
    assert open_visit(membership).planned_on == dt.date(2026, 9, 30)


def test_other_completed_jobs_are_no_visit(world, vip):
    make_member(world)
    from apps.workorders.tests._world import register

    order = walk(world, register(world), "completed")
    assert services.vip_visit_completed(order=order, actor=world.engineer, at=order.completed_at) is None
    membership = VipMembership.objects.get(customer=world.customer)
    assert membership.last_visit_on is None


def test_a_vip_visit_order_registered_by_hand_counts_as_the_members_visit(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    planned = open_visit(membership)
    from apps.workorders.tests._world import register

    order = walk(world, register(world, work_type=WorkType.VIP_VISIT, instrument=None), "completed")
    visit = services.vip_visit_completed(order=order, actor=world.engineer, at=order.completed_at)

    assert visit.pk == planned.pk  # the planned visit, now done with this order
    assert visit.state == VisitState.DONE and visit.work_order == order
    membership.refresh_from_db()
    assert membership.last_visit_on == order.completed_at.astimezone(local(2026, 1, 1).tzinfo).date()


def test_a_vip_visit_order_without_a_planned_visit_is_recorded_as_unplanned(world, vip):
    membership = make_member(world)
    from apps.workorders.tests._world import register

    order = walk(world, register(world, work_type=WorkType.VIP_VISIT, instrument=None), "completed")
    visit = services.vip_visit_completed(order=order, actor=world.engineer, at=order.completed_at)

    assert visit.unplanned and visit.state == VisitState.DONE
    assert membership.visits.count() == 1


def test_a_vip_visit_solved_by_phone_is_no_visit(world, vip):
    make_member(world)
    from apps.workorders.tests._world import register

    order = register(world, work_type=WorkType.VIP_VISIT, instrument=None)
    order = workorders.workorder_resolve_remotely(order=order, actor=world.clerk, solution="电话解决", at=MONDAY)
    assert services.vip_visit_completed(order=order, actor=world.clerk, at=MONDAY) is None


def test_the_daily_job_records_a_completed_visit_the_hook_missed(world, vip, monkeypatch):
    from apps.workorders import aftercare

    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=local(2026, 7, 2, 10, 0))
    monkeypatch.setattr(aftercare, "HOOKS", ())  # a deployment where the hook was not wired
    walk(world, visit.work_order, "completed", at=local(2026, 7, 6, 9, 0))
    assert VipVisit.objects.get(pk=visit.pk).state == VisitState.ANNOUNCED

    result = plan(dt.date(2026, 7, 7))

    assert result.completed == 1
    assert VipVisit.objects.get(pk=visit.pk).state == VisitState.DONE


# --- cancelling -----------------------------------------------------------------------------------


def test_a_cancelled_work_order_releases_the_visit_and_the_member_is_planned_again(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=local(2026, 7, 2, 10, 0))
    workorders.workorder_cancel(order=visit.work_order, actor=world.tech_head, reason="客户推迟", at=local(2026, 7, 3))

    result = plan(dt.date(2026, 7, 4))

    visit.refresh_from_db()
    assert result.released == 1 and result.planned == 1
    assert visit.state == VisitState.CANCELLED and visit.work_order.number in visit.cancel_reason
    assert open_visit(membership).planned_on == dt.date(2026, 7, 8)  # still due 07-08: planned for it again


def test_the_engineer_cancels_his_planned_visit_with_a_reason(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = open_visit(membership)
    with pytest.raises(ValidationError):
        services.vip_visit_cancel(visit=visit, actor=world.engineer, reason=" ")
    services.vip_visit_cancel(visit=visit, actor=world.engineer, reason="客户装修，暂停一月")
    visit.refresh_from_db()
    assert visit.state == VisitState.CANCELLED and visit.cancelled_by == world.engineer
    assert membership.events.get(kind=EventKind.VISIT_CANCELLED).text == "客户装修，暂停一月"


def test_an_announced_visit_is_cancelled_by_the_technical_head_with_its_order(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=local(2026, 7, 2))
    with pytest.raises(PermissionDenied):
        services.vip_visit_cancel(visit=visit, actor=world.engineer, reason="客户推迟")

    services.vip_visit_cancel(visit=visit, actor=world.tech_head, reason="客户推迟")

    visit.refresh_from_db()
    assert visit.state == VisitState.CANCELLED
    assert visit.work_order.status == Status.CANCELLED


def test_a_visit_whose_engineer_is_on_site_cannot_be_cancelled(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=local(2026, 7, 2))
    walk(world, visit.work_order, "on_site", at=local(2026, 7, 3))
    with pytest.raises(ConflictError):
        services.vip_visit_cancel(visit=visit, actor=world.tech_head, reason="不去了")
    visit.refresh_from_db()
    assert visit.state == VisitState.ANNOUNCED


# --- the fixed engineer and the cycle -----------------------------------------------------------


def test_a_new_fixed_engineer_takes_the_open_visit_along(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    services.vip_member_change_engineer(
        membership=membership, actor=world.tech_head, engineer=world.engineer2, reason="片区调整"
    )
    membership.refresh_from_db()
    assert membership.engineer == world.engineer2
    assert open_visit(membership).engineer == world.engineer2
    assert messages_for(world.engineer2, contains="fixed engineer")
    assert "片区调整" in membership.events.get(kind=EventKind.ENGINEER_CHANGED).text


def test_the_fixed_engineer_must_serve_the_customers_region(world, vip):
    membership = make_member(world)
    with pytest.raises(ValidationError) as error:
        services.vip_member_change_engineer(membership=membership, actor=world.tech_head, engineer=world.other_engineer)
    assert "engineer" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.vip_member_change_engineer(membership=membership, actor=world.tech_head, engineer=world.sales)
    with pytest.raises(PermissionDenied):
        services.vip_member_change_engineer(membership=membership, actor=world.engineer, engineer=world.engineer2)


def test_an_own_cycle_by_policy_needs_a_reason_and_re_dates_the_planned_visit(world, vip):
    membership = _visited(make_member(world), dt.date(2026, 6, 8))
    membership.next_visit_due = services.next_due(membership)
    membership.save()
    plan(dt.date(2026, 8, 24))
    assert open_visit(membership).planned_on == dt.date(2026, 9, 4)

    with pytest.raises(ValidationError):
        services.vip_member_change_cycle(membership=membership, actor=world.tech_head, cycle_days=30, reason="")
    services.vip_member_change_cycle(
        membership=membership, actor=world.tech_head, cycle_days=60, reason="大客户季度政策", at=local(2026, 6, 20)
    )

    membership.refresh_from_db()
    assert membership.visit_cycle_days == 60 and membership.cycle_override_reason == "大客户季度政策"
    assert membership.next_visit_due == dt.date(2026, 8, 7)
    assert open_visit(membership).planned_on == dt.date(2026, 8, 7)

    services.vip_member_change_cycle(membership=membership, actor=world.tech_head, cycle_days=None, reason="恢复")
    membership.refresh_from_db()
    assert membership.visit_cycle_days == 90 and membership.cycle_override_reason == ""


def test_a_tiers_new_cycle_re_dates_members_without_their_own(world, vip):
    membership = _visited(make_member(world), dt.date(2026, 6, 8))
    own = _visited(make_member(world, vip.hunan), dt.date(2026, 6, 8))
    services.vip_member_change_cycle(membership=own, actor=world.tech_head, cycle_days=45, reason="政策")

    services.tier_update(
        actor=world.admin, instance=vip.silver, data={"visit_cycle_days": 120}, expected_version=vip.silver.version
    )

    membership.refresh_from_db()
    own.refresh_from_db()
    assert membership.next_visit_due == dt.date(2026, 10, 6)
    assert own.next_visit_due == dt.date(2026, 7, 23)
    assert membership.events.filter(kind=EventKind.CYCLE_CHANGED).count() == 1
