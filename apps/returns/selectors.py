"""Reads of returns and exchanges, scoped to what the user may see (pages, API and the Excel export)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from apps.core.access import can, sees_all
from apps.customers.selectors import customer_scope_q
from apps.returns.models import ReturnAttachment, ReturnEvent, ReturnRequest


def return_scope_q(user) -> Q:
    """Heads, the hotline, quality, commerce and finance see every application; engineers and
    customer managers those of their regions' customers, sales and dealers their customers' — and
    everyone the ones he entered."""
    if sees_all(user):
        return Q()
    return Q(created_by=user) | Q(sales=user) | customer_scope_q(user, "customer__")


def return_list(*, user) -> QuerySet[ReturnRequest]:
    if not can(user, "return_request", "view"):
        return ReturnRequest.objects.none()
    scoped = ReturnRequest.objects.filter(return_scope_q(user))
    if not sees_all(user):
        # OR across joins can repeat rows; a sub-select keeps the list distinct.
        scoped = ReturnRequest.objects.filter(pk__in=scoped.values("pk"))
    return scoped.select_related("customer", "instrument__model", "item", "lot", "sales", "created_by").order_by(
        "-applied_on", "-id"
    )


def return_search(queryset: QuerySet[ReturnRequest], text: str) -> QuerySet[ReturnRequest]:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(number__icontains=text)
        | Q(product_name__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(applicant_name__icontains=text)
        | Q(purchase_document__iexact=text)
        | Q(lot_no__iexact=text)
        | Q(serial_no__iexact=text)
    )


def return_detail(*, user, pk) -> ReturnRequest:
    """One application with its files and timeline, or ReturnRequest.DoesNotExist."""
    return (
        return_list(user=user)
        .select_related(
            "complaint",
            "work_order",
            "override_by",
            "assessed_by",
            "decided_by",
            "completed_by",
            "closed_by",
            "rejected_by",
        )
        .prefetch_related(
            Prefetch("attachments", queryset=ReturnAttachment.objects.select_related("uploaded_by")),
            Prefetch("events", queryset=ReturnEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )
