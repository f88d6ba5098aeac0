"""Regressions found in review: re-allocation and arrears, clocks started while waiting, the
repeat-free rule, late applications after an emergency dispatch, and the paused flag."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.customers.choices import ProductLineUsage
from apps.sla.models import SlaClock
from apps.workorders import services, transitions
from apps.workorders.choices import Billing, PauseKind, Status, WorkType
from apps.workorders.tests._world import (  # noqa: F401
    MONDAY,
    approve_all,
    complete,
    register,
    walk,
    world_fixture,
)

T = MONDAY + dt.timedelta(hours=2)


def _clock_states(order):
    return {c.policy.code: c.state for c in SlaClock.objects.filter(object_id=order.pk).select_related("policy")}


def test_a_job_can_be_reallocated_when_the_customer_fell_into_arrears_after_dispatch(world):
    order = walk(world, register(world), Status.DISPATCHED)
    world.customer.in_arrears = True
    world.customer.save()
    with pytest.raises(ValidationError) as refused:
        services.workorder_reallocate(order=order, actor=world.tech_head, engineer=world.engineer2, reason="病假", at=T)
    assert "arrears_agreement" in refused.value.message_dict
    order = services.workorder_reallocate(
        order=order, actor=world.tech_head, engineer=world.engineer2, reason="病假", arrears_agreement="销售同意", at=T
    )
    assert (order.engineer, order.arrears_agreement, order.arrears_agreed_by) == (
        world.engineer2,
        "销售同意",
        world.tech_head,
    )


def test_reallocation_keeps_who_agreed_to_serve_a_customer_in_arrears(world):
    world.customer.in_arrears = True
    world.customer.save()
    order = walk(world, register(world), Status.DISPATCHED)
    order.refresh_from_db()
    agreed_by = order.arrears_agreed_by
    services.workorder_reallocate(
        order=order, actor=world.customer_manager, engineer=world.engineer2, reason="调整", at=T
    )
    order.refresh_from_db()
    assert order.arrears_agreed_by == agreed_by != world.customer_manager


def test_a_clock_started_while_the_order_waits_waits_too(world):
    order = walk(world, register(world), Status.APPROVED)
    services.workorder_pause(order=order, actor=world.tech_head, kind=PauseKind.WAITING_CUSTOMER, reason="等客户", at=T)
    services.workorder_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, at=T + dt.timedelta(minutes=5)
    )
    assert _clock_states(order)["repair_first_contact"] == "paused"


def test_the_engineers_first_call_after_dispatch_stops_the_first_contact_clock(world):
    order = walk(world, register(world), Status.DISPATCHED)
    assert _clock_states(order)["repair_first_contact"] == "running"
    services.workorder_record_remote(
        order=order, actor=world.engineer, actions="已电话联系客户，约定明早上门", at=T + dt.timedelta(minutes=10)
    )
    order.refresh_from_db()
    assert _clock_states(order)["repair_first_contact"] == "stopped"
    assert order.customer_contacted_at is not None
    # Another engineer cannot log calls on a job that is not his.
    with pytest.raises(transitions.NotPermitted):
        services.workorder_record_remote(order=order, actor=world.engineer2, actions="x", at=T)


def test_cancelled_free_training_does_not_count_as_an_earlier_free_service(world):
    world.customer.product_line_usage = ProductLineUsage.PROSPECT
    world.customer.save()
    training = register(world, work_type=WorkType.TRAINING, instrument=world.old_instrument)
    services.workorder_file_application(order=training, actor=world.sales, billing=Billing.FREE, at=T)
    approve_all(world, training, at=T)
    services.workorder_cancel(order=training, actor=world.tech_head, reason="客户取消", at=T + dt.timedelta(minutes=30))
    repair = register(world, instrument=world.old_instrument)
    application = services.workorder_file_application(
        order=repair, actor=world.sales, billing=Billing.FREE, at=T + dt.timedelta(hours=1)
    )
    assert "general_manager" not in application.route


def test_an_emergency_job_cannot_become_paid_afterwards(world):
    order = register(world, instrument=world.old_instrument)
    services.workorder_emergency_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, reason="主任同意", at=T
    )
    with pytest.raises(ValidationError) as refused:
        services.workorder_file_application(
            order=order, actor=world.sales, billing=Billing.PAID, at=T + dt.timedelta(minutes=5)
        )
    assert "billing" in refused.value.message_dict
    order.refresh_from_db()
    assert order.application_missing is True


def test_no_late_application_on_a_cancelled_order(world):
    order = register(world, instrument=world.old_instrument)
    services.workorder_emergency_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, reason="急", at=T
    )
    services.workorder_cancel(order=order, actor=world.tech_head, reason="x", at=T + dt.timedelta(minutes=1))
    with pytest.raises(transitions.TransitionRefused):
        services.workorder_file_application(
            order=order, actor=world.sales, billing=Billing.FREE, at=T + dt.timedelta(minutes=5)
        )


def test_completion_ends_the_wait(world):
    order = walk(world, register(world), Status.ON_SITE)
    services.workorder_pause(order=order, actor=world.engineer, kind=PauseKind.WAITING_PARTS, reason="等配件", at=T)
    order.refresh_from_db()
    services.workorder_record_visit(
        order=order, actor=world.engineer, findings="f", work_done="w", lab_head_consent=True
    )
    complete(order, actor=world.engineer, at=T + dt.timedelta(hours=1))
    order.refresh_from_db()
    assert (order.status, order.on_hold, order.hold_reason) == (Status.COMPLETED, False, "")
