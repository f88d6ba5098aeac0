"""The service report the customer signs on the engineer's phone (SPEC WO-12, WO-11, WO-13).

- `report_snapshot()` freezes everything the customer signs into plain JSON; its canonical
  form (sorted keys, no whitespace) is hashed with SHA-256 (`snapshot_hash()`).
- `report_sign()` checks the visit record, renders the PDF of the report kind ONCE from the
  snapshot, stores PDF + hashes + signature, completes the order, and queues the e-mail copy.
- `verify()` never regenerates anything: it re-hashes the stored snapshot and the stored PDF
  bytes and compares the snapshot with one built from today's data.
- `send_report_email()` is what the Huey task (apps.workorders.tasks.email_report) runs.

No code path writes `ServiceReport.pdf`, `content` or the hashes after the row is created.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.choices import Role
from apps.core.exceptions import ConflictError
from apps.core.pdf import content_hash, render_pdf
from apps.core.signature import PNG_MAGIC, png_data_url
from apps.notifications import policies as outbox_policies
from apps.workorders import services, transitions
from apps.workorders.choices import (
    REPORT_KIND_FOR_TYPE,
    Billing,
    EventKind,
    Outcome,
    PartSupply,
    ReportKind,
    WorkType,
)
from apps.workorders.models import ServiceReport, Visit, WorkOrder

logger = logging.getLogger(__name__)

# SPEC WO-12: the record shows the meaning of the signature (客户验收).
SIGNATURE_MEANING = gettext_lazy("customer acceptance")

# One PDF template per report kind (SPEC WO-12: 附件一, 附件二, 维修记录表, 设备验收单).
PDF_TEMPLATES = {
    ReportKind.APPLICATION: "workorders/pdf/application.html",
    ReportKind.HARDWARE: "workorders/pdf/hardware.html",
    ReportKind.REPAIR: "workorders/pdf/repair.html",
    ReportKind.ACCEPTANCE: "workorders/pdf/acceptance.html",
}

# Bumped when the snapshot's shape changes; verify() compares like with like.
SNAPSHOT_SCHEMA = 1

# Who may send the copy again besides the engineer of the order (SPEC WO-12: a copy goes to the customer).
RESEND_ROLES = frozenset({Role.ADMIN, Role.TECH_HEAD, Role.CLERK})

# What the comparison in verify() reports, by snapshot path.
FIELD_LABELS = {
    "kind": gettext_lazy("report type"),
    "order.number": gettext_lazy("work order number"),
    "order.work_type": gettext_lazy("type"),
    "order.description": gettext_lazy("problem description"),
    "order.billing": gettext_lazy("billing"),
    "customer.name": gettext_lazy("customer"),
    "customer.address": gettext_lazy("address"),
    "customer.department": gettext_lazy("department"),
    "customer.contact": gettext_lazy("contact"),
    "customer.contact_title": gettext_lazy("contact's position"),
    "instrument.model_code": gettext_lazy("instrument model"),
    "instrument.model_name": gettext_lazy("instrument name"),
    "instrument.serial_no": gettext_lazy("serial number"),
    "instrument.contract_no": gettext_lazy("contract number"),
    "visit.arrived_at": gettext_lazy("arrived"),
    "visit.departed_at": gettext_lazy("left"),
    "visit.findings": gettext_lazy("findings"),
    "visit.work_done": gettext_lazy("work done"),
    "visit.measurements": gettext_lazy("measurements"),
    "visit.drift_warning_given": gettext_lazy("customer warned of possible result drift / recalibration"),
    "visit.lab_head_consent": gettext_lazy("lab head agreed before leaving"),
    "visit.lab_head_name": gettext_lazy("lab head"),
    "engineer": gettext_lazy("engineer"),
    "parts": gettext_lazy("parts"),
    "outcome": gettext_lazy("outcome"),
}


# --- the snapshot ----------------------------------------------------------------------------


def _zone() -> ZoneInfo:
    # Store UTC, show Asia/Shanghai (the project's TIME_ZONE).
    return ZoneInfo(settings.TIME_ZONE)


def _local(value) -> str:
    return timezone.localtime(value, _zone()).strftime("%Y-%m-%d %H:%M") if value else ""


def _css_string(text: str) -> str:
    """A CSS string literal (the PDF footer's `content`)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ") + '"'


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def report_kind_for(order: WorkOrder) -> str:
    return REPORT_KIND_FOR_TYPE.get(order.work_type, ReportKind.APPLICATION)


def report_snapshot(order: WorkOrder, visit: Visit, *, outcome: str | None = None, departed_at=None) -> dict:
    """Everything the customer signs, as plain JSON (strings, booleans, integers, lists).

    Times are local (Asia/Shanghai) to the minute. `outcome` and `departed_at` default to what
    is stored (the signing passes the values it is about to store). Labels are in the default
    language, so the snapshot and the PDF read the same whoever signs.
    """
    with translation.override(settings.LANGUAGE_CODE):
        kind = report_kind_for(order)
        customer = order.customer
        instrument = order.instrument
        model = order.instrument_model or (instrument.model if instrument else None)
        contact = order.contact
        outcome = order.outcome if outcome is None else outcome
        departed_at = departed_at or visit.checked_out_at
        parts = [
            {
                "name": part.item.name,
                "code": part.item.code,
                "quantity": part.quantity,
                "supply": part.supply,
                "supply_label": _label(PartSupply, part.supply),
                "fitted": part.fitted,
            }
            for part in order.parts.select_related("item").order_by("requested_at", "id")
        ]
        return {
            "schema": SNAPSHOT_SCHEMA,
            "kind": kind,
            "kind_label": _label(ReportKind, kind),
            "order": {
                "number": order.number,
                "work_type": order.work_type,
                "work_type_label": _label(WorkType, order.work_type),
                "description": order.description,
                "billing": order.billing,
                "billing_label": _label(Billing, order.billing),
            },
            "customer": {
                "name": customer.name,
                "address": order.site_address or customer.address,
                "department": order.department.name if order.department_id else "",
                "contact": contact.name if contact else order.caller_name,
                "contact_title": contact.title if contact else "",
            },
            "instrument": {
                "model_code": model.code if model else "",
                "model_name": model.name if model else "",
                "serial_no": instrument.serial_no if instrument else "",
                "contract_no": instrument.contract_no if instrument else "",
            },
            "visit": {
                "arrived_at": _local(visit.checked_in_at),
                "departed_at": _local(departed_at),
                "findings": visit.findings,
                "work_done": visit.work_done,
                "measurements": visit.measurements,
                "drift_warning_given": visit.drift_warning_given,
                "lab_head_consent": visit.lab_head_consent,
                "lab_head_name": visit.lab_head_name,
            },
            "engineer": str(visit.engineer),
            "parts": parts,
            "outcome": outcome,
            "outcome_label": _label(Outcome, outcome) if outcome else "",
            "timezone": settings.TIME_ZONE,
        }


def canonical_json(snapshot: dict) -> bytes:
    """One byte sequence per snapshot: sorted keys, no whitespace, UTF-8."""
    return json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def snapshot_hash(snapshot: dict) -> str:
    return content_hash(canonical_json(snapshot))


# What is not known before the signature: the outcome is chosen and the visit ends on signing.
_DECIDED_AT_SIGNING = (("visit", "departed_at"), ("outcome",), ("outcome_label",))


def summary_hash(snapshot: dict) -> str:
    """Hash of what the signing page shows before the signature (the snapshot without the
    outcome and the departure time): a record edited meanwhile makes the signature stale."""
    copy = json.loads(canonical_json(snapshot))
    for path in _DECIDED_AT_SIGNING:
        target = copy
        for key in path[:-1]:
            target = target.get(key, {})
        target.pop(path[-1], None)
    return snapshot_hash(copy)


# --- signing ---------------------------------------------------------------------------------


def open_visit_for(order: WorkOrder) -> Visit | None:
    return (
        Visit.objects.filter(work_order=order, checked_out_at__isnull=True)
        .select_related("engineer")
        .order_by("-checked_in_at")
        .first()
    )


def sign_blockers(visit: Visit | None) -> dict[str, str]:
    """What the visit record lacks before the customer may sign (SPEC WO-11), by field."""
    if visit is None:
        return {"visit": _("There is no open visit: check in on site first.")}
    missing = {}
    if not visit.findings.strip():
        missing["findings"] = _("Record the findings of the visit before the customer signs.")
    if not visit.work_done.strip():
        missing["work_done"] = _("Record the work done before the customer signs.")
    if not visit.lab_head_consent:
        # SPEC WO-11: the lab head's consent before leaving.
        missing["lab_head_consent"] = _(
            "The lab head has not agreed yet: record the lab head's consent in the visit before the customer signs."
        )
    return missing


def _clean_address(value: str, field_name: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({field_name: _("Enter a valid e-mail address.")}) from None
    return value


@transaction.atomic
def report_sign(
    *,
    order: WorkOrder,
    actor,
    signer_name: str,
    signer_title: str,
    signature_png: bytes,
    outcome: str,
    email_to: str = "",
    expected_version: int | None = None,
    expected_summary_hash: str | None = None,
    at=None,
) -> ServiceReport:
    """The customer signs the report on the engineer's phone (SPEC WO-12); the order completes.

    Raises NotPermitted (not this user's order), TransitionRefused (not on site, no open visit),
    ConflictError (the order changed since the page was loaded — `expected_version` — or the
    visit record changed since the summary was shown — `expected_summary_hash`), or
    ValidationError by field (signer_name, outcome, signature, email_to, and findings /
    work_done / lab_head_consent of the visit).
    """
    at = services._now(at)
    order = services._lock(order, expected_version)
    transitions.check(order, actor, "complete")
    visit = Visit.objects.select_for_update().filter(work_order=order, checked_out_at__isnull=True).first()
    if visit is None:
        raise transitions.TransitionRefused(sign_blockers(None)["visit"])
    errors = sign_blockers(visit)
    signer_name = (signer_name or "").strip()
    signer_title = (signer_title or "").strip()
    if not signer_name:
        errors["signer_name"] = _("Enter the signer's name in print.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Say whether the problem is solved.")
    if not signature_png or not bytes(signature_png).startswith(PNG_MAGIC):
        errors["signature"] = _("Please sign in the box.")
    try:
        email_to = _clean_address(email_to, "email_to")
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)

    snapshot = report_snapshot(order, visit, outcome=outcome, departed_at=at)
    if expected_summary_hash and summary_hash(snapshot) != expected_summary_hash:
        raise ConflictError(
            _(
                "The visit record changed after this page was opened. Review the summary again; "
                "the customer must sign again."
            )
        )
    digest = snapshot_hash(snapshot)
    kind = snapshot["kind"]
    number = f"{order.number}-R{ServiceReport.objects.filter(work_order=order).count() + 1}"
    signature_png = bytes(signature_png)
    with translation.override(settings.LANGUAGE_CODE):
        meaning = str(SIGNATURE_MEANING)
    # Rendered once; the bytes are stored and hashed, never regenerated (SPEC WO-12).
    pdf = _render_report_pdf(
        number=number,
        snapshot=snapshot,
        digest=digest,
        signer_name=signer_name[:64],
        signer_title=signer_title[:64],
        signed_at=at,
        meaning=meaning,
        signature_png=signature_png,
    )
    report = ServiceReport(
        work_order=order,
        visit=visit,
        number=number,
        kind=kind,
        content=snapshot,
        content_hash=digest,
        signer_name=signer_name[:64],
        signer_title=signer_title[:64],
        signature_meaning=meaning[:64],
        signed_at=at,
        signature_png=signature_png,
        pdf_hash=content_hash(pdf),
        created_by=actor,
    )
    # An unguessable file name: the file is only ever served through the scoped download view.
    report.pdf.save(f"{number}-{secrets.token_hex(8)}.pdf", ContentFile(pdf), save=False)
    try:
        report.save()
        services._event(
            order,
            kind=EventKind.REPORT,
            actor=actor,
            at=at,
            text=_("%(kind)s %(number)s signed by %(signer)s (%(meaning)s)")
            % {"kind": snapshot["kind_label"], "number": number, "signer": signer_name, "meaning": meaning},
            data={
                "report": report.pk,
                "report_event": "signed",
                "number": number,
                "content_hash": digest,
                "pdf_hash": report.pdf_hash,
            },
        )
        services.complete_order_after_signature(order, actor=actor, at=at, outcome=outcome, visit=visit)
        address = email_to or (order.contact.email if order.contact_id else "")
        if address:
            _queue_email(report, address)
        report.queued_email = address  # for the page's message; `emailed_to` is set once it is sent
        with services._in_default_language():
            # SPEC WO-13: the result goes to sales.
            services._notify(
                order,
                f"report:{report.pk}",
                [order.sales],
                _("%(number)s: service report signed by %(signer)s — %(outcome)s")
                % {"number": order.number, "signer": signer_name, "outcome": _label(Outcome, outcome)},
                "\n\n".join(
                    text
                    for text in (
                        f"{order.customer.name} · {snapshot['kind_label']} {number}",
                        snapshot["visit"]["findings"],
                        snapshot["visit"]["work_done"],
                    )
                    if text
                ),
            )
    except BaseException:
        # The row rolls back with the transaction; do not leave its file behind.
        report.pdf.storage.delete(report.pdf.name)
        raise
    return report


# --- the e-mail copy -------------------------------------------------------------------------


def _render_report_pdf(
    *, number: str, snapshot: dict, digest: str, signer_name, signer_title, signed_at, meaning, signature_png: bytes
) -> bytes:
    """The PDF of one report kind, in the default language, from the snapshot alone (called
    once, by report_sign; nothing re-renders a stored report)."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(
            PDF_TEMPLATES[snapshot["kind"]],
            {
                "report_number": number,
                "snapshot": snapshot,
                "content_hash": digest,
                "signer_name": signer_name,
                "signer_title": signer_title,
                "signed_at": timezone.localtime(signed_at, _zone()),
                "signature_meaning": meaning,
                "signature_url": png_data_url(signature_png),
                "company_name": getattr(settings, "COMPANY_NAME", ""),
                "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
                "footer_css": _css_string(
                    _("Report %(number)s · signed content SHA-256 %(hash)s") % {"number": number, "hash": digest}
                ),
            },
        )


def _queue_email(report: ServiceReport, address: str) -> None:
    from apps.workorders.tasks import email_report

    # robust: the report is signed whatever happens to the queue.
    transaction.on_commit(partial(email_report, report.pk, address), robust=True)


def can_resend(user, report: ServiceReport) -> bool:
    if user.is_superuser or user.role in RESEND_ROLES:
        return True
    return user.role == Role.ENGINEER and user.pk in (report.work_order.engineer_id, report.created_by_id)


@transaction.atomic
def report_resend(*, report: ServiceReport, actor, email: str) -> ServiceReport:
    """Send the stored PDF again, e.g. to another address the customer gives (SPEC WO-12)."""
    if not can_resend(actor, report):
        raise transitions.NotPermitted(_("Only the technical head, the hotline or the engineer send the report."))
    address = _clean_address(email, "email")
    if not address:
        raise ValidationError({"email": _("Enter the e-mail address.")})
    services._event(
        report.work_order,
        kind=EventKind.REPORT,
        actor=actor,
        at=timezone.now(),
        text=_("Report %(number)s queued for %(address)s") % {"number": report.number, "address": address},
        data={"report": report.pk, "report_event": "resend", "address": address},
    )
    _queue_email(report, address)
    return report


class ReportEmailError(Exception):
    """The stored PDF cannot be sent (missing or altered): trying again cannot help."""


def send_report_email(*, report_id: int, address: str, final_attempt: bool = True) -> None:
    """Send the stored PDF to `address` (the Huey task's job). Success is recorded in
    `emailed_to` and the timeline; a failure is logged and raised so the task retries it, and
    recorded in the timeline once no attempt is left."""
    report = ServiceReport.objects.select_related("work_order__customer").get(pk=report_id)
    try:
        data = read_pdf(report)
        if data is None or content_hash(data) != report.pdf_hash:
            raise ReportEmailError(_("The stored PDF is missing or was altered; it is not sent."))
        with services._in_default_language():
            subject = _("Service report %(number)s — %(customer)s") % {
                "number": report.number,
                "customer": report.work_order.customer.name,
            }
            body = _(
                "Dear customer,\n\nattached is the %(kind)s %(number)s you signed on %(signed_at)s "
                "(%(signer)s, %(meaning)s).\nContent fingerprint (SHA-256): %(hash)s\n\n"
                "Service hotline: %(hotline)s"
            ) % {
                "kind": _label(ReportKind, report.kind),
                "number": report.number,
                "signed_at": _local(report.signed_at),
                "signer": report.signer_name,
                "meaning": report.signature_meaning,
                "hash": report.content_hash,
                "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
            }
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or outbox_policies.send_timeout_seconds()
        message = EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[address],
            connection=get_connection(timeout=timeout),
            headers={"X-Service-Report": report.number},
        )
        message.attach(f"{report.number}.pdf", data, "application/pdf")
        message.send(fail_silently=False)
    except Exception as error:
        logger.warning("service report %s to %s failed: %s", report.number, address, error)
        if final_attempt or isinstance(error, ReportEmailError):
            _record_email(report, address, error=error)
        raise
    _record_email(report, address)


@transaction.atomic
def _record_email(report: ServiceReport, address: str, *, error: Exception | None = None) -> None:
    if error is None:
        locked = ServiceReport.objects.select_for_update().get(pk=report.pk)
        sent_to = [a for a in locked.emailed_to.split(", ") if a]
        if address.lower() not in (a.lower() for a in sent_to):
            sent_to.append(address)
        # Only the delivery record changes; the signed content, PDF and hashes never do.
        ServiceReport.objects.filter(pk=report.pk).update(emailed_to=", ".join(sent_to)[:255])
        text = _("Report %(number)s e-mailed to %(address)s") % {"number": report.number, "address": address}
    else:
        text = _("Report %(number)s could not be e-mailed to %(address)s: %(error)s") % {
            "number": report.number,
            "address": address,
            "error": str(error)[:500],
        }
    services._event(
        report.work_order,
        kind=EventKind.REPORT,
        actor=None,
        at=timezone.now(),
        text=text,
        data={"report": report.pk, "report_event": "emailed" if error is None else "email_failed", "address": address},
    )


def read_pdf(report: ServiceReport) -> bytes | None:
    """The stored PDF bytes exactly, or None when the file is gone."""
    if not report.pdf:
        return None
    try:
        with report.pdf.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):  # gone from storage
        return None


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str
    label: str
    signed: object
    current: object


@dataclass(frozen=True)
class VerifyResult:
    """`content_intact`: the stored snapshot still has its hash (the row was not edited);
    `pdf_intact`: the stored PDF bytes still have theirs (None: the file is missing);
    `changes`: fields whose data today differs from what was signed."""

    content_intact: bool
    pdf_intact: bool | None
    changes: list[Change] = field(default_factory=list)

    @property
    def changed_fields(self) -> list[str]:
        return [change.path for change in self.changes]

    @property
    def data_changed(self) -> bool:
        return bool(self.changes)

    @property
    def ok(self) -> bool:
        return self.content_intact and self.pdf_intact is True and not self.changes


def _flatten(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        flat = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix[:-1]: value}


def _compared(snapshot: dict) -> dict:
    # Labels follow the code values and the translation catalogue: only the values are compared.
    return {
        path: value
        for path, value in _flatten(snapshot).items()
        if not path.endswith("_label") and path not in ("schema", "timezone")
    }


def verify(report: ServiceReport) -> VerifyResult:
    """Tamper check of the stored row and the stored PDF, and what changed since signing.

    Nothing is regenerated or written: the PDF bytes are read and hashed as they are.
    """
    content_intact = snapshot_hash(report.content) == report.content_hash
    data = read_pdf(report)
    pdf_intact = None if data is None else content_hash(data) == report.pdf_hash
    changes = []
    visit = report.visit
    if visit is not None:
        order = WorkOrder.objects.select_related(
            "customer", "contact", "department", "instrument__model", "instrument_model"
        ).get(pk=report.work_order_id)
        signed = _compared(report.content)
        today = _compared(report_snapshot(order, Visit.objects.select_related("engineer").get(pk=visit.pk)))
        for path in sorted(signed.keys() | today.keys()):
            if signed.get(path) != today.get(path):
                label = str(FIELD_LABELS.get(path, path))
                changes.append(Change(path=path, label=label, signed=signed.get(path), current=today.get(path)))
    return VerifyResult(content_intact=content_intact, pdf_intact=pdf_intact, changes=changes)


# --- reads -----------------------------------------------------------------------------------


def report_for_user(*, user, pk) -> ServiceReport:
    """One report of an order the user may see (raises ServiceReport.DoesNotExist)."""
    from apps.workorders.selectors import workorder_list

    return (
        ServiceReport.objects.filter(work_order__in=workorder_list(user=user).values("pk"))
        .select_related("work_order__customer", "work_order__engineer", "visit__engineer", "created_by")
        .get(pk=pk)
    )
