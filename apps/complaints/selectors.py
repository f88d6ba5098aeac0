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
