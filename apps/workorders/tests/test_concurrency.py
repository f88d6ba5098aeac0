"""Two people acting on the same order at once (SPEC WO-18): never a lost update, never a
double dispatch.

The version tests run everywhere; the real races (two threads, two connections, the row lock
of services._lock) need PostgreSQL and are skipped on SQLite, which serialises writers anyway.
They commit for real, and a database flushed by an earlier transactional test has lost the rows
the migrations seed: the `seeded` fixture (_world.py) puts the SLA calendars and policies back.
"""

import datetime as dt
import threading

import pytest
from django.db import connection

from apps.core.exceptions import ConflictError
from apps.workorders import services, transitions
from apps.workorders.choices import Decision, EventKind, Status
from apps.workorders.models import ApprovalDecision, WorkOrderEvent
from apps.workorders.tests._world import MONDAY, register, seeded_fixture, walk, world_fixture  # noqa: F401

LATER = MONDAY + dt.timedelta(hours=2)


def dispatch_events(order) -> int:
    return WorkOrderEvent.objects.filter(work_order=order, kind=EventKind.DISPATCH).count()


# --- optimistic: the version the user saw -----------------------------------------------------


@pytest.mark.django_db
def test_two_dispatches_from_the_same_version_dispatch_once_and_the_second_is_a_conflict(world):
    order = walk(world, register(world), Status.APPROVED)
    seen = order.version

    services.workorder_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, expected_version=seen, at=LATER
    )
    with pytest.raises(ConflictError) as error:
        services.workorder_dispatch(
            order=order, actor=world.admin, engineer=world.engineer2, expected_version=seen, at=LATER
        )

    assert type(error.value) is ConflictError  # "somebody changed it", not "illegal move"
    order.refresh_from_db()
    assert (order.status, order.engineer, order.dispatched_by) == (Status.DISPATCHED, world.engineer, world.tech_head)
    assert order.version == seen + 1
    assert dispatch_events(order) == 1


@pytest.mark.django_db
def test_a_reallocation_from_a_stale_page_is_a_conflict_and_keeps_the_first_one(world):
    order = walk(world, register(world), Status.DISPATCHED)
    seen = order.version
    services.workorder_reallocate(
        order=order,
        actor=world.customer_manager,
        engineer=world.engineer2,
        reason="原工程师出差",
        expected_version=seen,
        at=LATER,
    )

    with pytest.raises(ConflictError):
        services.workorder_reallocate(
            order=order,
            actor=world.tech_head,
            engineer=world.other_engineer,
            reason="就近安排",
            expected_version=seen,
            at=LATER,
        )

    order.refresh_from_db()
    assert order.engineer == world.engineer2
    assert order.events.filter(kind=EventKind.REALLOCATION).count() == 1


@pytest.mark.django_db
def test_the_engineer_booking_from_a_page_opened_before_a_reallocation_gets_a_conflict(world):
    order = walk(world, register(world), Status.DISPATCHED)
    for item in order.checklist.all():
        services.workorder_check_item(order=order, actor=world.engineer, code=item.code, done=True, at=LATER)
    order.refresh_from_db()
    seen = order.version
    services.workorder_reallocate(
        order=order, actor=world.tech_head, engineer=world.engineer2, reason="原工程师病假", at=LATER
    )

    with pytest.raises(ConflictError):
        services.workorder_schedule(
            order=order,
            actor=world.engineer,
            appointment_at=LATER + dt.timedelta(days=1),
            agreed_with="张主任",
            expected_version=seen,
            at=LATER,
        )
    order.refresh_from_db()
    assert (order.status, order.appointment_at) == (Status.DISPATCHED, None)


@pytest.mark.django_db
def test_a_dispatch_without_a_version_after_another_one_is_refused_as_an_illegal_move(world):
    order = walk(world, register(world), Status.APPROVED)
    services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=LATER)
    with pytest.raises(transitions.TransitionRefused):
        services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer2, at=LATER)
    order.refresh_from_db()
    assert order.engineer == world.engineer and dispatch_events(order) == 1


# --- real races on PostgreSQL -----------------------------------------------------------------


def race(*calls):
    """Run the calls in threads released at the same moment; return what each raised (or None)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
        except Exception as error:  # the test inspects it
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (lock never released?)"
    return outcomes


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real two-connection race needs PostgreSQL's row locks"
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_technical_heads_dispatching_at_the_same_moment_dispatch_once(seeded, world):
    order = walk(world, register(world), Status.APPROVED)
    before = order.version

    outcomes = race(
        lambda: services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=LATER),
        lambda: services.workorder_dispatch(order=order, actor=world.admin, engineer=world.engineer2, at=LATER),
    )

    failures = [o for o in outcomes if o is not None]
    assert len(failures) == 1, outcomes
    assert isinstance(failures[0], transitions.TransitionRefused)  # the status had moved
    winner = world.engineer if outcomes[0] is None else world.engineer2
    order.refresh_from_db()
    assert (order.status, order.engineer) == (Status.DISPATCHED, winner)
    assert dispatch_events(order) == 1
    assert order.version == before + 1  # one write, not two


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clicks_on_approve_decide_the_step_once(seeded, world):
    order = register(world, instrument=world.old_instrument)
    services.workorder_file_application(order=order, actor=world.sales, billing="free", at=MONDAY)

    outcomes = race(
        *[
            lambda: services.workorder_decide(
                order=order, actor=world.marketing_head, decision=Decision.APPROVE, at=LATER
            )
        ]
        * 2
    )

    assert sum(o is None for o in outcomes) == 1, outcomes
    assert ApprovalDecision.objects.filter(application__work_order=order).count() == 1
    order.refresh_from_db()
    assert order.status == Status.APPROVED
    assert order.events.filter(kind=EventKind.APPROVAL).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_reallocations_from_the_same_page_racing_leave_one_engineer_and_one_entry(seeded, world):
    order = walk(world, register(world), Status.DISPATCHED)
    seen = order.version

    outcomes = race(
        lambda: services.workorder_reallocate(
            order=order, actor=world.tech_head, engineer=world.engineer2, reason="A", expected_version=seen, at=LATER
        ),
        lambda: services.workorder_reallocate(
            order=order,
            actor=world.customer_manager,
            engineer=world.other_engineer,
            reason="B",
            expected_version=seen,
            at=LATER,
        ),
    )

    assert sum(o is None for o in outcomes) == 1, outcomes
    assert all(type(o) is ConflictError for o in outcomes if o is not None)
    order.refresh_from_db()
    event = order.events.get(kind=EventKind.REALLOCATION)
    assert event.data["engineer"] == order.engineer_id
    assert order.version == seen + 1
