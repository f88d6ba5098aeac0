"""The follow-up services as a caller and his leaders meet them: the plan of every kind of job
(FU-1, dates checked by hand on the 2026 calendar), the call's outcomes (FU-2, FU-3), who may do
what, re-planning, and FU-7's phone load."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.core.exceptions import ConflictError
from apps.followups import policies, selectors, services
from apps.followups.choices import (
    AssigneeRole,
    EventKind,
    Job,
    LeaderState,
    Problem,
    Questionnaire,
    Stage,
    State,
    Trend,
)
from apps.followups.models import FollowUp
from apps.workorders import services as workorder_services
from apps.workorders.choices import Billing, Status, WorkType
from apps.workorders.tests._world import (  # noqa: F401
    SHANGHAI,
    complete,
    local,
    messages_for,
    register,
    walk,
    world_fixture,
)

pytestmark = pytest.mark.django_db

MONDAY_3PM = local(2026, 6, 8, 15, 0)


def _complete(w, work_type, at=MONDAY_3PM, billing=Billing.FREE):
    order = register(w, work_type=work_type, at=at - dt.timedelta(days=2))
    walk(w, order, Status.ON_SITE, at=at - dt.timedelta(days=2) + dt.timedelta(minutes=10), billing=billing)
    order.refresh_from_db()
    return complete(order, actor=w.engineer, at=at)


def _when(moment) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _plan(order, **filters):
    """(job, due in Shanghai, who calls) of the order's follow-ups, earliest first."""
    rows = FollowUp.objects.filter(work_order=order, **filters).select_related("assignee").order_by("due_at", "pk")
    return [(f.job, _when(f.due_at), f.assignee.username if f.assignee else "pool") for f in rows]


def _planned(order):
    return list(FollowUp.objects.filter(work_order=order, state=State.PLANNED).order_by("due_at", "pk"))


def _first(order):
    return _planned(order)[0]


def _all_well(followup, actor, at):
    return services.followup_record(followup=followup, actor=actor, problem=Problem.NONE, trend=Trend.AS_USUAL, at=at)


# --- FU-1: the plan of each kind of job -----------------------------------------------------------


@pytest.mark.parametrize("work_type", [WorkType.INSTALLATION, WorkType.UPGRADE, WorkType.COMMISSIONING])
def test_installation_upgrade_and_commissioning_are_called_by_the_engineer_24_and_48_hours_after(world, work_type):
    order = _complete(world, work_type)
    assert _plan(order) == [
        (Job.INSTALLATION, "2026-06-09 15:00", "engineer"),
        (Job.INSTALLATION, "2026-06-10 15:00", "engineer"),
    ]
    assert {f.questionnaire for f in _planned(order)} == {Questionnaire.INSTALLATION}


@pytest.mark.parametrize("work_type", [WorkType.REPAIR, WorkType.MAINTENANCE])
def test_a_free_repair_or_maintenance_is_called_after_48_hours_then_by_the_hotline_a_week_after(world, work_type):
    order = _complete(world, work_type)
    assert _plan(order) == [
        (Job.REPAIR, "2026-06-10 15:00", "engineer"),
        (Job.REPAIR, "2026-06-15 15:00", "pool"),
    ]
    pool = _planned(order)[1]
    assert pool.assignee_role == AssigneeRole.CLERK and pool.questionnaire == Questionnaire.SERVICE


def test_a_paid_repair_follows_the_paid_hardware_rules(world):
    order = _complete(world, WorkType.REPAIR, billing=Billing.PAID)
    assert _plan(order) == [
        (Job.PAID_HARDWARE, "2026-06-10 15:00", "engineer"),
        (Job.PAID_HARDWARE, "2026-06-15 15:00", "pool"),
    ]


def test_remote_support_done_on_site_is_technical_support_at_24_and_48_hours(world):
    order = _complete(world, WorkType.REMOTE_SUPPORT)
    assert _plan(order) == [
        (Job.TECHNICAL_SUPPORT, "2026-06-09 15:00", "engineer"),
        (Job.TECHNICAL_SUPPORT, "2026-06-10 15:00", "engineer"),
    ]


def test_a_repair_solved_by_phone_is_technical_support_for_the_hotline(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    workorder_services.workorder_resolve_remotely(
        order=order, actor=world.clerk, solution="指导客户重新装载试剂盘", at=local(2026, 6, 8, 10, 0)
    )
    # Nobody was dispatched and the customer has no responsible engineer: the hotline calls.
    assert _plan(order) == [
        (Job.TECHNICAL_SUPPORT, "2026-06-09 10:00", "pool"),
        (Job.TECHNICAL_SUPPORT, "2026-06-10 10:00", "pool"),
    ]


@pytest.mark.parametrize(
    "work_type", [WorkType.APP_NEW_PROJECT, WorkType.APP_TROUBLESHOOTING, WorkType.PERFORMANCE_VERIFICATION]
)
def test_application_work_is_followed_up_on_reagent_use_one_week_after(world, work_type):
    order = _complete(world, work_type)
    assert _plan(order, job=Job.APPLICATION) == [(Job.APPLICATION, "2026-06-15 15:00", "engineer")]
    assert _planned(order)[0].questionnaire == Questionnaire.LAB_PHONE


def test_a_vip_visit_the_day_before_national_day_is_followed_up_on_the_first_working_day_after(world):
    # Wed 30 Sep 2026 → 1–7 Oct off → Thu 8 Oct, same time.
    order = _complete(world, WorkType.VIP_VISIT, at=local(2026, 9, 30, 16, 0))
    assert _plan(order) == [(Job.VIP_VISIT, "2026-10-08 16:00", "pool")]


def test_training_gets_no_follow_up(world):
    order = _complete(world, WorkType.TRAINING)
    assert not FollowUp.objects.filter(work_order=order).exists()


# --- FU-3: not reached --------------------------------------------------------------------------


def test_a_customer_not_reached_is_called_again_later_and_the_supervisor_hears_once_at_the_third_attempt(world):
    order = _complete(world, WorkType.INSTALLATION)
    first = _first(order)
    assert policies.RETRY_AFTER_HOURS == 4 and policies.ATTEMPTS_BEFORE_SUPERVISOR == 3
    attempts = [
        # 4 h of office time (08:30-12:00, 13:30-17:30) after the later of the due time and now:
        # a call missed at 15:10 comes back the next morning, never in the night.
        (local(2026, 6, 9, 15, 10), "2026-06-10 10:10"),
        (local(2026, 6, 9, 19, 30), "2026-06-10 15:40"),
        (local(2026, 6, 10, 9, 0), "2026-06-11 10:40"),
        (local(2026, 6, 10, 13, 30), "2026-06-11 16:10"),
    ]
    for n, (at, due) in enumerate(attempts, start=1):
        first = services.followup_not_reached(followup=first, actor=world.engineer, note="无人接听", at=at)
        assert (first.attempts, _when(first.due_at), first.state) == (n, due, State.PLANNED)
        told = messages_for(world.supervisor, contains="not reached")
        assert len(told) == (0 if n < 3 else 1)
    assert told == [f"广州市第一人民医院 not reached after 3 attempts (follow-up {first.number})"]
    assert first.planned_for == local(2026, 6, 9, 15, 0)  # the plan itself is unchanged
    assert list(first.events.filter(kind=EventKind.ATTEMPT).values_list("text", flat=True))[0] == (
        "Attempt 1: not reached. 无人接听"
    )
    assert first in selectors.call_list(user=world.engineer, day=dt.date(2026, 6, 11))
    assert first not in selectors.call_list(user=world.engineer, day=dt.date(2026, 6, 10))


# --- FU-3: the outcome of a call ---------------------------------------------------------------


def test_a_problem_solved_by_phone_needs_the_record_and_the_plan_told_to_the_customer(world):
    order = _complete(world, WorkType.INSTALLATION)
    first = _first(order)
    with pytest.raises(ValidationError) as refused:
        services.followup_record(
            followup=first, actor=world.engineer, problem=Problem.SOLVED_BY_PHONE, trend=Trend.AS_USUAL
        )
    assert set(refused.value.message_dict) == {"plan_told", "record"}
    first.refresh_from_db()
    assert first.state == State.PLANNED and first.version == 1
    done = services.followup_record(
        followup=first,
        actor=world.engineer,
        problem=Problem.SOLVED_BY_PHONE,
        trend=Trend.AS_USUAL,
        record="质控偏高",
        plan_told="重新定标后再测质控",
        at=local(2026, 6, 9, 16, 0),
    )
    assert (done.state, done.plan_told, done.leader_state) == (State.DONE, "重新定标后再测质控", LeaderState.NONE)


def test_a_problem_for_the_leader_goes_to_the_queue_is_decided_and_told_to_the_customer(world):
    order = _complete(world, WorkType.INSTALLATION)
    first = services.followup_record(
        followup=_first(order),
        actor=world.engineer,
        problem=Problem.NEEDS_LEADER,
        trend=Trend.WORSE,
        record="客户要求更换整机",
        at=local(2026, 6, 9, 16, 0),
    )
    assert first.leader_state == LeaderState.PENDING
    assert list(selectors.leader_queue(user=world.supervisor)) == [first]
    for leader in (world.supervisor, world.tech_head):
        assert messages_for(leader, contains="needs a handling plan") == [
            f"Follow-up {first.number} (广州市第一人民医院) needs a handling plan"
        ]

    with pytest.raises(PermissionDenied):
        services.followup_leader_decide(followup=first, actor=world.engineer, plan="自行处理")
    with pytest.raises(ValidationError) as refused:
        services.followup_leader_decide(followup=first, actor=world.supervisor, plan=" ")
    assert "plan" in refused.value.message_dict
    first = services.followup_leader_decide(
        followup=first,
        actor=world.supervisor,
        plan="先更换光源灯，一周后复查",
        expected_version=first.version,
        at=local(2026, 6, 9, 17, 0),
    )
    assert (first.leader_state, first.leader, first.leader_at) == (
        LeaderState.DECIDED,
        world.supervisor,
        local(2026, 6, 9, 17, 0),
    )
    assert messages_for(world.engineer, contains="Handling plan") == [
        f"Handling plan for 广州市第一人民医院 decided: tell the customer (follow-up {first.number})"
    ]
    with pytest.raises(ConflictError):
        services.followup_leader_decide(followup=first, actor=world.tech_head, plan="再议")

    with pytest.raises(PermissionDenied):
        services.followup_plan_told(followup=first, actor=world.engineer2, note="已告知")
    first = services.followup_plan_told(
        followup=first, actor=world.engineer, note="已电话告知张主任", at=local(2026, 6, 10, 9, 0)
    )
    assert first.leader_state == LeaderState.TOLD and first.plan_told == "已电话告知张主任"
    assert not selectors.leader_queue(user=world.supervisor).exists()
    with pytest.raises(ConflictError):
        services.followup_plan_told(followup=first, actor=world.engineer)


def test_open_questions_are_answered_once_after_discussion(world):
    order = _complete(world, WorkType.APP_NEW_PROJECT)
    followup = _planned(order)[0]
    with pytest.raises(ConflictError):
        services.followup_answer_questions(followup=followup, actor=world.engineer, answer="x")
    followup = services.followup_record(
        followup=followup,
        actor=world.engineer,
        problem=Problem.NONE,
        open_questions="新批号试剂的定标周期？",
        at=local(2026, 6, 15, 16, 0),
    )
    followup = services.followup_answer_questions(
        followup=followup, actor=world.engineer, answer="每 14 天定标一次", at=local(2026, 6, 16, 10, 0)
    )
    assert followup.questions_answered_at == local(2026, 6, 16, 10, 0)
    with pytest.raises(ConflictError):
        services.followup_answer_questions(followup=followup, actor=world.engineer, answer="again")


def test_a_stale_version_changes_nothing(world):
    order = _complete(world, WorkType.INSTALLATION)
    first = _first(order)
    services.followup_not_reached(followup=first, actor=world.engineer, expected_version=1)
    with pytest.raises(ConflictError):
        services.followup_record(
            followup=first, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL, expected_version=1
        )
    first.refresh_from_db()
    assert (first.state, first.version, first.attempts) == (State.PLANNED, 2, 1)


# --- FU-2: answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("work_type", [WorkType.INSTALLATION, WorkType.REPAIR])
def test_installation_and_service_answers_must_say_whether_results_are_as_usual(world, work_type):
    order = _complete(world, work_type)
    with pytest.raises(ValidationError) as refused:
        services.followup_record(followup=_first(order), actor=world.engineer, problem=Problem.NONE)
    assert list(refused.value.message_dict) == ["trend"]


def test_a_lab_answer_is_typed_a_number_refuses_text_and_unknown_questions_are_dropped(world):
    order = _complete(world, WorkType.APP_TROUBLESHOOTING)
    followup = _planned(order)[0]
    with pytest.raises(ValidationError) as refused:
        services.followup_record(
            followup=followup, actor=world.engineer, problem=Problem.NONE, answers={"daily_samples": "很多"}
        )
    assert refused.value.message_dict == {"daily_samples": ["Enter a number."]}
    with pytest.raises(ValidationError) as refused:
        services.followup_record(
            followup=followup, actor=world.engineer, problem=Problem.NONE, answers={"results_fit_clinic": "maybe"}
        )
    assert list(refused.value.message_dict) == ["results_fit_clinic"]
    # No trend needed for the lab questionnaire.
    done = services.followup_record(
        followup=followup,
        actor=world.engineer,
        problem=Problem.NONE,
        answers={"daily_samples": "1,200", "results_fit_clinic": "yes", "projects_run": " 肝功 ", "colour": "red"},
        at=local(2026, 6, 15, 16, 0),
    )
    assert done.answers == {"results_fit_clinic": True, "projects_run": "肝功", "daily_samples": 1200}


# --- who may do what ------------------------------------------------------------------------------


def test_an_engineer_cannot_record_another_engineers_follow_up_nor_a_clerk_his(world):
    order = _complete(world, WorkType.INSTALLATION)
    first = _first(order)
    for outsider in (world.engineer2, world.clerk, world.customer_manager):
        with pytest.raises(PermissionDenied):
            services.followup_record(followup=first, actor=outsider, problem=Problem.NONE, trend=Trend.AS_USUAL)
        with pytest.raises(PermissionDenied):
            services.followup_not_reached(followup=first, actor=outsider)
    assert not services.may_record(first, world.engineer2)
    assert services.may_record(first, world.supervisor)


def test_any_clerk_may_record_a_pool_follow_up_which_then_is_his(world):
    order = _complete(world, WorkType.REPAIR)
    pool = _planned(order)[1]
    with pytest.raises(PermissionDenied):
        services.followup_record(followup=pool, actor=world.engineer2, problem=Problem.NONE, trend=Trend.AS_USUAL)
    done = services.followup_record(
        followup=pool, actor=world.clerk, problem=Problem.NONE, trend=Trend.AS_USUAL, at=local(2026, 6, 15, 10, 0)
    )
    assert (done.state, done.done_by, done.assignee) == (State.DONE, world.clerk, world.clerk)


def test_only_leaders_reassign_and_cancel(world):
    order = _complete(world, WorkType.INSTALLATION)
    first, second = _planned(order)
    for outsider in (world.engineer, world.clerk, world.customer_manager):
        with pytest.raises(PermissionDenied):
            services.followup_reassign(followup=first, actor=outsider, assignee=world.engineer2)
        with pytest.raises(PermissionDenied):
            services.followup_cancel(followup=first, actor=outsider, reason="客户已停用")
    with pytest.raises(ValidationError):
        services.followup_reassign(followup=first, actor=world.supervisor, assignee=world.sales)
    first = services.followup_reassign(
        followup=first, actor=world.supervisor, assignee=world.engineer2, reason="工程师出差", expected_version=1
    )
    assert (first.assignee, first.assignee_role) == (world.engineer2, AssigneeRole.ENGINEER)
    assert messages_for(world.engineer2, contains="is now yours") == [f"Follow-up {first.number} is now yours"]
    assert services.may_record(first, world.engineer2) and not services.may_record(first, world.engineer)

    with pytest.raises(ValidationError) as refused:
        services.followup_cancel(followup=second, actor=world.tech_head, reason="")
    assert "reason" in refused.value.message_dict
    second = services.followup_cancel(followup=second, actor=world.tech_head, reason="客户已停用该仪器")
    assert second.state == State.CANCELLED
    assert second.events.get(kind=EventKind.CANCELLED).text == "客户已停用该仪器"
    with pytest.raises(ConflictError):
        services.followup_cancel(followup=second, actor=world.tech_head, reason="again")


# --- re-planning -------------------------------------------------------------------------------------


def test_a_reopened_remote_solution_supersedes_its_follow_ups_and_the_next_solution_plans_anew(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    workorder_services.workorder_resolve_remotely(
        order=order, actor=world.clerk, solution="重启后恢复", at=local(2026, 6, 8, 10, 0)
    )
    old = _planned(order)
    assert len(old) == 2
    workorder_services.workorder_reopen(
        order=order, actor=world.clerk, reason="客户回电：又报警", at=local(2026, 6, 8, 14, 0)
    )
    for f in old:
        f.refresh_from_db()
        assert f.state == State.SUPERSEDED
        assert f.events.get(kind=EventKind.SUPERSEDED).text == "客户回电：又报警"
    assert _planned(order) == []

    workorder_services.workorder_resolve_remotely(
        order=order, actor=world.clerk, solution="更换保险丝后恢复", at=local(2026, 6, 9, 11, 0)
    )
    assert _plan(order, state=State.PLANNED) == [
        (Job.TECHNICAL_SUPPORT, "2026-06-10 11:00", "pool"),
        (Job.TECHNICAL_SUPPORT, "2026-06-11 11:00", "pool"),
    ]
    assert FollowUp.objects.filter(work_order=order).count() == 4  # nothing was deleted


def test_regular_follow_ups_stop_after_the_horizon(world):
    order = _complete(world, WorkType.INSTALLATION)
    first, second = _planned(order)
    _all_well(first, world.engineer, local(2026, 6, 9, 16, 0))
    _all_well(second, world.engineer, local(2026, 6, 10, 10, 0))
    third = FollowUp.objects.get(work_order=order, stage=Stage.AFTER_GOOD)
    assert _when(third.due_at) == "2026-06-15 15:00"
    _all_well(third, world.engineer, third.due_at)
    # Every 15 days from the last call while within 90 days of completion (until 6 Sep 15:00).
    seen = []
    while (planned := _planned(order)) != []:
        (regular,) = planned
        assert regular.stage == Stage.RECURRING
        seen.append(_when(regular.due_at))
        _all_well(regular, regular.assignee, regular.due_at)
    assert seen == ["2026-06-30 15:00", "2026-07-15 15:00", "2026-07-30 15:00", "2026-08-14 15:00", "2026-08-29 15:00"]


# --- FU-7: phone load ------------------------------------------------------------------------------


def _schedule_calls(w, engineer, due_at, count):
    for _n in range(count):
        services.followup_schedule(
            source=w.customer,
            customer=w.customer,
            job=Job.INSTALLATION,
            questionnaire=Questionnaire.LAB_PHONE,
            due_at=due_at,
            reason="电话回访",
            actor=w.tech_head,
            assignee=engineer,
            at=due_at - dt.timedelta(days=7),
        )


def test_more_than_one_working_day_in_five_of_phone_calls_warns_the_technical_head_once_a_week(world):
    # A plain week (8–14 Jun 2026): 5 working days → 480 minutes → 24 calls of 20 minutes.
    _schedule_calls(world, world.engineer2, local(2026, 6, 10, 10, 0), 24)
    load = services.phone_load(world.engineer2, dt.date(2026, 6, 14))
    assert (load["working_days"], load["limit_minutes"], load["count"], load["over"]) == (5, 480, 24, False)
    assert messages_for(world.tech_head, contains="phone follow-ups") == []

    _schedule_calls(world, world.engineer2, local(2026, 6, 11, 10, 0), 2)
    load = services.phone_load(world.engineer2, dt.date(2026, 6, 8))
    assert (load["count"], load["minutes"], load["over"]) == (26, 520, True)
    name = world.engineer2.get_full_name() or world.engineer2.username
    warning = f"{name} has 25 phone follow-ups in the week of 2026-06-08 — more than one working day in five"
    for told in (world.tech_head, world.engineer2):
        assert messages_for(told, contains="phone follow-ups") == [warning]
    assert messages_for(world.engineer, contains="phone follow-ups") == []


def test_the_week_of_national_day_has_a_lower_limit(world):
    # 28 Sep – 4 Oct 2026: only Mon–Wed work (1–7 Oct off) → 3 × 96 = 288 minutes → 14 calls.
    _schedule_calls(world, world.engineer2, local(2026, 9, 29, 10, 0), 14)
    assert not services.phone_load(world.engineer2, dt.date(2026, 10, 1))["over"]
    assert messages_for(world.tech_head, contains="phone follow-ups") == []
    _schedule_calls(world, world.engineer2, local(2026, 9, 30, 10, 0), 1)
    load = services.phone_load(world.engineer2, dt.date(2026, 9, 28))
    assert (load["working_days"], load["limit_minutes"], load["count"], load["over"]) == (3, 288, 15, True)
    assert len(messages_for(world.tech_head, contains="in the week of 2026-09-28")) == 1
    # A week with a make-up working Sunday (20 Sep) has six working days.
    assert services.week_capacity(dt.date(2026, 9, 16))["working_days"] == 6


def test_cancelled_and_replaced_calls_do_not_count_and_visits_never_do(world):
    _schedule_calls(world, world.engineer2, local(2026, 6, 10, 10, 0), 3)
    services.followup_cancel(
        followup=FollowUp.objects.filter(assignee=world.engineer2).first(), actor=world.tech_head, reason="重复"
    )
    services.followup_schedule(
        source=world.customer,
        customer=world.customer,
        job=Job.VIP_VISIT,
        questionnaire=Questionnaire.LAB_PHONE,
        due_at=local(2026, 6, 10, 14, 0),
        reason="上门拜访",
        actor=world.tech_head,
        assignee=world.engineer2,
        channel="visit",
    )
    assert services.phone_load(world.engineer2, dt.date(2026, 6, 10))["count"] == 2


# --- sources other than work orders ------------------------------------------------------------------


def test_a_source_that_is_not_a_work_order_gets_the_fixed_rules_of_its_job_once(world):
    # The instrument stands for a closed complaint: S4 asks for a follow-up within one month.
    planned = services.followups_plan_for_source(
        source=world.instrument,
        customer=world.customer,
        job=Job.COMPLAINT,
        anchor_at=local(2026, 6, 8, 15, 0),
        actor=world.quality,
        at=local(2026, 6, 8, 15, 5),
    )
    assert [(f.job, _when(f.due_at), f.assignee, f.questionnaire) for f in planned] == [
        (Job.COMPLAINT, "2026-07-08 15:00", None, Questionnaire.COMPLAINT)
    ]
    assert planned[0].work_order is None and planned[0].source == world.instrument
    again = services.followups_plan_for_source(
        source=world.instrument,
        customer=world.customer,
        job=Job.COMPLAINT,
        anchor_at=local(2026, 6, 8, 15, 0),
        actor=world.quality,
    )
    assert again == planned
    assert list(selectors.followups_for_source(world.instrument)) == planned


def test_a_follow_up_planned_by_hand_needs_a_date_and_a_known_questionnaire(world):
    common = {"source": world.customer, "customer": world.customer, "job": Job.INSTALLATION, "actor": world.clerk}
    with pytest.raises(ValidationError) as refused:
        services.followup_schedule(questionnaire=Questionnaire.SERVICE, due_at=None, reason="", **common)
    assert "due_at" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.followup_schedule(questionnaire="nps", due_at=local(2026, 6, 9), reason="", **common)
    assert "questionnaire" in refused.value.message_dict
    by_hand = services.followup_schedule(
        questionnaire=Questionnaire.SERVICE, due_at=local(2026, 6, 9), reason="", at=local(2026, 6, 8), **common
    )
    assert (by_hand.stage, by_hand.reason, by_hand.assignee_role) == (Stage.MANUAL, "Planned by hand", "clerk")
    assert by_hand.number.startswith("FU260608-")


def test_the_history_says_why_a_follow_up_changed_in_the_readers_language(world):
    from django.utils import translation

    from apps.core.history import history_for

    order = _complete(world, WorkType.INSTALLATION)
    first = services.followup_not_reached(
        followup=_first(order), actor=world.engineer, note="无人接听", at=local(2026, 6, 9, 15, 10)
    )
    with translation.override("en"):
        reasons = [entry.reason for entry in history_for([first], user=world.tech_head)]
    assert "Customer not reached" in reasons and "not reached" not in reasons
    with translation.override("zh-hans"):
        reasons = [entry.reason for entry in history_for([first], user=world.tech_head)]
    assert "未联系上客户" in reasons
