"""Reads of suggestions, scoped to what the user may see (pages, API and the Excel export alike)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from apps.core.access import can
from apps.customers.selectors import customer_scope_q
from apps.suggestions.choices import READERS_OF_ALL
from apps.suggestions.models import Suggestion, SuggestionEvent


def suggestion_scope_q(user) -> Q:
    """The technical head's side, the leaders, quality and the hotline read every suggestion;
    the others those they made or recorded, and the suggestions of the customers they serve
    (a colleague's own suggestion stays between him and the technical side)."""
    if user.is_superuser or user.role in READERS_OF_ALL:
        return Q()
    return (
        Q(submitter=user)
        | Q(received_by=user)
        | Q(sales=user)
        | (Q(customer__isnull=False) & customer_scope_q(user, "customer__"))
    )


def suggestion_list(*, user) -> QuerySet[Suggestion]:
    if not can(user, "suggestion", "view"):
        return Suggestion.objects.none()
    scoped = Suggestion.objects.filter(suggestion_scope_q(user))
    if not (user.is_superuser or user.role in READERS_OF_ALL):
        # OR across joins can repeat rows; a sub-select keeps the list distinct.
        scoped = Suggestion.objects.filter(pk__in=scoped.values("pk"))
    return scoped.select_related("customer", "submitter", "received_by", "decided_by", "sales").order_by(
        "-received_on", "-id"
    )


def suggestion_search(queryset: QuerySet[Suggestion], text: str) -> QuerySet[Suggestion]:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(number__icontains=text)
        | Q(title__icontains=text)
        | Q(content__icontains=text)
        | Q(submitter_name__icontains=text)
        | Q(customer__name__icontains=text)
    )


def suggestion_detail(*, user, pk) -> Suggestion:
    """One suggestion with its timeline, or Suggestion.DoesNotExist when the user may not see it."""
    return (
        suggestion_list(user=user)
        .select_related("answered_by", "withdrawn_by")
        .prefetch_related(Prefetch("events", queryset=SuggestionEvent.objects.select_related("actor")))
        .get(pk=pk)
    )
