"""Reads of the installed base, scoped like the customers they stand at."""

from django.db.models import Q, QuerySet

from apps.accounts.choices import Role
from apps.customers.selectors import customer_scope_q
from apps.instruments.models import Instrument


def instrument_scope_q(user) -> Q:
    q = customer_scope_q(user, "customer__")
    if user.role == Role.DEALER and user.dealer_id and not user.is_superuser:
        # A dealer also sees the units it placed, wherever they stand.
        q |= Q(dealer_id=user.dealer_id)
    return q


def instrument_list(*, user) -> QuerySet[Instrument]:
    return (
        Instrument.objects.filter(instrument_scope_q(user))
        .select_related("model", "customer__city__parent", "department", "dealer")
        .order_by("serial_no")
    )


def instrument_search(queryset: QuerySet[Instrument], text: str) -> QuerySet[Instrument]:
    """Serial number, model code or name, or the customer's name (the hotline's ways in)."""
    # Sub-selects rather than joins: each branch can use its own (trigram) index on PostgreSQL
    # instead of filtering the joined rows one by one.
    from apps.catalog.models import InstrumentModel
    from apps.customers.models import Customer

    models_matching = InstrumentModel.objects.filter(Q(code__icontains=text) | Q(name__icontains=text))
    customers_matching = Customer.objects.filter(name__icontains=text)
    return queryset.filter(
        Q(serial_no__icontains=text)
        | Q(contract_no__iexact=text)
        | Q(model_id__in=models_matching.values("pk"))
        | Q(customer_id__in=customers_matching.values("pk"))
    )


def instrument_for_qr(token: str) -> Instrument | None:
    """The active instrument a QR sticker points at (public: no user, so no scoping — the
    token itself is the secret). None when the token is unknown or the unit was retired."""
    return (
        Instrument.objects.filter(qr_token=token, is_active=True)
        .select_related("model", "customer", "department")
        .first()
    )
