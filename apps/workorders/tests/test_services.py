"""Every write on a work order as its users meet it (SPEC WO-1 … WO-18): the status they see,
the timeline entry (who, when, why), who is told, and the values recorded."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.notifications.models import Message
from apps.workorders import services, transitions
from apps.workorders.choices import (
    ApplicationState,
    Billing,
    EventKind,
    Outcome,
    PartSupply,
    Status,
    Urgency,
    WorkType,
)
from apps.workorders.tests._world import (  # noqa: F401
    MONDAY,
    complete,
    last_event,
    local,
    messages_for,
    register,
    tick_checklist,
    walk,
    world_fixture,
)

pytestmark = pytest.mark.django_db

LATER = MONDAY + dt.timedelta(hours=2)


# --- intake (WO-1, WO-2, WO-15) ---------------------------------------------------------------


def test_a_registered_request_is_new_with_its_timeline_checklist_and_the_technical_head_told(world):
    order = register(world, description="样本针撞针报警")

    assert order.status == Status.NEW
    assert order.number.startswith("WO260608-")
    assert (order.region, order.sales, order.created_by) == (world.city, world.sales, world.clerk)
    event = order.events.get(kind=EventKind.CREATED)
    assert (event.actor, event.at, event.to_status, event.text) == (world.clerk, MONDAY, Status.NEW, "样本针撞针报警")
    assert [i.code for i in order.checklist.all()] == ["fault_confirmed", "parts_prepared", "customer_available"]
    assert messages_for(world.tech_head, contains=f"New request {order.number}")


def test_intake_records_the_warranty_state_as_it_was_that_day(world):
    assert register(world).in_warranty is True  # accepted 2026-03-15, 12 months
    assert register(world, at=local(2027, 3, 15, 9, 0)).in_warranty is False
    old = register(world, instrument=world.old_instrument)
    assert (old.in_warranty, old.billing) == (False, Billing.UNDECIDED)


def test_application_troubleshooting_promises_a_call_back_within_one_hour(world):
    order = register(world, work_type=WorkType.APP_TROUBLESHOOTING, at=local(2026, 6, 8, 10, 15))
    assert order.callback_due_at == local(2026, 6, 8, 11, 15)
    assert register(world).callback_due_at is None


def test_a_call_back_promised_late_on_friday_falls_in_the_next_working_morning(world):
    # Office hours end 17:30: 30 minutes on Friday, the other 30 on Monday from 08:30.
    order = register(world, work_type=WorkType.APP_TROUBLESHOOTING, at=local(2026, 6, 12, 17, 0))
    assert order.callback_due_at == local(2026, 6, 15, 9, 0)


def test_a_dealer_files_applications_only_for_the_customers_he_serves(world):
    order = register(world)
    assert transitions.row_allows(order, world.dealer, "file_application") is (
        order.customer.dealer_id == world.dealer.dealer_id
    )
    order.customer.dealer = None
    assert transitions.row_allows(order, world.dealer, "file_application") is False


def test_a_remote_attempt_is_recorded_with_the_call_back_promise(world):
    order = register(world)
    promise = MONDAY + dt.timedelta(hours=1)

    order = services.workorder_record_remote(
        order=order, actor=world.clerk, actions="指导客户重启仪器", callback_due_at=promise, at=MONDAY
    )

    assert (order.remote_actions, order.callback_due_at, order.customer_contacted_at) == (
        "指导客户重启仪器",
        promise,
        MONDAY,
    )
    event = last_event(order, kind=EventKind.REMOTE)
    assert (event.actor, event.text) == (world.clerk, "指导客户重启仪器")
    with pytest.raises(transitions.NotPermitted):
        services.workorder_record_remote(order=order, actor=world.sales, actions="…", at=MONDAY)


def test_a_request_solved_remotely_closes_without_a_visit(world):
    order = register(world, urgency=Urgency.URGENT)

    order = services.workorder_resolve_remotely(
        order=order, actor=world.engineer, solution="远程指导更换保险丝后正常", at=LATER
    )

    order.refresh_from_db()
    assert (order.status, order.outcome, order.completed_at) == (Status.REMOTE_RESOLVED, Outcome.SOLVED, LATER)
    assert not order.visits.exists() and order.engineer is None
    event = last_event(order, action="resolve_remotely")
    assert (event.actor, event.from_status, event.to_status, event.text) == (
        world.engineer,
        Status.NEW,
        Status.REMOTE_RESOLVED,
        "远程指导更换保险丝后正常",
    )
    with pytest.raises(ValidationError):
        services.workorder_reopen(order=order, actor=world.clerk, reason=" ", at=LATER)
    order = services.workorder_reopen(order=order, actor=world.clerk, reason="客户再次来电", at=LATER)
    assert (order.status, order.outcome, order.completed_at) == (Status.NEW, "", None)


def test_solving_remotely_needs_the_solution(world):
    order = register(world)
    with pytest.raises(ValidationError) as error:
        services.workorder_resolve_remotely(order=order, actor=world.clerk, solution="", at=LATER)
    assert "solution" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == Status.NEW


# --- arrears (WO-15: warn, never silently block) ----------------------------------------------


def in_arrears(w):
    w.customer.in_arrears = True
    w.customer.save(update_fields=["in_arrears"])


def test_a_customer_in_arrears_is_flagged_at_intake(world):
    in_arrears(world)
    order = register(world)
    assert order.arrears_at_intake is True
    assert "arrears" in order.events.get(kind=EventKind.ARREARS).text


def test_dispatch_to_a_customer_in_arrears_needs_the_recorded_agreement(world):
    in_arrears(world)
    order = walk(world, register(world), Status.APPROVED)

    with pytest.raises(ValidationError) as error:
        services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=LATER)
    assert "arrears_agreement" in error.value.message_dict
    order.refresh_from_db()
    assert (order.status, order.engineer) == (Status.APPROVED, None)

    services.workorder_dispatch(
        order=order,
        actor=world.tech_head,
        engineer=world.engineer,
        arrears_agreement="销售王经理同意先服务，月底回款",
        at=LATER,
    )
    order.refresh_from_db()
    assert (order.status, order.engineer) == (Status.DISPATCHED, world.engineer)
    assert (order.arrears_agreement, order.arrears_agreed_by) == ("销售王经理同意先服务，月底回款", world.tech_head)


# --- dispatch and re-allocation (WO-4, WO-6) --------------------------------------------------


def test_dispatch_records_who_sent_whom_and_tells_the_engineer(world):
    order = walk(world, register(world), Status.APPROVED)

    services.workorder_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, reason="驻地工程师", at=LATER
    )

    order.refresh_from_db()
    assert (order.status, order.engineer, order.dispatched_by, order.dispatched_at) == (
        Status.DISPATCHED,
        world.engineer,
        world.tech_head,
        LATER,
    )
    event = last_event(order, kind=EventKind.DISPATCH)
    assert (event.actor, event.text, event.data["engineer"]) == (world.tech_head, "驻地工程师", world.engineer.pk)
    assert messages_for(world.engineer, contains=f"You are dispatched: {order.number}")


def test_dispatch_only_to_an_active_field_engineer(world):
    order = walk(world, register(world), Status.APPROVED)
    for somebody in (world.sales, world.customer_manager):
        with pytest.raises(ValidationError) as error:
            services.workorder_dispatch(order=order, actor=world.tech_head, engineer=somebody, at=LATER)
        assert "engineer" in error.value.message_dict
    world.engineer2.is_active = False
    world.engineer2.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer2, at=LATER)


def test_reallocation_hands_the_job_over_and_tells_sales_and_both_engineers(world):
    order = walk(world, register(world), Status.SCHEDULED)

    services.workorder_reallocate(
        order=order, actor=world.customer_manager, engineer=world.engineer2, reason="原工程师病假", at=LATER
    )

    order.refresh_from_db()
    assert (order.status, order.engineer, order.appointment_at) == (Status.DISPATCHED, world.engineer2, None)
    event = last_event(order, kind=EventKind.REALLOCATION)
    assert (event.actor, event.text, event.data["previous"]) == (
        world.customer_manager,
        "原工程师病假",
        world.engineer.pk,
    )
    assert messages_for(world.sales, contains="re-allocated")
    assert messages_for(world.engineer, contains="re-allocated")
    assert messages_for(world.engineer2, contains="You are dispatched")
    with pytest.raises(ValidationError):
        services.workorder_reallocate(
            order=order, actor=world.tech_head, engineer=world.engineer2, reason="再次", at=LATER
        )
    with pytest.raises(ValidationError):
        services.workorder_reallocate(order=order, actor=world.tech_head, engineer=world.engineer, reason="", at=LATER)


# --- the emergency path (WO-5) ----------------------------------------------------------------


def test_an_urgent_order_is_dispatched_first_and_flagged_until_the_application_is_filed(world):
    order = register(world, urgency=Urgency.URGENT)
    with pytest.raises(ValidationError) as error:
        services.workorder_emergency_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, reason="")
    assert "reason" in error.value.message_dict

    services.workorder_emergency_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, reason="急诊停机，李总同意先派", at=LATER
    )

    order.refresh_from_db()
    assert (order.status, order.emergency, order.application_missing) == (Status.DISPATCHED, True, True)
    event = last_event(order, kind=EventKind.DISPATCH)
    assert (event.actor, event.action, event.from_status, event.text) == (
        world.tech_head,
        "emergency_dispatch",
        Status.NEW,
        "急诊停机，李总同意先派",
    )
    assert messages_for(world.sales, contains="please file the service application")
    assert messages_for(world.engineer, contains="You are dispatched")

    # Sales files afterwards: the flag clears, the order stays where it is.
    version = order.version
    with pytest.raises(transitions.NotPermitted):
        services.workorder_file_application(order=order, actor=world.other_sales, billing=Billing.WARRANTY, at=LATER)
    application = services.workorder_file_application(
        order=order, actor=world.sales, billing=Billing.WARRANTY, at=LATER + dt.timedelta(hours=3)
    )

    order.refresh_from_db()
    assert (order.status, order.application_missing, order.engineer) == (Status.DISPATCHED, False, world.engineer)
    assert order.version == version + 1
    assert application.state == ApplicationState.APPROVED
    event = last_event(order, kind=EventKind.APPLICATION)
    assert (event.actor, event.text) == (world.sales, "Application filed after the emergency dispatch.")


def test_an_emergency_overtakes_a_pending_application(world):
    order = register(world, urgency=Urgency.URGENT)
    services.workorder_file_application(order=order, actor=world.sales, billing=Billing.WARRANTY, at=MONDAY)

    services.workorder_emergency_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, reason="客户投诉升级", at=LATER
    )

    order.refresh_from_db()
    assert (order.status, order.application_missing) == (Status.DISPATCHED, False)
    assert order.application.state == ApplicationState.APPROVED


def test_an_order_whose_application_is_missing_cannot_be_closed(world):
    order = register(world, urgency=Urgency.URGENT)
    services.workorder_emergency_dispatch(
        order=order, actor=world.tech_head, engineer=world.engineer, reason="急诊停机", at=MONDAY
    )
    order = walk(world, order, Status.COMPLETED, at=LATER)
    services.workorder_assess_complaint(order=order, actor=world.tech_head, is_complaint=False, at=LATER)
    with pytest.raises(transitions.TransitionRefused) as error:
        services.workorder_close(order=order, actor=world.tech_head, at=LATER)
    assert "application is still missing" in str(error.value)


# --- readiness and appointment (WO-7, WO-8) ---------------------------------------------------


def test_the_visit_cannot_be_booked_while_the_checklist_is_incomplete_and_says_what_is_missing(world):
    order = walk(world, register(world), Status.DISPATCHED)
    services.workorder_check_item(order=order, actor=world.engineer, code="fault_confirmed", done=True, at=LATER)

    with pytest.raises(ValidationError) as error:
        services.workorder_schedule(
            order=order,
            actor=world.engineer,
            appointment_at=LATER + dt.timedelta(days=1),
            agreed_with="张主任",
            at=LATER,
        )

    text = error.value.message_dict["appointment_at"][0]
    assert "Likely parts and tools prepared" in text
    assert "Customer can stop the instrument at the visit time" in text
    assert "Fault described" not in text
    order.refresh_from_db()
    assert (order.status, order.appointment_at) == (Status.DISPATCHED, None)

    tick_checklist(world, order, at=LATER)
    services.workorder_schedule(
        order=order,
        actor=world.engineer,
        appointment_at=local(2026, 6, 9, 14, 0),
        agreed_with="张主任",
        at=LATER,
    )
    order.refresh_from_db()
    assert (order.status, order.appointment_at, order.appointment_with) == (
        Status.SCHEDULED,
        local(2026, 6, 9, 14, 0),
        "张主任",
    )
    event = last_event(order, kind=EventKind.APPOINTMENT)
    assert event.actor == world.engineer and "2026-06-09 14:00" in event.text
    assert messages_for(world.sales, contains="visits on 2026-06-09 14:00")


def test_the_checklist_records_who_ticked_each_item(world):
    order = walk(world, register(world), Status.DISPATCHED)
    item = services.workorder_check_item(order=order, actor=world.engineer, code="parts_prepared", done=True, at=LATER)
    assert (item.done, item.done_by, item.done_at) == (True, world.engineer, LATER)
    assert last_event(order, kind=EventKind.CHECKLIST).actor == world.engineer
    with pytest.raises(transitions.NotPermitted):
        services.workorder_check_item(order=order, actor=world.engineer2, code="parts_prepared", done=False, at=LATER)
    with pytest.raises(ValidationError):
        services.workorder_check_item(order=order, actor=world.engineer, code="nonsense", done=True, at=LATER)


def test_an_appointment_in_the_past_is_refused(world):
    order = walk(world, register(world), Status.DISPATCHED)
    tick_checklist(world, order, at=LATER)
    with pytest.raises(ValidationError) as error:
        services.workorder_schedule(
            order=order,
            actor=world.engineer,
            appointment_at=LATER - dt.timedelta(days=1),
            agreed_with="张主任",
            at=LATER,
        )
    assert "appointment_at" in error.value.message_dict


def test_a_changed_appointment_needs_the_reason_and_the_customer_told(world):
    order = walk(world, register(world), Status.SCHEDULED)
    previous = order.appointment_at
    new_time = local(2026, 6, 11, 9, 30)

    with pytest.raises(ValidationError) as error:
        services.workorder_reschedule(
            order=order, actor=world.engineer, appointment_at=new_time, reason="", customer_informed=True, at=LATER
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.workorder_reschedule(
            order=order,
            actor=world.engineer,
            appointment_at=new_time,
            reason="配件未到",
            customer_informed=False,
            at=LATER,
        )
    assert "customer_informed" in error.value.message_dict
    order.refresh_from_db()
    assert order.appointment_at == previous

    services.workorder_reschedule(
        order=order, actor=world.engineer, appointment_at=new_time, reason="配件未到", customer_informed=True, at=LATER
    )
    order.refresh_from_db()
    assert (order.status, order.appointment_at) == (Status.SCHEDULED, new_time)
    event = last_event(order, kind=EventKind.DELAY)
    assert (event.actor, event.text, event.data["customer_informed"]) == (world.engineer, "配件未到", True)
    assert event.data["previous"] == previous.isoformat()
    assert messages_for(world.sales, contains="visit moved to 2026-06-11 09:30")


# --- the visit and its parts (WO-11, WO-16, WO-9) ---------------------------------------------


def test_check_in_opens_the_visit_of_the_dispatched_engineer(world):
    order = walk(world, register(world), Status.SCHEDULED)
    visit = services.workorder_check_in(order=order, actor=world.engineer, at=LATER)
    order.refresh_from_db()
    assert order.status == Status.ON_SITE
    assert (visit.engineer, visit.checked_in_at, visit.checked_out_at) == (world.engineer, LATER, None)
    assert last_event(order, kind=EventKind.CHECK_IN).actor == world.engineer


def test_the_visit_record_is_saved_with_the_lab_heads_consent(world):
    order = walk(world, register(world), Status.ON_SITE)
    visit = services.workorder_record_visit(
        order=order,
        actor=world.engineer,
        findings="进样针弯曲",
        work_done="更换进样针并校准",
        drift_warning_given=True,
        lab_head_consent=True,
        lab_head_name="张主任",
    )
    assert (visit.findings, visit.lab_head_consent, visit.lab_head_name, visit.version) == (
        "进样针弯曲",
        True,
        "张主任",
        2,
    )
    from apps.core.exceptions import ConflictError

    with pytest.raises(ConflictError):
        services.workorder_record_visit(
            order=order, actor=world.engineer, findings="x", work_done="y", expected_version=1
        )


def free_order_dispatched(w):
    """An out-of-warranty repair approved as free service by the marketing head."""
    return walk(w, register(w, instrument=w.old_instrument), Status.DISPATCHED, billing=Billing.FREE)


@pytest.mark.parametrize("supply", [PartSupply.FREE_EXCHANGE, PartSupply.GIFT])
def test_free_service_never_includes_parts(world, supply):
    order = free_order_dispatched(world)
    assert order.billing == Billing.FREE

    with pytest.raises(ValidationError) as error:
        services.workorder_add_part(
            order=order, actor=world.engineer, item=world.part, quantity=1, supply=supply, at=LATER
        )

    assert "Free service never includes parts" in error.value.message_dict["supply"][0]
    assert not order.parts.exists()


def test_in_free_service_the_customer_buys_the_parts(world):
    order = free_order_dispatched(world)
    part = services.workorder_add_part(
        order=order, actor=world.engineer, item=world.part, quantity=2, supply=PartSupply.BOUGHT, at=LATER
    )
    assert (part.supply, part.quantity, part.added_by) == (PartSupply.BOUGHT, 2, world.engineer)
    assert not messages_for(world.logistics)


def test_a_warranty_part_is_shipped_by_the_company_and_reminded_after_ten_days_once(world):
    order = walk(world, register(world), Status.ON_SITE)  # in warranty
    part = services.workorder_add_part(
        order=order,
        actor=world.engineer,
        item=world.part,
        quantity=1,
        supply=PartSupply.FREE_EXCHANGE,
        at=local(2026, 6, 8, 15, 0),
    )

    assert part.reminder_due_on == dt.date(2026, 6, 18)
    assert part.visit == order.visits.get()
    assert messages_for(world.logistics, contains="Please ship")
    assert last_event(order, kind=EventKind.PART).actor == world.engineer

    assert services.remind_part_arrivals(today=dt.date(2026, 6, 17)) == 0
    assert services.remind_part_arrivals(today=dt.date(2026, 6, 18)) == 1
    assert services.remind_part_arrivals(today=dt.date(2026, 6, 19)) == 0
    reminders = messages_for(world.engineer, contains="arrival not confirmed after 10 days")
    assert len(reminders) == 1
    part.refresh_from_db()
    assert part.reminded_at is not None


def test_a_part_whose_arrival_is_confirmed_is_not_reminded(world):
    order = walk(world, register(world), Status.ON_SITE)
    part = services.workorder_add_part(
        order=order, actor=world.engineer, item=world.part, quantity=1, supply=PartSupply.GIFT, at=LATER
    )
    services.workorder_part_arrived(part=part, actor=world.engineer, at=LATER + dt.timedelta(days=3))
    part.refresh_from_db()
    assert (part.arrival_confirmed_at, part.reminder_due_on) == (LATER + dt.timedelta(days=3), None)
    assert services.remind_part_arrivals(today=dt.date(2026, 7, 1)) == 0


def test_only_spare_parts_between_dispatch_and_completion(world):
    from apps.catalog.tests.factories import CatalogItemFactory

    order = walk(world, register(world), Status.ON_SITE)
    with pytest.raises(ValidationError):
        services.workorder_add_part(
            order=order, actor=world.engineer, item=CatalogItemFactory(), quantity=1, supply=PartSupply.BOUGHT
        )
    with pytest.raises(ValidationError):
        services.workorder_add_part(
            order=order, actor=world.engineer, item=world.part, quantity=0, supply=PartSupply.BOUGHT
        )
    new = register(world)
    with pytest.raises(transitions.TransitionRefused):
        services.workorder_add_part(
            order=new, actor=world.tech_head, item=world.part, quantity=1, supply=PartSupply.BOUGHT
        )
    # Before dispatch the order is nobody's: an engineer is told it is not his.
    with pytest.raises(transitions.NotPermitted):
        services.workorder_add_part(
            order=new, actor=world.engineer, item=world.part, quantity=1, supply=PartSupply.BOUGHT
        )


# --- completion, result, paid balance, closing (WO-9, WO-12 … WO-14) ---------------------------


def test_a_paid_job_completed_on_the_wednesday_before_national_day_is_due_on_the_make_up_saturday(world):
    # 2026: 1–7 Oct National Day, Saturday 10 Oct a make-up working day. Three working days
    # after Wednesday 30 Sep are Thu 8, Fri 9 and Sat 10 Oct.
    order = register(world, instrument=world.old_instrument, at=local(2026, 9, 28, 9, 0))
    order = walk(world, order, Status.ON_SITE, billing=Billing.PAID, at=local(2026, 9, 28, 9, 10))
    services.workorder_add_part(
        order=order,
        actor=world.engineer,
        item=world.part,
        quantity=1,
        supply=PartSupply.BOUGHT,
        fitted=True,
        at=local(2026, 9, 30, 10, 0),
    )

    complete(order, actor=world.engineer, at=local(2026, 9, 30, 15, 0))

    order.refresh_from_db()
    assert (order.status, order.outcome, order.completed_at) == (
        Status.COMPLETED,
        Outcome.SOLVED,
        local(2026, 9, 30, 15, 0),
    )
    assert order.paid.balance_due_date == dt.date(2026, 10, 10)
    assert order.paid.parts_warranty_until == dt.date(2027, 3, 30)  # new parts fitted: 6 months
    visit = order.visits.get()
    assert visit.checked_out_at == local(2026, 9, 30, 15, 0)
    assert last_event(order, kind=EventKind.CHECK_OUT).actor == world.engineer


def test_a_paid_job_without_fitted_parts_carries_no_parts_warranty(world):
    order = register(world, instrument=world.old_instrument, at=local(2026, 10, 12, 9, 0))
    order = walk(world, order, Status.ON_SITE, billing=Billing.PAID, at=local(2026, 10, 12, 9, 10))
    complete(order, actor=world.engineer, at=local(2026, 10, 16, 11, 0))  # Friday
    order.refresh_from_db()
    assert order.paid.balance_due_date == dt.date(2026, 10, 21)  # Mon 19, Tue 20, Wed 21
    assert order.paid.parts_warranty_until is None


def test_closing_a_paid_job_waits_for_the_balance_the_invoice_and_the_complaint_assessment(world):
    order = register(world, instrument=world.old_instrument)
    order = walk(world, order, Status.COMPLETED, billing=Billing.PAID)

    with pytest.raises(transitions.TransitionRefused) as error:
        services.workorder_close(order=order, actor=world.tech_head, at=LATER)
    assert "The balance is not paid and invoiced yet." in str(error.value)
    assert "Assess whether this service record is a complaint." in str(error.value)

    # Finance, and only finance, records the balance with the invoice number.
    with pytest.raises(transitions.NotPermitted):
        services.workorder_record_balance(order=order, actor=world.tech_head, invoice_no="FP001", at=LATER)
    with pytest.raises(ValidationError) as field_error:
        services.workorder_record_balance(order=order, actor=world.finance, invoice_no=" ", at=LATER)
    assert "invoice_no" in field_error.value.message_dict
    paid = services.workorder_record_balance(order=order, actor=world.finance, invoice_no="44031234", at=LATER)
    assert (paid.invoice_no, paid.balance_paid_at, paid.balance_confirmed_by) == ("44031234", LATER, world.finance)
    assert "44031234" in last_event(order, kind=EventKind.PAYMENT).text

    with pytest.raises(transitions.TransitionRefused) as error:
        services.workorder_close(order=order, actor=world.tech_head, at=LATER)
    assert "balance" not in str(error.value) and "complaint" in str(error.value)

    services.workorder_assess_complaint(order=order, actor=world.supervisor, is_complaint=False, at=LATER)
    services.workorder_close(order=order, actor=world.tech_head, note="回访满意", at=LATER)

    order.refresh_from_db()
    assert (order.status, order.closed_at) == (Status.CLOSED, LATER)
    assert (order.complaint_assessed, order.complaint_assessed_by) == (False, world.supervisor)
    event = last_event(order, action="close")
    assert (event.actor, event.text, event.from_status, event.to_status) == (
        world.tech_head,
        "回访满意",
        Status.COMPLETED,
        Status.CLOSED,
    )


def test_a_complaint_assessment_says_what_about_and_tells_quality(world):
    order = walk(world, register(world), Status.COMPLETED)
    with pytest.raises(ValidationError) as error:
        services.workorder_assess_complaint(order=order, actor=world.tech_head, is_complaint=True, at=LATER)
    assert "note" in error.value.message_dict
    with pytest.raises(transitions.NotPermitted):
        services.workorder_assess_complaint(order=order, actor=world.sales, is_complaint=False, at=LATER)

    services.workorder_assess_complaint(
        order=order, actor=world.tech_head, is_complaint=True, note="客户投诉结果偏高", at=LATER
    )

    order.refresh_from_db()
    assert (order.complaint_assessed, order.complaint_assessed_by, order.complaint_assessed_at) == (
        True,
        world.tech_head,
        LATER,
    )
    assert "客户投诉结果偏高" in last_event(order, kind=EventKind.ASSESSMENT).text
    assert messages_for(world.quality, contains="assessed as a complaint")


def test_an_unsolved_job_escalates_to_the_regions_customer_manager_and_the_supervisor(world):
    order = walk(world, register(world), Status.ON_SITE)

    complete(order, actor=world.engineer, at=LATER, outcome=Outcome.UNSOLVED)

    order.refresh_from_db()
    assert (order.status, order.outcome, order.escalated) == (Status.COMPLETED, Outcome.UNSOLVED, True)
    subject = f"{order.number} could not be solved on site"
    assert messages_for(world.customer_manager, contains=subject)
    assert messages_for(world.supervisor, contains=subject)
    assert not messages_for(world.other_manager, contains=subject)
    event = last_event(order, kind=EventKind.ESCALATION)
    assert event.actor == world.engineer and "escalated" in event.text


def test_without_a_city_manager_an_unsolved_job_goes_to_the_provinces_customer_manager(world):
    from apps.accounts.tests.factories import UserFactory

    province_manager = UserFactory(role="customer_manager", username="cm_guangdong")
    world.city.parent.customer_manager = province_manager
    world.city.parent.save(update_fields=["customer_manager"])
    world.city.customer_manager = None
    world.city.save(update_fields=["customer_manager"])
    order = walk(world, register(world), Status.ON_SITE)

    complete(order, actor=world.engineer, at=LATER, outcome=Outcome.UNSOLVED)

    subject = f"{order.number} could not be solved on site"
    assert messages_for(province_manager, contains=subject)
    assert messages_for(world.supervisor, contains=subject)


def test_a_solved_job_escalates_nothing(world):
    order = walk(world, register(world), Status.ON_SITE)
    complete(order, actor=world.engineer, at=LATER)
    order.refresh_from_db()
    assert order.escalated is False
    assert not Message.objects.filter(subject__contains="could not be solved").exists()


def test_the_result_goes_to_sales_and_a_quality_problem_to_the_quality_department(world):
    order = walk(world, register(world), Status.ON_SITE)

    services.workorder_report_result(
        order=order, actor=world.engineer, text="更换进样针后质控在控", quality_problem=True, at=LATER
    )

    order.refresh_from_db()
    assert (order.result_reported_at, order.quality_report_needed) == (LATER, True)
    assert messages_for(world.sales, contains=f"Result of {order.number}")
    assert messages_for(world.supervisor, contains=f"Result of {order.number}")
    assert messages_for(world.dealer, contains=f"Result of {order.number}")
    assert messages_for(world.quality, contains="External quality information report")


def test_a_cancellation_needs_a_reason_and_tells_the_engineer_and_sales(world):
    order = walk(world, register(world), Status.DISPATCHED)
    with pytest.raises(ValidationError):
        services.workorder_cancel(order=order, actor=world.clerk, reason="", at=LATER)

    services.workorder_cancel(order=order, actor=world.clerk, reason="客户已自行修复", at=LATER)

    order.refresh_from_db()
    assert (order.status, order.closing_reason) == (Status.CANCELLED, "客户已自行修复")
    event = last_event(order, action="cancel")
    assert (event.actor, event.from_status, event.text) == (world.clerk, Status.DISPATCHED, "客户已自行修复")
    assert messages_for(world.engineer, contains=f"{order.number} cancelled")
    assert messages_for(world.sales, contains=f"{order.number} cancelled")


def test_every_move_bumps_the_version_and_leaves_one_timeline_entry(world):
    order = register(world)
    order = walk(world, order, Status.CLOSED)
    moves = order.events.filter(kind__in=[EventKind.TRANSITION, EventKind.APPLICATION, EventKind.APPROVAL]).exclude(
        to_status=""
    )
    moves = list(moves) + list(
        order.events.filter(kind__in=[EventKind.DISPATCH, EventKind.APPOINTMENT, EventKind.CHECK_IN])
    )
    assert sorted(e.to_status for e in moves) == sorted(
        [
            Status.PENDING_APPROVAL,
            Status.APPROVED,
            Status.DISPATCHED,
            Status.SCHEDULED,
            Status.ON_SITE,
            Status.COMPLETED,
            Status.CLOSED,
        ]
    )
    assert all(e.actor_id for e in order.events.all())
    assert order.version > 7
