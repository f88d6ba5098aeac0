"""Reads of trending (SPEC CP-7): monthly counts of complaints and service faults per model, lot,
part and cause, and the thresholds and signals — for the report page, its Excel export, the API
and the daily scan alike.

What is counted:
- a complaint in the month it was received (Asia/Shanghai), unless it was found not to be a
  complaint;
- a service fault in the month its work order was registered: a repair job, or any job with a
  fault cause other than "no fault found" (policies.FAULT_WORK_TYPES, NOT_A_FAULT_CAUSES); not a
  cancelled one;
- per model: the instrument model named on the complaint / order; per lot: the catalogue lot (a
  complaint's lot number that matches no catalogue lot counts under that number); per part: the
  part the investigation named on a complaint, the spare parts used or requested on a faulty
  order (one order counts once per part, whatever the quantity); per cause: the cause category
  (complaints not investigated yet and orders without a cause are not in the cause table).
Records without a value for the dimension are not counted there.

Scale: one GROUP BY query per source and dimension over the months asked (TruncMonth in the
company's time zone), never a query per row or per value. The range filters rely on the indexes
on Complaint.received_at (db_index, and complaint_lot_received for lots) and on
WorkOrder.created_at (see the report to the lead: an index starting with created_at is needed on
work orders for millions of rows); labels are read in one query per dimension for the values
shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.access import sees_all
from apps.core.dates import add_months
from apps.trending import policies
from apps.trending.choices import Dimension, SignalState, Source
from apps.trending.models import TrendSignal, TrendThreshold

TZ = ZoneInfo(policies.TIME_ZONE)
FREE_LOT_PREFIX = "#"


# --- months ----------------------------------------------------------------------------------


def this_month(at: dt.datetime | None = None) -> dt.date:
    """The first day of the calendar month `at` falls in, in the company's time zone."""
    return timezone.localtime(at or timezone.now(), TZ).date().replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_start(month: dt.date) -> dt.datetime:
    """Midnight of the month's first day in Shanghai (an aware datetime)."""
    return dt.datetime(month.year, month.month, 1, tzinfo=TZ)


def parse_month(text: str | None) -> dt.date | None:
    """ "2026-03" → 2026-03-01; None when malformed or implausible — never an exception."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-"))
        day = dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 1) else None


class RangeError(ValueError):
    """A month range that cannot be reported, with the message for the user."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(message)


def month_range(first: str | None = None, last: str | None = None, *, at=None) -> list[dt.date]:
    """The months from `first` to `last` ("YYYY-MM", both included). Missing ends: the last
    policies.DEFAULT_MONTHS months up to the current one. RangeError for a malformed, reversed or
    too long range."""
    current = this_month(at)
    end = current
    if last:
        end = parse_month(last)
        if end is None:
            raise RangeError("to", _("Give the last month as YYYY-MM."))
    if first:
        start = parse_month(first)
        if start is None:
            raise RangeError("from", _("Give the first month as YYYY-MM."))
    else:
        start = add_months(end, -(policies.DEFAULT_MONTHS - 1))
    if start > end:
        raise RangeError("from", _("The first month comes after the last one."))
    months = months_between(start, end)
    if len(months) > policies.MAX_MONTHS:
        raise RangeError("from", _("Show at most %(n)s months at a time.") % {"n": policies.MAX_MONTHS})
    return months


# --- counting --------------------------------------------------------------------------------


def _in_scope(queryset: QuerySet, scope_q, user) -> QuerySet:
    """The rows the user may see (everybody who may read trends sees every row today; the scope
    keeps a region-bound role from counting what it could not open)."""
    if user is None or sees_all(user):
        return queryset
    model = queryset.model
    return queryset.filter(pk__in=model.objects.filter(scope_q(user)).values("pk"))


def complaints_counted(*, start: dt.datetime, end: dt.datetime, user=None) -> QuerySet:
    from apps.complaints.choices import Status
    from apps.complaints.models import Complaint
    from apps.complaints.selectors import complaint_scope_q

    queryset = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).exclude(
        status=Status.NOT_COMPLAINT
    )
    return _in_scope(queryset, complaint_scope_q, user)


def fault_q(prefix: str = "") -> Q:
    """A service fault (see the module docstring), for WorkOrder or through a relation `prefix`."""
    has_cause = ~Q(**{f"{prefix}fault_cause": ""}) & ~Q(**{f"{prefix}fault_cause__in": policies.NOT_A_FAULT_CAUSES})
    return (Q(**{f"{prefix}work_type__in": policies.FAULT_WORK_TYPES}) | has_cause) & ~Q(
        **{f"{prefix}status__in": policies.EXCLUDED_WORK_ORDER_STATUSES}
    )


def faults_counted(*, start: dt.datetime, end: dt.datetime, user=None) -> QuerySet:
    from apps.workorders.models import WorkOrder
    from apps.workorders.selectors import workorder_scope_q

    queryset = WorkOrder.objects.filter(fault_q(), created_at__gte=start, created_at__lt=end)
    return _in_scope(queryset, workorder_scope_q, user)


def _free_lot():
    """A complaint's lot number as the complainant gave it, where it matched no catalogue lot."""
    return Case(When(lot__isnull=True, then=F("lot_no")), default=Value(""), output_field=CharField())


def _complaint_rows(dimension: str, queryset: QuerySet):
    month = TruncMonth("received_at", tzinfo=TZ, output_field=DateField())
    queryset = queryset.annotate(month=month)
    if dimension == Dimension.MODEL:
        rows = queryset.filter(instrument_model__isnull=False).values("month", "instrument_model")
        key = lambda row: str(row["instrument_model"])  # noqa: E731
    elif dimension == Dimension.LOT:
        rows = (
            queryset.filter(Q(lot__isnull=False) | ~Q(lot_no=""))
            .annotate(free_lot=_free_lot())
            .values("month", "lot", "free_lot")
        )
        key = lambda row: str(row["lot"]) if row["lot"] else FREE_LOT_PREFIX + row["free_lot"].strip()  # noqa: E731
    elif dimension == Dimension.PART:
        rows = queryset.filter(part__isnull=False).values("month", "part")
        key = lambda row: str(row["part"])  # noqa: E731
    else:
        rows = queryset.exclude(cause_category="").values("month", "cause_category")
        key = lambda row: row["cause_category"]  # noqa: E731
    return rows.annotate(n=Count("pk")).order_by(), key


def _fault_rows(dimension: str, queryset: QuerySet):
    month = TruncMonth("created_at", tzinfo=TZ, output_field=DateField())
    queryset = queryset.annotate(month=month)
    if dimension == Dimension.MODEL:
        rows = queryset.filter(instrument_model__isnull=False).values("month", "instrument_model")
        key = lambda row: str(row["instrument_model"])  # noqa: E731
    elif dimension == Dimension.LOT:
        rows = queryset.filter(lot__isnull=False).values("month", "lot")
        key = lambda row: str(row["lot"])  # noqa: E731
    elif dimension == Dimension.PART:
        # One order counts once per part, however many it used.
        rows = queryset.filter(parts__isnull=False).values("month", "parts__item")
        key = lambda row: str(row["parts__item"])  # noqa: E731
        return rows.annotate(n=Count("pk", distinct=True)).order_by(), key
    else:
        rows = queryset.exclude(fault_cause="").values("month", "fault_cause")
        key = lambda row: row["fault_cause"]  # noqa: E731
    return rows.annotate(n=Count("pk")).order_by(), key


Counts = dict[str, dict[dt.date, int]]


def monthly_counts(*, source: str, dimension: str, months: list[dt.date], user=None) -> Counts:
    """{value key: {month: count}} for the months given — one query per source (two for both)."""
    if not months:
        return {}
    start, end = month_start(months[0]), month_start(add_months(months[-1], 1))
    counts: Counts = defaultdict(lambda: defaultdict(int))
    parts = []
    if source in (Source.COMPLAINTS, Source.BOTH):
        parts.append(_complaint_rows(dimension, complaints_counted(start=start, end=end, user=user)))
    if source in (Source.FAULTS, Source.BOTH):
        parts.append(_fault_rows(dimension, faults_counted(start=start, end=end, user=user)))
    for rows, key in parts:
        for row in rows:
            month = row["month"]
            if isinstance(month, dt.datetime):  # some backends hand back the truncated datetime
                month = month.date()
            counts[key(row)][month] += row["n"]
    return {k: dict(v) for k, v in counts.items()}


# --- labels ----------------------------------------------------------------------------------


def value_labels(dimension: str, keys) -> dict[str, str]:
    """What a user reads for each value key (one query for the whole set)."""
    keys = list(keys)
    labels: dict[str, str] = {}
    if dimension == Dimension.CAUSE:
        from apps.complaints.choices import CauseCategory

        names = dict(CauseCategory.choices)
        return {k: str(names.get(k, k)) for k in keys}
    ids = [int(k) for k in keys if k.isdigit()]
    if dimension == Dimension.MODEL:
        from apps.catalog.models import InstrumentModel

        labels = {str(m.pk): str(m) for m in InstrumentModel.objects.filter(pk__in=ids)}
    elif dimension == Dimension.PART:
        from apps.catalog.models import CatalogItem

        labels = {str(i.pk): str(i) for i in CatalogItem.objects.filter(pk__in=ids)}
    elif dimension == Dimension.LOT:
        from apps.catalog.models import Lot

        labels = {str(lot.pk): str(lot) for lot in Lot.objects.filter(pk__in=ids).select_related("item")}
        for k in keys:
            if k.startswith(FREE_LOT_PREFIX):
                labels[k] = _("%(lot)s (not in the catalogue)") % {"lot": k[len(FREE_LOT_PREFIX) :]}
    return {k: labels.get(k, k) for k in keys}


# --- thresholds on the table -----------------------------------------------------------------


def thresholds_for(*, source: str, dimension: str) -> list[TrendThreshold]:
    return list(
        TrendThreshold.objects.filter(is_active=True, source=source, dimension=dimension).order_by("count", "id")
    )


def limit_for(key: str, thresholds: list[TrendThreshold]) -> int | None:
    """The lowest count at which any of the thresholds signals this value."""
    limits = [t.count for t in thresholds if t.value_key in (None, key)]
    return min(limits) if limits else None


@dataclass
class Cell:
    month: dt.date
    count: int
    over: bool


@dataclass
class Bar:
    """One month's bar of a row's inline SVG chart (coordinates in the chart's own units)."""

    x: int
    y: int
    height: int
    over: bool
    title: str


@dataclass
class TrendRow:
    key: str
    label: str
    cells: list[Cell]
    limit: int | None

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells)

    @property
    def peak(self) -> int:
        return max((c.count for c in self.cells), default=0)

    @property
    def signalled(self) -> bool:
        return any(c.over for c in self.cells)


CHART_BAR = 8  # width of a month's bar plus its gap
CHART_HEIGHT = 30


@dataclass
class TrendTable:
    source: str
    dimension: str
    months: list[dt.date]
    rows: list[TrendRow] = field(default_factory=list)
    thresholds: list[TrendThreshold] = field(default_factory=list)

    @property
    def scale(self) -> int:
        peaks = [row.peak for row in self.rows] + [row.limit or 0 for row in self.rows if row.signalled]
        return max(peaks, default=0) or 1

    @property
    def chart_width(self) -> int:
        return len(self.months) * CHART_BAR

    @property
    def chart_height(self) -> int:
        return CHART_HEIGHT

    def bars(self, row: TrendRow) -> list[Bar]:
        scale = self.scale
        bars = []
        for i, cell in enumerate(row.cells):
            height = round(cell.count / scale * CHART_HEIGHT) if cell.count else 0
            if cell.count and height < 1:
                height = 1
            bars.append(
                Bar(
                    x=i * CHART_BAR,
                    y=CHART_HEIGHT - height,
                    height=height,
                    over=cell.over,
                    title=f"{cell.month:%Y-%m}: {cell.count}",
                )
            )
        return bars

    def limit_y(self, row: TrendRow) -> int | None:
        if row.limit is None or row.limit > self.scale:
            return None
        return CHART_HEIGHT - round(row.limit / self.scale * CHART_HEIGHT)

    @property
    def month_totals(self) -> list[int]:
        return [sum(row.cells[i].count for row in self.rows) for i in range(len(self.months))]

    @property
    def grand_total(self) -> int:
        return sum(row.total for row in self.rows)


def trend_table(*, source: str, dimension: str, months: list[dt.date], user=None) -> TrendTable:
    """The report: one row per value with a count per month (most counted first), each cell
    flagged when it reaches the lowest active threshold for that value."""
    counts = monthly_counts(source=source, dimension=dimension, months=months, user=user)
    labels = value_labels(dimension, counts)
    thresholds = thresholds_for(source=source, dimension=dimension)
    rows = []
    for key, by_month in counts.items():
        limit = limit_for(key, thresholds)
        cells = [
            Cell(month=m, count=by_month.get(m, 0), over=limit is not None and by_month.get(m, 0) >= limit)
            for m in months
        ]
        rows.append(TrendRow(key=key, label=labels[key], cells=cells, limit=limit))
    rows.sort(key=lambda row: (-row.total, row.label))
    return TrendTable(source=source, dimension=dimension, months=months, rows=rows, thresholds=thresholds)


# --- thresholds and signals ------------------------------------------------------------------


def threshold_list(*, user) -> QuerySet[TrendThreshold]:
    """Thresholds are company-wide configuration: every role that may read trends sees them all."""
    return (
        TrendThreshold.objects.select_related("instrument_model", "lot__item", "part")
        .annotate(open_signals=Count("signals", filter=Q(signals__state=SignalState.OPEN)))
        .order_by(*TrendThreshold._meta.ordering)
    )


def threshold_search(queryset: QuerySet[TrendThreshold], text: str) -> QuerySet[TrendThreshold]:
    text = (text or "").strip()
    return queryset.filter(
        Q(name__icontains=text)
        | Q(note__icontains=text)
        | Q(instrument_model__code__icontains=text)
        | Q(lot__lot_no__icontains=text)
        | Q(part__name__icontains=text)
        | Q(part__code__iexact=text)
    )


def signal_list(*, user) -> QuerySet[TrendSignal]:
    """Open signals first, then the newest month."""
    return TrendSignal.objects.select_related("threshold", "capa", "reviewed_by").order_by(
        Case(When(state=SignalState.OPEN, then=Value(0)), default=Value(1)), "-month", "-raised_at", "-id"
    )


def signal_search(queryset: QuerySet[TrendSignal], text: str) -> QuerySet[TrendSignal]:
    text = (text or "").strip()
    return queryset.filter(
        Q(value_label__icontains=text) | Q(threshold__name__icontains=text) | Q(reason__icontains=text)
    )


def signal_detail(*, user, pk) -> TrendSignal:
    return signal_list(user=user).get(pk=pk)


def open_signal_count() -> int:
    return TrendSignal.objects.filter(state=SignalState.OPEN).count()


def _value_q(dimension: str, key: str, *, complaint: bool) -> Q:
    if dimension == Dimension.CAUSE:
        return Q(cause_category=key) if complaint else Q(fault_cause=key)
    if dimension == Dimension.LOT and key.startswith(FREE_LOT_PREFIX):
        return Q(lot__isnull=True, lot_no=key[len(FREE_LOT_PREFIX) :]) if complaint else Q(pk__in=[])
    if not key.isdigit():
        return Q(pk__in=[])
    pk = int(key)
    if dimension == Dimension.MODEL:
        return Q(instrument_model_id=pk)
    if dimension == Dimension.LOT:
        return Q(lot_id=pk)
    return Q(part_id=pk) if complaint else Q(parts__item_id=pk)


@dataclass
class SignalRecords:
    complaints: list
    work_orders: list
    more: bool


def signal_records(signal: TrendSignal, *, user, limit: int = policies.RECORDS_SHOWN) -> SignalRecords:
    """The complaints and work orders behind a signal's count (what the reviewer reads first),
    each list capped at `limit`; two queries."""
    start, end = month_start(signal.month), month_start(add_months(signal.month, 1))
    complaints, orders = [], []
    if signal.source in (Source.COMPLAINTS, Source.BOTH):
        complaints = list(
            complaints_counted(start=start, end=end, user=user)
            .filter(_value_q(signal.dimension, signal.value_key, complaint=True))
            .select_related("customer")
            .order_by("received_at", "id")[: limit + 1]
        )
    if signal.source in (Source.FAULTS, Source.BOTH):
        from apps.workorders.models import WorkOrder

        matching = (
            faults_counted(start=start, end=end, user=user)
            .filter(_value_q(signal.dimension, signal.value_key, complaint=False))
            .values("pk")
        )
        orders = list(
            WorkOrder.objects.filter(pk__in=matching)
            .select_related("customer")
            .order_by("created_at", "id")[: limit + 1]
        )
    more = len(complaints) > limit or len(orders) > limit
    return SignalRecords(complaints=complaints[:limit], work_orders=orders[:limit], more=more)
