"""The SLA clocks a work order starts and stops (SPEC SLA-1 … SLA-5), on real 2026 dates.

The 2026 schedule of the State Council (chinesecalendar): Sunday 20 Sep is a make-up working
day; 25–27 Sep Mid-Autumn Festival; 1–7 Oct National Day; Saturday 10 Oct a make-up working
day. The office calendar works 08:30–12:00 and 13:30–17:30; the on-site and urgent clocks run
24×7 (apps.sla.policies).
"""

import datetime as dt

import pytest

from apps.notifications.models import Message
from apps.sla import services as sla
from apps.sla.choices import ClockState
from apps.sla.choices import PauseKind as SlaPauseKind
from apps.sla.selectors import clocks_for
from apps.workorders import services
from apps.workorders.choices import Billing, EventKind, PauseKind, Status, Urgency, WorkType
from apps.workorders.tests._world import (  # noqa: F401
    approve_all,
    local,
    messages_for,
    register,
    tick_checklist,
    world_fixture,
)

pytestmark = pytest.mark.django_db


def clocks_of(order) -> dict:
    """{policy code: the latest clock of that policy} of one order."""
    return {clock.policy.code: clock for clock in clocks_for([order]).get(order.pk, [])}


def dispatch(w, order, at, engineer=None):
    """Sales files the application, the technical head confirms it (in warranty) and dispatches:
    four, two and zero minutes before `at`."""
    services.workorder_file_application(
        order=order, actor=w.sales, billing=Billing.WARRANTY, at=at - dt.timedelta(minutes=4)
    )
    approve_all(w, order, at=at - dt.timedelta(minutes=2))
    return services.workorder_dispatch(order=order, actor=w.tech_head, engineer=engineer or w.engineer, at=at)


def book(w, order, at, appointment_at=None):
    tick_checklist(w, order, at=at)
    return services.workorder_schedule(
        order=order,
        actor=w.engineer,
        appointment_at=appointment_at or at + dt.timedelta(hours=20),
        agreed_with="张主任",
        at=at,
    )


# --- a repair on the Friday of the Mid-Autumn Festival ----------------------------------------


def test_a_repair_registered_on_the_mid_autumn_friday_gets_the_handover_and_on_site_clocks(world):
    order = register(world, at=local(2026, 9, 25, 16, 0))

    clocks = clocks_of(order)
    assert set(clocks) == {"repair_handover", "repair_on_site"}
    handover, on_site = clocks["repair_handover"], clocks["repair_on_site"]
    # 10 office minutes: 25–27 Sep are the festival, so the hotline's 10 minutes run on
    # Monday 28 Sep from 08:30 (warning 3 minutes before).
    assert handover.calendar.code == "office"
    assert handover.due_at == local(2026, 9, 28, 8, 40)
    assert handover.warn_at == local(2026, 9, 28, 8, 37)
    # 48 real hours on site: Sunday 27 Sep 16:00, festival or not (warning 6 hours before).
    assert on_site.calendar.code == "24x7"
    assert on_site.due_at == local(2026, 9, 27, 16, 0)
    assert on_site.warn_at == local(2026, 9, 27, 10, 0)
    assert {c.state for c in clocks.values()} == {ClockState.RUNNING}
    assert {c.region for c in clocks.values()} == {world.city}


def test_dispatch_stops_the_handover_and_starts_the_engineers_first_contact_clock(world):
    order = register(world, at=local(2026, 9, 25, 16, 0))

    dispatch(world, order, local(2026, 9, 28, 8, 35))

    clocks = clocks_of(order)
    handover = clocks["repair_handover"]
    assert (handover.state, handover.stopped_at, handover.met) == (
        ClockState.STOPPED,
        local(2026, 9, 28, 8, 35),
        True,
    )
    first_contact = clocks["repair_first_contact"]
    assert first_contact.state == ClockState.RUNNING
    assert first_contact.owner == world.engineer
    assert first_contact.started_at == local(2026, 9, 28, 8, 35)
    assert first_contact.due_at == local(2026, 9, 28, 9, 5)  # 30 office minutes
    # The on-site clock is now the engineer's too.
    assert clocks["repair_on_site"].owner == world.engineer
    assert clocks["repair_on_site"].state == ClockState.RUNNING


def test_a_handover_after_the_deadline_is_recorded_as_missed(world):
    order = register(world, at=local(2026, 9, 25, 16, 0))
    dispatch(world, order, local(2026, 9, 28, 9, 0))
    handover = clocks_of(order)["repair_handover"]
    assert (handover.state, handover.met) == (ClockState.STOPPED, False)


def test_booking_the_visit_stops_the_first_contact_clock(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    dispatch(world, order, local(2026, 6, 8, 9, 5))

    book(world, order, local(2026, 6, 8, 9, 20))

    clocks = clocks_of(order)
    assert (clocks["repair_first_contact"].state, clocks["repair_first_contact"].met) == (ClockState.STOPPED, True)
    assert clocks["repair_first_contact"].stopped_at == local(2026, 6, 8, 9, 20)
    assert clocks["repair_on_site"].state == ClockState.RUNNING


def test_checking_in_stops_the_on_site_clock(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    dispatch(world, order, local(2026, 6, 8, 9, 5))
    book(world, order, local(2026, 6, 8, 9, 20), appointment_at=local(2026, 6, 9, 10, 0))

    services.workorder_check_in(order=order, actor=world.engineer, at=local(2026, 6, 9, 10, 5))

    on_site = clocks_of(order)["repair_on_site"]
    assert on_site.due_at == local(2026, 6, 10, 9, 0)
    assert (on_site.state, on_site.stopped_at, on_site.met) == (ClockState.STOPPED, local(2026, 6, 9, 10, 5), True)
    assert not [c for c in clocks_of(order).values() if c.is_open]


# --- pause and resume (SLA-5) -----------------------------------------------------------------


def test_waiting_for_parts_over_a_weekend_moves_the_on_site_deadline_by_exactly_the_pause(world):
    order = register(world, at=local(2026, 10, 15, 10, 0))  # Thursday
    dispatch(world, order, local(2026, 10, 15, 10, 5))
    book(world, order, local(2026, 10, 15, 10, 20))
    assert clocks_of(order)["repair_on_site"].due_at == local(2026, 10, 17, 10, 0)  # Saturday

    services.workorder_pause(
        order=order,
        actor=world.engineer,
        kind=PauseKind.WAITING_PARTS,
        reason="等待色谱柱到货",
        at=local(2026, 10, 16, 18, 0),  # Friday evening
    )

    order.refresh_from_db()
    assert (order.on_hold, order.hold_reason) == (True, "等待色谱柱到货")
    paused = clocks_of(order)["repair_on_site"]
    assert paused.state == ClockState.PAUSED
    assert paused.pause_reason == "等待色谱柱到货"
    assert paused.pauses.get().kind == SlaPauseKind.WAITING_PARTS
    assert paused.left_when_paused == dt.timedelta(hours=16)
    event = order.events.get(kind=EventKind.PAUSE)
    assert (event.actor, event.text) == (world.engineer, "等待色谱柱到货")

    services.workorder_resume(order=order, actor=world.engineer, at=local(2026, 10, 19, 9, 0))  # Monday

    order.refresh_from_db()
    assert order.on_hold is False
    resumed = clocks_of(order)["repair_on_site"]
    assert resumed.state == ClockState.RUNNING
    # Paused 63 hours of a 24×7 clock: Saturday 10:00 + 63 h = Tuesday 01:00.
    assert resumed.due_at == local(2026, 10, 20, 1, 0)
    assert resumed.due_at - local(2026, 10, 17, 10, 0) == local(2026, 10, 19, 9, 0) - local(2026, 10, 16, 18, 0)
    assert order.events.filter(kind=EventKind.RESUME, actor=world.engineer).exists()


def test_an_office_clock_paused_over_a_weekend_loses_only_the_office_time_it_waited(world):
    order = register(world, at=local(2026, 10, 16, 17, 25))  # Friday, 5 office minutes left today
    assert clocks_of(order)["repair_handover"].due_at == local(2026, 10, 19, 8, 35)

    services.workorder_pause(
        order=order,
        actor=world.clerk,
        kind=PauseKind.WAITING_CUSTOMER,
        reason="客户要求周一再联系",
        at=local(2026, 10, 16, 17, 27),
    )
    services.workorder_resume(order=order, actor=world.clerk, at=local(2026, 10, 19, 8, 0))

    # Paused 17:27–17:30 of office time (the weekend and Monday before 08:30 are not office
    # time): the deadline moves by exactly those 3 minutes.
    assert clocks_of(order)["repair_handover"].due_at == local(2026, 10, 19, 8, 38)


def test_pausing_twice_is_a_clear_conflict_and_changes_nothing(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    services.workorder_pause(
        order=order, actor=world.clerk, kind=PauseKind.WAITING_CUSTOMER, reason="客户外出", at=local(2026, 6, 8, 9, 1)
    )
    with pytest.raises(services.transitions.TransitionRefused):
        services.workorder_pause(
            order=order, actor=world.clerk, kind=PauseKind.WAITING_CUSTOMER, reason="再次", at=local(2026, 6, 8, 9, 2)
        )
    assert clocks_of(order)["repair_on_site"].pause_reason == "客户外出"


# --- urgent, cancel ---------------------------------------------------------------------------


def test_an_urgent_repair_on_national_day_gets_the_urgent_clocks_round_the_clock(world):
    order = register(world, at=local(2026, 10, 3, 22, 0), urgency=Urgency.URGENT)

    clocks = clocks_of(order)
    assert set(clocks) == {"repair_handover", "repair_on_site", "urgent_answer", "urgent_on_site"}
    assert clocks["urgent_answer"].due_at == local(2026, 10, 3, 23, 0)
    assert clocks["urgent_on_site"].due_at == local(2026, 10, 4, 22, 0)
    assert clocks["repair_on_site"].due_at == local(2026, 10, 5, 22, 0)
    # The office is closed until Thursday 8 Oct.
    assert clocks["repair_handover"].due_at == local(2026, 10, 8, 8, 40)
    assert messages_for(world.tech_head, contains="Urgent request")


def test_answering_an_urgent_request_by_phone_stops_the_answer_clock(world):
    order = register(world, at=local(2026, 10, 3, 22, 0), urgency=Urgency.URGENT)
    services.workorder_record_remote(
        order=order, actor=world.tech_head, actions="电话指导重启，仍报警", at=local(2026, 10, 3, 22, 20)
    )
    clocks = clocks_of(order)
    assert (clocks["urgent_answer"].state, clocks["urgent_answer"].met) == (ClockState.STOPPED, True)
    assert clocks["urgent_on_site"].state == ClockState.RUNNING


def test_cancelling_ends_the_open_clocks_without_a_verdict(world):
    order = register(world, at=local(2026, 6, 8, 9, 0), urgency=Urgency.URGENT)
    dispatch(world, order, local(2026, 6, 8, 9, 5))

    services.workorder_cancel(order=order, actor=world.clerk, reason="客户自行解决", at=local(2026, 6, 8, 9, 30))

    clocks = clocks_of(order)
    assert len(clocks) == 5
    # Dispatch had already met the handover clock; the rest neither met nor missed anything.
    assert clocks["repair_handover"].state == ClockState.STOPPED and clocks["repair_handover"].met
    still_open = [c for code, c in clocks.items() if code != "repair_handover"]
    assert {c.state for c in still_open} == {ClockState.CANCELLED}
    assert {c.met for c in still_open} == {None}
    assert {c.stopped_at for c in still_open} == {local(2026, 6, 8, 9, 30)}


def test_a_commissioning_request_notifies_then_asks_for_the_prerequisites(world):
    order = register(world, at=local(2026, 6, 8, 9, 0), work_type=WorkType.COMMISSIONING)
    assert set(clocks_of(order)) == {"commission_notify"}
    assert clocks_of(order)["commission_notify"].due_at == local(2026, 6, 8, 10, 0)

    dispatch(world, order, local(2026, 6, 8, 9, 30))

    clocks = clocks_of(order)
    assert clocks["commission_notify"].met is True
    prerequisites = clocks["commission_prerequisites"]
    assert prerequisites.owner == world.engineer
    # 4 office hours from 09:30: 09:30–12:00 (2.5 h), then 13:30–15:00.
    assert prerequisites.due_at == local(2026, 6, 8, 15, 0)


def test_application_troubleshooting_starts_the_one_hour_call_back_clock(world):
    order = register(world, at=local(2026, 6, 8, 10, 0), work_type=WorkType.APP_TROUBLESHOOTING)
    clock = clocks_of(order)["callback_application"]
    assert clock.due_at == local(2026, 6, 8, 11, 0) == order.callback_due_at
    services.workorder_record_remote(
        order=order, actor=world.engineer, actions="远程查看质控图，建议更换校准品批号", at=local(2026, 6, 8, 10, 40)
    )
    assert clocks_of(order)["callback_application"].met is True


# --- the periodic check (SLA-5: breaches escalate) ---------------------------------------------


def test_the_periodic_check_escalates_a_missed_on_site_visit_to_the_regions_customer_manager(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    dispatch(world, order, local(2026, 6, 8, 9, 5))
    book(world, order, local(2026, 6, 8, 9, 20), appointment_at=local(2026, 6, 10, 14, 0))

    counts = sla.check_clocks(now=local(2026, 6, 10, 9, 1))  # 48 h ran out at 09:00

    assert counts["breached"] == 1
    on_site = clocks_of(order)["repair_on_site"]
    assert on_site.breached_at == local(2026, 6, 10, 9, 0)
    breach = f"Overdue: {on_site.policy.label}"
    # The engineer who owns it and the customer manager of the customer's region; the other
    # region's manager hears nothing.
    assert messages_for(world.engineer, contains=breach)
    assert messages_for(world.customer_manager, contains=breach)
    assert not messages_for(world.other_manager, contains=breach)
    # A second scan sends nothing more.
    assert sla.check_clocks(now=local(2026, 6, 10, 9, 2))["breached"] == 0
    assert Message.objects.filter(subject__startswith=breach).count() == 2


def test_an_unanswered_urgent_request_goes_to_the_supervisor_after_one_hour(world):
    order = register(world, at=local(2026, 6, 8, 20, 0), urgency=Urgency.URGENT)

    sla.check_clocks(now=local(2026, 6, 8, 21, 1))

    answer = clocks_of(order)["urgent_answer"]
    assert answer.breached_at == local(2026, 6, 8, 21, 0)
    assert messages_for(world.supervisor, contains=f"Overdue: {answer.policy.label}")


def test_a_stopped_clock_never_escalates(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    order = services.workorder_resolve_remotely(
        order=order, actor=world.clerk, solution="指导客户重新开机", at=local(2026, 6, 8, 9, 5)
    )
    assert order.status == Status.REMOTE_RESOLVED
    assert sla.check_clocks(now=local(2026, 6, 12, 9, 0)) == {"warned": 0, "breached": 0}


def test_a_reopened_request_gets_its_clocks_again(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    order = services.workorder_resolve_remotely(
        order=order, actor=world.clerk, solution="指导客户重新开机", at=local(2026, 6, 8, 9, 5)
    )
    assert not [c for c in clocks_of(order).values() if c.is_open]

    services.workorder_reopen(
        order=order, actor=world.clerk, reason="客户再次来电：仍报警", at=local(2026, 6, 8, 14, 0)
    )

    clocks = clocks_of(order)
    assert {code for code, c in clocks.items() if c.is_open} == {"repair_handover", "repair_on_site"}
    assert clocks["repair_on_site"].started_at == local(2026, 6, 8, 14, 0)
    assert clocks["repair_on_site"].due_at == local(2026, 6, 10, 14, 0)
