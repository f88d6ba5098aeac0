"""Reads of work orders, scoped to what the user may see (the same scope for pages, API,
exports and the dispatch board)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.choices import Role
from apps.core.access import sees_all
from apps.customers.selectors import customer_scope_q
from apps.workorders import policies
from apps.workorders.choices import OPEN_STATUSES
from apps.workorders.models import ChecklistItem, WorkOrder, WorkOrderEvent


def workorder_scope_q(user) -> Q:
    """SPEC §0: heads and the hotline see every order; engineers and customer managers their
    regions' customers and what is assigned to them; sales their customers and what they
    registered; dealers what they serve."""
    if sees_all(user):
        return Q()
    role = user.role
    if role == Role.ENGINEER:
        return Q(engineer=user) | customer_scope_q(user, "customer__")
    if role == Role.CUSTOMER_MANAGER:
        return customer_scope_q(user, "customer__") | Q(engineer__regions__customer_manager=user)
    if role == Role.SALES:
        return Q(sales=user) | Q(created_by=user) | customer_scope_q(user, "customer__")
    if role == Role.DEALER:
        q = Q(created_by=user)
        if user.dealer_id:
            q |= customer_scope_q(user, "customer__") | Q(instrument__dealer_id=user.dealer_id)
        return q
    return Q(pk__in=[])


def workorder_list(*, user) -> QuerySet[WorkOrder]:
    scoped = WorkOrder.objects.filter(workorder_scope_q(user))
    if not sees_all(user):
        # OR across joins can repeat rows; a sub-select keeps the list distinct and indexable.
        scoped = WorkOrder.objects.filter(pk__in=scoped.values("pk"))
    return scoped.select_related("customer", "instrument", "instrument_model", "engineer", "sales", "region").order_by(
        "-created_at", "-id"
    )


def workorder_search(queryset: QuerySet[WorkOrder], text: str) -> QuerySet[WorkOrder]:
    text = text.strip()
    lowered = text.lower().replace(" ", "")
    return queryset.filter(
        Q(number__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__name_initials__icontains=lowered)
        | Q(instrument__serial_no__icontains=text)
        | Q(description__icontains=text)
    )


def workorder_detail(*, user, pk) -> WorkOrder:
    """One order the user may see, with what the detail page shows (raises DoesNotExist)."""
    return (
        workorder_list(user=user)
        .select_related(
            "contact",
            "department",
            "dispatched_by",
            "created_by",
            "complaint_assessed_by",
            "arrears_agreed_by",
            "region__customer_manager",
            "customer__responsible_sales",
            "customer__dealer",
            "lot__item",
        )
        .prefetch_related(
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor")),
            Prefetch("checklist", queryset=ChecklistItem.objects.select_related("done_by")),
            "attachments__uploaded_by",
            "visits__engineer",
            "parts__item",
            "reports",
        )
        .get(pk=pk)
    )


def application_for(order):
    from apps.workorders.models import ServiceApplication

    return (
        ServiceApplication.objects.filter(work_order=order)
        .select_related("filed_by")
        .prefetch_related("decisions__decided_by")
        .first()
    )


def recent_jobs(*, user, instrument=None, customer=None, exclude=None, limit: int = policies.RECENT_JOBS_SHOWN):
    """SPEC WO-1: the clerk sees the last jobs on that instrument (else that customer)."""
    qs = workorder_list(user=user)
    if instrument is not None:
        qs = qs.filter(instrument=instrument)
    elif customer is not None:
        qs = qs.filter(customer=customer)
    else:
        return []
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return list(qs[:limit])


def intake_facts(*, user, customer=None, instrument=None, today=None) -> dict:
    """What the clerk must see while registering (WO-1, WO-10, WO-15)."""
    from apps.core.access import sees_internal_notes

    today = today or timezone.localdate()
    facts = {
        "customer": customer,
        "instrument": instrument,
        "in_warranty": None,
        "warranty_end": None,
        "in_arrears": False,
        "arrears_note": "",
        "recent": [],
        "open_orders": [],
    }
    if instrument is not None:
        facts["warranty_end"] = instrument.warranty_end
        facts["in_warranty"] = bool(instrument.warranty_end and today <= instrument.warranty_end)
    if customer is not None:
        facts["in_arrears"] = customer.in_arrears
        facts["arrears_note"] = customer.arrears_note if sees_internal_notes(user) else ""
        facts["open_orders"] = list(
            workorder_list(user=user).filter(customer=customer, status__in=OPEN_STATUSES)[: policies.RECENT_JOBS_SHOWN]
        )
    facts["recent"] = recent_jobs(user=user, instrument=instrument, customer=customer)
    return facts
