"""Reads of the product catalogue (SPEC MD-3). Every logged-in role sees the whole catalogue;
who may change it is the role table's business (apps.core.access, resource "catalog")."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch

LOT_MATCH_RELATED = (
    "reagent_lot__item",
    "calibrator_lot__item",
    "qc_lot__item",
)


def instrument_model_list(*, user) -> QuerySet[InstrumentModel]:
    return InstrumentModel.objects.annotate(
        item_count=Count("items", filter=Q(items__is_active=True), distinct=True)
    ).order_by("family", "code")


def instrument_model_search(queryset: QuerySet[InstrumentModel], text: str) -> QuerySet[InstrumentModel]:
    return queryset.filter(
        Q(code__icontains=text) | Q(name__icontains=text) | Q(manufacturer__icontains=text)
        | Q(registration_no__icontains=text)
    )


def item_list(*, user) -> QuerySet[CatalogItem]:
    return CatalogItem.objects.prefetch_related("compatible_models").order_by("kind", "code")


def item_search(queryset: QuerySet[CatalogItem], text: str) -> QuerySet[CatalogItem]:
    """Any part of the code, the name or the registration certificate number."""
    return queryset.filter(
        Q(code__icontains=text) | Q(name__icontains=text) | Q(registration_no__icontains=text)
    )


def lot_list(*, user) -> QuerySet[Lot]:
    return Lot.objects.select_related("item").order_by("-expires_on", "lot_no")


def lot_search(queryset: QuerySet[Lot], text: str) -> QuerySet[Lot]:
    """The lot number, or any part of its item's code or name."""
    return queryset.filter(
        Q(lot_no__icontains=text) | Q(item__code__icontains=text) | Q(item__name__icontains=text)
    )


def lots_expired(queryset: QuerySet[Lot], expired: bool = True) -> QuerySet[Lot]:
    """Lots past their expiry date (Lot.is_expired, in the database)."""
    today = timezone.localdate()
    return queryset.filter(expires_on__lt=today) if expired else queryset.filter(expires_on__gte=today)


def lots_expiring_within(queryset: QuerySet[Lot], days: int) -> QuerySet[Lot]:
    """Lots still usable today that expire within the next `days` days."""
    today = timezone.localdate()
    return queryset.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=days))


def lot_match_list(*, user) -> QuerySet[LotMatch]:
    return LotMatch.objects.select_related(*LOT_MATCH_RELATED).order_by("-id")


def lot_match_search(queryset: QuerySet[LotMatch], text: str) -> QuerySet[LotMatch]:
    """A lot number or an item code/name on any of the three lots, or the note."""
    q = Q(note__icontains=text)
    for role in ("reagent_lot", "calibrator_lot", "qc_lot"):
        q |= (
            Q(**{f"{role}__lot_no__icontains": text})
            | Q(**{f"{role}__item__code__icontains": text})
            | Q(**{f"{role}__item__name__icontains": text})
        )
    return queryset.filter(q)


def lot_matches_for(*, user, lot: Lot) -> QuerySet[LotMatch]:
    """Every match the lot takes part in, whatever its role in it (both directions)."""
    return lot_match_list(user=user).filter(Q(reagent_lot=lot) | Q(calibrator_lot=lot) | Q(qc_lot=lot))
