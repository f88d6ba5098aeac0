"""Who should go, and what is waiting: the dispatch suggestions of SPEC WO-6 and the dispatch
board of WO-4 … WO-6 / SLA-5. Reads only — every write goes through apps.workorders.services.

`suggest_engineers()` ranks the active field engineers for one order by the weights of
policies.RANK_* and says why each one is where he is. `dispatch_board()` collects today's open
jobs of the viewer's scope in columns, each capped, with their SLA clocks, and the load of
each engineer. Both run a fixed number of queries, however many engineers or orders exist.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value, When
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.accounts.choices import Role
from apps.accounts.models import Qualification, Region, User
from apps.core.access import sees_all
from apps.customers.models import Customer
from apps.workorders import policies, transitions
from apps.workorders.choices import Billing, Status, Urgency, WorkType
from apps.workorders.models import WorkOrder
from apps.workorders.selectors import workorder_list

# The statuses in which a job sits with an engineer (his load).
ENGINEER_JOB_STATUSES = (Status.DISPATCHED, Status.SCHEDULED, Status.ON_SITE)
EARTH_RADIUS_KM = 6371.0


class Reason(str):
    """One human-readable reason of a ranking ("resident in 南京市"). `tone` says whether it
    speaks for the engineer ("ok"), against him ("danger" / "warn") or neither ("")."""

    tone: str

    def __new__(cls, text, tone: str = ""):
        obj = super().__new__(cls, str(text))
        obj.tone = tone
        return obj


@dataclass
class Suggestion:
    """One engineer for one order, his score and why (SPEC WO-6)."""

    engineer: User
    score: float
    reasons: list[Reason]
    resident: bool
    skilled: bool
    qualified: bool | None  # None: the order names no instrument model
    load: int
    distance_km: float | None  # None: unknown (no penalty)


# --- distance --------------------------------------------------------------------------------


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points in kilometres."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _customer_point(customer) -> tuple[float, float] | None:
    if customer.latitude is None or customer.longitude is None:
        return None
    return float(customer.latitude), float(customer.longitude)


def _regions(engineer) -> list[Region]:
    """The engineer's regions as prefetched by engineers_for_ranking (else read now)."""
    if not hasattr(engineer, "region_list"):
        engineer.region_list = list(engineer.regions.all())
    return engineer.region_list


def engineer_bases(engineers: list[User]) -> dict[int, tuple[float, float]]:
    """Each engineer's base: the centroid of the customers he is responsible engineer for, else
    of the customers of his regions. Two queries for any number of engineers; engineers without
    either are absent (distance unknown). `engineers` should have their regions prefetched."""
    if not engineers:
        return {}
    bases: dict[int, tuple[float, float]] = {}
    located = Customer.objects.filter(is_active=True, latitude__isnull=False, longitude__isnull=False)
    for row in (
        located.filter(responsible_engineer__in=[e.pk for e in engineers])
        .order_by()
        .values("responsible_engineer_id")
        .annotate(n=Count("pk"), lat=Sum("latitude"), lng=Sum("longitude"))
    ):
        bases[row["responsible_engineer_id"]] = (float(row["lat"]) / row["n"], float(row["lng"]) / row["n"])

    rest = [e for e in engineers if e.pk not in bases and _regions(e)]
    if not rest:
        return bases
    region_ids = {r.pk for e in rest for r in _regions(e)}
    # Sums per city (a city lies in one province), added up per city and per province below.
    by_city: dict[int, tuple[int, float, float]] = {}
    by_province: dict[int, list[float]] = {}
    for row in (
        located.filter(Q(city__in=region_ids) | Q(province__in=region_ids))
        .order_by()
        .values("city_id", "province_id")
        .annotate(n=Count("pk"), lat=Sum("latitude"), lng=Sum("longitude"))
    ):
        n, lat, lng = row["n"], float(row["lat"]), float(row["lng"])
        by_city[row["city_id"]] = (n, lat, lng)
        total = by_province.setdefault(row["province_id"], [0, 0.0, 0.0])
        total[0], total[1], total[2] = total[0] + n, total[1] + lat, total[2] + lng
    for engineer in rest:
        regions = _regions(engineer)
        provinces = {r.pk for r in regions if r.parent_id is None}
        n, lat, lng = 0, 0.0, 0.0
        for region in regions:
            if region.parent_id is None:
                part = by_province.get(region.pk)
            elif region.parent_id in provinces:
                continue  # already counted with its province
            else:
                part = by_city.get(region.pk)
            if part:
                n, lat, lng = n + part[0], lat + part[1], lng + part[2]
        if n:
            bases[engineer.pk] = (lat / n, lng / n)
    return bases


# --- suggestions (SPEC WO-6) -----------------------------------------------------------------


def engineers_for_ranking(*, order, exclude=()):
    """Active field engineers with their open-job count, regions, skill groups and (when the
    order names a model) their active qualification for it — four queries in all."""
    qs = (
        User.objects.filter(role=Role.ENGINEER, is_active=True)
        .exclude(pk__in=[pk for pk in exclude if pk])
        .annotate(
            open_jobs=Count(
                "assigned_work_orders",
                filter=Q(assigned_work_orders__status__in=ENGINEER_JOB_STATUSES),
            )
        )
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.order_by("code", "name"), to_attr="region_list"),
            Prefetch("skill_groups", to_attr="skill_list"),
        )
        .order_by("name", "username")
    )
    if order.instrument_model_id:
        qs = qs.prefetch_related(
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.filter(instrument_model=order.instrument_model_id, is_active=True),
                to_attr="model_qualifications",
            )
        )
    return list(qs)


def _model_name(order) -> str:
    model = order.instrument_model
    return model.code if model is not None else ""


def _rank(order, engineer: User, *, on: dt.date, point, base) -> Suggestion:
    reasons: list[Reason] = []
    score = 0.0
    customer = order.customer

    # Resident in the order's region first (SPEC WO-6 [S3 6.12]).
    regions = _regions(engineer)
    matched = next((r for r in regions if r.pk == customer.city_id), None) or next(
        (r for r in regions if r.pk == customer.province_id), None
    )
    if matched is not None:
        score += policies.RANK_RESIDENT
        reasons.append(Reason(_("resident in %(region)s") % {"region": matched.name}, "ok"))
    elif regions:
        names = "、".join(r.name for r in regions)
        reasons.append(Reason(_("not resident here — covers %(regions)s") % {"regions": names}, "warn"))
    else:
        reasons.append(Reason(_("no region assigned"), "warn"))

    # Skill group for the work type.
    family = order.instrument_model.family if order.instrument_model_id else None
    wanted = policies.skills_for(order.work_type, family)
    groups = [g for g in engineer.skill_list if g.code in wanted]
    if groups:
        score += policies.RANK_SKILL
        labels = ", ".join(str(g.get_code_display()) for g in groups)
        reasons.append(Reason(_("skill group: %(groups)s") % {"groups": labels}, "ok"))
    else:
        reasons.append(Reason(_("no skill group for %(type)s") % {"type": WorkType(order.work_type).label}, "danger"))

    # A valid qualification for the model on the day (SPEC TR-3).
    qualified: bool | None = None
    if order.instrument_model_id:
        model = _model_name(order)
        qualification = next(iter(getattr(engineer, "model_qualifications", [])), None)
        if qualification is None:
            qualified = False
            reasons.append(Reason(_("no qualification for %(model)s") % {"model": model}, "danger"))
        elif qualification.valid_until < on:
            qualified = False
            reasons.append(
                Reason(
                    _("qualification for %(model)s expired on %(date)s")
                    % {"model": model, "date": qualification.valid_until.isoformat()},
                    "danger",
                )
            )
        elif qualification.valid_from > on:
            qualified = False
            reasons.append(
                Reason(
                    _("qualification for %(model)s valid only from %(date)s")
                    % {"model": model, "date": qualification.valid_from.isoformat()},
                    "warn",
                )
            )
        else:
            qualified = True
            score += policies.RANK_QUALIFIED
            reasons.append(
                Reason(
                    _("qualified for %(model)s until %(date)s")
                    % {"model": model, "date": qualification.valid_until.isoformat()},
                    "ok",
                )
            )
    else:
        reasons.append(Reason(_("no instrument model on the order: qualification not checked")))

    # Current load.
    load = engineer.open_jobs
    score -= policies.RANK_LOAD_PENALTY * load
    if load:
        reasons.append(
            Reason(
                ngettext("%(count)s open job", "%(count)s open jobs", load) % {"count": load},
                "warn" if load > 2 else "",
            )
        )
    else:
        reasons.append(Reason(_("no open jobs"), "ok"))

    # Distance from his base.
    distance = None
    if point is None:
        reasons.append(Reason(_("distance unknown: the customer has no coordinates (no penalty)")))
    elif base is None:
        reasons.append(Reason(_("distance unknown: no base for this engineer (no penalty)")))
    else:
        distance = haversine_km(base, point)
        score -= policies.RANK_DISTANCE_PENALTY_PER_100KM * distance / 100
        reasons.append(Reason(_("≈ %(km)s km") % {"km": f"{distance:,.0f}"}, "warn" if distance > 300 else ""))

    return Suggestion(
        engineer=engineer,
        score=round(score, 1),
        reasons=reasons,
        resident=matched is not None,
        skilled=bool(groups),
        qualified=qualified,
        load=load,
        distance_km=distance,
    )


def suggest_engineers(*, order: WorkOrder, limit: int = 10, on: dt.date | None = None) -> list[Suggestion]:
    """The active field engineers ranked for `order` (SPEC WO-6), best first, with reasons.

    Resident in the order's region, a skill group for the work type and a qualification for the
    model valid on `on` (default: the appointment's day, else today) add to the score; each open
    job and the distance from his base take away (policies.RANK_*). Engineers of other regions
    stay in the list — without a resident engineer the head coordinates one from elsewhere. The
    engineer who already has the order is left out. `order.customer` and
    `order.instrument_model` should be loaded (select_related) by the caller.
    """
    if on is None:
        on = timezone.localdate(order.appointment_at) if order.appointment_at else timezone.localdate()
    engineers = engineers_for_ranking(order=order, exclude=[order.engineer_id])
    point = _customer_point(order.customer)
    bases = engineer_bases(engineers) if point is not None else {}
    ranked = [_rank(order, e, on=on, point=point, base=bases.get(e.pk)) for e in engineers]
    ranked.sort(
        key=lambda s: (
            -s.score,
            s.load,
            s.distance_km if s.distance_km is not None else math.inf,
            s.engineer.name or s.engineer.username,
        )
    )
    return ranked[:limit] if limit else ranked


# --- what stands in the way of a dispatch (for the screen; the services enforce) -------------


@dataclass
class DispatchFacts:
    """What the dispatch screen must warn about (SPEC WO-5, WO-9, WO-15)."""

    in_arrears: bool
    needs_arrears_agreement: bool
    application_missing: bool
    reason_required: bool
    deposit_missing: bool


def deposit_missing(order) -> bool:
    """SPEC WO-9: a paid job is dispatched only once finance has confirmed the 50 % deposit."""
    if order.billing != Billing.PAID:
        return False
    paid = getattr(order, "paid", None)
    return paid is None or paid.deposit_confirmed_at is None


def dispatch_facts(order, *, mode: str) -> DispatchFacts:
    in_arrears = bool(order.customer.in_arrears)
    return DispatchFacts(
        in_arrears=in_arrears,
        # Re-allocation keeps the agreement recorded at the first dispatch.
        needs_arrears_agreement=in_arrears and (mode != "reallocate" or not order.arrears_agreement),
        application_missing=mode == "emergency" and not hasattr(order, "application"),
        reason_required=mode in ("emergency", "reallocate"),
        deposit_missing=mode != "reallocate" and deposit_missing(order),
    )


# --- the board (SPEC WO-6, SLA-5) ------------------------------------------------------------


@dataclass(frozen=True)
class BoardColumnSpec:
    key: str
    title: object
    status: str


COLUMNS = (
    BoardColumnSpec("new", gettext_lazy("New — to triage"), Status.NEW),
    BoardColumnSpec("approval", gettext_lazy("Waiting for approval"), Status.PENDING_APPROVAL),
    BoardColumnSpec("approved", gettext_lazy("Approved — to dispatch"), Status.APPROVED),
    BoardColumnSpec("dispatched", gettext_lazy("Dispatched — to book"), Status.DISPATCHED),
    BoardColumnSpec("today", gettext_lazy("Visits today"), Status.SCHEDULED),
    BoardColumnSpec("on_site", gettext_lazy("On site"), Status.ON_SITE),
)
BOARD_COLUMN_CAP = 12
BOARD_ENGINEER_CAP = 60


@dataclass
class BoardCard:
    order: WorkOrder
    url: str
    clocks: list = field(default_factory=list)  # apps.sla.selectors.ClockView
    flags: list[Reason] = field(default_factory=list)
    overdue: bool = False
    appointment_missed: bool = False
    actions: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


@dataclass
class BoardColumn:
    key: str
    title: str
    status: str
    cards: list[BoardCard]
    total: int
    more_url: str

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.cards))


@dataclass
class EngineerLoad:
    engineer: User
    open_jobs: int
    visits_today: int


@dataclass
class Board:
    columns: list[BoardColumn]
    engineers: list[EngineerLoad]
    engineers_more: int
    regions: list[Region]
    region: Region | None
    now: dt.datetime
    total: int


def _safe_reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the page is not installed (yet)
        return ""


def viewer_region_ids(user) -> set[int] | None:
    """The regions of a region-bound viewer, with their cities; None for those who see all."""
    if sees_all(user):
        return None
    own = Region.objects.filter(Q(staff=user) | Q(customer_manager=user))
    return set(
        Region.objects.filter(Q(pk__in=own.values("pk")) | Q(parent__in=own.values("pk"))).values_list("pk", flat=True)
    )


def board_regions(user, region_ids: set[int] | None) -> list[Region]:
    """The regions a viewer can filter the board by: provinces, each followed by its cities."""
    qs = Region.objects.filter(is_active=True)
    if region_ids is not None:
        qs = qs.filter(pk__in=region_ids)
    regions = list(qs.select_related("parent"))
    provinces = sorted((r for r in regions if r.parent_id is None), key=lambda r: (r.code, r.name))
    cities: dict[int | None, list[Region]] = {}
    for r in regions:
        if r.parent_id is not None:
            cities.setdefault(r.parent_id, []).append(r)
    ordered = []
    for p in provinces:
        ordered.append(p)
        ordered.extend(sorted(cities.pop(p.pk, []), key=lambda r: (r.code, r.name)))
    for rest in cities.values():  # cities whose province the viewer does not cover
        ordered.extend(sorted(rest, key=lambda r: (r.code, r.name)))
    return ordered


def _region_q(region: Region, prefix: str = "customer__") -> Q:
    return Q(**{f"{prefix}city": region}) | Q(**{f"{prefix}province": region})


def _day_bounds(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def board_orders(*, user, region: Region | None, now: dt.datetime, cap: int = BOARD_COLUMN_CAP):
    """(the capped cards' orders, {column key: total}) — three queries for any number of orders.

    Each column keeps its `cap` most pressing orders: the earliest SLA deadline first (so the
    overdue come first), then urgent, then the oldest."""
    from apps.sla.choices import OPEN_CLOCK_STATES
    from apps.sla.models import SlaClock

    _start, tomorrow = _day_bounds(now)
    column = Case(
        *[
            When(
                Q(status=spec.status, appointment_at__lt=tomorrow) if spec.key == "today" else Q(status=spec.status),
                then=Value(spec.key),
            )
            for spec in COLUMNS
        ],
        default=Value(""),
    )
    base = workorder_list(user=user).filter(status__in=[spec.status for spec in COLUMNS])
    base = base.exclude(status=Status.SCHEDULED, appointment_at__gte=tomorrow)
    if region is not None:
        base = base.filter(_region_q(region))
    base = base.annotate(column=column)

    totals = {
        row["column"]: row["n"] for row in base.order_by().values("column").annotate(n=Count("pk")) if row["column"]
    }
    next_due = Subquery(
        SlaClock.objects.filter(
            content_type=ContentType.objects.get_for_model(WorkOrder),
            object_id=OuterRef("pk"),
            state__in=OPEN_CLOCK_STATES,
            due_at__isnull=False,
        )
        .order_by()
        .values("object_id")
        .annotate(first_due=Min("due_at"))  # an aggregate: no sort per order
        .values("first_due")
    )
    urgent_first = Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    ordering = [F("next_due").asc(nulls_last=True), urgent_first, F("created_at").asc(), F("pk").asc()]
    # Rank narrow rows (id, column, position) first; only the few shown are then read in full —
    # sorting every open order with all its joined columns would cost far more.
    ranked = list(
        base.annotate(
            next_due=next_due,
            position=Window(RowNumber(), partition_by=[F("column")], order_by=ordering),
        )
        .filter(position__lte=cap)
        .order_by()  # sorted below: ordering by the window here would compute it twice
        .values_list("pk", "column", "position")
    )
    ranked.sort(key=lambda row: (row[1], row[2]))
    loaded = WorkOrder.objects.select_related("customer", "instrument_model", "engineer").in_bulk(
        [pk for pk, _column, _position in ranked]
    )
    orders = []
    for pk, key, _position in ranked:
        order = loaded[pk]
        order.column = key
        orders.append(order)
    return orders, totals


def engineer_loads(*, user, region: Region | None, region_ids: set[int] | None, now: dt.datetime):
    """Each engineer of the viewer's scope (customer managers: their regions) with his open jobs
    and today's appointments, busiest first — one query."""
    start, tomorrow = _day_bounds(now)
    engineers = User.objects.filter(role=Role.ENGINEER, is_active=True)
    scope = None
    if region_ids is not None:
        scope = Q(regions__in=region_ids)
    if region is not None:
        local = Q(regions=region) | Q(regions__parent=region)
        if region.parent_id:
            local |= Q(regions=region.parent_id)
        scope = local if scope is None else scope & local
    if scope is not None:
        engineers = engineers.filter(pk__in=User.objects.filter(scope).values("pk"))
    rows = engineers.annotate(
        open_jobs=Count("assigned_work_orders", filter=Q(assigned_work_orders__status__in=ENGINEER_JOB_STATUSES)),
        visits_today=Count(
            "assigned_work_orders",
            filter=Q(
                assigned_work_orders__status__in=(Status.SCHEDULED, Status.ON_SITE),
                assigned_work_orders__appointment_at__gte=start,
                assigned_work_orders__appointment_at__lt=tomorrow,
            ),
        ),
    ).order_by("-open_jobs", "-visits_today", "name", "username")
    return [EngineerLoad(e, e.open_jobs, e.visits_today) for e in rows]


def _flags(order) -> list[Reason]:
    flags = []
    if order.emergency:
        flags.append(Reason(_("emergency"), "danger"))
    if order.application_missing:
        flags.append(Reason(_("application missing"), "danger"))
    if order.customer.in_arrears:
        flags.append(Reason(_("in arrears"), "warn"))
    if order.on_hold:
        text = _("paused: %(reason)s") % {"reason": order.hold_reason} if order.hold_reason else _("paused")
        flags.append(Reason(text, "warn"))
    if order.escalated:
        flags.append(Reason(_("escalated"), "danger"))
    return flags


def _card_actions(order, user, managed: set[int] | None) -> list[tuple[str, str]]:
    """Links to the dispatch screen this viewer can use (role table; a customer manager only
    for his regions' orders). The screen itself checks everything again."""
    url = _safe_reverse("workorders:dispatch", order.pk)
    if not url:
        return []
    actions = []
    if order.status == Status.APPROVED and transitions.role_allows(user, "dispatch"):
        actions.append((_("Dispatch"), url))
    elif (
        order.status in (Status.NEW, Status.PENDING_APPROVAL)
        # WO-9: a paid job still in its approval route has no confirmed deposit yet.
        and order.billing != Billing.PAID
        and transitions.role_allows(user, "emergency_dispatch")
    ):
        actions.append((_("Emergency dispatch"), f"{url}?mode=emergency"))
    elif order.status in (Status.DISPATCHED, Status.SCHEDULED) and transitions.role_allows(user, "reallocate"):
        if managed is None or order.customer.city_id in managed or order.customer.province_id in managed:
            actions.append((_("Re-allocate"), f"{url}?mode=reallocate"))
    return actions


def dispatch_board(*, user, region_id: int | None = None, now: dt.datetime | None = None) -> Board:
    """Today's open jobs of the viewer's scope in columns, each card with its flags and SLA
    clocks, and each engineer's load (SPEC WO-6). A fixed number of queries. `region_id`
    narrows everything to one region the viewer covers (ignored otherwise)."""
    from apps.sla.selectors import clock_views, clocks_for

    now = now or timezone.now()
    region_ids = viewer_region_ids(user)
    regions = board_regions(user, region_ids)
    region = next((r for r in regions if r.pk == region_id), None) if region_id else None
    orders, totals = board_orders(user=user, region=region, now=now)
    # All clocks at once: the calendars' day overrides are then read once for the whole board.
    views_by_order: dict[int, list] = {}
    for view in clock_views([c for clocks in clocks_for(orders, open_only=True).values() for c in clocks], now=now):
        views_by_order.setdefault(view.clock.object_id, []).append(view)
    _start, tomorrow = _day_bounds(now)
    managed = None if sees_all(user) or user.role != Role.CUSTOMER_MANAGER else region_ids
    list_url = _safe_reverse("workorders:list")
    by_column: dict[str, list[BoardCard]] = {}
    for order in orders:
        views = views_by_order.get(order.pk, [])
        card = BoardCard(
            order=order,
            url=_safe_reverse("workorders:detail", order.pk),
            clocks=views,
            flags=_flags(order),
            overdue=any(v.status == "breached" for v in views),
            appointment_missed=bool(
                order.status == Status.SCHEDULED and order.appointment_at and order.appointment_at < now
            ),
            actions=_card_actions(order, user, managed),
        )
        by_column.setdefault(order.column, []).append(card)
    columns = []
    for spec in COLUMNS:
        more_url = ""
        if list_url:
            # The list page (apps.workorders.filters) filters by `state` and by province.
            province = (region.parent_id or region.pk) if region else None
            more_url = f"{list_url}?state={spec.status}" + (f"&province={province}" if province else "")
        columns.append(
            BoardColumn(
                key=spec.key,
                title=str(spec.title),
                status=spec.status,
                cards=by_column.get(spec.key, []),
                total=totals.get(spec.key, 0),
                more_url=more_url,
            )
        )
    loads = engineer_loads(user=user, region=region, region_ids=region_ids, now=now)
    return Board(
        columns=columns,
        engineers=loads[:BOARD_ENGINEER_CAP],
        engineers_more=max(0, len(loads) - BOARD_ENGINEER_CAP),
        regions=regions,
        region=region,
        now=now,
        total=sum(totals.values()),
    )
