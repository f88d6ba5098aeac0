"""Every write on a work order (SPEC §2): one transaction, the order row locked, the state
machine consulted (apps.workorders.transitions), a timeline event written, SLA clocks and
notifications queued inside the same transaction (sent by the worker after commit)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.complaints.choices import CauseCategory
from apps.core.dates import add_months
from apps.core.exceptions import ConflictError
from apps.customers.choices import ProductLineUsage
from apps.workorders import aftercare, clocks, policies, transitions
from apps.workorders.choices import (
    ApplicationState,
    ApprovalStep,
    Billing,
    Channel,
    Decision,
    EventKind,
    Outcome,
    PartSupply,
    Status,
    Urgency,
)
from apps.workorders.models import (
    ApprovalDecision,
    Attachment,
    ChecklistItem,
    PaidService,
    PartUsage,
    ServiceApplication,
    Visit,
    WorkOrder,
    WorkOrderEvent,
)

# --- helpers ---------------------------------------------------------------------------------

# An optional argument left out: the value on record stays as it is.
KEEP = object()


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _lock(order: WorkOrder, expected_version: int | None = None) -> WorkOrder:
    # of=("self",): lock the order row only, not its customer (orders of one hospital must not
    # wait for each other on PostgreSQL).
    locked = WorkOrder.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _save(order: WorkOrder, *, actor, fields: Iterable[str], reason: str = "") -> None:
    order.version += 1
    order._history_user = actor
    if reason:
        order._change_reason = reason[:100]
    order.save(update_fields=[*fields, "version", "updated_at"])


def _event(order, *, kind, actor, at, text="", action="", from_status="", to_status="", data=None):
    return WorkOrderEvent.objects.create(
        work_order=order,
        kind=kind,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        text=text,
        data=data or {},
    )


def _move(order: WorkOrder, *, action: str, actor, at, reason: str = "", fields=(), data=None, kind=None):
    """Check the table, set the new status, save the given fields and write the event."""
    transitions.check(order, actor, action)
    from_status = order.status
    to_status = transitions.TRANSITIONS[action][1]
    order.status = to_status
    _save(order, actor=actor, fields={"status", *fields}, reason=reason)
    _event(
        order,
        kind=kind or EventKind.TRANSITION,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=at,
        text=reason,
        data=data,
    )
    return order


def _notify(order: WorkOrder, what: str, users, subject: str, body: str = "") -> None:
    from apps.notifications.services import notify_users

    notify_users(
        event_key=f"workorder:{order.pk}:{what}",
        users=[u for u in users if u is not None],
        subject=subject,
        body=body or subject,
        link=order.get_absolute_url(),
    )


def _in_default_language():
    return translation.override(settings.LANGUAGE_CODE)


def _staff(role: str):
    from apps.accounts.models import User

    return list(User.objects.filter(role=role, is_active=True))


def _required(value, field: str, message: str):
    if value in (None, ""):
        raise ValidationError({field: message})
    return value


# --- intake (WO-1, WO-2, WO-15) ---------------------------------------------------------------


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `day` on the default calendar (holidays and make-up days)."""
    from apps.sla import calendar as business
    from apps.sla.selectors import default_calendar

    calendar = default_calendar()
    overrides = business.overrides_for(calendar)
    while days > 0:
        day += dt.timedelta(days=1)
        if business.is_working_day(calendar=calendar, day=day, overrides=overrides):
            days -= 1
    return day


def _region_for(customer):
    return customer.city if customer.city_id else customer.province


@transaction.atomic
def workorder_create(
    *,
    actor,
    customer,
    work_type: str,
    description: str,
    urgency: str = Urgency.NORMAL,
    channel: str = Channel.PHONE,
    instrument=None,
    instrument_model=None,
    contact=None,
    department=None,
    caller_name: str = "",
    caller_phone: str = "",
    site_address: str = "",
    remote_actions: str = "",
    lot=None,
    at: dt.datetime | None = None,
) -> WorkOrder:
    """Register a request (SPEC WO-1). The clerk sees warranty and arrears at once; both are
    recorded as they were at intake."""
    from apps.customers.services import ensure_customer_in_scope

    at = _now(at)
    ensure_customer_in_scope(actor=actor, customer=customer)
    if instrument is not None and instrument_model is None:
        instrument_model = instrument.model
    in_warranty = bool(instrument and instrument.warranty_end and timezone.localdate(at) <= instrument.warranty_end)
    order = WorkOrder(
        work_type=work_type,
        urgency=urgency,
        channel=channel,
        customer=customer,
        department=department,
        contact=contact,
        caller_name=caller_name,
        caller_phone=caller_phone,
        instrument=instrument,
        instrument_model=instrument_model,
        lot=lot,
        description=description,
        site_address=site_address or customer.address,
        region=_region_for(customer),
        sales=customer.responsible_sales,
        created_by=actor,
        in_warranty=in_warranty,
        arrears_at_intake=customer.in_arrears,
        remote_actions=remote_actions,
        billing=Billing.WARRANTY if in_warranty else Billing.UNDECIDED,
    )
    order._history_user = actor
    order.full_clean(exclude=["number"])
    order.save()
    order.number = f"WO{timezone.localtime(at):%y%m%d}-{order.pk:05d}"
    # auto_now_add stamped the insert; the request was taken at `at` (lists sort and show this).
    order.created_at = at
    order.save(update_fields=["number", "created_at"])
    ChecklistItem.objects.bulk_create(
        ChecklistItem(work_order=order, code=code, label=str(label), position=position)
        for position, (code, label) in enumerate(policies.checklist_for(work_type))
    )
    _event(
        order,
        kind=EventKind.CREATED,
        actor=actor,
        at=at,
        to_status=Status.NEW,
        text=description[:500],
        data={"channel": channel, "urgency": urgency},
    )
    if customer.in_arrears:
        _event(
            order,
            kind=EventKind.ARREARS,
            actor=actor,
            at=at,
            text=_("The customer is in arrears: service goes ahead only after sales or the company agrees."),
        )
    clocks.on_event(order, "created", actor=actor, at=at)
    # SPEC WO-2: application troubleshooting is called back within the call-back time limit
    # (an admin-editable SLA policy); the promise is that clock's deadline on its calendar.
    callback_due = clocks.due_at(order, "callback_application")
    if callback_due is not None:
        order.callback_due_at = callback_due
        order.save(update_fields=["callback_due_at"])
    with _in_default_language():
        heads = _staff(Role.TECH_HEAD)
        if urgency == Urgency.URGENT:
            # SPEC WO-5: an urgent report goes straight to the technical head.
            _notify(
                order,
                "urgent",
                heads,
                _("Urgent request %(number)s from %(customer)s") % {"number": order.number, "customer": customer.name},
                description[:500],
            )
        else:
            _notify(
                order,
                "created",
                heads,
                _("New request %(number)s from %(customer)s") % {"number": order.number, "customer": customer.name},
                description[:500],
            )
    return order


@transaction.atomic
def workorder_record_remote(
    *,
    order: WorkOrder,
    actor,
    actions: str,
    callback_due_at: dt.datetime | None = None,
    expected_version: int | None = None,
    at=None,
) -> WorkOrder:
    """SPEC WO-2: what was tried by phone and when we promised to call back."""
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check_activity("remote", order, actor)
    _required(actions.strip(), "actions", _("Describe what was tried."))
    order.remote_actions = (order.remote_actions + "\n" if order.remote_actions else "") + actions.strip()
    fields = ["remote_actions"]
    if callback_due_at is not None:
        order.callback_due_at = callback_due_at
        fields.append("callback_due_at")
    if order.customer_contacted_at is None:
        order.customer_contacted_at = at
        fields.append("customer_contacted_at")
    _save(order, actor=actor, fields=fields)
    _event(
        order,
        kind=EventKind.REMOTE,
        actor=actor,
        at=at,
        text=actions.strip(),
        data={"callback_due_at": callback_due_at.isoformat() if callback_due_at else None},
    )
    clocks.on_event(order, "contacted", actor=actor, at=at)
    return order


@transaction.atomic
def workorder_resolve_remotely(*, order: WorkOrder, actor, solution: str, expected_version=None, at=None):
    """SPEC WO-2: solved by phone — closes without a visit."""
    at = _now(at)
    order = _lock(order, expected_version)
    _required(solution.strip(), "solution", _("Say how it was solved."))
    order.outcome = Outcome.SOLVED
    order.remote_actions = (order.remote_actions + "\n" if order.remote_actions else "") + solution.strip()
    order.completed_at = at
    _move(
        order,
        action="resolve_remotely",
        actor=actor,
        at=at,
        reason=solution.strip(),
        fields=["outcome", "remote_actions", "completed_at"],
    )
    clocks.on_event(order, "contacted", actor=actor, at=at)
    clocks.on_event(order, "cancelled", actor=actor, at=at)
    aftercare.on_completed(order, actor=actor, at=at)
    return order


@transaction.atomic
def workorder_reopen(*, order: WorkOrder, actor, reason: str, expected_version=None, at=None):
    at = _now(at)
    order = _lock(order, expected_version)
    _required(reason.strip(), "reason", _("Say why it is reopened."))
    order.outcome = ""
    order.completed_at = None
    _move(order, action="reopen", actor=actor, at=at, reason=reason.strip(), fields=["outcome", "completed_at"])
    # The remote solution did not hold: the request is new again and its time limits start anew
    # (solving it remotely had stopped them all).
    clocks.on_event(order, "created", actor=actor, at=at)
    aftercare.on_reopened(order, actor=actor, at=at, reason=reason.strip())
    return order


# --- application and approval (WO-3, WO-9) ---------------------------------------------------


def repeat_free_for_prospect(customer, *, exclude=None) -> bool:
    """SPEC WO-9: a free service already went to this prospect (who has not converted)."""
    if customer.product_line_usage != ProductLineUsage.PROSPECT:
        return False
    earlier = ServiceApplication.objects.filter(
        work_order__customer=customer,
        work_order__work_type__in=policies.HARDWARE_FOR_APPROVAL,
        billing=Billing.FREE,
        state=ApplicationState.APPROVED,
    ).exclude(work_order__status__in=(Status.CANCELLED, Status.REJECTED))
    if exclude is not None:
        earlier = earlier.exclude(work_order=exclude)
    return earlier.exists()


def route_for(order: WorkOrder, *, billing: str):
    return policies.approval_route(
        work_type=order.work_type,
        in_warranty=order.in_warranty,
        usage=order.customer.product_line_usage,
        billing=billing,
        repeat_free_prospect=repeat_free_for_prospect(order.customer, exclude=order),
    )


@transaction.atomic
def workorder_file_application(
    *,
    order: WorkOrder,
    actor,
    billing: str,
    work_content: str = "",
    user_and_dealer_agree: bool = False,
    expected_version=None,
    at=None,
) -> ServiceApplication:
    """SPEC WO-3: the service application; its route follows WO-9. After an emergency dispatch
    (WO-5) it is filed late and clears the 'application missing' flag without moving the order."""
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check_activity("file_application", order, actor)
    if billing not in (Billing.FREE, Billing.PAID, Billing.WARRANTY):
        raise ValidationError({"billing": _("Choose free, paid or warranty service.")})
    if billing == Billing.WARRANTY and not order.in_warranty:
        raise ValidationError({"billing": _("The instrument is not in warranty.")})
    route = route_for(order, billing=billing)
    if (
        route.billing == Billing.FREE
        and order.work_type in policies.HARDWARE_FOR_APPROVAL
        and order.customer.product_line_usage == ProductLineUsage.FULL
        and not user_and_dealer_agree
    ):
        raise ValidationError(
            {
                "user_and_dealer_agree": _(
                    "Free service for a full-line user needs the user's and the dealer's agreement."
                )
            }
        )
    # WO-5: after an emergency dispatch the application is recorded without moving the order.
    late = order.emergency and order.application_missing
    if late and route.billing == Billing.PAID:
        # WO-9: a paid job is quoted, contracted and its deposit confirmed BEFORE dispatch; an
        # emergency job already on its way cannot become paid afterwards.
        raise ValidationError(
            {"billing": _("This job was dispatched as an emergency: file it as free or warranty service.")}
        )
    application = ServiceApplication.objects.create(
        work_order=order,
        filed_by=actor,
        filed_at=at,
        work_content=work_content,
        billing=route.billing,
        route=list(route.steps),
        route_explanation=route.explanation[:255],
        user_and_dealer_agree=user_and_dealer_agree,
        state=ApplicationState.APPROVED if late else ApplicationState.PENDING,
        current_step=len(route.steps) if late else 0,
    )
    order.billing = route.billing
    fields = ["billing"]
    if route.billing == Billing.PAID:
        PaidService.objects.get_or_create(work_order=order)
    if late:
        order.application_missing = False
        _save(order, actor=actor, fields=[*fields, "application_missing"])
        _event(
            order,
            kind=EventKind.APPLICATION,
            actor=actor,
            at=at,
            text=_("Application filed after the emergency dispatch."),
            data={"billing": route.billing},
        )
        return application
    order.application = application
    _move(
        order,
        action="file_application",
        actor=actor,
        at=at,
        reason=work_content,
        fields=fields,
        kind=EventKind.APPLICATION,
        data={"billing": route.billing, "route": list(route.steps)},
    )
    _notify_step(order, application)
    return application


def _approvers_for(step: str, order):
    from apps.workorders.choices import APPROVERS

    users = []
    for role in APPROVERS.get(step, ()):
        if role == Role.SALES:
            users.append(order.sales)
        else:
            users.extend(_staff(role))
    return users


def _notify_step(order, application):
    step = application.step_code
    if step is None:
        return
    with _in_default_language():
        _notify(
            order,
            f"step:{application.current_step}",
            _approvers_for(step, order),
            _("%(number)s waits for you: %(step)s") % {"number": order.number, "step": ApprovalStep(step).label},
        )


@transaction.atomic
def workorder_decide(
    *,
    order: WorkOrder,
    actor,
    decision: str,
    reason: str = "",
    quote_amount=None,
    quote_note: str = "",
    contract_no: str = "",
    deposit_reference: str = "",
    expected_version=None,
    at=None,
) -> WorkOrder:
    """Decide the current step of the application's route (SPEC WO-9). Paid steps carry their
    data: the quote, the contract, the deposit's bank reference, finance's confirmation. The last
    approval moves the order to 'approved'; a rejection returns the reason to the sales person."""
    at = _now(at)
    order = _lock(order, expected_version)
    application = ServiceApplication.objects.select_for_update().filter(work_order=order).first()
    if application is None or application.state != ApplicationState.PENDING:
        raise transitions.TransitionRefused(_("There is no application waiting for a decision."))
    order.application = application
    action = "approve" if decision == Decision.APPROVE else "reject"
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise ValidationError({"decision": _("Approve or reject.")})
    transitions.check(order, actor, action)
    step = application.step_code
    if decision == Decision.REJECT:
        _required(reason.strip(), "reason", _("Give the reason for the rejection; it goes back to the sales person."))
        ApprovalDecision.objects.create(
            application=application,
            step=step,
            decision=decision,
            decided_by=actor,
            decided_at=at,
            reason=reason.strip(),
        )
        application.state = ApplicationState.REJECTED
        application.save(update_fields=["state"])
        order.closing_reason = reason.strip()[:255]
        _move(
            order,
            action="reject",
            actor=actor,
            at=at,
            reason=reason.strip(),
            fields=["closing_reason"],
            kind=EventKind.APPROVAL,
            data={"step": step},
        )
        clocks.on_event(order, "cancelled", actor=actor, at=at)
        with _in_default_language():
            _notify(
                order,
                "rejected",
                [order.sales, application.filed_by],
                _("Application %(number)s rejected") % {"number": order.number},
                reason.strip(),
            )
        return order
    _apply_paid_step(
        order,
        step=step,
        actor=actor,
        at=at,
        quote_amount=quote_amount,
        quote_note=quote_note,
        contract_no=contract_no,
        deposit_reference=deposit_reference,
    )
    ApprovalDecision.objects.create(
        application=application, step=step, decision=decision, decided_by=actor, decided_at=at, reason=reason.strip()
    )
    if application.current_step + 1 >= len(application.route):
        # The last step: _move checks the approver of the step being decided, so the route
        # advances only after the move (advancing first left no step, and no approver).
        _move(
            order,
            action="approve",
            actor=actor,
            at=at,
            reason=reason.strip(),
            kind=EventKind.APPROVAL,
            data={"step": step},
        )
        application.current_step += 1
        application.state = ApplicationState.APPROVED
        application.save(update_fields=["current_step", "state"])
        with _in_default_language():
            _notify(
                order,
                "approved",
                [*_staff(Role.TECH_HEAD), order.sales],
                _("%(number)s approved: ready for dispatch") % {"number": order.number},
            )
    else:
        application.current_step += 1
        application.save(update_fields=["current_step"])
        _save(order, actor=actor, fields=[])
        _event(
            order,
            kind=EventKind.APPROVAL,
            action="approve",
            actor=actor,
            at=at,
            text=reason.strip(),
            data={"step": step},
        )
        _notify_step(order, application)
    return order


def _apply_paid_step(order, *, step, actor, at, quote_amount, quote_note, contract_no, deposit_reference):
    """The data each paid-service step needs (SPEC WO-9)."""
    if step not in (
        ApprovalStep.QUOTE,
        ApprovalStep.CUSTOMER_AGREEMENT,
        ApprovalStep.DEPOSIT,
        ApprovalStep.DEPOSIT_CONFIRMED,
    ):
        return
    paid = PaidService.objects.select_for_update().get(work_order=order)
    if step == ApprovalStep.QUOTE:
        if quote_amount is None or Decimal(quote_amount) <= 0:
            raise ValidationError({"quote_amount": _("Enter the quoted price (more than 0).")})
        paid.quote_amount = Decimal(quote_amount).quantize(Decimal("0.01"))
        paid.deposit_amount = (paid.quote_amount * policies.DEPOSIT_SHARE).quantize(Decimal("0.01"), ROUND_HALF_UP)
        paid.quote_note = quote_note
    elif step == ApprovalStep.CUSTOMER_AGREEMENT:
        paid.contract_no = _required(contract_no.strip(), "contract_no", _("Enter the contract number."))
        paid.customer_agreed_at = at
    elif step == ApprovalStep.DEPOSIT:
        paid.deposit_reference = _required(
            deposit_reference.strip(), "deposit_reference", _("Enter the bank transfer reference of the deposit.")
        )
        paid.deposit_paid_at = at
    elif step == ApprovalStep.DEPOSIT_CONFIRMED:
        paid.deposit_confirmed_by = actor
        paid.deposit_confirmed_at = at
    paid._history_user = actor
    paid.save()
    _event(order, kind=EventKind.PAYMENT, actor=actor, at=at, text=str(ApprovalStep(step).label), data={"step": step})


# --- dispatch (WO-4, WO-5, WO-6, WO-15) -------------------------------------------------------


def _check_engineer(engineer) -> None:
    if engineer is None or not engineer.is_active or engineer.role != Role.ENGINEER:
        raise ValidationError({"engineer": _("Choose an active field engineer.")})


def _check_arrears(order, arrears_agreement: str, actor) -> list[str]:
    """SPEC WO-15: warn, never silently block — dispatching to a customer in arrears needs the
    recorded agreement of sales or the company."""
    if not order.customer.in_arrears:
        return []
    text = arrears_agreement.strip()[:255]
    if not text:
        raise ValidationError(
            {"arrears_agreement": _("The customer is in arrears: record who (sales or the company) agreed to serve.")}
        )
    if text == order.arrears_agreement:
        return []  # the agreement on record stands, and so does who recorded it
    order.arrears_agreement = text
    order.arrears_agreed_by = actor
    return ["arrears_agreement", "arrears_agreed_by"]


def _assign(order, *, engineer, actor, at, action, reason, arrears_agreement, extra_fields=()):
    _check_engineer(engineer)
    transitions.check(order, actor, action)
    fields = list(extra_fields) + _check_arrears(order, arrears_agreement, actor)
    previous = order.engineer
    order.engineer = engineer
    order.dispatched_by = actor
    order.dispatched_at = at
    fields += ["engineer", "dispatched_by", "dispatched_at"]
    kind = EventKind.REALLOCATION if action == "reallocate" else EventKind.DISPATCH
    if action == "reallocate":
        order.appointment_at = None
        fields.append("appointment_at")
    _move(
        order,
        action=action,
        actor=actor,
        at=at,
        reason=reason,
        fields=fields,
        kind=kind,
        data={"engineer": engineer.pk, "engineer_name": str(engineer), "previous": previous.pk if previous else None},
    )
    return previous


@transaction.atomic
def workorder_dispatch(
    *,
    order: WorkOrder,
    actor,
    engineer,
    reason: str = "",
    arrears_agreement: str = "",
    expected_version=None,
    at=None,
) -> WorkOrder:
    """SPEC WO-4: the technical head dispatches an approved order (paid: only once finance
    confirmed the deposit — the route ends with that step)."""
    at = _now(at)
    order = _lock(order, expected_version)
    _assign(
        order,
        engineer=engineer,
        actor=actor,
        at=at,
        action="dispatch",
        reason=reason,
        arrears_agreement=arrears_agreement,
    )
    clocks.on_event(order, "dispatched", actor=actor, at=at)
    _after_dispatch(order)
    return order


@transaction.atomic
def workorder_emergency_dispatch(
    *, order: WorkOrder, actor, engineer, reason: str, arrears_agreement: str = "", expected_version=None, at=None
) -> WorkOrder:
    """SPEC WO-5: dispatch first, the application later; the order shows 'application missing'."""
    at = _now(at)
    order = _lock(order, expected_version)
    _required(reason.strip(), "reason", _("Say why this cannot wait (e.g. who gave the superior's nod)."))
    if (
        order.billing == Billing.PAID
        and not PaidService.objects.filter(work_order=order, deposit_confirmed_at__isnull=False).exists()
    ):
        # SPEC WO-9: a paid job goes out only once finance has confirmed the deposit.
        raise transitions.TransitionRefused(
            _("Paid service: finance has not confirmed the deposit yet, so the job cannot be dispatched.")
        )
    order.emergency = True
    order.application_missing = not hasattr(order, "application")
    if hasattr(order, "application"):
        # Filed but not yet approved: the approval is overtaken by the emergency.
        order.application.state = ApplicationState.APPROVED
        order.application.save(update_fields=["state"])
    _assign(
        order,
        engineer=engineer,
        actor=actor,
        at=at,
        action="emergency_dispatch",
        reason=reason,
        arrears_agreement=arrears_agreement,
        extra_fields=["emergency", "application_missing"],
    )
    clocks.on_event(order, "dispatched", actor=actor, at=at)
    _after_dispatch(order)
    if order.application_missing:
        with _in_default_language():
            _notify(
                order,
                "application-missing",
                [order.sales],
                _("%(number)s was dispatched as an emergency: please file the service application")
                % {"number": order.number},
            )
    return order


def _after_dispatch(order):
    with _in_default_language():
        _notify(
            order,
            f"dispatched:{order.version}",
            [order.engineer],
            _("You are dispatched: %(number)s %(customer)s")
            % {"number": order.number, "customer": order.customer.name},
            order.description[:500],
        )


@transaction.atomic
def workorder_reallocate(
    *, order: WorkOrder, actor, engineer, reason: str, arrears_agreement: str = "", expected_version=None, at=None
) -> WorkOrder:
    """SPEC WO-6: the technical head or the region's customer manager hands the job to another
    engineer and local sales are told. A customer in arrears keeps the agreement on record; if
    there is none yet (the arrears came after the dispatch) it must be given now (WO-15)."""
    at = _now(at)
    order = _lock(order, expected_version)
    _required(reason.strip(), "reason", _("Say why the job is re-allocated."))
    if engineer is not None and engineer.pk == order.engineer_id:
        raise ValidationError({"engineer": _("The job is already with this engineer.")})
    previous = _assign(
        order,
        engineer=engineer,
        actor=actor,
        at=at,
        action="reallocate",
        reason=reason,
        arrears_agreement=arrears_agreement.strip() or order.arrears_agreement,
    )
    clocks.on_event(order, "dispatched", actor=actor, at=at)
    _after_dispatch(order)
    with _in_default_language():
        _notify(
            order,
            f"reallocated:{order.version}",
            [order.sales, previous],
            _("%(number)s re-allocated to %(engineer)s") % {"number": order.number, "engineer": engineer},
            reason,
        )
    return order


# --- readiness and appointment (WO-7, WO-8) ---------------------------------------------------


@transaction.atomic
def workorder_check_item(*, order: WorkOrder, actor, code: str, done: bool, note: str = "", at=None) -> ChecklistItem:
    at = _now(at)
    order = _lock(order)
    transitions.check_activity("checklist", order, actor)
    item = ChecklistItem.objects.select_for_update().filter(work_order=order, code=code).first()
    if item is None:
        raise ValidationError({"code": _("No such checklist item.")})
    if item.done == done and item.note == note:
        return item
    item.done, item.note = done, note[:255]
    item.done_by, item.done_at = (actor, at) if done else (None, None)
    item.save()
    _save(order, actor=actor, fields=[])
    _event(
        order,
        kind=EventKind.CHECKLIST,
        actor=actor,
        at=at,
        text=("✔ " if done else "✘ ") + item.label + (f" — {note}" if note else ""),
        data={"code": code},
    )
    return item


def checklist_missing(order) -> list[str]:
    return [item.label for item in order.checklist.all() if not item.done]


@transaction.atomic
def workorder_schedule(
    *, order: WorkOrder, actor, appointment_at: dt.datetime, agreed_with: str, expected_version=None, at=None
) -> WorkOrder:
    """SPEC WO-7/WO-8: the engineer books the visit with the customer — only with a complete
    readiness checklist."""
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check(order, actor, "schedule")
    missing = checklist_missing(order)
    if missing:
        raise ValidationError(
            {"appointment_at": _("The readiness checklist is not complete: %(items)s") % {"items": "; ".join(missing)}}
        )
    _required(agreed_with.strip(), "agreed_with", _("With whom at the customer was the time agreed?"))
    if appointment_at < at - dt.timedelta(hours=1):
        raise ValidationError({"appointment_at": _("The appointment cannot be in the past.")})
    order.appointment_at = appointment_at
    order.appointment_with = agreed_with.strip()[:64]
    fields = ["appointment_at", "appointment_with"]
    if order.customer_contacted_at is None:
        order.customer_contacted_at = at
        fields.append("customer_contacted_at")
    _move(
        order,
        action="schedule",
        actor=actor,
        at=at,
        fields=fields,
        kind=EventKind.APPOINTMENT,
        reason=_("Visit booked for %(time)s with %(who)s")
        % {"time": timezone.localtime(appointment_at).strftime("%Y-%m-%d %H:%M"), "who": agreed_with.strip()},
        data={"appointment_at": appointment_at.isoformat()},
    )
    clocks.on_event(order, "scheduled", actor=actor, at=at)
    with _in_default_language():
        _notify(
            order,
            f"scheduled:{order.version}",
            [order.sales],
            _("%(number)s: %(engineer)s visits on %(time)s")
            % {
                "number": order.number,
                "engineer": order.engineer,
                "time": timezone.localtime(appointment_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return order


@transaction.atomic
def workorder_reschedule(
    *,
    order: WorkOrder,
    actor,
    appointment_at: dt.datetime,
    reason: str,
    customer_informed: bool,
    expected_version=None,
    at=None,
) -> WorkOrder:
    """SPEC WO-7: a delayed appointment records the reason and that the customer was told in advance."""
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check(order, actor, "reschedule")
    _required(reason.strip(), "reason", _("Give the reason for the change."))
    if not customer_informed:
        raise ValidationError({"customer_informed": _("Tell the customer before changing the appointment.")})
    if appointment_at < at - dt.timedelta(hours=1):
        raise ValidationError({"appointment_at": _("The appointment cannot be in the past.")})
    previous = order.appointment_at
    order.appointment_at = appointment_at
    _move(
        order,
        action="reschedule",
        actor=actor,
        at=at,
        fields=["appointment_at"],
        kind=EventKind.DELAY,
        reason=reason.strip(),
        data={
            "previous": previous.isoformat() if previous else None,
            "appointment_at": appointment_at.isoformat(),
            "customer_informed": True,
        },
    )
    clocks.on_event(order, "scheduled", actor=actor, at=at)
    with _in_default_language():
        _notify(
            order,
            f"rescheduled:{order.version}",
            [order.sales],
            _("%(number)s: visit moved to %(time)s")
            % {"number": order.number, "time": timezone.localtime(appointment_at).strftime("%Y-%m-%d %H:%M")},
            reason.strip(),
        )
    return order


# --- clocks paused while waiting (SLA-5) -----------------------------------------------------


@transaction.atomic
def workorder_pause(*, order: WorkOrder, actor, kind: str, reason: str, expected_version=None, at=None):
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check_activity("pause", order, actor)
    _required(reason.strip(), "reason", _("Say what the job is waiting for."))
    order.on_hold, order.hold_reason = True, reason.strip()[:255]
    _save(order, actor=actor, fields=["on_hold", "hold_reason"])
    _event(order, kind=EventKind.PAUSE, actor=actor, at=at, text=reason.strip(), data={"kind": kind})
    clocks.pause(order, actor=actor, at=at, kind=kind, reason=reason.strip())
    return order


@transaction.atomic
def workorder_resume(*, order: WorkOrder, actor, expected_version=None, at=None):
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check_activity("resume", order, actor)
    order.on_hold, order.hold_reason = False, ""
    _save(order, actor=actor, fields=["on_hold", "hold_reason"])
    _event(order, kind=EventKind.RESUME, actor=actor, at=at)
    clocks.resume(order, actor=actor, at=at)
    return order


# --- the visit (WO-11, WO-16) ----------------------------------------------------------------


@transaction.atomic
def workorder_check_in(*, order: WorkOrder, actor, expected_version=None, at=None) -> Visit:
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check(order, actor, "check_in")
    engineer = actor if actor.role == Role.ENGINEER else order.engineer
    visit = Visit.objects.create(work_order=order, engineer=engineer, checked_in_at=at)
    _move(order, action="check_in", actor=actor, at=at, kind=EventKind.CHECK_IN)
    clocks.on_event(order, "on_site", actor=actor, at=at)
    return visit


def open_visit(order) -> Visit | None:
    return order.visits.filter(checked_out_at__isnull=True).order_by("-checked_in_at").first()


@transaction.atomic
def workorder_record_visit(
    *,
    order: WorkOrder,
    actor,
    findings: str,
    work_done: str,
    measurements: str = "",
    drift_warning_given: bool = False,
    lab_head_consent: bool = False,
    lab_head_name: str = "",
    lot=KEEP,
    fault_cause=KEEP,
    expected_version: int | None = None,
) -> Visit:
    """SPEC WO-11: the engineer fills the record on his phone (saved as often as he likes).
    With it, the lot concerned and the cause found (issue 5) go onto the order; left out
    (KEEP), they stay as they are."""
    order = _lock(order)
    transitions.check_activity("visit", order, actor)
    visit = Visit.objects.select_for_update().filter(work_order=order, checked_out_at__isnull=True).first()
    if visit is None:
        raise transitions.TransitionRefused(_("There is no open visit."))
    if expected_version is not None and visit.version != expected_version:
        raise ConflictError()
    visit.findings, visit.work_done, visit.measurements = findings, work_done, measurements
    visit.drift_warning_given, visit.lab_head_consent = drift_warning_given, lab_head_consent
    visit.lab_head_name = lab_head_name.strip()[:64]
    visit.version += 1
    visit._history_user = actor
    visit.save()
    changed = []
    if lot is not KEEP and order.lot_id != getattr(lot, "pk", None):
        order.lot = lot
        changed.append("lot")
    if fault_cause is not KEEP and order.fault_cause != (fault_cause or ""):
        if fault_cause and fault_cause not in CauseCategory.values:
            raise ValidationError({"fault_cause": _("Choose one of the causes offered.")})
        order.fault_cause = fault_cause or ""
        changed.append("fault_cause")
    if changed:
        _save(order, actor=actor, fields=changed)
    return visit


@transaction.atomic
def workorder_add_part(
    *, order: WorkOrder, actor, item, quantity: int, supply: str, fitted: bool = False, at=None
) -> PartUsage:
    """SPEC WO-16 (and WO-9: free service never includes parts)."""
    at = _now(at)
    order = _lock(order)
    transitions.check_activity("parts", order, actor)
    if order.billing not in policies.PARTS_ALLOWED_BILLING and supply != PartSupply.BOUGHT:
        raise ValidationError(
            {"supply": _("Free service never includes parts: the customer buys them, or the job becomes paid.")}
        )
    if quantity < 1:
        raise ValidationError({"quantity": _("At least one.")})
    from apps.catalog.choices import ItemKind

    if item.kind != ItemKind.SPARE_PART:
        raise ValidationError({"item": _("Choose a spare part.")})
    part = PartUsage.objects.create(
        work_order=order,
        visit=open_visit(order),
        item=item,
        quantity=quantity,
        supply=supply,
        fitted=fitted,
        requested_at=at,
        added_by=actor,
        reminder_due_on=None
        if fitted
        else timezone.localdate(at) + dt.timedelta(days=policies.PART_ARRIVAL_REMINDER_DAYS),
    )
    _save(order, actor=actor, fields=[])
    _event(
        order,
        kind=EventKind.PART,
        actor=actor,
        at=at,
        text=f"{item} × {quantity} ({PartSupply(supply).label})",
        data={"part": part.pk},
    )
    if supply != PartSupply.BOUGHT and not fitted:
        with _in_default_language():
            _notify(
                order,
                f"part:{part.pk}",
                _staff(Role.LOGISTICS),
                _("Please ship %(item)s × %(qty)s for %(number)s")
                % {"item": item, "qty": quantity, "number": order.number},
            )
    return part


@transaction.atomic
def workorder_part_arrived(*, part: PartUsage, actor, at=None) -> PartUsage:
    at = _now(at)
    order = _lock(part.work_order)
    transitions.check_activity("part_arrived", order, actor)
    part = PartUsage.objects.select_for_update().get(pk=part.pk)
    if part.arrival_confirmed_at:
        return part
    part.arrival_confirmed_at, part.reminder_due_on = at, None
    part.save(update_fields=["arrival_confirmed_at", "reminder_due_on"])
    _event(order, kind=EventKind.PART, actor=actor, at=at, text=_("Arrival confirmed: %(item)s") % {"item": part.item})
    return part


def remind_part_arrivals(*, today: dt.date | None = None) -> int:
    """SPEC WO-16: ten days without a confirmed arrival → the engineer calls customer and company."""
    today = today or timezone.localdate()
    due = PartUsage.objects.filter(
        reminder_due_on__lte=today, arrival_confirmed_at__isnull=True, reminded_at__isnull=True
    ).select_related("work_order__engineer", "item")
    count = 0
    for part in due:
        with transaction.atomic():
            if not PartUsage.objects.filter(pk=part.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            order = part.work_order
            with _in_default_language():
                _notify(
                    order,
                    f"part:{part.pk}:reminder",
                    [order.engineer],
                    _(
                        "%(item)s for %(number)s: arrival not confirmed after %(days)s days — call the customer "
                        "and the company"
                    )
                    % {"item": part.item, "number": order.number, "days": policies.PART_ARRIVAL_REMINDER_DAYS},
                )
            count += 1
    return count


# --- completion, after the visit, closing (WO-12 … WO-14, WO-18) ------------------------------


def complete_order_after_signature(order: WorkOrder, *, actor, at, outcome: str, visit: Visit) -> WorkOrder:
    """Called by apps.workorders.reports.report_sign inside its transaction, with the order locked."""
    if visit.checked_out_at is None:
        visit.checked_out_at = at
        visit.save(update_fields=["checked_out_at"])
        _event(order, kind=EventKind.CHECK_OUT, actor=actor, at=at)
    order.outcome = outcome
    order.completed_at = at
    order.on_hold, order.hold_reason = False, ""
    fields = ["outcome", "completed_at", "on_hold", "hold_reason"]
    if order.billing == Billing.PAID:
        paid = PaidService.objects.select_for_update().get(work_order=order)
        # SPEC WO-9: balance due within 3 working days of completion; fitted new parts 6 months.
        paid.balance_due_date = add_working_days(timezone.localdate(at), policies.BALANCE_DUE_WORKING_DAYS)
        if order.parts.filter(fitted=True).exists():
            paid.parts_warranty_until = add_months(timezone.localdate(at), policies.PAID_PARTS_WARRANTY_MONTHS)
        paid.save(update_fields=["balance_due_date", "parts_warranty_until"])
    _move(order, action="complete", actor=actor, at=at, fields=fields, data={"outcome": outcome})
    clocks.on_event(order, "finished", actor=actor, at=at)
    # SPEC §4, §5: the follow-up plan, the survey, the VIP visit record, new-project tracking.
    aftercare.on_completed(order, actor=actor, at=at)
    with _in_default_language():
        if outcome == Outcome.UNSOLVED:
            # SPEC WO-14: unsolved → the regional customer manager and the supervisor.
            order.escalated = True
            order.save(update_fields=["escalated"])
            # The customer manager of the customer's city, else of its province.
            region = order.region
            while region is not None and region.customer_manager_id is None:
                region = region.parent
            managers = [region.customer_manager] if region is not None else []
            _notify(
                order,
                "escalated",
                managers + _staff(Role.SUPERVISOR),
                _("%(number)s could not be solved on site — support needed") % {"number": order.number},
            )
            _event(
                order,
                kind=EventKind.ESCALATION,
                actor=actor,
                at=at,
                text=_("Not solved on site: escalated to the regional customer manager and the supervisor."),
            )
    return order


@transaction.atomic
def workorder_report_result(*, order: WorkOrder, actor, text: str, quality_problem: bool = False, at=None):
    """SPEC WO-13: the result goes to sales (and dealer, supervisor); a major quality problem
    raises an external quality information report to the quality department."""
    at = _now(at)
    order = _lock(order)
    transitions.check_activity("result", order, actor)
    _required(text.strip(), "text", _("Describe the result."))
    order.result_reported_at = at
    fields = ["result_reported_at"]
    if quality_problem:
        order.quality_report_needed = True
        fields.append("quality_report_needed")
    _save(order, actor=actor, fields=fields)
    _event(
        order,
        kind=EventKind.NOTE,
        action="result",
        actor=actor,
        at=at,
        text=text.strip(),
        data={"quality_problem": quality_problem},
    )
    from apps.accounts.models import User

    dealer_users = (
        list(User.objects.filter(role=Role.DEALER, dealer_id=order.customer.dealer_id, is_active=True))
        if order.customer.dealer_id
        else []
    )
    with _in_default_language():
        _notify(
            order,
            f"result:{order.version}",
            [order.sales, *dealer_users, *_staff(Role.SUPERVISOR)],
            _("Result of %(number)s") % {"number": order.number},
            text.strip(),
        )
        if quality_problem:
            _notify(
                order,
                "quality-report",
                _staff(Role.QUALITY),
                _("External quality information report from %(number)s") % {"number": order.number},
                text.strip(),
            )
    return order


@transaction.atomic
def workorder_assess_complaint(
    *, order: WorkOrder, actor, is_complaint: bool, note: str = "", expected_version=None, at=None
):
    """ISO 13485 7.5.4 / SPEC WO-13: 'assessed as a complaint? yes/no, by whom, when'."""
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check_activity("assess", order, actor)
    if is_complaint and not note.strip():
        raise ValidationError({"note": _("Say what the complaint is about.")})
    order.complaint_assessed, order.complaint_assessed_by, order.complaint_assessed_at = is_complaint, actor, at
    order.complaint_assessment_note = note.strip()[:255]
    _save(
        order,
        actor=actor,
        fields=["complaint_assessed", "complaint_assessed_by", "complaint_assessed_at", "complaint_assessment_note"],
    )
    _event(
        order,
        kind=EventKind.ASSESSMENT,
        actor=actor,
        at=at,
        text=(_("Assessed as a complaint") if is_complaint else _("Assessed: not a complaint"))
        + (f" — {note.strip()}" if note.strip() else ""),
        data={"is_complaint": is_complaint},
    )
    if is_complaint:
        with _in_default_language():
            _notify(
                order,
                "complaint",
                _staff(Role.QUALITY),
                _("%(number)s assessed as a complaint") % {"number": order.number},
                note.strip(),
            )
    return order


@transaction.atomic
def workorder_record_balance(
    *, order: WorkOrder, actor, invoice_no: str, expected_version=None, at=None
) -> PaidService:
    """SPEC WO-9: finance confirms the balance and records the invoice number."""
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check_activity("balance", order, actor)
    paid = PaidService.objects.select_for_update().get(work_order=order)
    paid.invoice_no = _required(invoice_no.strip(), "invoice_no", _("Enter the invoice number."))
    paid.balance_paid_at, paid.balance_confirmed_by = at, actor
    paid._history_user = actor
    paid.save()
    _save(order, actor=actor, fields=[])
    _event(
        order,
        kind=EventKind.PAYMENT,
        actor=actor,
        at=at,
        text=_("Balance received, invoice %(no)s") % {"no": paid.invoice_no},
    )
    return paid


def close_blockers(order) -> list[str]:
    blockers = []
    if order.billing == Billing.PAID:
        paid = getattr(order, "paid", None)
        if paid is None or not paid.balance_paid_at or not paid.invoice_no:
            blockers.append(_("The balance is not paid and invoiced yet."))
    if order.application_missing:
        blockers.append(_("The service application is still missing."))
    if order.complaint_assessed is None:
        blockers.append(_("Assess whether this service record is a complaint."))
    return blockers


@transaction.atomic
def workorder_close(*, order: WorkOrder, actor, note: str = "", expected_version=None, at=None) -> WorkOrder:
    at = _now(at)
    order = _lock(order, expected_version)
    transitions.check(order, actor, "close")
    blockers = close_blockers(order)
    if blockers:
        raise transitions.TransitionRefused(" ".join(str(b) for b in blockers))
    order.closed_at = at
    return _move(order, action="close", actor=actor, at=at, reason=note, fields=["closed_at"])


@transaction.atomic
def workorder_cancel(*, order: WorkOrder, actor, reason: str, expected_version=None, at=None) -> WorkOrder:
    at = _now(at)
    order = _lock(order, expected_version)
    _required(reason.strip(), "reason", _("Give the reason for cancelling."))
    order.closing_reason = reason.strip()[:255]
    order.on_hold, order.hold_reason = False, ""
    _move(order, action="cancel", actor=actor, at=at, reason=reason.strip(), fields=["closing_reason"])
    clocks.on_event(order, "cancelled", actor=actor, at=at)
    with _in_default_language():
        _notify(
            order,
            "cancelled",
            [order.engineer, order.sales],
            _("%(number)s cancelled") % {"number": order.number},
            reason.strip(),
        )
    return order


@transaction.atomic
def workorder_add_note(*, order: WorkOrder, actor, text: str, at=None) -> WorkOrderEvent:
    at = _now(at)
    order = _lock(order)
    _required(text.strip(), "text", _("Write the note."))
    return _event(order, kind=EventKind.NOTE, actor=actor, at=at, text=text.strip())


@transaction.atomic
def workorder_attach(*, order: WorkOrder, actor, upload, kind: str = "", caption: str = "") -> Attachment:
    """SPEC WO-1 / WO-11: photos, video and files, checked by type and size."""
    order = _lock(order)
    name = upload.name.rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    detected = next((k for k, exts in policies.ATTACHMENT_EXTENSIONS.items() if extension in exts), None)
    if detected is None:
        raise ValidationError({"file": _("This file type is not accepted (photos, videos, PDF and office files are).")})
    if upload.size > policies.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(mb)s MB.") % {"mb": policies.ATTACHMENT_MAX_BYTES // (1024 * 1024)}}
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    attachment = Attachment(
        work_order=order,
        kind=kind or detected,
        original_name=name,
        size=upload.size,
        caption=caption[:255],
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    _event(order, kind=EventKind.ATTACHMENT, actor=actor, at=timezone.now(), text=name)
    return attachment
