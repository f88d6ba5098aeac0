"""Reads of the trace and of field safety notices, scoped to what the user may see (pages, API
and exports alike). Every read runs a fixed number of queries, whatever the number of rows.

- `delivery_list`: deliveries of the customers the user serves;
- `trace_lot` / `trace_serial`: from a lot or a serial number to the customers that received it,
  the instruments that carry it, the complaints and the service records that mention it;
- `affected_customers`: who a notice reaches (the customers that received one of its lots or
  parts, or have one of its instruments) — what issuing turns into recipients;
- `notice_list`, `notice_detail`, `recipient_list`, `recipient_counts`, `recipient_from_token`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from apps.catalog.models import Lot
from apps.core.access import sees_all
from apps.core.ids import parse_id
from apps.customers.selectors import customer_scope_q
from apps.instruments.choices import InstrumentStatus
from apps.instruments.models import Instrument
from apps.instruments.selectors import instrument_scope_q
from apps.trace import policies
from apps.trace.choices import NoticeState
from apps.trace.models import Delivery, FieldNotice, NoticeEvent, NoticeRecipient, split_serials

# --- deliveries ------------------------------------------------------------------------------


def delivery_list(*, user) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(customer_scope_q(user, "customer__"))
        .select_related("customer", "item", "lot__item", "instrument__model", "dealer")
        .order_by("-delivered_on", "-id")
    )


def delivery_search(queryset: QuerySet[Delivery], text: str) -> QuerySet[Delivery]:
    """A delivery note / order number, a lot or serial number, an item, or the customer."""
    text = (text or "").strip()
    if not text:
        return queryset
    lowered = text.lower().replace(" ", "")
    return queryset.filter(
        Q(document_no__icontains=text)
        | Q(lot__lot_no__iexact=text)
        | Q(serial_no__iexact=text)
        | Q(item__code__iexact=text)
        | Q(item__name__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__code__iexact=text)
        | Q(customer__name_initials__icontains=lowered)
    )


# --- the trace ---------------------------------------------------------------------------------


@dataclass
class CustomerRow:
    """One customer that received the lot / serial: its delivery lines, total and dealers."""

    customer: object
    deliveries: list = field(default_factory=list)
    quantity: int = 0
    first_on: dt.date | None = None
    last_on: dt.date | None = None
    dealers: list = field(default_factory=list)


@dataclass
class Trace:
    """What a lot or serial number leads to. `candidates`: the lots of several items that share
    the number (the user chooses one); `limit`: each list holds at most this many rows (None:
    all of them, for the export)."""

    kind: str  # "lot" | "serial"
    number: str
    lot: Lot | None = None
    instrument: Instrument | None = None
    candidates: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    customers: list = field(default_factory=list)
    instruments: list = field(default_factory=list)
    complaints: list = field(default_factory=list)
    work_orders: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    history: list = field(default_factory=list)
    limit: int | None = None
    truncated: list = field(default_factory=list)  # names of the lists cut at `limit`

    @property
    def found(self) -> bool:
        return bool(
            self.lot or self.instrument or self.deliveries or self.complaints or self.work_orders or self.notices
        )

    @property
    def needs_choice(self) -> bool:
        return self.lot is None and len(self.candidates) > 1


def _limited(trace: Trace, name: str, queryset) -> list:
    if trace.limit is None:
        return list(queryset)
    rows = list(queryset[: trace.limit + 1])
    if len(rows) > trace.limit:
        trace.truncated.append(name)
        rows = rows[: trace.limit]
    return rows


def _customer_rows(deliveries) -> list[CustomerRow]:
    rows: dict[int, CustomerRow] = {}
    for delivery in deliveries:
        row = rows.get(delivery.customer_id)
        if row is None:
            row = rows[delivery.customer_id] = CustomerRow(customer=delivery.customer)
        row.deliveries.append(delivery)
        row.quantity += delivery.quantity
        row.first_on = min(filter(None, [row.first_on, delivery.delivered_on]))
        row.last_on = max(filter(None, [row.last_on, delivery.delivered_on]))
        if delivery.dealer_id and delivery.dealer not in row.dealers:
            row.dealers.append(delivery.dealer)
    return sorted(rows.values(), key=lambda r: (r.first_on or dt.date.min, r.customer.name))


def lots_numbered(lot_no: str) -> list[Lot]:
    """The catalogue lots with this number (several items may use the same number)."""
    lot_no = (lot_no or "").strip()
    if not lot_no:
        return []
    return list(
        Lot.objects.filter(lot_no__iexact=lot_no)
        .select_related("item")
        .order_by("item__code", "id")[: policies.LOT_CHOICES_LIMIT]
    )


def _scoped_deliveries(user):
    return delivery_list(user=user).filter(is_active=True).order_by("delivered_on", "id")


def trace_lot(*, user, lot_no: str = "", lot_id=None, limit: int | None = policies.TRACE_SECTION_LIMIT) -> Trace:
    """From a lot number (or a chosen catalogue lot) to its customers, the instruments at those
    customers that can run the item (its compatible models), the complaints and the work orders
    that name the lot. A number several items share: `candidates`, nothing else until chosen."""
    from apps.complaints.selectors import complaints_for_lot
    from apps.workorders.selectors import workorder_list

    lot_no = (lot_no or "").strip()
    lot = None
    candidates = []
    pk = parse_id(lot_id) if lot_id not in (None, "") else None
    if pk is not None:
        lot = Lot.objects.select_related("item").filter(pk=pk).first()
    if lot is None:
        candidates = lots_numbered(lot_no)
        if len(candidates) == 1:
            lot = candidates[0]
    trace = Trace(kind="lot", number=lot.lot_no if lot else lot_no, lot=lot, candidates=candidates, limit=limit)
    if trace.needs_choice:
        return trace
    if lot is not None:
        deliveries = _limited(trace, "deliveries", _scoped_deliveries(user).filter(lot=lot))
        trace.deliveries = deliveries
        trace.customers = _customer_rows(deliveries)
        model_ids = list(lot.item.compatible_models.values_list("pk", flat=True))
        customer_ids = _scoped_deliveries(user).filter(lot=lot).values("customer_id")
        trace.instruments = _limited(
            trace,
            "instruments",
            Instrument.objects.filter(
                instrument_scope_q(user), customer_id__in=customer_ids, model_id__in=model_ids, is_active=True
            )
            .select_related("model", "customer")
            .order_by("customer__name", "serial_no"),
        )
        trace.work_orders = _limited(trace, "work_orders", workorder_list(user=user).filter(lot=lot))
        naming = FieldNotice.lots.through.objects.filter(lot_id=lot.pk).values("fieldnotice_id")
        trace.notices = list(notice_list(user=user).filter(pk__in=naming))
    if lot is not None or lot_no:
        trace.complaints = _limited(
            trace, "complaints", complaints_for_lot(user=user, lot=lot, lot_no="" if lot else lot_no)
        )
    return trace


def trace_serial(*, user, serial_no: str, limit: int | None = policies.TRACE_SECTION_LIMIT) -> Trace:
    """From a serial number to the instrument (where it stands, its field history), the
    deliveries of that unit or serial-tracked part, the complaints and the work orders."""
    from apps.complaints.selectors import complaints_for_serial
    from apps.core.history import history_for
    from apps.workorders.selectors import workorder_list

    serial_no = (serial_no or "").strip()
    trace = Trace(kind="serial", number=serial_no, limit=limit)
    if not serial_no:
        return trace
    instrument = (
        Instrument.objects.filter(instrument_scope_q(user), serial_no__iexact=serial_no)
        .select_related("model", "customer", "department", "dealer")
        .first()
    )
    trace.instrument = instrument
    lines = Q(serial_no__iexact=serial_no)
    if instrument is not None:
        lines |= Q(instrument=instrument)
    deliveries = _limited(trace, "deliveries", _scoped_deliveries(user).filter(lines))
    trace.deliveries = deliveries
    trace.customers = _customer_rows(deliveries)
    trace.complaints = _limited(trace, "complaints", complaints_for_serial(user=user, serial_no=serial_no))
    if instrument is not None:
        trace.instruments = [instrument]
        trace.work_orders = _limited(trace, "work_orders", workorder_list(user=user).filter(instrument=instrument))
        trace.history = history_for([instrument], user=user, limit=50)
    by_unit = set()
    if instrument is not None:
        by_unit = set(
            FieldNotice.instruments.through.objects.filter(instrument_id=instrument.pk).values_list(
                "fieldnotice_id", flat=True
            )
        )
    wanted = serial_no.lower()
    trace.notices = [
        n
        for n in notice_list(user=user).filter(Q(serial_numbers__icontains=serial_no) | Q(pk__in=by_unit))
        if n.pk in by_unit or wanted in {s.lower() for s in n.serial_list}
    ]
    return trace


# --- who a notice reaches ------------------------------------------------------------------------


def affected_customers(*, lots, instruments, serial_numbers) -> dict[int, list[str]]:
    """customer id → what of the notice it has ("R-GLU / 20260301 × 20 (2026-03-05)",
    "YH30-0001 (YH-30)"). Exactly: the customers of active deliveries of one of the lots or of
    a part with one of the serial numbers, and the customers where one of the instruments (or
    an active instrument with one of the serial numbers) stands. Three queries."""
    lot_ids = [getattr(lot, "pk", lot) for lot in lots]
    instrument_ids = [getattr(i, "pk", i) for i in instruments]
    serials = split_serials(serial_numbers) if isinstance(serial_numbers, str) else list(serial_numbers)
    found: dict[int, list[str]] = {}

    def add(customer_id, text):
        texts = found.setdefault(customer_id, [])
        if text not in texts:
            texts.append(text)

    # Serial numbers match whatever their case, as everywhere else in the trace: "col-778" on the
    # notice is the part delivered as "COL-778" (a missed customer is a recall not received).
    wanted = sorted({s.upper() for s in serials})
    line_q = Q(lot_id__in=lot_ids) if lot_ids else Q(pk__in=[])
    if wanted:
        line_q |= Q(serial_upper__in=wanted, instrument__isnull=True)
    deliveries = (
        Delivery.objects.annotate(serial_upper=Upper("serial_no"))
        .filter(line_q, is_active=True)
        .select_related("item", "lot")
        .order_by("delivered_on", "id")
    )
    for d in deliveries:
        what = f"{d.item.code} / {d.lot.lot_no}" if d.lot_id else f"{d.item.code} / {d.serial_no}"
        add(d.customer_id, f"{what} × {d.quantity} ({d.delivered_on:%Y-%m-%d})")
    unit_q = Q(pk__in=instrument_ids) if instrument_ids else Q(pk__in=[])
    if wanted:
        # A serial number reaches the unit where it stands now: not a record taken out of use
        # nor a unit that came back or was scrapped (an instrument named on the notice counts).
        unit_q |= Q(serial_upper__in=wanted, is_active=True) & ~Q(
            status__in=[InstrumentStatus.RETURNED, InstrumentStatus.SCRAPPED]
        )
    units = Instrument.objects.annotate(serial_upper=Upper("serial_no")).filter(unit_q)
    for unit in units.select_related("model").order_by("serial_no"):
        add(unit.customer_id, f"{unit.serial_no} ({unit.model.code})")
    return found


# --- notices ---------------------------------------------------------------------------------------


def recipient_scope_q(user, prefix: str = "") -> Q:
    """Recipients of the customers the user serves (quality and the heads: all)."""
    return customer_scope_q(user, f"{prefix}customer__")


def notice_list(*, user, at: dt.datetime | None = None) -> QuerySet[FieldNotice]:
    """Every notice (a recall is company business), with the counts of its recipients the user
    may see: total, told, acknowledged, overdue (past due and not told)."""
    at = at or timezone.now()
    scope = Q() if sees_all(user) else recipient_scope_q(user, "recipients__")
    return (
        FieldNotice.objects.select_related("issued_by")
        .annotate(
            recipient_count=Count("recipients", filter=scope, distinct=True),
            notified_count=Count("recipients", filter=scope & Q(recipients__notified_at__isnull=False), distinct=True),
            acknowledged_count=Count(
                "recipients", filter=scope & Q(recipients__acknowledged_at__isnull=False), distinct=True
            ),
            overdue_count=Count(
                "recipients",
                filter=scope & Q(recipients__notified_at__isnull=True, recipients__due_at__lt=at),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )


def notice_list_with_links(*, user) -> QuerySet[FieldNotice]:
    """notice_list with each notice's lots and instruments (the API lists their ids)."""
    return notice_list(user=user).prefetch_related(
        Prefetch("lots", queryset=Lot.objects.only("pk")),
        Prefetch("instruments", queryset=Instrument.objects.only("pk")),
    )


def notice_search(queryset: QuerySet[FieldNotice], text: str) -> QuerySet[FieldNotice]:
    text = (text or "").strip()
    if not text:
        return queryset
    # Sub-selects, not joins: the counts of notice_list must not multiply.
    by_lot = FieldNotice.lots.through.objects.filter(lot__lot_no__iexact=text).values("fieldnotice_id")
    by_unit = FieldNotice.instruments.through.objects.filter(instrument__serial_no__iexact=text).values(
        "fieldnotice_id"
    )
    return queryset.filter(
        Q(number__icontains=text)
        | Q(title__icontains=text)
        | Q(pk__in=by_lot)
        | Q(pk__in=by_unit)
        | Q(serial_numbers__icontains=text)
    )


def notice_detail(*, user, pk) -> FieldNotice:
    """One notice with its lots, instruments and timeline (raises DoesNotExist)."""
    pk = parse_id(pk)
    if pk is None:
        raise FieldNotice.DoesNotExist
    return (
        notice_list(user=user)
        .select_related("created_by", "closed_by")
        .prefetch_related(
            Prefetch("lots", queryset=Lot.objects.select_related("item").order_by("item__code", "lot_no")),
            Prefetch("instruments", queryset=Instrument.objects.select_related("model", "customer")),
            Prefetch(
                "events",
                queryset=NoticeEvent.objects.select_related("actor", "recipient__customer").order_by("at", "id"),
            ),
        )
        .get(pk=pk)
    )


def recipient_list(*, user) -> QuerySet[NoticeRecipient]:
    return (
        NoticeRecipient.objects.filter(recipient_scope_q(user))
        .select_related(
            "notice",
            "customer__responsible_sales",
            "customer__responsible_engineer",
            "notified_by",
            "ack_recorded_by",
        )
        .order_by("notice", "customer__code", "id")
    )


def recipients_pending(queryset: QuerySet[NoticeRecipient]) -> QuerySet[NoticeRecipient]:
    """Who has not acknowledged yet."""
    return queryset.filter(acknowledged_at__isnull=True)


def recipient_counts(queryset: QuerySet[NoticeRecipient], *, at: dt.datetime | None = None) -> dict:
    """Total, told, acknowledged, not acknowledged, overdue (past due, not told) — one query."""
    at = at or timezone.now()
    counts = queryset.order_by().aggregate(
        total=Count("pk"),
        notified=Count("pk", filter=Q(notified_at__isnull=False)),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        overdue=Count("pk", filter=Q(notified_at__isnull=True, due_at__lt=at)),
    )
    counts["pending"] = counts["total"] - counts["acknowledged"]
    return counts


def open_notices() -> QuerySet[FieldNotice]:
    return FieldNotice.objects.filter(state=NoticeState.ISSUED).order_by("issued_at", "id")


# --- the personal acknowledgement link ---------------------------------------------------------------


def _signer() -> signing.Signer:
    return signing.Signer(salt=policies.ACK_LINK_SALT)


def link_token(recipient: NoticeRecipient) -> str:
    """The signed token of the customer's link: the recipient's id and its nonce."""
    return _signer().sign(f"{recipient.pk}.{recipient.link_nonce}")


def recipient_from_token(token: str) -> NoticeRecipient:
    """The recipient of a signed link token; a token that is not ours (forged, tampered, an old
    nonce) raises NoticeRecipient.DoesNotExist — the page answers 404 and says nothing more."""
    try:
        value = _signer().unsign(token or "")
    except signing.BadSignature:
        raise NoticeRecipient.DoesNotExist from None
    raw_pk, _sep, nonce = value.partition(".")
    pk = parse_id(raw_pk)
    if pk is None or not nonce:
        raise NoticeRecipient.DoesNotExist
    recipient = NoticeRecipient.objects.select_related("notice", "customer").get(pk=pk)
    if not secrets.compare_digest(nonce, recipient.link_nonce):
        raise NoticeRecipient.DoesNotExist
    if recipient.notice.state == NoticeState.DRAFT:
        raise NoticeRecipient.DoesNotExist
    return recipient
