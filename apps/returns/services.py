"""Every write of returns and exchanges (SPEC CP-6, [S4] 退换货).

Each function: keyword-only, one transaction, the application row locked and its version checked,
the move checked against choices.TRANSITIONS (apps.returns.transitions), a timeline event,
messages queued in the same transaction (sent after commit by apps.notifications).

- `return_create`: the application with the proof of purchase, the device's data and the fault,
  within the allowed period of policies.allowed_period (else refused, unless a manager accepts it
  with a reason); the quality department and the technical head are told, and the sales person;
- `return_assess`: cause and responsibility [S4 3.2];
- `return_decide`: repair, replacement, or a refund only when neither solves it — with the reason
  [S4 3.3–3.4]; commerce (and finance for a refund) are told;
- `return_complete`: what was done and when; a refund confirmed by finance;
- `return_close` / `return_reject`;
- `return_attach`: more files (proof, photos of the fault) while the application is open.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.catalog.choices import ItemKind
from apps.complaints.choices import CauseCategory
from apps.core.access import can
from apps.core.writes import in_default_language, lock, notify, now, save, staff
from apps.returns import policies, transitions
from apps.returns.choices import (
    PERIOD_OVERRIDERS,
    TRANSITIONS,
    AttachmentKind,
    EventKind,
    PeriodRule,
    ProductKind,
    RefundBasis,
    Remedy,
    RequestedRemedy,
    Responsibility,
)
from apps.returns.models import ReturnAttachment, ReturnEvent, ReturnRequest

# What the application form and the API may set.
APPLICATION_FIELDS = (
    "customer",
    "applicant_name",
    "applicant_phone",
    "complaint",
    "work_order",
    "instrument",
    "item",
    "lot",
    "lot_no",
    "serial_no",
    "quantity",
    "purchased_on",
    "purchase_document",
    "device_data",
    "fault_description",
    "requested_remedy",
)
EARLIEST_PURCHASE = dt.date(1980, 1, 1)


def _event(return_request, kind, *, actor, at, text="", from_status="", to_status="", data=None) -> ReturnEvent:
    return ReturnEvent.objects.create(
        return_request=return_request,
        kind=kind,
        actor=actor,
        at=at,
        text=str(text),
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def _text(value, field: str, message: str, *, limit: int = policies.TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _move(return_request, action: str, *, actor, at, text="", fields=(), data=None) -> ReturnRequest:
    """Apply the (already checked) move `action` to the locked application."""
    before = return_request.status
    return_request.status = TRANSITIONS[action][1]
    save(return_request, actor=actor, fields=["status", *fields], reason=action)
    _event(
        return_request,
        EventKind.TRANSITION,
        actor=actor,
        at=at,
        text=text,
        from_status=before,
        to_status=return_request.status,
        data={"action": action, **(data or {})},
    )
    return return_request


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _tell(key: str, people, subject: str, return_request, *, actor, body: str = "") -> None:
    """Notify these people (never the actor) in the company's language."""
    people = [p for p in people if p is not None and p.pk != actor.pk]
    notify(f"return:{return_request.pk}:{key}", people, subject, link=return_request.get_absolute_url(), body=body)


def _summary(return_request) -> str:
    parts = [
        return_request.customer.name,
        return_request.product_name,
        return_request.serial_no and _("Serial %(serial)s") % {"serial": return_request.serial_no},
        return_request.lot_no and _("Lot %(lot)s") % {"lot": return_request.lot_no},
        _("Quantity %(n)s") % {"n": return_request.quantity},
        str(return_request.get_requested_remedy_display()),
    ]
    return " · ".join(p for p in parts if p)


# --- files -------------------------------------------------------------------------------------


def check_upload(upload, field: str) -> str:
    """The file's name when it is a kind and size we keep; else a ValidationError on `field`."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in policies.ATTACHMENT_EXTENSIONS:
        raise ValidationError({field: _("This file type is not accepted (photos, videos, PDF and office files are).")})
    if not upload.size:
        raise ValidationError({field: _("The file is empty.")})
    if upload.size > policies.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {field: _("The file is larger than %(mb)s MB.") % {"mb": policies.ATTACHMENT_MAX_BYTES // (1024 * 1024)}}
        )
    return name


def _store(return_request, uploads, kind: str, *, actor, at, saved: list) -> list[ReturnAttachment]:
    rows = []
    for upload, name in uploads:
        attachment = ReturnAttachment(
            return_request=return_request,
            kind=kind,
            original_name=name,
            size=upload.size,
            uploaded_by=actor,
            uploaded_at=at,
        )
        attachment.file.save(name, upload, save=False)
        saved.append(attachment.file)
        attachment.save()
        rows.append(attachment)
    return rows


def _forget_files(files) -> None:
    """The rows roll back with the transaction; do not leave their files behind."""
    for file in files:
        try:
            file.storage.delete(file.name)
        except OSError:
            pass


# --- the application (CP-6, [S4 3.1]) ------------------------------------------------------------


def _scope_check(actor, data: dict) -> None:
    """The customer, the complaint and the work order must be ones the actor may see."""
    from apps.complaints.selectors import complaint_list
    from apps.customers.models import Customer
    from apps.customers.selectors import customer_scope_q
    from apps.workorders.selectors import workorder_list

    customer = data.get("customer")
    complaint = data.get("complaint")
    order = data.get("work_order")
    if complaint is not None:
        if not complaint_list(user=actor).filter(pk=complaint.pk).exists():
            raise ValidationError({"complaint": _("No such complaint in your scope.")})
        if customer is None and complaint.customer_id:
            customer = data["customer"] = complaint.customer
    if order is not None:
        if not workorder_list(user=actor).filter(pk=order.pk).exists():
            raise ValidationError({"work_order": _("No such work order in your scope.")})
        if customer is None:
            customer = data["customer"] = order.customer
    if customer is None:
        raise ValidationError({"customer": _("Name the customer who applies.")})
    if not Customer.objects.filter(customer_scope_q(actor), pk=customer.pk).exists():
        raise ValidationError({"customer": _("You cannot apply for this customer.")})
    if complaint is not None and complaint.customer_id and complaint.customer_id != customer.pk:
        raise ValidationError({"complaint": _("This complaint belongs to another customer.")})
    if order is not None and order.customer_id != customer.pk:
        raise ValidationError({"work_order": _("This work order belongs to another customer.")})


def _product(data: dict) -> None:
    """Fill what the linked records already know and decide which period rule applies."""
    complaint = data.get("complaint")
    order = data.get("work_order")
    if complaint is not None:
        for name in ("instrument", "item", "lot"):
            if data.get(name) is None and getattr(complaint, f"{name}_id"):
                data[name] = getattr(complaint, name)
    if order is not None and data.get("instrument") is None and data.get("item") is None and order.instrument_id:
        data["instrument"] = order.instrument
    instrument, item, lot = data.get("instrument"), data.get("item"), data.get("lot")
    if lot is not None:
        if item is None:
            item = data["item"] = lot.item
        elif lot.item_id != item.pk:
            raise ValidationError({"lot": _("This lot belongs to another item.")})
        data["lot_no"] = lot.lot_no
    if instrument is not None:
        if instrument.customer_id != data["customer"].pk:
            raise ValidationError({"instrument": _("This instrument stands at another customer.")})
        if item is not None:
            raise ValidationError({"item": _("Name either the instrument or the catalogue item, not both.")})
        data["product_kind"] = ProductKind.INSTRUMENT
        data["product_name"] = instrument.model.name
        data["serial_no"] = instrument.serial_no
        if data.get("quantity") not in (None, 1):
            raise ValidationError({"quantity": _("An instrument is returned one unit at a time.")})
        data["quantity"] = 1
        return
    if item is None:
        raise ValidationError({"item": _("Name the instrument or the catalogue item concerned.")})
    data["product_kind"] = ProductKind.PART if item.kind == ItemKind.SPARE_PART else ProductKind.CONSUMABLE
    data["product_name"] = item.name
    if data["product_kind"] == ProductKind.CONSUMABLE and not (data.get("lot_no") or "").strip():
        raise ValidationError({"lot_no": _("Give the lot number printed on the kit.")})


def _clean_application(data: dict, *, today: dt.date) -> None:
    errors = {}
    for field, message, limit in (
        ("applicant_name", _("Name the person who applies."), 64),
        ("purchase_document", _("Give the number of the invoice or delivery note."), 64),
        ("fault_description", _("Describe the fault."), policies.TEXT_MAX),
    ):
        try:
            data[field] = _text(data.get(field), field, message, limit=limit)
        except ValidationError as error:
            errors.update(error.message_dict)
    for field, limit in (("applicant_phone", 32), ("lot_no", 32), ("serial_no", 64)):
        data[field] = (data.get(field) or "").strip()[:limit]
    data["device_data"] = (data.get("device_data") or "").strip()[: policies.TEXT_MAX]
    if data.get("requested_remedy") not in RequestedRemedy.values:
        errors["requested_remedy"] = [_("Say what the customer asks for.")]
    purchased_on = data.get("purchased_on")
    if purchased_on is None:
        errors["purchased_on"] = [_("Give the date of purchase.")]
    elif purchased_on > today:
        errors["purchased_on"] = [_("The date of purchase cannot be in the future.")]
    elif purchased_on < EARLIEST_PURCHASE:
        errors["purchased_on"] = [_("Check the date of purchase.")]
    quantity = data.get("quantity")
    if quantity is None:
        data["quantity"] = 1
    elif not 1 <= quantity <= policies.MAX_QUANTITY:
        errors["quantity"] = [_("Give a quantity between 1 and %(n)s.") % {"n": policies.MAX_QUANTITY}]
    if errors:
        raise ValidationError(errors)


def period_refusal(period: policies.Period) -> str:
    return _(
        "Outside the allowed period: returns and exchanges of this product were accepted until %(day)s "
        "(%(rule)s). The technical head or the quality department may accept it with a reason."
    ) % {"day": period.ends_on.isoformat(), "rule": PeriodRule(period.rule).label}


@transaction.atomic
def return_create(*, actor, data: dict, proofs, photos=(), override_reason: str = "", at=None) -> ReturnRequest:
    """[S4 3.1] the application: proof of purchase (at least one file), the device's data and the
    fault, within the allowed period — else refused, unless a technical head or the quality
    department accepts it with a reason. The quality department and the technical head are told
    (they assess it), and the customer's sales person."""
    at = now(at)
    if not can(actor, "return_request", "add"):
        raise PermissionDenied(_("Your role may not do this."))
    today = _local_day(at)
    data = {key: value for key, value in data.items() if key in APPLICATION_FIELDS}
    _scope_check(actor, data)
    _clean_application(data, today=today)
    _product(data)
    proofs = [upload for upload in (proofs or []) if upload]
    photos = [upload for upload in (photos or []) if upload]
    if not proofs:
        raise ValidationError({"proof": _("Attach the proof of purchase (invoice, delivery note or contract).")})
    if len(proofs) + len(photos) > policies.MAX_FILES:
        raise ValidationError({"photos": _("At most %(n)s files.") % {"n": policies.MAX_FILES}})
    proof_files = [(upload, check_upload(upload, "proof")) for upload in proofs]
    photo_files = [(upload, check_upload(upload, "photos")) for upload in photos]

    period = policies.allowed_period(
        product_kind=data["product_kind"],
        purchased_on=data["purchased_on"],
        instrument=data.get("instrument"),
        lot=data.get("lot"),
    )
    in_period = today <= period.ends_on
    override_reason = (override_reason or "").strip()[: policies.TEXT_MAX]
    override_by = None
    if in_period:
        override_reason = ""
    elif transitions.role_of(actor) in PERIOD_OVERRIDERS and override_reason:
        override_by = actor
    elif transitions.role_of(actor) in PERIOD_OVERRIDERS:
        raise ValidationError(
            {"override_reason": _("Outside the allowed period: give the reason for accepting it anyway.")}
        )
    else:
        raise ValidationError({"purchased_on": period_refusal(period)})

    customer = data["customer"]
    return_request = ReturnRequest(
        created_by=actor,
        sales=customer.responsible_sales,
        applied_on=today,
        period_ends_on=period.ends_on,
        period_rule=period.rule,
        in_period=in_period,
        override_reason=override_reason,
        override_by=override_by,
        **data,
    )
    return_request._history_user = actor
    return_request.full_clean(exclude=["number"])
    saved_files: list = []
    try:
        return_request.save()
        return_request.number = f"RT{today:%y%m%d}-{return_request.pk:05d}"
        return_request.save(update_fields=["number"])
        _store(return_request, proof_files, AttachmentKind.PROOF, actor=actor, at=at, saved=saved_files)
        _store(return_request, photo_files, AttachmentKind.FAULT, actor=actor, at=at, saved=saved_files)
        with in_default_language():
            text = return_request.fault_description
            if override_by is not None:
                text = _("Accepted outside the allowed period (ended %(day)s): %(reason)s") % {
                    "day": period.ends_on.isoformat(),
                    "reason": override_reason,
                }
            _event(return_request, EventKind.CREATED, actor=actor, at=at, to_status=return_request.status, text=text)
            subject = _("New return / exchange %(number)s: %(product)s — %(customer)s") % {
                "number": return_request.number,
                "product": return_request.product_name,
                "customer": customer.name,
            }
            body = f"{_summary(return_request)}\n\n{return_request.fault_description}"
            _tell("new", staff(Role.QUALITY, Role.TECH_HEAD), subject, return_request, actor=actor, body=body)
            _tell("sales", [return_request.sales], subject, return_request, actor=actor, body=body)
    except BaseException:
        _forget_files(saved_files)
        raise
    return return_request


@transaction.atomic
def return_attach(*, actor, return_request: ReturnRequest, upload, kind: str = AttachmentKind.FAULT, at=None):
    """More files while the application is open: a further proof, photos of the fault."""
    at = now(at)
    return_request = lock(return_request)
    if not can(actor, "return_request", "add") and not can(actor, "return_request", "change"):
        raise PermissionDenied(_("Your role may not do this."))
    if return_request.is_final:
        raise transitions.TransitionRefused(_("The application is closed; no more files are added."))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Say what the file shows.")})
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    if return_request.attachments.count() >= policies.MAX_FILES:
        raise ValidationError({"file": _("At most %(n)s files.") % {"n": policies.MAX_FILES}})
    name = check_upload(upload, "file")
    saved: list = []
    try:
        [attachment] = _store(return_request, [(upload, name)], kind, actor=actor, at=at, saved=saved)
        _event(return_request, EventKind.ATTACHMENT, actor=actor, at=at, text=f"{AttachmentKind(kind).label}: {name}")
        save(return_request, actor=actor, fields=[], reason="attachment")
    except BaseException:
        _forget_files(saved)
        raise
    return attachment


# --- assessment, remedy, completion (CP-6, [S4 3.2–3.4]) ------------------------------------------


@transaction.atomic
def return_assess(
    *,
    actor,
    return_request: ReturnRequest,
    cause: str,
    responsibility: str,
    cause_category: str = "",
    expected_version=None,
    at=None,
) -> ReturnRequest:
    """[S4 3.2] the cause of the fault and who is responsible, by the quality department or the
    technical head; the sales person hears the result (the customer is told)."""
    at = now(at)
    return_request = lock(return_request, expected_version)
    transitions.check(return_request, actor, "assess")
    cause = _text(cause, "cause", _("Write down the cause found."))
    if responsibility not in Responsibility.values:
        raise ValidationError({"responsibility": _("Say who is responsible.")})
    if cause_category and cause_category not in CauseCategory.values:
        raise ValidationError({"cause_category": _("Choose a kind of cause from the list.")})
    return_request.cause = cause
    return_request.cause_category = cause_category
    return_request.responsibility = responsibility
    return_request.assessed_by = actor
    return_request.assessed_at = at
    _move(
        return_request,
        "assess",
        actor=actor,
        at=at,
        text=f"{Responsibility(responsibility).label}: {cause}",
        fields=["cause", "cause_category", "responsibility", "assessed_by", "assessed_at"],
        data={"responsibility": responsibility},
    )
    with in_default_language():
        _tell(
            "assessed",
            [return_request.sales],
            _("%(number)s assessed: %(responsibility)s")
            % {"number": return_request.number, "responsibility": Responsibility(responsibility).label},
            return_request,
            actor=actor,
            body=cause,
        )
    return return_request


@transaction.atomic
def return_decide(
    *,
    actor,
    return_request: ReturnRequest,
    remedy: str,
    refund_basis: str = "",
    refund_reason: str = "",
    note: str = "",
    expected_version=None,
    at=None,
) -> ReturnRequest:
    """[S4 3.3–3.4] repair or replacement; a refund only when repair or replacement does not solve
    the problem or is impossible — which basis, and why, is recorded. Damage by the customer is
    charged at the lowest cost and never refunded [S4 操作规程 四.1]. Commerce is told (the
    replacement goods, the refund), finance too for a refund, and the sales person."""
    at = now(at)
    return_request = lock(return_request, expected_version)
    transitions.check(return_request, actor, "decide")
    if remedy not in Remedy.values:
        raise ValidationError({"remedy": _("Choose repair, replacement or refund.")})
    note = (note or "").strip()[: policies.TEXT_MAX]
    if remedy == Remedy.REFUND:
        errors = {}
        if refund_basis not in RefundBasis.values:
            errors["refund_basis"] = [_("A refund only when repair or replacement cannot solve it: say which.")]
        if not (refund_reason or "").strip():
            errors["refund_reason"] = [_("Say why repair or replacement does not solve the problem.")]
        if errors:
            raise ValidationError(errors)
        refund_reason = _text(refund_reason, "refund_reason", "")
        if return_request.responsibility in policies.NO_REFUND_RESPONSIBILITIES:
            raise ValidationError(
                {
                    "remedy": _(
                        "Damage for which the customer is responsible is repaired or replaced at cost, not refunded."
                    )
                }
            )
    else:
        refund_basis, refund_reason = "", ""
    return_request.remedy = remedy
    return_request.chargeable = return_request.responsibility in policies.CHARGEABLE_RESPONSIBILITIES
    return_request.refund_basis = refund_basis
    return_request.refund_reason = refund_reason
    return_request.decision_note = note
    return_request.decided_by = actor
    return_request.decided_at = at
    label = Remedy(remedy).label
    text = " · ".join(
        str(part)
        for part in (
            label,
            return_request.chargeable and _("charged to the customer at the lowest cost"),
            refund_basis and RefundBasis(refund_basis).label,
            refund_reason,
            note,
        )
        if part
    )
    _move(
        return_request,
        "decide",
        actor=actor,
        at=at,
        text=text,
        fields=["remedy", "chargeable", "refund_basis", "refund_reason", "decision_note", "decided_by", "decided_at"],
        data={"remedy": remedy},
    )
    with in_default_language():
        subject = _("%(number)s: %(remedy)s decided — %(customer)s") % {
            "number": return_request.number,
            "remedy": Remedy(remedy).label,
            "customer": return_request.customer.name,
        }
        body = f"{_summary(return_request)}\n\n{text}"
        people = staff(Role.COMMERCE)
        if remedy == Remedy.REFUND:
            people += staff(Role.FINANCE)
        _tell("decided", people, subject, return_request, actor=actor, body=body)
        _tell("decided-sales", [return_request.sales], subject, return_request, actor=actor, body=body)
    return return_request


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"refund_amount": _("Give the amount in yuan, e.g. 1280.00.")}) from None
    return amount


@transaction.atomic
def return_complete(
    *,
    actor,
    return_request: ReturnRequest,
    work_done: str,
    completed_on: dt.date | None = None,
    goods_received_on: dt.date | None = None,
    replacement_serial: str = "",
    refund_amount=None,
    refund_paid_on: dt.date | None = None,
    refund_reference: str = "",
    expected_version=None,
    at=None,
) -> ReturnRequest:
    """What was done and when. A refund is completed by finance, who confirms the amount, the day
    it was paid and the payment reference; the sales person and the quality department (who
    close it) are told."""
    at = now(at)
    return_request = lock(return_request, expected_version)
    transitions.check(return_request, actor, "complete")
    today = _local_day(at)
    work_done = _text(work_done, "work_done", _("Write down what was done."))
    completed_on = completed_on or today
    errors = {}
    if completed_on > today:
        errors["completed_on"] = [_("The day done cannot be in the future.")]
    elif completed_on < return_request.applied_on:
        errors["completed_on"] = [_("The day done cannot come before the application.")]
    if goods_received_on is not None and (goods_received_on > today or goods_received_on < return_request.purchased_on):
        errors["goods_received_on"] = [_("Check the day the goods came back.")]
    if return_request.remedy == Remedy.REFUND:
        amount = _amount(refund_amount)
        if amount is None or amount <= 0 or amount > policies.MAX_REFUND:
            errors["refund_amount"] = [_("Give the amount refunded.")]
        if refund_paid_on is None:
            errors["refund_paid_on"] = [_("Give the day the refund was paid.")]
        elif refund_paid_on > today:
            errors["refund_paid_on"] = [_("The payment day cannot be in the future.")]
        if not (refund_reference or "").strip():
            errors["refund_reference"] = [_("Give the payment reference.")]
    else:
        amount, refund_paid_on, refund_reference = None, None, ""
    if errors:
        raise ValidationError(errors)
    return_request.work_done = work_done
    return_request.completed_on = completed_on
    return_request.goods_received_on = goods_received_on
    return_request.replacement_serial = (replacement_serial or "").strip()[:64]
    return_request.refund_amount = amount
    return_request.refund_paid_on = refund_paid_on
    return_request.refund_reference = (refund_reference or "").strip()[:64]
    return_request.completed_by = actor
    return_request.completed_at = at
    if return_request.remedy == Remedy.REFUND:
        # The payment reference stays out of the timeline (internal: dealers read it).
        text = _("Refund of %(amount)s yuan paid on %(day)s: %(work)s") % {
            "amount": amount,
            "day": refund_paid_on.isoformat(),
            "work": work_done,
        }
    else:
        text = f"{completed_on.isoformat()}: {work_done}"
    _move(
        return_request,
        "complete",
        actor=actor,
        at=at,
        text=text,
        fields=[
            "work_done",
            "completed_on",
            "goods_received_on",
            "replacement_serial",
            "refund_amount",
            "refund_paid_on",
            "refund_reference",
            "completed_by",
            "completed_at",
        ],
    )
    with in_default_language():
        subject = _("%(number)s completed: %(remedy)s — %(customer)s") % {
            "number": return_request.number,
            "remedy": return_request.get_remedy_display(),
            "customer": return_request.customer.name,
        }
        _tell(
            "completed",
            [return_request.sales, *staff(Role.QUALITY)],
            subject,
            return_request,
            actor=actor,
            body=work_done,
        )
    return return_request


@transaction.atomic
def return_close(*, actor, return_request: ReturnRequest, note: str = "", expected_version=None, at=None):
    """Closed once the customer confirms (the note says how)."""
    at = now(at)
    return_request = lock(return_request, expected_version)
    transitions.check(return_request, actor, "close")
    return_request.close_note = (note or "").strip()[: policies.TEXT_MAX]
    return_request.closed_by = actor
    return_request.closed_at = at
    return _move(
        return_request,
        "close",
        actor=actor,
        at=at,
        text=return_request.close_note,
        fields=["close_note", "closed_by", "closed_at"],
    )


@transaction.atomic
def return_reject(*, actor, return_request: ReturnRequest, reason: str, expected_version=None, at=None):
    """Refused with the reason (e.g. the fault comes from use outside the instructions and the
    customer declines the paid repair); the person who entered it and the sales person are told."""
    at = now(at)
    return_request = lock(return_request, expected_version)
    transitions.check(return_request, actor, "reject")
    reason = _text(reason, "reason", _("Say why the application is rejected."))
    return_request.reject_reason = reason
    return_request.rejected_by = actor
    return_request.rejected_at = at
    _move(
        return_request,
        "reject",
        actor=actor,
        at=at,
        text=reason,
        fields=["reject_reason", "rejected_by", "rejected_at"],
    )
    with in_default_language():
        _tell(
            "rejected",
            [return_request.created_by, return_request.sales],
            _("%(number)s rejected: %(reason)s") % {"number": return_request.number, "reason": reason},
            return_request,
            actor=actor,
            body=_summary(return_request),
        )
    return return_request


MOVES = {
    "assess": return_assess,
    "decide": return_decide,
    "complete": return_complete,
    "close": return_close,
    "reject": return_reject,
}
