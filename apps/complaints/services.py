"""Every write of the complaint file (SPEC §6; ISO 13485 8.2.2 / 8.2.3; 21 CFR 820.198).

Each function: one transaction, the complaint row locked and its version checked, the move or
activity checked against choices.TRANSITIONS / ACTIVITIES (apps.complaints.transitions), a
timeline event, messages after commit.
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.complaints import deadlines, policies, transitions
from apps.complaints.choices import (
    FINAL_STATUSES,
    CapaState,
    Disposition,
    EventCategory,
    EventKind,
    Kind,
    ReplyKind,
    ReportState,
    ReviewState,
    Status,
)
from apps.complaints.models import (
    Capa,
    Complaint,
    ComplaintEvent,
    ComplaintReply,
    ReassignmentReview,
    RegulatoryReport,
    ReportingRule,
)
from apps.core.exceptions import ConflictError
from apps.core.writes import in_default_language, lock, notify, now, save, staff

# Fields the intake form and the "edit" activity may set.
INTAKE_FIELDS = (
    "kind",
    "channel",
    "received_at",
    "aware_at",
    "handler",
    "work_order",
    "survey",
    "followup",
    "customer",
    "complainant_name",
    "complainant_sex",
    "complainant_age",
    "complainant_employer",
    "complainant_address",
    "complainant_phone",
    "product_name",
    "model_spec",
    "manufacturer",
    "instrument_model",
    "item",
    "lot",
    "lot_no",
    "instrument",
    "serial_no",
    "udi",
    "purchased_from",
    "purchased_on",
    "summary",
    "details",
    "device_used",
    "used_for_diagnosis",
    "met_specification",
    "harm",
    "harm_details",
    "told_to_stop_use",
    "engineer",
)


def _event(complaint, kind, *, actor, at, text="", from_status="", to_status="", data=None):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor,
        at=at,
        text=str(text),
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def _text(value, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _move(complaint, action: str, *, actor, at, text="", fields=(), data=None):
    """Apply the transition `action` to the locked complaint (checked by the caller)."""
    from apps.complaints.choices import TRANSITIONS

    before = complaint.status
    complaint.status = TRANSITIONS[action][1]
    save(complaint, actor=actor, fields=["status", *fields], reason=action)
    _event(
        complaint,
        EventKind.TRANSITION,
        actor=actor,
        at=at,
        text=text,
        from_status=before,
        to_status=complaint.status,
        data={"action": action, **(data or {})},
    )
    return complaint


def _handlers_for(complaint) -> list:
    """CP-2: the technical head hears of service complaints, the quality department of product
    complaints, both of a complaint about both."""
    roles = []
    if complaint.is_service:
        roles.append(Role.TECH_HEAD)
    if complaint.is_product:
        roles.append(Role.QUALITY)
    people = staff(*roles)
    if complaint.handler_id and complaint.handler not in people:
        people.append(complaint.handler)
    return people


def _link(complaint) -> str:
    return complaint.get_absolute_url()


def _region_for(customer):
    if customer is None:
        return None
    return customer.city if customer.city_id else customer.province


# --- intake (CP-1, CP-2) ----------------------------------------------------------------------


def _clean_sources(data: dict) -> None:
    """Fill what a source record already knows (customer, instrument, lot) and check they agree."""
    order = data.get("work_order")
    if order is not None:
        data.setdefault("customer", order.customer)
        if data.get("customer") is None:
            data["customer"] = order.customer
        if data["customer"].pk != order.customer_id:
            raise ValidationError({"work_order": _("This work order belongs to another customer.")})
        if data.get("instrument") is None and order.instrument_id:
            data["instrument"] = order.instrument
        if data.get("engineer") is None and data.get("kind") in (Kind.SERVICE, Kind.BOTH) and order.engineer_id:
            data["engineer"] = order.engineer
    for source in ("survey", "followup"):
        record = data.get(source)
        if record is not None and getattr(record, "customer_id", None):
            if data.get("customer") is None:
                data["customer"] = record.customer
            elif data["customer"].pk != record.customer_id:
                raise ValidationError({source: _("This record belongs to another customer.")})
    instrument = data.get("instrument")
    if instrument is not None:
        if data.get("customer") is None and instrument.customer_id:
            # The unit says where it stands: the complaint belongs to that customer (its region's
            # staff see it, the scope check below applies to it).
            data["customer"] = instrument.customer
        if not data.get("serial_no"):
            data["serial_no"] = instrument.serial_no
        if data.get("instrument_model") is None:
            data["instrument_model"] = instrument.model
        if (
            data.get("customer") is not None
            and instrument.customer_id
            and instrument.customer_id != data["customer"].pk
        ):
            raise ValidationError({"instrument": _("This instrument stands at another customer.")})
    lot = data.get("lot")
    if lot is not None:
        if not data.get("lot_no"):
            data["lot_no"] = lot.lot_no
        if data.get("item") is None:
            data["item"] = lot.item
    engineer = data.get("engineer")
    if engineer is not None and engineer.role != Role.ENGINEER:
        raise ValidationError({"engineer": _("Name a field engineer.")})
    if data.get("kind") == Kind.PRODUCT and engineer is not None:
        raise ValidationError({"engineer": _("A product complaint names no engineer; choose a service complaint.")})


@transaction.atomic
def complaint_create(*, actor, data: dict, at=None) -> Complaint:
    """CP-1: record a complaint when it is received (oral ones too, 820.198(a)); CP-2: tell the
    technical head (service) or the quality department (product) at once; CP-4: start the
    reply / plan / resolution clocks (SLA-3)."""
    from apps.complaints.choices import RECEIVERS

    at = now(at)
    if transitions._role(actor) not in RECEIVERS:
        raise PermissionDenied(_("You may not register complaints."))
    data = {key: value for key, value in data.items() if key in INTAKE_FIELDS}
    data.setdefault("received_at", at)
    if data.get("received_at") is None:
        data["received_at"] = at
    if data.get("aware_at") is None:
        data["aware_at"] = data["received_at"]
    _check_not_future(data, at)
    _clean_sources(data)
    _check_scope(actor, data.get("customer"), instrument=data.get("instrument"))
    complaint = Complaint(received_by=actor, region=_region_for(data.get("customer")), **data)
    complaint._history_user = actor
    complaint.full_clean(exclude=["number"])
    complaint.save()
    complaint.number = f"CP{timezone.localtime(complaint.received_at):%y%m%d}-{complaint.pk:05d}"
    complaint.save(update_fields=["number"])
    _event(complaint, EventKind.CREATED, actor=actor, at=at, to_status=complaint.status, text=complaint.summary)
    _start_clocks(complaint, actor=actor)
    with in_default_language():
        title = _("New complaint %(number)s: %(summary)s") % {"number": complaint.number, "summary": complaint.summary}
        body = "\n".join(
            filter(
                None,
                [
                    str(complaint.get_kind_display()),
                    str(complaint.customer or complaint.complainant_name),
                    complaint.product_name,
                    complaint.lot_no and _("Lot %(lot)s") % {"lot": complaint.lot_no},
                    complaint.serial_no and _("Serial %(serial)s") % {"serial": complaint.serial_no},
                    str(complaint.get_harm_display()),
                ],
            )
        )
        notify(f"complaint:{complaint.pk}:new", _handlers_for(complaint), title, link=_link(complaint), body=body)
    return complaint


def _check_not_future(data: dict, at) -> None:
    if data["received_at"] > at + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": _("The date received cannot be in the future.")})
    if data["aware_at"] > at + dt.timedelta(minutes=5):
        raise ValidationError({"aware_at": _("The awareness date cannot be in the future.")})


def _check_scope(actor, customer, *, instrument=None) -> None:
    """Staff who see only some customers register complaints only for those — or for the
    customer where a unit they may see stands (a dealer's unit placed at another customer)."""
    if customer is None:
        return
    from apps.customers.models import Customer
    from apps.customers.selectors import customer_scope_q

    if Customer.objects.filter(customer_scope_q(actor)).filter(pk=customer.pk).exists():
        return
    if instrument is not None and instrument.customer_id == customer.pk:
        from apps.instruments.models import Instrument
        from apps.instruments.selectors import instrument_scope_q

        if Instrument.objects.filter(instrument_scope_q(actor), pk=instrument.pk).exists():
            return
    raise ValidationError({"customer": _("You cannot register a complaint for this customer.")})


def _start_clocks(complaint, *, actor) -> None:
    from apps.sla.services import clock_start

    for code in policies.CLOCK_CODES:
        clock_start(
            subject=complaint,
            policy_code=code,
            started_at=complaint.received_at,
            owner=complaint.handler,
            region=complaint.region,
            actor=actor,
            note=complaint.summary[:200],
        )


def _stop_clocks(complaint, codes: Iterable[str], *, at, actor) -> None:
    from apps.sla.services import clocks_stop

    clocks_stop(subject=complaint, policy_codes=list(codes), at=at, actor=actor)


def _cancel_clocks(complaint, *, at, actor, reason: str) -> None:
    from apps.sla.services import clocks_cancel

    clocks_cancel(subject=complaint, policy_codes=None, at=at, actor=actor, reason=reason)


@transaction.atomic
def complaint_update(*, actor, complaint: Complaint, data: dict, expected_version=None, at=None) -> Complaint:
    """Correct the intake fields while the complaint is open (every value kept in its history)."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("edit", complaint, actor)
    data = {key: value for key, value in data.items() if key in INTAKE_FIELDS}
    merged = {field: getattr(complaint, field) for field in INTAKE_FIELDS}
    merged.update(data)
    if merged.get("received_at") is None:
        raise ValidationError({"received_at": _("Give the date received.")})
    if merged.get("aware_at") is None:
        raise ValidationError({"aware_at": _("Give the date the company became aware.")})
    for name in ("received_at", "aware_at"):
        # The page shows these to the minute: the same minute sent back unchanged is no change
        # (else a complaint registered at 10:00:30 could never be edited once its clocks run).
        if _same_minute(merged[name], getattr(complaint, name)):
            merged[name] = getattr(complaint, name)
    _check_not_future(merged, at)
    _clean_sources(merged)
    if merged.get("customer") is not None and merged["customer"] != complaint.customer:
        _check_scope(actor, merged["customer"], instrument=merged.get("instrument"))
    changed = [field for field in INTAKE_FIELDS if getattr(complaint, field) != merged[field]]
    if not changed:
        return complaint
    aware_moved = merged["aware_at"] != complaint.aware_at
    if aware_moved:
        _check_awareness_correction(complaint, merged["aware_at"], actor=actor)
    for field in changed:
        setattr(complaint, field, merged[field])
    complaint.region = _region_for(complaint.customer)
    complaint.full_clean()
    save(complaint, actor=actor, fields=[*changed, "region"])
    _event(
        complaint,
        EventKind.NOTE,
        actor=actor,
        at=at,
        text=_("Changed: %(fields)s")
        % {"fields": ", ".join(str(Complaint._meta.get_field(f).verbose_name) for f in changed)},
    )
    if aware_moved:
        _move_report_deadlines(complaint, actor=actor, at=at)
    if "received_at" in changed or "handler" in changed:
        _follow_clocks(complaint, actor=actor, received_moved="received_at" in changed)
    return complaint


def _follow_clocks(complaint, *, actor, received_moved: bool) -> None:
    """CP-4: the reply / plan / resolution clocks run from the corrected date received and
    belong to the handler now named."""
    from apps.sla.selectors import clocks_for
    from apps.sla.services import clock_replan, clocks_set_owner

    if received_moved:
        for clock in clocks_for([complaint], open_only=True).get(complaint.pk, []):
            if clock.policy.code in policies.CLOCK_CODES:
                clock_replan(
                    clock=clock, started_at=complaint.received_at, actor=actor, reason=_("Date received corrected")
                )
    clocks_set_owner(subject=complaint, owner=complaint.handler, actor=actor, policy_codes=policies.CLOCK_CODES)


def _same_minute(a, b) -> bool:
    return a is not None and b is not None and int(a.timestamp()) // 60 == int(b.timestamp()) // 60


def _check_awareness_correction(complaint, aware_at, *, actor) -> None:
    """Once reports run from the awareness date, the legal clock started when the company really
    became aware: the quality department may correct it to an earlier moment (the pending
    reports' deadlines move earlier with it), never to a later one."""
    if not complaint.reports.exclude(state=ReportState.WITHDRAWN).exists():
        return
    if aware_at > complaint.aware_at:
        raise ValidationError(
            {
                "aware_at": _(
                    "Regulatory deadlines already run from the awareness date; it can only be corrected to an "
                    "earlier moment."
                )
            }
        )
    from apps.complaints.choices import QUALITY

    if transitions._role(actor) not in QUALITY:
        raise ValidationError(
            {
                "aware_at": _(
                    "Regulatory deadlines already run from the awareness date; the quality department corrects it."
                )
            }
        )


def _move_report_deadlines(complaint, *, actor, at) -> None:
    """The pending reports follow a corrected awareness date (each under the terms it started
    with); the quality department hears of the new deadlines."""
    moved = []
    for report in complaint.reports.select_related("rule").filter(state=ReportState.PENDING).order_by("due_at", "id"):
        warn_before = (report.due_at - report.warn_at) if report.warn_at else report.rule.warn_before
        report.aware_at = complaint.aware_at
        report.due_at = deadlines.due_at(aware_at=complaint.aware_at, amount=report.amount, unit=report.unit)
        report.warn_at = deadlines.warn_at(due=report.due_at, warn_before=warn_before, aware_at=complaint.aware_at)
        report.version += 1
        report._history_user = actor
        report.save(update_fields=["aware_at", "due_at", "warn_at", "version"])
        due = f"{timezone.localtime(report.due_at):%Y-%m-%d %H:%M}"
        _event(
            complaint,
            EventKind.REPORT,
            actor=actor,
            at=at,
            text=_("%(report)s now due %(due)s (awareness date corrected)") % {"report": report.label, "due": due},
            data={"report": report.pk},
        )
        moved.append(report)
    if not moved:
        return
    with in_default_language():
        notify(
            f"complaint:{complaint.pk}:deadlines-moved:{complaint.version}",
            staff(Role.QUALITY) + ([complaint.handler] if complaint.handler_id else []),
            _("%(number)s: awareness date corrected, report deadlines moved earlier") % {"number": complaint.number},
            link=_link(complaint),
            body="\n".join(
                _("%(report)s to %(to)s — due %(due)s")
                % {"report": r.label, "to": r.recipient_label, "due": f"{timezone.localtime(r.due_at):%Y-%m-%d %H:%M}"}
                for r in moved
            ),
        )


# --- evaluation (ISO 13485 8.2.2 a/b) ---------------------------------------------------------


@transaction.atomic
def complaint_evaluate(
    *, actor, complaint: Complaint, is_complaint: bool, rationale: str, expected_version=None, at=None
) -> Complaint:
    """Is it a complaint? Both answers need the rationale; "no" closes it (kept, read-only)."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    action = "evaluate" if is_complaint else "reject_as_not_complaint"
    transitions.check(complaint, actor, action)
    complaint.evaluation_rationale = _text(rationale, "rationale", _("Give the rationale of the evaluation."))
    complaint.evaluated_by, complaint.evaluated_at = actor, at
    fields = ["evaluation_rationale", "evaluated_by", "evaluated_at"]
    if not is_complaint:
        complaint.closed_at = at
        complaint.retain_until = _retention(complaint, at)
        fields += ["closed_at", "retain_until"]
    _move(complaint, action, actor=actor, at=at, text=complaint.evaluation_rationale, fields=fields)
    if not is_complaint:
        _cancel_clocks(complaint, at=at, actor=actor, reason=_("Not a complaint"))
    elif complaint.is_service and complaint.engineer_id:
        _flag_repeat(complaint, actor=actor, at=at)
    return complaint


def _flag_repeat(complaint, *, actor, at) -> ReassignmentReview | None:
    """CP-3: a second service complaint against the same engineer flags him for review."""
    since = complaint.received_at - dt.timedelta(days=policies.REPEAT_COMPLAINT_WINDOW_DAYS)
    earlier = (
        Complaint.objects.filter(
            engineer_id=complaint.engineer_id,
            kind__in=(Kind.SERVICE, Kind.BOTH),
            received_at__gte=since,
            evaluated_at__isnull=False,
        )
        .exclude(status=Status.NOT_COMPLAINT)
        .exclude(pk=complaint.pk)
        .order_by("-received_at")
        .first()
    )
    if earlier is None:
        return None
    review, created = ReassignmentReview.objects.get_or_create(
        complaint=complaint, defaults={"engineer": complaint.engineer, "earlier": earlier, "raised_at": at}
    )
    if created:
        _event(
            complaint,
            EventKind.SERVICE,
            actor=actor,
            at=at,
            text=_("Second complaint against %(engineer)s (earlier: %(number)s): reassignment review raised")
            % {"engineer": complaint.engineer, "number": earlier.number},
            data={"personnel": True},
        )
        with in_default_language():
            notify(
                f"complaint:{complaint.pk}:reassignment",
                staff(Role.TECH_HEAD, Role.MARKETING_HEAD),
                _("%(engineer)s: second service complaint — review his assignment") % {"engineer": complaint.engineer},
                link=_link(complaint),
                body=_("%(new)s and %(old)s") % {"new": complaint.number, "old": earlier.number},
            )
    return review


@transaction.atomic
def reassignment_decide(*, actor, review: ReassignmentReview, decision: str, expected_version=None, at=None):
    at = now(at)
    review = lock(review, expected_version)
    if transitions._role(actor) not in (Role.TECH_HEAD, Role.ADMIN):
        raise PermissionDenied(_("Only the technical head decides a reassignment review."))
    if review.state != ReviewState.OPEN:
        raise ConflictError(_("This review is already decided."))
    review.decision = _text(decision, "decision", _("Say what was decided."))
    review.state, review.decided_by, review.decided_at = ReviewState.DECIDED, actor, at
    save_fields = ["decision", "state", "decided_by", "decided_at"]
    review.version += 1
    review._history_user = actor
    review.save(update_fields=[*save_fields, "version"])
    _event(
        review.complaint,
        EventKind.SERVICE,
        actor=actor,
        at=at,
        text=_("Reassignment review: %(d)s") % {"d": review.decision},
        data={"personnel": True},
    )
    return review


# --- reportability and the regulatory clocks (8.2.3) ------------------------------------------


def _clean_events(events) -> list[str]:
    chosen = []
    for value in events or []:
        value = getattr(value, "value", value)
        if value not in EventCategory.values:
            raise ValidationError({"events": _("Unknown event category: %(value)s") % {"value": value}})
        if value not in chosen:
            chosen.append(value)
    return chosen


def _open_reports(complaint, events: list[str], *, actor, at) -> list[RegulatoryReport]:
    made = []
    live_rules = set(
        complaint.reports.filter(state__in=[ReportState.PENDING, ReportState.SUBMITTED]).values_list(
            "rule_id", flat=True
        )
    )
    rules = ReportingRule.objects.filter(event__in=events, is_active=True).order_by("event", "sequence")
    for rule in rules:
        if rule.pk in live_rules:
            continue
        due = deadlines.due_at(aware_at=complaint.aware_at, amount=rule.amount, unit=rule.unit)
        report = RegulatoryReport.objects.create(
            complaint=complaint,
            rule=rule,
            name=rule.name,
            recipient=rule.recipient,
            amount=rule.amount,
            unit=rule.unit,
            aware_at=complaint.aware_at,
            due_at=due,
            warn_at=deadlines.warn_at(due=due, warn_before=rule.warn_before, aware_at=complaint.aware_at),
        )
        made.append(report)
        _event(
            complaint,
            EventKind.REPORT,
            actor=actor,
            at=at,
            text=_("%(report)s to %(to)s due %(due)s")
            % {"report": rule.label, "to": rule.recipient_label, "due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"},
            data={"report": report.pk, "rule": rule.code},
        )
    return made


def _withdraw_reports(complaint, keep_events: list[str], *, actor, at, reason: str) -> int:
    count = 0
    for report in complaint.reports.select_related("rule").filter(state=ReportState.PENDING):
        if report.rule.event in keep_events:
            continue
        report.state = ReportState.WITHDRAWN
        report.note = reason[:255]
        report.version += 1
        report._history_user = actor
        report.save(update_fields=["state", "note", "version"])
        _event(
            complaint,
            EventKind.REPORT,
            actor=actor,
            at=at,
            text=_("%(report)s withdrawn: %(reason)s") % {"report": report.label, "reason": reason},
        )
        count += 1
    return count


def _apply_reportability(complaint, *, reportable: bool, events, rationale: str, actor, at) -> list[str]:
    events = _clean_events(events) if reportable else []
    if reportable and not events:
        raise ValidationError({"events": _("Name what makes it reportable (death, serious injury, group event …).")})
    if events:
        # A reportable event with no rule would start no report, and the complaint could close
        # with its report missing: refused until the quality department sets the rule up.
        covered = set(ReportingRule.objects.filter(event__in=events, is_active=True).values_list("event", flat=True))
        covered |= set(
            complaint.reports.filter(state__in=[ReportState.PENDING, ReportState.SUBMITTED]).values_list(
                "rule__event", flat=True
            )
        )
        missing = [e for e in events if e not in covered]
        if missing:
            raise ValidationError(
                {
                    "events": _(
                        "No active reporting rule for %(events)s: the quality department sets one up in the "
                        "reporting rules first."
                    )
                    % {"events": ", ".join(str(EventCategory(e).label) for e in missing)}
                }
            )
    rationale = (rationale or "").strip()
    if not reportable and not rationale:
        raise ValidationError({"rationale": _("Say why it is not reportable.")})
    complaint.reportable, complaint.reportable_events = reportable, events
    complaint.reportability_rationale = rationale
    complaint.reportability_by, complaint.reportability_at = actor, at
    return events


REPORTABILITY_FIELDS = [
    "reportable",
    "reportable_events",
    "reportability_rationale",
    "reportability_by",
    "reportability_at",
]


def _reportability_text(complaint) -> str:
    if not complaint.reportable:
        return _("Not reportable: %(why)s") % {"why": complaint.reportability_rationale}
    names = ", ".join(str(EventCategory(e).label) for e in complaint.reportable_events)
    text = _("Reportable: %(events)s") % {"events": names}
    return f"{text} — {complaint.reportability_rationale}" if complaint.reportability_rationale else text


def _tell_quality_of_reports(complaint, reports) -> None:
    if not reports:
        return
    with in_default_language():
        lines = [
            _("%(report)s to %(to)s — due %(due)s")
            % {"report": r.label, "to": r.recipient_label, "due": f"{timezone.localtime(r.due_at):%Y-%m-%d %H:%M}"}
            for r in reports
        ]
        notify(
            f"complaint:{complaint.pk}:reports:{'-'.join(str(r.pk) for r in reports)}",
            staff(Role.QUALITY) + ([complaint.handler] if complaint.handler_id else []),
            _("%(number)s is reportable: %(count)s report(s) due")
            % {"number": complaint.number, "count": len(reports)},
            link=_link(complaint),
            body="\n".join(lines),
        )


@transaction.atomic
def complaint_decide_reportability(
    *, actor, complaint: Complaint, reportable: bool, events=(), rationale: str = "", expected_version=None, at=None
) -> Complaint:
    """Reportable to an authority? Which events? The rules of those events start one report
    each, due from the awareness date."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "decide_reportability")
    events = _apply_reportability(
        complaint, reportable=reportable, events=events, rationale=rationale, actor=actor, at=at
    )
    _move(
        complaint,
        "decide_reportability",
        actor=actor,
        at=at,
        text=_reportability_text(complaint),
        fields=REPORTABILITY_FIELDS,
    )
    reports = _open_reports(complaint, events, actor=actor, at=at)
    _tell_quality_of_reports(complaint, reports)
    return complaint


@transaction.atomic
def complaint_revise_reportability(
    *, actor, complaint: Complaint, reportable: bool, events=(), rationale: str = "", expected_version=None, at=None
) -> Complaint:
    """The investigation found more (or less): new events start their reports; pending reports
    of events no longer found are withdrawn with the reason. Submitted ones stay."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("revise_reportability", complaint, actor)
    kept = _clean_events(events) if reportable else []
    if (
        not (rationale or "").strip()
        and complaint.reports.filter(state=ReportState.PENDING).exclude(rule__event__in=kept).exists()
    ):
        raise ValidationError({"rationale": _("Say why the reports still to submit are withdrawn.")})
    events = _apply_reportability(
        complaint, reportable=reportable, events=events, rationale=rationale, actor=actor, at=at
    )
    save(complaint, actor=actor, fields=REPORTABILITY_FIELDS, reason="revise_reportability")
    _event(
        complaint,
        EventKind.REPORT,
        actor=actor,
        at=at,
        text=_("Reportability revised. %(text)s") % {"text": _reportability_text(complaint)},
    )
    _withdraw_reports(complaint, events, actor=actor, at=at, reason=_("Reportability revised"))
    reports = _open_reports(complaint, events, actor=actor, at=at)
    _tell_quality_of_reports(complaint, reports)
    return complaint


@transaction.atomic
def report_submit(
    *,
    actor,
    report: RegulatoryReport,
    submitted_at=None,
    report_number: str,
    attachment=None,
    note: str = "",
    expected_version=None,
    at=None,
) -> RegulatoryReport:
    """Record that the report went to the authority: when, its number there, the file sent."""
    at = now(at)
    report = RegulatoryReport.objects.select_for_update().select_related("complaint").get(pk=report.pk)
    if expected_version is not None and report.version != expected_version:
        raise ConflictError()
    transitions.check_activity("submit_report", report.complaint, actor)
    if report.state != ReportState.PENDING:
        raise ConflictError(_("This report is no longer waiting to be submitted."))
    submitted_at = submitted_at or at
    if submitted_at > at + dt.timedelta(minutes=5):
        raise ValidationError({"submitted_at": _("The submission date cannot be in the future.")})
    if submitted_at < report.aware_at - dt.timedelta(days=1):
        raise ValidationError({"submitted_at": _("The submission cannot come before the company became aware.")})
    report.report_number = _text(report_number, "report_number", _("Give the report number the authority gave."))[:64]
    report.state, report.submitted_at, report.submitted_by = ReportState.SUBMITTED, submitted_at, actor
    report.note = (note or "").strip()[:255]
    fields = ["report_number", "state", "submitted_at", "submitted_by", "note", "version"]
    if attachment is not None:
        report.attachment = attachment
        fields.append("attachment")
    report.version += 1
    report._history_user = actor
    report.save(update_fields=fields)
    late = submitted_at > report.due_at
    _event(
        report.complaint,
        EventKind.REPORT,
        actor=actor,
        at=at,
        text=(
            _("%(report)s submitted %(when)s, number %(number)s")
            if not late
            else _("%(report)s submitted LATE %(when)s, number %(number)s")
        )
        % {
            "report": report.label,
            "when": f"{timezone.localtime(submitted_at):%Y-%m-%d %H:%M}",
            "number": report.report_number,
        },
        data={"report": report.pk, "late": late},
    )
    return report


def check_regulatory_reports(*, now_at=None) -> dict[str, int]:
    """The periodic scan (tasks): pending reports close to their deadline warn the quality
    department and the handler; overdue ones escalate to the rule's role as well. Each report is
    claimed with an atomic UPDATE … WHERE … IS NULL, so two scans never send twice."""
    at = now(now_at)
    batch = policies.CHECK_BATCH_SIZE
    base = RegulatoryReport.objects.filter(state=ReportState.PENDING).select_related("complaint__handler", "rule")
    counts = {"warned": 0, "escalated": 0}
    quality = staff(Role.QUALITY)
    for report in list(base.filter(escalated_at__isnull=True, due_at__lte=at).order_by("due_at", "id")[:batch]):
        with transaction.atomic():
            # Still pending: a report submitted or withdrawn since the batch was read is not overdue.
            claimed = RegulatoryReport.objects.filter(
                pk=report.pk, state=ReportState.PENDING, escalated_at__isnull=True
            ).update(escalated_at=at)
            if not claimed:
                continue
            complaint = report.complaint
            with in_default_language():
                notify(
                    f"regreport:{report.pk}:overdue",
                    quality + staff(report.rule.escalate_role) + [complaint.handler],
                    _("OVERDUE regulatory report: %(report)s — %(number)s")
                    % {"report": report.label, "number": complaint.number},
                    link=_link(complaint),
                    body=_("%(report)s to %(to)s was due %(due)s and is not recorded as submitted.")
                    % {
                        "report": report.label,
                        "to": report.recipient_label,
                        "due": f"{timezone.localtime(report.due_at):%Y-%m-%d %H:%M}",
                    },
                )
            _event(
                complaint,
                EventKind.ESCALATION,
                actor=None,
                at=at,
                text=_("%(report)s overdue: escalated") % {"report": report.label},
            )
            counts["escalated"] += 1
    for report in list(
        base.filter(warned_at__isnull=True, warn_at__lte=at, due_at__gt=at).order_by("warn_at", "id")[:batch]
    ):
        with transaction.atomic():
            claimed = RegulatoryReport.objects.filter(
                pk=report.pk, state=ReportState.PENDING, warned_at__isnull=True
            ).update(warned_at=at)
            if not claimed:
                continue
            complaint = report.complaint
            with in_default_language():
                notify(
                    f"regreport:{report.pk}:warn",
                    quality + [complaint.handler],
                    _("Due soon: %(report)s — %(number)s") % {"report": report.label, "number": complaint.number},
                    link=_link(complaint),
                    body=_("%(report)s to %(to)s is due %(due)s.")
                    % {
                        "report": report.label,
                        "to": report.recipient_label,
                        "due": f"{timezone.localtime(report.due_at):%Y-%m-%d %H:%M}",
                    },
                )
            counts["warned"] += 1
    return counts


# --- investigation, disposition, correction ---------------------------------------------------


@transaction.atomic
def complaint_complete_investigation(
    *,
    actor,
    complaint: Complaint,
    findings: str,
    root_cause: str = "",
    cause_category: str = "",
    started_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    part=None,
    expected_version=None,
    at=None,
) -> Complaint:
    """820.198(e)(9): the dates and results of the investigation."""
    from apps.complaints.choices import CauseCategory

    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "complete_investigation")
    complaint.investigation_findings = _text(findings, "findings", _("Write what the investigation found."))
    if cause_category not in CauseCategory.values:
        raise ValidationError({"cause_category": _("Choose the cause.")})
    today = timezone.localtime(at).date()
    completed_on = completed_on or today
    started_on = started_on or timezone.localtime(complaint.received_at).date()
    if completed_on > today:
        raise ValidationError({"completed_on": _("The investigation cannot be completed in the future.")})
    if started_on > completed_on:
        raise ValidationError({"started_on": _("The investigation cannot start after it was completed.")})
    complaint.investigated = True
    complaint.root_cause = (root_cause or "").strip()
    complaint.cause_category = cause_category
    complaint.investigation_started_on, complaint.investigation_completed_on = started_on, completed_on
    complaint.part = part
    complaint.investigation_decided_by = actor
    _move(
        complaint,
        "complete_investigation",
        actor=actor,
        at=at,
        text=complaint.investigation_findings,
        fields=[
            "investigation_findings",
            "root_cause",
            "cause_category",
            "investigation_started_on",
            "investigation_completed_on",
            "part",
            "investigated",
            "investigation_decided_by",
        ],
    )
    return complaint


@transaction.atomic
def complaint_waive_investigation(
    *,
    actor,
    complaint: Complaint,
    reason: str,
    covered_by=None,
    cause_category: str = "",
    expected_version=None,
    at=None,
) -> Complaint:
    """820.198(b): no investigation — the reason, who decided, and the earlier complaint whose
    investigation covers it."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "waive_investigation")
    complaint.no_investigation_reason = _text(reason, "reason", _("Say why no investigation is needed."))
    if covered_by is not None:
        # Its status as stored now, not as the caller read it.
        covered_by = Complaint.objects.get(pk=covered_by.pk)
        if covered_by.pk == complaint.pk:
            raise ValidationError({"covered_by": _("A complaint cannot cover itself.")})
        if covered_by.status == Status.NOT_COMPLAINT:
            raise ValidationError({"covered_by": _("That record was not a complaint.")})
    from apps.complaints.choices import CauseCategory

    if cause_category and cause_category not in CauseCategory.values:
        raise ValidationError({"cause_category": _("Choose the cause.")})
    complaint.covered_by = covered_by
    complaint.investigated = False
    complaint.investigation_decided_by = actor
    complaint.cause_category = cause_category or (covered_by.cause_category if covered_by else "")
    text = complaint.no_investigation_reason
    if covered_by is not None:
        text += " — " + _("covered by %(number)s") % {"number": covered_by.number}
    _move(
        complaint,
        "waive_investigation",
        actor=actor,
        at=at,
        text=text,
        fields=["no_investigation_reason", "covered_by", "investigated", "investigation_decided_by", "cause_category"],
    )
    return complaint


@transaction.atomic
def complaint_record_disposition(
    *, actor, complaint: Complaint, disposition: str, note: str = "", expected_version=None, at=None
) -> Complaint:
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "record_disposition")
    if disposition not in Disposition.values:
        raise ValidationError({"disposition": _("Choose what happened to the product.")})
    if disposition == Disposition.NOT_APPLICABLE and complaint.is_product:
        raise ValidationError({"disposition": _("A product complaint needs a product disposition.")})
    if disposition in (Disposition.LOT_RELEASED, Disposition.LOT_HELD) and not (complaint.lot_id or complaint.lot_no):
        raise ValidationError({"disposition": _("The complaint names no lot; record the lot number first.")})
    complaint.disposition, complaint.disposition_note = disposition, (note or "").strip()
    text = str(Disposition(disposition).label) + (
        f" — {complaint.disposition_note}" if complaint.disposition_note else ""
    )
    _move(complaint, "record_disposition", actor=actor, at=at, text=text, fields=["disposition", "disposition_note"])
    if disposition == Disposition.LOT_HELD:
        with in_default_language():
            notify(
                f"complaint:{complaint.pk}:lot-held",
                staff(Role.QUALITY, Role.COMMERCE, Role.LOGISTICS),
                _("Lot %(lot)s held after complaint %(number)s")
                % {"lot": complaint.lot_no, "number": complaint.number},
                link=_link(complaint),
                body=complaint.disposition_note,
            )
    return complaint


@transaction.atomic
def complaint_record_correction(
    *,
    actor,
    complaint: Complaint,
    correction: str,
    capas: Iterable[Capa] = (),
    no_capa_reason: str = "",
    expected_version=None,
    at=None,
) -> Complaint:
    """8.2.2 e: the correction, and either the CAPA(s) it led to or why none is needed."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "record_correction")
    complaint.correction = _text(correction, "correction", _("Describe the correction made."))
    capas = list(capas)
    no_capa_reason = (no_capa_reason or "").strip()
    if not capas and not complaint.capas.exists() and not no_capa_reason:
        raise ValidationError({"no_capa_reason": _("Link a CAPA or say why none is needed.")})
    complaint.no_capa_reason = no_capa_reason
    for capa in capas:
        complaint.capas.add(capa)
    text = complaint.correction
    numbers = [c.number for c in complaint.capas.all()]
    if numbers:
        text += " — CAPA " + ", ".join(numbers)
    _move(complaint, "record_correction", actor=actor, at=at, text=text, fields=["correction", "no_capa_reason"])
    _stop_clocks(complaint, [policies.CLOCK_REPLY, policies.CLOCK_PLAN], at=at, actor=actor)
    return complaint


# --- replies (820.198(e)(8); CP-4) ------------------------------------------------------------

_CLOCKS_STOPPED_BY = {
    ReplyKind.ACKNOWLEDGEMENT: [policies.CLOCK_REPLY],
    ReplyKind.PLAN: [policies.CLOCK_REPLY, policies.CLOCK_PLAN],
    ReplyKind.RESOLUTION: list(policies.CLOCK_CODES),
    ReplyKind.OTHER: [policies.CLOCK_REPLY],
}


def _add_reply(complaint, *, actor, at, kind, method, content, satisfied, replied_at) -> ComplaintReply:
    from apps.complaints.choices import ReplyMethod, YesNoUnknown

    if kind not in ReplyKind.values:
        raise ValidationError({"kind": _("Choose what kind of reply it was.")})
    if method not in ReplyMethod.values:
        raise ValidationError({"method": _("Choose how the complainant was answered.")})
    if satisfied not in YesNoUnknown.values:
        raise ValidationError({"satisfied": _("Choose whether the complainant was satisfied.")})
    replied_at = replied_at or at
    if replied_at > at + dt.timedelta(minutes=5):
        raise ValidationError({"replied_at": _("The reply cannot be in the future.")})
    if replied_at < complaint.received_at:
        raise ValidationError({"replied_at": _("The reply cannot come before the complaint was received.")})
    reply = ComplaintReply.objects.create(
        complaint=complaint,
        kind=kind,
        method=method,
        content=_text(content, "content", _("Write what the complainant was told.")),
        satisfied=satisfied,
        replied_at=replied_at,
        by=actor,
    )
    _event(
        complaint,
        EventKind.REPLY,
        actor=actor,
        at=at,
        text=f"{ReplyKind(kind).label} ({ReplyMethod(method).label}): {reply.content}",
        data={"reply": reply.pk},
    )
    _stop_clocks(complaint, _CLOCKS_STOPPED_BY[kind], at=replied_at, actor=actor)
    return reply


@transaction.atomic
def complaint_add_reply(
    *,
    actor,
    complaint: Complaint,
    kind: str,
    method: str,
    content: str,
    satisfied: str = "unknown",
    replied_at=None,
    expected_version=None,
    at=None,
) -> ComplaintReply:
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("reply", complaint, actor)
    reply = _add_reply(
        complaint,
        actor=actor,
        at=at,
        kind=kind,
        method=method,
        content=content,
        satisfied=satisfied,
        replied_at=replied_at,
    )
    save(complaint, actor=actor, fields=[], reason="reply")
    return reply


@transaction.atomic
def complaint_send_resolution(
    *,
    actor,
    complaint: Complaint,
    method: str,
    content: str,
    satisfied: str = "unknown",
    replied_at=None,
    expected_version=None,
    at=None,
) -> Complaint:
    """The reply that tells the complainant how it was resolved; on to the quality review."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "send_resolution")
    _add_reply(
        complaint,
        actor=actor,
        at=at,
        kind=ReplyKind.RESOLUTION,
        method=method,
        content=content,
        satisfied=satisfied,
        replied_at=replied_at,
    )
    _move(complaint, "send_resolution", actor=actor, at=at, text=content.strip())
    with in_default_language():
        notify(
            f"complaint:{complaint.pk}:review:{complaint.version}",
            staff(Role.QUALITY),
            _("%(number)s waits for the quality review") % {"number": complaint.number},
            link=_link(complaint),
        )
    return complaint


# --- CP-3: service complaint steps ------------------------------------------------------------


@transaction.atomic
def complaint_apologise(*, actor, complaint: Complaint, text: str, expected_version=None, at=None) -> Complaint:
    """CP-3: the technical head apologises in the department's name."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("apologise", complaint, actor)
    if not complaint.is_service:
        raise ValidationError(_("Only a service complaint has this step."))
    complaint.apology = _text(text, "text", _("Write how and what was said."))
    complaint.apologised_at, complaint.apologised_by = at, actor
    save(complaint, actor=actor, fields=["apology", "apologised_at", "apologised_by"], reason="apology")
    _event(complaint, EventKind.SERVICE, actor=actor, at=at, text=_("Apology: %(text)s") % {"text": complaint.apology})
    return complaint


@transaction.atomic
def complaint_talk_with_engineer(
    *, actor, complaint: Complaint, note: str, expected_version=None, at=None
) -> Complaint:
    """CP-3: the talk with the engineer; he is asked for his written self-assessment."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("talk_with_engineer", complaint, actor)
    if not complaint.is_service or not complaint.engineer_id:
        raise ValidationError(_("Name the engineer the complaint is about first."))
    complaint.talk_note = _text(note, "note", _("Write what was discussed."))
    complaint.talked_at, complaint.talked_by = at, actor
    save(complaint, actor=actor, fields=["talk_note", "talked_at", "talked_by"], reason="talk")
    _event(
        complaint,
        EventKind.SERVICE,
        actor=actor,
        at=at,
        text=_("Talk with the engineer: %(text)s") % {"text": complaint.talk_note},
        data={"personnel": True},  # selectors.sees_personnel_notes
    )
    with in_default_language():
        notify(
            f"complaint:{complaint.pk}:self-assessment",
            [complaint.engineer],
            _("Please write your self-assessment for complaint %(number)s") % {"number": complaint.number},
            link=_link(complaint),
        )
    return complaint


@transaction.atomic
def complaint_self_assess(*, actor, complaint: Complaint, text: str, expected_version=None, at=None) -> Complaint:
    """CP-3: the engineer's written self-assessment, to the centre head and the technical head."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("self_assessment", complaint, actor)
    complaint.self_assessment = _text(text, "text", _("Write your self-assessment."))
    complaint.self_assessed_at = at
    save(complaint, actor=actor, fields=["self_assessment", "self_assessed_at"], reason="self-assessment")
    _event(complaint, EventKind.SERVICE, actor=actor, at=at, text=_("Self-assessment written"))
    with in_default_language():
        notify(
            f"complaint:{complaint.pk}:self-assessed:{complaint.version}",
            staff(Role.TECH_HEAD, Role.MARKETING_HEAD),
            _("%(engineer)s wrote his self-assessment for %(number)s")
            % {"engineer": actor, "number": complaint.number},
            link=_link(complaint),
            body=complaint.self_assessment,
        )
    return complaint


@transaction.atomic
def complaint_add_note(*, actor, complaint: Complaint, text: str, expected_version=None, at=None) -> ComplaintEvent:
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("note", complaint, actor)
    return _event(complaint, EventKind.NOTE, actor=actor, at=at, text=_text(text, "text", _("Write the note.")))


# --- CAPA -------------------------------------------------------------------------------------


def _capa_role_check(actor) -> None:
    if transitions._role(actor) not in (Role.QUALITY, Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR):
        raise PermissionDenied(_("You may not manage CAPAs."))


@transaction.atomic
def capa_create(*, actor, data: dict, complaint: Complaint | None = None, at=None) -> Capa:
    at = now(at)
    _capa_role_check(actor)
    if complaint is not None:
        complaint = lock(complaint)
        transitions.check_activity("link_capa", complaint, actor)
    data = {k: v for k, v in data.items() if k in ("number", "title", "description", "owner", "due_on")}
    data.setdefault("owner", actor)
    if not (data.get("number") or "").strip():
        data["number"] = ""
    capa = Capa(**data)
    capa._history_user = actor
    if not capa.number:
        capa.number = f"TMP-{uuid.uuid4().hex[:24]}"  # unique until the id is known
        capa.full_clean()
        capa.save()
        capa.number = f"CAPA{timezone.localtime(at):%y}-{capa.pk:04d}"
        capa.save(update_fields=["number"])
    else:
        capa.full_clean()
        capa.save()
    if complaint is not None:
        complaint.capas.add(capa)
        save(complaint, actor=actor, fields=[], reason="capa")
        _event(
            complaint,
            EventKind.CAPA,
            actor=actor,
            at=at,
            text=_("CAPA %(number)s opened: %(title)s") % {"number": capa.number, "title": capa.title},
        )
    return capa


@transaction.atomic
def complaint_link_capa(*, actor, complaint: Complaint, capa: Capa, expected_version=None, at=None) -> Complaint:
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check_activity("link_capa", complaint, actor)
    if complaint.capas.filter(pk=capa.pk).exists():
        return complaint
    complaint.capas.add(capa)
    save(complaint, actor=actor, fields=[], reason="capa")
    _event(complaint, EventKind.CAPA, actor=actor, at=at, text=_("Linked to CAPA %(number)s") % {"number": capa.number})
    return complaint


@transaction.atomic
def capa_close(*, actor, capa: Capa, effectiveness: str, expected_version=None, at=None) -> Capa:
    at = now(at)
    _capa_role_check(actor)
    capa = lock(capa, expected_version)
    if capa.state != CapaState.OPEN:
        raise ConflictError(_("This CAPA is already closed."))
    capa.effectiveness = _text(effectiveness, "effectiveness", _("Record the effectiveness check before closing."))
    capa.state, capa.closed_at, capa.closed_by = CapaState.CLOSED, at, actor
    save(capa, actor=actor, fields=["effectiveness", "state", "closed_at", "closed_by"], reason="close")
    for complaint in capa.complaints.all():
        _event(
            complaint, EventKind.CAPA, actor=actor, at=at, text=_("CAPA %(number)s closed") % {"number": capa.number}
        )
    return capa


# --- review and closure -----------------------------------------------------------------------


def close_blockers(complaint: Complaint, *, at=None) -> list[str]:
    """Why the complaint cannot close yet, in the user's language (empty when it can)."""
    at = now(at)
    blockers = []
    for report in complaint.reports.filter(state=ReportState.PENDING).order_by("due_at"):
        due = f"{timezone.localtime(report.due_at):%Y-%m-%d %H:%M}"
        if report.due_at <= at:
            blockers.append(
                _("Regulatory report overdue and not submitted: %(report)s (due %(due)s)")
                % {"report": report.label, "due": due}
            )
        else:
            blockers.append(
                _("Regulatory report not submitted yet: %(report)s (due %(due)s)")
                % {"report": report.label, "due": due}
            )
    for capa in complaint.capas.filter(state=CapaState.OPEN):
        blockers.append(_("CAPA %(number)s is still open") % {"number": capa.number})
    if complaint.is_service:
        if not complaint.apologised_at:
            blockers.append(_("The technical head's apology is not recorded"))
        if complaint.engineer_id:
            if not complaint.talked_at:
                blockers.append(_("The talk with the engineer is not recorded"))
            if not complaint.self_assessed_at:
                blockers.append(_("The engineer's self-assessment is missing"))
        # Shared means published: a draft helps nobody at the hotline yet.
        if hasattr(complaint, "cases") and not complaint.cases.filter(published=True, is_active=True).exists():
            blockers.append(_("The case is not shared to the case library yet"))
    if not complaint.replies.filter(kind=ReplyKind.RESOLUTION).exists():
        blockers.append(_("No resolution reply to the complainant"))
    return blockers


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _retention(complaint, at) -> dt.date:
    """ISO 13485 4.2.5 / China's adverse-event rules: the later of N years after closure and
    M years after the expiry of the lot concerned."""
    keep = _add_years(timezone.localtime(at).date(), policies.RETENTION_YEARS)
    if complaint.lot_id and complaint.lot.expires_on:
        keep = max(keep, _add_years(complaint.lot.expires_on, policies.RETENTION_AFTER_EXPIRY_YEARS))
    return keep


@transaction.atomic
def complaint_close(*, actor, complaint: Complaint, review_note: str, expected_version=None, at=None) -> Complaint:
    """The quality review closes it: not while a regulatory report is missing, a CAPA is open,
    or a service complaint's steps are undone. Closed complaints are read-only and carry their
    retention date; CP-4: a follow-up within one month is planned."""
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "close")
    blockers = close_blockers(complaint, at=at)
    if blockers:
        raise ConflictError(_("The complaint cannot close yet: %(list)s") % {"list": "; ".join(blockers)})
    complaint.review_note = _text(review_note, "review_note", _("Write the quality review."))
    complaint.reviewed_by, complaint.closed_at = actor, at
    complaint.retain_until = _retention(complaint, at)
    _move(
        complaint,
        "close",
        actor=actor,
        at=at,
        text=complaint.review_note,
        fields=["review_note", "reviewed_by", "closed_at", "retain_until"],
    )
    _stop_clocks(complaint, policies.CLOCK_CODES, at=at, actor=actor)
    if complaint.customer_id:
        from apps.followups.choices import Job
        from apps.followups.services import followups_plan_for_source

        followups_plan_for_source(
            source=complaint,
            customer=complaint.customer,
            job=Job.COMPLAINT,
            anchor_at=at,
            engineer=complaint.engineer,
            actor=actor,
            at=at,
        )
    return complaint


@transaction.atomic
def complaint_return_for_rework(
    *, actor, complaint: Complaint, reason: str, expected_version=None, at=None
) -> Complaint:
    at = now(at)
    complaint = lock(complaint, expected_version)
    transitions.check(complaint, actor, "return_for_rework")
    reason = _text(reason, "reason", _("Say what must be reworked."))
    _move(complaint, "return_for_rework", actor=actor, at=at, text=reason)
    with in_default_language():
        notify(
            f"complaint:{complaint.pk}:rework:{complaint.version}",
            _handlers_for(complaint),
            _("%(number)s sent back for rework") % {"number": complaint.number},
            link=_link(complaint),
            body=reason,
        )
    return complaint


def is_read_only(complaint: Complaint) -> bool:
    return complaint.status in FINAL_STATUSES


# --- the reporting rules table (apps.core generic write layer) --------------------------------


def rule_create(*, actor, data, m2m=None) -> ReportingRule:
    """A new line of the reporting rules; it applies to reportability decisions from now on."""
    from apps.core.services import record_create

    if transitions._role(actor) not in (Role.QUALITY, Role.ADMIN):
        raise PermissionDenied(_("Only the quality department changes the reporting rules."))
    return record_create(model=ReportingRule, actor=actor, data=data)


def rule_update(*, actor, instance, data, expected_version, m2m=None) -> ReportingRule:
    """Change a rule. Reports already started keep the deadline they were given (each report
    holds a copy of its rule's terms)."""
    from apps.core.services import record_update

    if transitions._role(actor) not in (Role.QUALITY, Role.ADMIN):
        raise PermissionDenied(_("Only the quality department changes the reporting rules."))
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version)


def rule_set_active(*, actor, instance, active: bool, reason: str, expected_version=None) -> ReportingRule:
    from apps.core.services import record_set_active

    if transitions._role(actor) not in (Role.QUALITY, Role.ADMIN):
        raise PermissionDenied(_("Only the quality department changes the reporting rules."))
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )
