"""FU-1: completing a job plans exactly the follow-ups of the rules, on dates checked by hand."""

import datetime as dt

import pytest

from apps.followups import services
from apps.followups.choices import Job, Problem, Stage, State, Trend
from apps.followups.models import FollowUp
from apps.workorders.choices import Billing, Status, WorkType
from apps.workorders.tests._world import complete, local, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _complete(w, work_type, at, billing=Billing.FREE):
    order = register(w, work_type=work_type, at=at - dt.timedelta(days=2))
    walk(w, order, Status.ON_SITE, at=at - dt.timedelta(days=2) + dt.timedelta(minutes=10), billing=billing)
    order.refresh_from_db()
    return complete(order, actor=w.engineer, at=at)


def _plan(order):
    return [
        (
            f.stage,
            dt.datetime.fromisoformat(f.due_at.astimezone(local(2026, 1, 1).tzinfo).isoformat()).strftime(
                "%Y-%m-%d %H:%M"
            ),
        )
        for f in FollowUp.objects.filter(work_order=order).order_by("due_at")
    ]


def test_an_installation_completed_on_monday_is_followed_up_after_24_and_48_hours(world):
    order = _complete(world, WorkType.INSTALLATION, local(2026, 6, 8, 15, 0))
    assert _plan(order) == [(Stage.FIXED, "2026-06-09 15:00"), (Stage.FIXED, "2026-06-10 15:00")]
    assert set(FollowUp.objects.filter(work_order=order).values_list("job", flat=True)) == {Job.INSTALLATION}


def test_a_vip_visit_is_followed_up_on_the_next_working_day_after_the_mid_autumn_holiday(world):
    order = _complete(world, WorkType.VIP_VISIT, local(2026, 9, 24, 15, 0))
    assert _plan(order) == [(Stage.FIXED, "2026-09-28 15:00")]


def test_all_well_plans_the_third_within_a_week_then_twice_a_month(world):
    order = _complete(world, WorkType.INSTALLATION, local(2026, 6, 8, 15, 0))
    first, second = FollowUp.objects.filter(work_order=order).order_by("due_at")
    for f, at in ((first, local(2026, 6, 9, 16)), (second, local(2026, 6, 10, 10))):
        services.followup_record(followup=f, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL, at=at)
    assert _plan(order)[-1] == (Stage.AFTER_GOOD, "2026-06-15 15:00")
    third = FollowUp.objects.get(work_order=order, stage=Stage.AFTER_GOOD)
    services.followup_record(
        followup=third, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL, at=local(2026, 6, 15, 11)
    )
    assert _plan(order)[-1] == (Stage.RECURRING, "2026-06-30 11:00")


def test_worse_than_usual_switches_to_daily_until_solved_then_as_before(world):
    order = _complete(world, WorkType.INSTALLATION, local(2026, 6, 8, 15, 0))
    first, second = FollowUp.objects.filter(work_order=order).order_by("due_at")
    services.followup_record(
        followup=first,
        actor=world.engineer,
        problem=Problem.SOLVED_BY_PHONE,
        trend=Trend.WORSE,
        record="质控偏高",
        plan_told="重新定标",
        at=local(2026, 6, 9, 16),
    )
    # The 48-hour call (due Wed 15:00) is the next day's call: no second call that day.
    assert len(_plan(order)) == 2
    services.followup_record(
        followup=second,
        actor=world.engineer,
        problem=Problem.SOLVED_BY_PHONE,
        trend=Trend.WORSE,
        record="仍偏高",
        plan_told="更换质控批号",
        at=local(2026, 6, 10, 15, 30),
    )
    assert _plan(order)[-1] == (Stage.POOR_DAILY, "2026-06-11 15:30")
    daily = FollowUp.objects.get(work_order=order, stage=Stage.POOR_DAILY)
    services.followup_record(
        followup=daily, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL, at=local(2026, 6, 11, 10)
    )
    assert _plan(order)[-1] == (Stage.AFTER_GOOD, "2026-06-15 15:00")


def test_a_corrected_answer_replans_and_keeps_the_replaced_follow_up(world):
    order = _complete(world, WorkType.INSTALLATION, local(2026, 6, 8, 15, 0))
    for f, at in zip(
        FollowUp.objects.filter(work_order=order).order_by("due_at"),
        (local(2026, 6, 9, 16), local(2026, 6, 10, 10)),
        strict=True,
    ):
        services.followup_record(followup=f, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL, at=at)
    second = FollowUp.objects.filter(work_order=order, stage=Stage.FIXED).order_by("due_at").last()
    services.followup_correct(
        followup=second,
        actor=world.engineer,
        trend=Trend.WORSE,
        problem=Problem.NONE,
        reason="主任回电：结果偏高",
        at=local(2026, 6, 10, 17),
    )
    third = FollowUp.objects.get(work_order=order, stage=Stage.AFTER_GOOD)
    assert third.state == State.SUPERSEDED
    assert "偏高" not in third.events.last().text and third.events.last().kind == "superseded"
    assert FollowUp.objects.get(work_order=order, stage=Stage.POOR_DAILY, state=State.PLANNED)


def test_repair_and_paid_repair_follow_the_repair_and_paid_rules(world):
    repair = _complete(world, WorkType.REPAIR, local(2026, 6, 8, 15, 0))
    assert _plan(repair) == [(Stage.FIXED, "2026-06-10 15:00"), (Stage.FIXED, "2026-06-15 15:00")]
    assert FollowUp.objects.filter(work_order=repair).first().job == Job.REPAIR
    paid = _complete(world, WorkType.REPAIR, local(2026, 6, 8, 16, 0), billing=Billing.PAID)
    assert {f.job for f in FollowUp.objects.filter(work_order=paid)} == {Job.PAID_HARDWARE}


def test_planning_twice_plans_nothing_more(world):
    order = _complete(world, WorkType.REPAIR, local(2026, 6, 8, 15, 0))
    services.followups_plan_for_work_order(order=order, actor=world.tech_head)
    assert FollowUp.objects.filter(work_order=order).count() == 2
