"""Reads of complaints, scoped to what the user may see (pages, API and exports alike)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.accounts.choices import Role
from apps.complaints.choices import FINAL_STATUSES, OPEN_STATUSES, CapaState, ReportState
from apps.complaints.models import Capa, Complaint, ComplaintEvent, ReassignmentReview, RegulatoryReport, ReportingRule
from apps.core.access import sees_all
from apps.customers.selectors import customer_scope_q


def complaint_scope_q(user) -> Q:
    """Heads, the hotline and the quality department see every complaint; engineers and
    customer managers those of their regions' customers and those against them (engineer);
    sales and dealers those of their customers and those they registered."""
    if sees_all(user):
        return Q()
    q = Q(received_by=user)
    if user.role == Role.ENGINEER:
        q |= Q(engineer=user)
    return q | customer_scope_q(user, "customer__")


# CP-3: the talk with the engineer, his self-assessment (written "to the centre head and the
# technical head") and a reassignment review are about a member of staff, not about the complaint.
PERSONNEL_READERS = frozenset(
    {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR, Role.MARKETING_HEAD, Role.GENERAL_MANAGER, Role.QUALITY}
)


def sees_personnel_notes(user, complaint: Complaint) -> bool:
    """The heads and the quality review read them, and the engineer his own — not a dealer, a
    sales person or a colleague who may see the complaint."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.role in PERSONNEL_READERS:
        return True
    return complaint.engineer_id is not None and complaint.engineer_id == user.pk


def complaint_list(*, user) -> QuerySet[Complaint]:
    scoped = Complaint.objects.filter(complaint_scope_q(user))
    if not sees_all(user):
        scoped = Complaint.objects.filter(pk__in=scoped.values("pk"))
    return (
        scoped.select_related("customer", "handler", "engineer", "lot__item", "instrument_model")
        .annotate(
            pending_reports=Count("reports", filter=Q(reports__state=ReportState.PENDING), distinct=True),
            overdue_reports=Count(
                "reports",
                filter=Q(reports__state=ReportState.PENDING, reports__due_at__lte=timezone.now()),
                distinct=True,
            ),
        )
        .order_by("-received_at", "-id")
    )


def complaint_search(queryset: QuerySet[Complaint], text: str) -> QuerySet[Complaint]:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(number__icontains=text)
        | Q(summary__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(complainant_name__icontains=text)
        | Q(lot_no__iexact=text)
        | Q(serial_no__iexact=text)
    )


def complaint_detail(*, user, pk) -> Complaint:
    """One complaint with everything its page shows, or 404 when the user may not see it."""
    complaint = (
        Complaint.objects.filter(complaint_scope_q(user), pk=pk)
        .select_related(
            "customer",
            "region",
            "received_by",
            "handler",
            "engineer",
            "instrument_model",
            "item",
            "lot__item",
            "instrument__model",
            "work_order",
            "survey",
            "followup",
            "part",
            "covered_by",
            "evaluated_by",
            "reportability_by",
            "investigation_decided_by",
            "apologised_by",
            "talked_by",
            "reviewed_by",
        )
        .prefetch_related(
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "reports",
                queryset=RegulatoryReport.objects.select_related("rule", "submitted_by").order_by("due_at", "id"),
            ),
            "replies__by",
            "capas__owner",
        )
        .first()
    )
    if complaint is None:
        raise Http404
    return complaint


def open_complaints() -> QuerySet[Complaint]:
    return Complaint.objects.filter(status__in=OPEN_STATUSES)


def closed_complaints() -> QuerySet[Complaint]:
    return Complaint.objects.filter(status__in=FINAL_STATUSES)


def report_board(*, user) -> QuerySet[RegulatoryReport]:
    """The quality department's board: every pending regulatory report, most urgent first,
    with its complaint (scoped like the complaint list)."""
    return (
        RegulatoryReport.objects.filter(state=ReportState.PENDING, complaint__in=complaint_list(user=user).values("pk"))
        .select_related("complaint__customer", "complaint__handler", "rule")
        .order_by("due_at", "id")
    )


def recent_submissions(*, user, limit: int = 20) -> list[RegulatoryReport]:
    return list(
        RegulatoryReport.objects.filter(
            state=ReportState.SUBMITTED, complaint__in=complaint_list(user=user).values("pk")
        )
        .select_related("complaint", "rule", "submitted_by")
        .order_by("-submitted_at", "-id")[:limit]
    )


def rule_list(*, user) -> QuerySet[ReportingRule]:
    return ReportingRule.objects.all().order_by("jurisdiction", "event", "sequence", "id")


def capa_list(*, user) -> QuerySet[Capa]:
    return (
        Capa.objects.select_related("owner", "closed_by")
        .annotate(complaint_count=Count("complaints"))
        .order_by("-created_at", "-id")
    )


def open_capas() -> QuerySet[Capa]:
    return Capa.objects.filter(state=CapaState.OPEN).order_by("number")


def review_list(*, user) -> QuerySet[ReassignmentReview]:
    return ReassignmentReview.objects.select_related("engineer", "complaint", "earlier", "decided_by").order_by(
        "state", "-raised_at", "-id"
    )


def complaints_for_lot(*, user, lot=None, lot_no: str = "") -> QuerySet[Complaint]:
    """Complaints that name a lot (by catalogue lot or by the number the complainant gave)."""
    q = Q()
    if lot is not None:
        q |= Q(lot=lot) | Q(lot_no__iexact=lot.lot_no, item=lot.item)
    if lot_no:
        q |= Q(lot_no__iexact=lot_no)
    if not q:
        return Complaint.objects.none()
    return complaint_list(user=user).filter(q)


def complaints_for_serial(*, user, serial_no: str) -> QuerySet[Complaint]:
    serial_no = (serial_no or "").strip()
    if not serial_no:
        return Complaint.objects.none()
    return complaint_list(user=user).filter(Q(serial_no__iexact=serial_no) | Q(instrument__serial_no__iexact=serial_no))


# --- reads of the complaint pages (list filters, the work-order panel, the board) -------------


def _scoped(user) -> QuerySet[Complaint]:
    """The complaints the user may see, without the list's joins (for sub-selects and counts);
    distinct, as complaint_list (an OR across joins could repeat rows)."""
    scoped = Complaint.objects.filter(complaint_scope_q(user))
    return scoped if sees_all(user) else Complaint.objects.filter(pk__in=scoped.values("pk"))


def complaints_for_work_order(*, user, order) -> list[Complaint]:
    """The complaints a work order opened that the user may see (its page's panel)."""
    return list(
        _scoped(user)
        .filter(work_order=order)
        .only("pk", "number", "status", "summary", "kind", "received_at")
        .order_by("-received_at", "-id")
    )


def complaint_list_page(*, user) -> QuerySet[Complaint]:
    """The list page's rows: complaint_list plus the next deadline of a pending regulatory
    report (one aggregate in the same query, so a page costs the same with 5 or 500 rows)."""
    from django.db.models import Min

    return complaint_list(user=user).annotate(
        next_due_at=Min("reports__due_at", filter=Q(reports__state=ReportState.PENDING))
    )


def with_overdue_reports(queryset: QuerySet[Complaint], *, present: bool = True, at=None) -> QuerySet[Complaint]:
    """Complaints with (present=False: without) a pending regulatory report past its deadline."""
    at = at or timezone.now()
    overdue = RegulatoryReport.objects.filter(state=ReportState.PENDING, due_at__lte=at).values("complaint_id")
    return queryset.filter(pk__in=overdue) if present else queryset.exclude(pk__in=overdue)


def with_pending_reports(queryset: QuerySet[Complaint], *, present: bool = True) -> QuerySet[Complaint]:
    """Complaints with (present=False: without) a regulatory report still to submit."""
    pending = RegulatoryReport.objects.filter(state=ReportState.PENDING).values("complaint_id")
    return queryset.filter(pk__in=pending) if present else queryset.exclude(pk__in=pending)


def complaint_by_number(*, user, number: str) -> Complaint | None:
    """An earlier complaint named by its number (the "covered by" of a waived investigation)."""
    number = (number or "").strip()
    if not number:
        return None
    return _scoped(user).filter(number__iexact=number).first()


def rules_by_event() -> dict[str, list[ReportingRule]]:
    """{event category: its active rules in order} — what each reportability choice starts."""
    found: dict[str, list[ReportingRule]] = {}
    for rule in ReportingRule.objects.filter(is_active=True).order_by("event", "sequence", "id"):
        found.setdefault(rule.event, []).append(rule)
    return found


def review_for(complaint: Complaint) -> ReassignmentReview | None:
    return (
        ReassignmentReview.objects.filter(complaint=complaint)
        .select_related("engineer", "earlier", "decided_by")
        .first()
    )


def open_counts_by_status(*, user) -> list[tuple[str, int]]:
    """(status, count) of the open complaints the user sees, in the order of the workflow."""
    from apps.complaints.choices import Status

    rows = dict(
        _scoped(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk", distinct=True))
        .values_list("status", "n")
    )
    return [(status, rows.get(status, 0)) for status in Status.values if status in OPEN_STATUSES]


def breached_complaint_clocks(*, user, at=None, limit: int = 50) -> list:
    """CP-4: complaints whose reply / plan / resolution clock ran out, most overdue first, each
    clock with its complaint attached (`clock.complaint`) — two queries whatever the count."""
    from django.contrib.contenttypes.models import ContentType

    from apps.sla.choices import OPEN_CLOCK_STATES
    from apps.sla.models import SlaClock

    at = at or timezone.now()
    clocks = list(
        SlaClock.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            state__in=OPEN_CLOCK_STATES,
            due_at__lte=at,
            object_id__in=_scoped(user).filter(status__in=OPEN_STATUSES).values("pk"),
        )
        .select_related("policy", "owner")
        .order_by("due_at", "id")[:limit]
    )
    complaints = Complaint.objects.select_related("customer").in_bulk({c.object_id for c in clocks})
    for clock in clocks:
        clock.complaint = complaints.get(clock.object_id)
    return clocks


def capa_detail(*, user, pk) -> Capa:
    capa = capa_list(user=user).filter(pk=pk).first()
    if capa is None:
        raise Http404
    return capa


def capa_complaints(*, user, capa: Capa) -> list[Complaint]:
    """The complaints linked to a CAPA that the user may see."""
    return list(complaint_list(user=user).filter(capas=capa).order_by("-received_at", "-id")[:200])


def linkable_capas(complaint: Complaint) -> QuerySet[Capa]:
    """Open CAPAs the complaint is not linked to yet."""
    return open_capas().exclude(complaints=complaint)


def report_for_complaint(*, user, complaint_pk, pk) -> RegulatoryReport:
    """One regulatory report of a complaint the user may see, or 404."""
    report = (
        RegulatoryReport.objects.filter(pk=pk, complaint_id=complaint_pk, complaint__in=_scoped(user).values("pk"))
        .select_related("complaint", "rule")
        .first()
    )
    if report is None:
        raise Http404
    return report


def report_list(*, user) -> QuerySet[RegulatoryReport]:
    """Every regulatory report of the complaints the user may see, most urgent first (the API list)."""
    return (
        RegulatoryReport.objects.filter(complaint__in=Complaint.objects.filter(complaint_scope_q(user)).values("pk"))
        .select_related("complaint", "rule", "submitted_by")
        .order_by("due_at", "id")
    )
