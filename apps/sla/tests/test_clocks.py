"""The SLA clock services (SPEC SLA-1…SLA-5): start, pause, resume, re-plan, stop — on the
office calendar with the 2026 official schedule (Mid-Autumn 25–27 Sep; National Day 1–7 Oct,
make-up working days Sun 20 Sep and Sat 10 Oct), and round the clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.core.exceptions import ConflictError
from apps.customers.tests.factories import CustomerFactory
from apps.sla import calendar as cal
from apps.sla import policies, services
from apps.sla.choices import ClockState, PauseKind
from apps.sla.models import BusinessCalendar, SlaClock, SlaPolicy
from apps.sla.services import ClockStateError
from apps.sla.tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def clerk():
    return UserFactory(role=Role.CLERK)


@pytest.fixture
def engineer():
    return UserFactory(role=Role.ENGINEER)


@pytest.fixture
def hospital():
    return CustomerFactory(name="广州市第一人民医院")


@pytest.fixture
def office():
    return BusinessCalendar.objects.get(code="office")


@pytest.fixture
def four_hours():
    """4 h on the default (office) calendar, warning 1 h before."""
    return SlaPolicyFactory(duration=4 * H, warn_before=H)


def start(subject, policy, started_at, actor, **kwargs) -> SlaClock:
    return services.clock_start(subject=subject, policy_code=policy.code, started_at=started_at, actor=actor, **kwargs)


# --- the seeded time limits --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, duration, calendar",
    [
        (policies.REPAIR_HANDOVER, dt.timedelta(minutes=10), None),
        (policies.REPAIR_FIRST_CONTACT, dt.timedelta(minutes=30), None),
        (policies.REPAIR_ON_SITE, 48 * H, "24x7"),
        (policies.COMMISSION_NOTIFY, H, None),
        (policies.COMMISSION_PREREQUISITES, 4 * H, None),
        (policies.CALLBACK_APPLICATION, H, None),
        (policies.URGENT_ON_SITE, 24 * H, "24x7"),
        (policies.URGENT_ANSWER, H, "24x7"),
    ],
)
def test_every_time_limit_of_the_spec_is_installed_with_its_number_and_calendar(code, duration, calendar):
    policy = SlaPolicy.objects.get(code=code)
    assert policy.duration == duration
    assert (policy.calendar.code if policy.calendar else None) == calendar
    assert policy.is_active and policy.description
    assert dt.timedelta(0) < policy.warn_before < policy.duration


def test_the_urgent_answer_limit_escalates_to_the_supervisor():
    assert SlaPolicy.objects.get(code=policies.URGENT_ANSWER).escalate_role == Role.SUPERVISOR


# --- starting ----------------------------------------------------------------------------------


def test_a_48_hour_office_clock_started_on_the_mid_autumn_friday_is_due_after_national_day(hospital, clerk):
    policy = SlaPolicyFactory(duration=48 * H, warn_before=4 * H)
    clock = start(hospital, policy, at(2026, 9, 25, 16), clerk)
    # 25–27 Sep Mid-Autumn, then 28–30 Sep (3 × 7.5 h), National Day 1–7 Oct, 8–9 Oct and the
    # make-up Saturday 10 Oct (3 × 7.5 h), Sunday off: 3 h are left on Monday 12 Oct.
    assert clock.due_at == at(2026, 10, 12, 11, 30)
    # Warned 4 business hours before: 3 h on Monday morning, 1 h of the make-up Saturday.
    assert clock.warn_at == at(2026, 10, 10, 16, 30)
    assert clock.state == ClockState.RUNNING
    assert clock.calendar.code == "office"
    assert clock.started_by == clerk
    assert clock.subject == hospital


def test_a_four_hour_office_clock_started_the_day_before_national_day_is_due_on_8_october(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 9, 30, 16), clerk)
    assert clock.due_at == at(2026, 10, 8, 11)


def test_a_round_the_clock_ten_minute_clock_runs_through_a_holiday_night(hospital, clerk):
    policy = SlaPolicyFactory(
        duration=dt.timedelta(minutes=10),
        warn_before=dt.timedelta(minutes=3),
        calendar=BusinessCalendar.objects.get(code="24x7"),
    )
    clock = start(hospital, policy, at(2026, 10, 1, 23, 55), clerk)
    assert clock.due_at == at(2026, 10, 2, 0, 5)
    assert clock.warn_at == at(2026, 10, 2, 0, 2)


def test_the_repair_hand_over_reported_on_a_national_day_night_is_due_on_the_first_working_morning(hospital, clerk):
    clock = services.clock_start(
        subject=hospital, policy_code=policies.REPAIR_HANDOVER, started_at=at(2026, 10, 1, 23, 55), actor=clerk
    )
    assert clock.due_at == at(2026, 10, 8, 8, 40)


def test_an_unknown_year_falls_back_to_monday_to_friday_with_the_fixed_holidays(hospital, clerk, four_hours):
    # 2031 is not in the package: Tue 30 Sep 1.5 h, 1–3 Oct National Day (fixed dates), weekend.
    clock = start(hospital, four_hours, at(2031, 9, 30, 16), clerk)
    assert clock.due_at == at(2031, 10, 6, 11)


def test_starting_twice_returns_the_running_clock(hospital, clerk, four_hours):
    first = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    again = start(hospital, four_hours, at(2026, 10, 16, 10), clerk)
    assert again.pk == first.pk and again.started_at == at(2026, 10, 16, 9)
    assert SlaClock.objects.count() == 1


def test_a_clock_started_again_after_it_stopped_is_a_new_clock(hospital, clerk, four_hours):
    first = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_stop(clock=first, at=at(2026, 10, 16, 10), actor=clerk)
    second = start(hospital, four_hours, at(2026, 10, 20, 9), clerk)
    assert second.pk != first.pk and second.state == ClockState.RUNNING


def test_the_same_time_limit_runs_separately_for_each_subject(clerk, four_hours):
    one, other = CustomerFactory(), CustomerFactory()
    first = start(one, four_hours, at(2026, 10, 16, 9), clerk)
    assert start(other, four_hours, at(2026, 10, 16, 9), clerk).pk != first.pk


def test_a_deactivated_time_limit_starts_no_clock(hospital, clerk, four_hours):
    four_hours.is_active = False
    four_hours.save()
    assert start(hospital, four_hours, at(2026, 10, 16, 9), clerk) is None
    assert not SlaClock.objects.exists()


def test_an_unknown_time_limit_code_is_a_programming_error(hospital, clerk):
    with pytest.raises(SlaPolicy.DoesNotExist):
        services.clock_start(subject=hospital, policy_code="no_such_rule", started_at=at(2026, 10, 16, 9), actor=clerk)


def test_a_start_without_a_time_zone_is_refused(hospital, clerk, four_hours):
    with pytest.raises(ValidationError):
        start(hospital, four_hours, dt.datetime(2026, 10, 16, 9), clerk)


def test_a_clock_keeps_its_duration_when_the_time_limit_is_changed_later(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    services.policy_update(actor=clerk, instance=four_hours, data={"duration": 8 * H}, expected_version=1)
    clock.refresh_from_db()
    assert clock.duration == 4 * H and clock.due_at == at(2026, 10, 16, 14, 30)  # lunch 12:00–13:30


def test_a_clock_on_a_deactivated_calendar_runs_on_the_default_one(hospital, clerk):
    calendar = BusinessCalendar.objects.get(code="24x7")
    policy = SlaPolicyFactory(calendar=calendar)
    calendar.is_active = False
    calendar.save()
    assert start(hospital, policy, at(2026, 10, 16, 9), clerk).calendar.code == "office"


# --- pausing and resuming ----------------------------------------------------------------------


def test_a_pause_over_a_weekend_moves_the_deadline_out_by_exactly_the_business_time_paused(
    hospital, clerk, engineer, four_hours, office
):
    clock = start(hospital, four_hours, at(2026, 10, 16, 16), clerk)  # Friday
    before = clock.due_at
    assert before == at(2026, 10, 19, 11)

    clock = services.clock_pause(
        clock=clock,
        at=at(2026, 10, 16, 16, 30),
        reason="客户周一才有人在实验室",
        kind=PauseKind.WAITING_CUSTOMER,
        actor=engineer,
    )
    assert clock.state == ClockState.PAUSED and clock.due_at is None
    assert clock.pause_reason == "客户周一才有人在实验室"
    assert clock.left_when_paused == dt.timedelta(hours=3, minutes=30)

    clock = services.clock_resume(clock=clock, at=at(2026, 10, 19, 10), actor=engineer)
    assert clock.state == ClockState.RUNNING and clock.pause_reason == ""
    # Paused: Fri 16:30–17:30 and Mon 08:30–10:00 = 2.5 business hours.
    assert clock.due_at == at(2026, 10, 19, 15)
    assert cal.business_time_between(calendar=office, start=before, end=clock.due_at) == dt.timedelta(hours=2.5)
    pause = clock.pauses.get()
    assert (pause.kind, pause.started_by, pause.ended_by) == (PauseKind.WAITING_CUSTOMER, engineer, engineer)
    assert pause.ended_at == at(2026, 10, 19, 10)


def test_re_planning_a_longer_limit_keeps_the_paused_time(hospital, clerk, engineer, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 16), clerk)
    clock = services.clock_pause(
        clock=clock, at=at(2026, 10, 16, 16, 30), reason="等配件", kind=PauseKind.WAITING_PARTS, actor=engineer
    )
    clock = services.clock_resume(clock=clock, at=at(2026, 10, 19, 10), actor=engineer)
    clock = services.clock_replan(clock=clock, duration=6 * H, actor=clerk, reason="技术部负责人同意延长")
    # Two more business hours after Monday 15:00.
    assert clock.due_at == at(2026, 10, 19, 17)
    assert clock.duration == 6 * H and clock.plan == 2
    assert clock.history.latest().history_change_reason == "技术部负责人同意延长"


def test_re_planning_the_start_of_a_paused_clock_keeps_it_paused_with_its_time_left(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    clock = services.clock_pause(
        clock=clock, at=at(2026, 10, 16, 10), reason="等客户", kind=PauseKind.OTHER, actor=clerk
    )
    clock = services.clock_replan(clock=clock, started_at=at(2026, 10, 16, 9, 30), actor=clerk)
    assert clock.state == ClockState.PAUSED and clock.due_at is None
    assert clock.left_when_paused == dt.timedelta(hours=3, minutes=30)


def test_pausing_a_paused_clock_is_a_clear_conflict(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_pause(clock=clock, at=at(2026, 10, 16, 10), reason="等客户回电", kind=PauseKind.OTHER, actor=clerk)
    with pytest.raises(ClockStateError) as excinfo:
        services.clock_pause(clock=clock, at=at(2026, 10, 16, 11), reason="再等", kind=PauseKind.OTHER, actor=clerk)
    assert isinstance(excinfo.value, ConflictError)  # HTTP 409 in the API
    assert str(excinfo.value.message) == (
        "This clock is already paused (since 2026-10-16 10:00: 等客户回电); resume it first."
    )
    assert clock.pauses.count() == 1


def test_a_running_clock_cannot_be_resumed(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    with pytest.raises(ClockStateError, match="only a paused clock can be resumed"):
        services.clock_resume(clock=clock, at=at(2026, 10, 16, 10), actor=clerk)


def test_a_stopped_clock_cannot_be_paused_resumed_stopped_or_re_planned(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_stop(clock=clock, at=at(2026, 10, 16, 10), actor=clerk)
    for call in (
        lambda: services.clock_pause(
            clock=clock, at=at(2026, 10, 16, 11), reason="x", kind=PauseKind.OTHER, actor=clerk
        ),
        lambda: services.clock_resume(clock=clock, at=at(2026, 10, 16, 11), actor=clerk),
        lambda: services.clock_stop(clock=clock, at=at(2026, 10, 16, 11), actor=clerk),
        lambda: services.clock_replan(clock=clock, duration=8 * H, actor=clerk),
    ):
        with pytest.raises(ClockStateError):
            call()


def test_a_pause_needs_a_reason(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.clock_pause(clock=clock, at=at(2026, 10, 16, 10), reason="  ", kind=PauseKind.OTHER, actor=clerk)
    assert excinfo.value.message_dict == {"reason": ["Say why the clock is paused."]}
    clock.refresh_from_db()
    assert clock.state == ClockState.RUNNING


def test_a_pause_before_the_clock_started_is_refused(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    with pytest.raises(ValidationError) as excinfo:
        services.clock_pause(clock=clock, at=at(2026, 10, 16, 8), reason="等客户", kind=PauseKind.OTHER, actor=clerk)
    assert "at" in excinfo.value.message_dict


def test_a_pause_after_the_deadline_does_not_undo_the_breach(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    clock = services.clock_pause(
        clock=clock, at=at(2026, 10, 16, 16), reason="等客户", kind=PauseKind.OTHER, actor=clerk
    )
    assert clock.due_at == at(2026, 10, 16, 14, 30)
    assert clock.left_when_paused == -1.5 * H


# --- stopping ----------------------------------------------------------------------------------


def test_stopping_before_the_deadline_meets_it(hospital, clerk, engineer, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    clock = services.clock_stop(clock=clock, at=at(2026, 10, 16, 14, 30), actor=engineer)  # exactly on time
    assert (clock.state, clock.met, clock.breached_at) == (ClockState.STOPPED, True, None)
    assert clock.stopped_by == engineer and clock.stopped_at == at(2026, 10, 16, 14, 30)


def test_stopping_after_the_deadline_records_it_late(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    clock = services.clock_stop(clock=clock, at=at(2026, 10, 16, 14, 31), actor=clerk)
    assert clock.met is False
    assert clock.breached_at == at(2026, 10, 16, 14, 30)


def test_stopping_a_paused_clock_ends_the_pause_and_counts_it(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    clock = services.clock_pause(
        clock=clock, at=at(2026, 10, 16, 10), reason="等配件", kind=PauseKind.WAITING_PARTS, actor=clerk
    )
    clock = services.clock_stop(clock=clock, at=at(2026, 10, 19, 9), actor=clerk)
    assert clock.met is True
    assert clock.pauses.get().ended_at == at(2026, 10, 19, 9)
    assert clock.paused_since is None and clock.pause_reason == ""


# --- all clocks of a subject -------------------------------------------------------------------


def test_a_subjects_clocks_pause_resume_and_stop_together(hospital, clerk, four_hours):
    other_policy = SlaPolicyFactory(duration=8 * H, warn_before=H)
    one = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    two = start(hospital, other_policy, at(2026, 10, 16, 9), clerk)
    unrelated = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk)

    paused = services.clocks_pause_all(
        subject=hospital, at=at(2026, 10, 16, 10), reason="等客户确认", kind=PauseKind.WAITING_CUSTOMER, actor=clerk
    )
    assert {c.pk for c in paused} == {one.pk, two.pk}
    assert (
        services.clocks_pause_all(
            subject=hospital, at=at(2026, 10, 16, 11), reason="again", kind=PauseKind.OTHER, actor=clerk
        )
        == []
    )  # nothing running any more: no error, nothing paused twice
    resumed = services.clocks_resume_all(subject=hospital, at=at(2026, 10, 16, 11), actor=clerk)
    assert {c.pk for c in resumed} == {one.pk, two.pk}

    noon = at(2026, 10, 16, 12)
    stopped = services.clocks_stop(subject=hospital, policy_codes=[four_hours.code], at=noon, actor=clerk)
    assert [c.pk for c in stopped] == [one.pk]
    assert services.clocks_stop(subject=hospital, policy_codes=["no_such_rule"], at=noon, actor=clerk) == []
    assert [c.pk for c in services.clocks_stop(subject=hospital, policy_codes=None, at=noon, actor=clerk)] == [two.pk]
    unrelated.refresh_from_db()
    assert unrelated.state == ClockState.RUNNING


def test_a_subjects_open_clocks_follow_a_new_responsible_engineer(hospital, clerk, engineer, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk, owner=UserFactory(role=Role.ENGINEER))
    services.clocks_set_owner(subject=hospital, owner=engineer, actor=clerk)
    clock.refresh_from_db()
    assert clock.owner == engineer


def test_a_cancelled_request_ends_its_clocks_neither_met_nor_late(hospital, clerk, four_hours):
    clock = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_pause(clock=clock, at=at(2026, 10, 16, 10), reason="等客户", kind=PauseKind.OTHER, actor=clerk)
    [cancelled] = services.clocks_cancel(subject=hospital, at=at(2026, 10, 20, 9), actor=clerk, reason="客户撤销申请")
    assert (cancelled.state, cancelled.met, cancelled.stopped_at) == (ClockState.CANCELLED, None, at(2026, 10, 20, 9))
    assert cancelled.pauses.get().ended_at == at(2026, 10, 20, 9)
    with pytest.raises(ClockStateError, match="cancelled"):
        services.clock_stop(clock=cancelled, at=at(2026, 10, 20, 10), actor=clerk)
    assert services.check_clocks(now=at(2026, 10, 30, 9)) == {"warned": 0, "breached": 0}
    # A new request for the same subject starts afresh.
    assert start(hospital, four_hours, at(2026, 10, 21, 9), clerk).pk != cancelled.pk
