"""Reads of the SLA app (SPEC §3). Every internal role reads the calendars and the time limits;
who may change them is the role table's business (apps.core.access, resources "calendar" and
"sla_policy"). Clocks are read for their subjects (clocks_for, clock_views) and for the overdue
boards (overdue_clocks)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.access import REGION_SCOPED, sees_all
from apps.core.dates import parse_day
from apps.sla import calendar as cal
from apps.sla.choices import OPEN_CLOCK_STATES, ClockState, ClockStatus
from apps.sla.durations import format_duration
from apps.sla.models import BusinessCalendar, DayOverride, SlaClock, SlaPolicy


def calendar_list(*, user) -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.annotate(
        override_count=Count("overrides", filter=Q(overrides__is_active=True))
    ).order_by("-is_default", "code")


def calendar_search(queryset: QuerySet[BusinessCalendar], text: str) -> QuerySet[BusinessCalendar]:
    return queryset.filter(Q(code__icontains=text) | Q(name__icontains=text))


def default_calendar() -> BusinessCalendar:
    """The calendar of every clock whose rule names none (exactly one, see services)."""
    calendar = BusinessCalendar.objects.filter(is_default=True, is_active=True).first()
    if calendar is None:
        raise BusinessCalendar.DoesNotExist(_("No default business calendar is set."))
    return calendar


def calendar_by_code(code: str) -> BusinessCalendar:
    return BusinessCalendar.objects.get(code=code, is_active=True)


def override_list(*, user) -> QuerySet[DayOverride]:
    return DayOverride.objects.select_related("calendar").order_by("-date", "calendar__code")


def override_search(queryset: QuerySet[DayOverride], text: str) -> QuerySet[DayOverride]:
    """Any part of the name, or a date written as 2027-01-01."""
    q = Q(name__icontains=text)
    day = parse_day(text)
    if day is not None:
        q |= Q(date=day)
    return queryset.filter(q)


# --- the calendar page: the next weeks as small month grids --------------------------------


@dataclass(frozen=True)
class MonthGrid:
    year: int
    month: int
    # Monday first; each cell is (date, its status) — status None outside the shown range —
    # or None for the days of the neighbouring months.
    weeks: list[list[tuple[dt.date, cal.DayStatus | None] | None]]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


def calendar_preview(*, calendar: BusinessCalendar, first: dt.date, days: int) -> list[MonthGrid]:
    """`days` days from `first`, classified (holiday, make-up working day, weekend, with the
    source: official schedule, override or weekday rule), laid out month by month."""
    last = first + dt.timedelta(days=days - 1)
    statuses = {status.day: status for status in cal.day_statuses(calendar=calendar, first=first, last=last)}
    months: list[MonthGrid] = []
    cursor = first.replace(day=1)
    while cursor <= last:
        grid_day = cursor - dt.timedelta(days=cursor.weekday())
        weeks = []
        while grid_day.month == cursor.month or grid_day < cursor:
            week = []
            for _i in range(7):
                week.append((grid_day, statuses.get(grid_day)) if grid_day.month == cursor.month else None)
                grid_day += dt.timedelta(days=1)
            weeks.append(week)
        months.append(MonthGrid(cursor.year, cursor.month, weeks))
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return months


def day_without_overrides(*, calendar, day: dt.date) -> cal.DayStatus:
    """What the official schedule (or the weekday rule) says of a date, ignoring overrides."""
    return cal.day_status(calendar=calendar, day=day, overrides={})


# --- the deadline calculator (calendar page and API) ---------------------------------------


@dataclass(frozen=True)
class DeadlineCheck:
    start: dt.datetime
    duration: dt.timedelta
    clock_starts: dt.datetime
    deadline: dt.datetime
    segments: list[tuple[dt.datetime, dt.datetime]]


def deadline_check(*, calendar: BusinessCalendar, start: dt.datetime, duration: dt.timedelta) -> DeadlineCheck:
    """The deadline of a clock started at `start` for `duration`, with the working time it uses
    (raises apps.sla.calendar.CalendarError when the calendar has no working time for years)."""
    segments = list(cal.business_segments(calendar=calendar, start=start, duration=duration))
    local_start = start.astimezone(calendar.tz)
    return DeadlineCheck(
        start=local_start,
        duration=duration,
        clock_starts=segments[0][0] if segments else local_start,
        deadline=segments[-1][1] if segments else local_start,
        segments=segments,
    )


# --- time limits -----------------------------------------------------------------------------


def policy_list(*, user) -> QuerySet[SlaPolicy]:
    return SlaPolicy.objects.select_related("calendar").order_by("code")


def policy_search(queryset: QuerySet[SlaPolicy], text: str) -> QuerySet[SlaPolicy]:
    return queryset.filter(Q(code__icontains=text) | Q(name__icontains=text) | Q(description__icontains=text))


def policy_by_code(code: str) -> SlaPolicy:
    return SlaPolicy.objects.select_related("calendar").get(code=code)


# --- clocks ----------------------------------------------------------------------------------


def clocks_for(subjects: Sequence, *, open_only: bool = False) -> dict[int, list[SlaClock]]:
    """{subject pk: [its clocks, oldest first]} for subjects of one model, in one query (for a
    list or a board: pass the page's rows, then clock_views() per row). Subjects without clocks
    are absent from the dict."""
    subjects = [s for s in subjects if getattr(s, "pk", None) is not None]
    if not subjects:
        return {}
    content_type = ContentType.objects.get_for_model(subjects[0])  # cached by Django after first use
    clocks = SlaClock.objects.filter(content_type=content_type, object_id__in={s.pk for s in subjects})
    if open_only:
        clocks = clocks.filter(state__in=OPEN_CLOCK_STATES)
    result: dict[int, list[SlaClock]] = {}
    for clock in clocks.select_related("policy", "calendar").order_by("started_at", "id"):
        result.setdefault(clock.object_id, []).append(clock)
    return result


STATUS_CSS = {
    ClockStatus.OK: "sla-ok ok",
    ClockStatus.WARNING: "sla-warning warn",
    ClockStatus.BREACHED: "sla-breached danger",
    ClockStatus.PAUSED: "sla-paused",
    ClockStatus.MET: "sla-met ok",
    ClockStatus.LATE: "sla-late danger",
    ClockStatus.CANCELLED: "sla-cancelled",
}


@dataclass(frozen=True)
class ClockView:
    """One clock as a page shows it: what, until when, how much business time is left, and a
    status with its CSS class (the classes of the global `.badge`: ok, warn, danger)."""

    clock: SlaClock
    label: str
    due_at: dt.datetime | None  # None while paused before the deadline
    remaining: dt.timedelta | None  # business time left; negative: overdue by; None once stopped
    status: str  # a ClockStatus value
    pause_reason: str = ""

    @property
    def css_class(self) -> str:
        return STATUS_CSS[self.status]

    @property
    def status_label(self) -> str:
        return str(ClockStatus(self.status).label)

    @property
    def remaining_display(self) -> str:
        if self.remaining is None:
            return ""
        if self.remaining < cal.ZERO:
            return _("%(time)s overdue") % {"time": format_duration(-self.remaining)}
        return _("%(time)s left") % {"time": format_duration(self.remaining)}


def clock_view(clock: SlaClock, *, now: dt.datetime | None = None, overrides: Mapping | None = None) -> ClockView:
    """The display of one clock (uses clock.policy and clock.calendar: select_related them)."""
    now = now or timezone.now()
    label = clock.policy.label
    if clock.state == ClockState.CANCELLED:
        return ClockView(clock, label, clock.due_at, None, ClockStatus.CANCELLED)
    if clock.state == ClockState.STOPPED:
        status = ClockStatus.MET if clock.met else ClockStatus.LATE
        return ClockView(clock, label, clock.due_at, None, status)
    overdue = clock.due_at is not None and clock.due_at <= now
    if clock.state == ClockState.PAUSED:
        status = ClockStatus.BREACHED if overdue or clock.breached_at else ClockStatus.PAUSED
        return ClockView(clock, label, clock.due_at, clock.left_when_paused, status, clock.pause_reason)
    overrides = cal.overrides_for(clock.calendar) if overrides is None else overrides
    if overdue:
        late = cal.business_time_between(calendar=clock.calendar, start=clock.due_at, end=now, overrides=overrides)
        return ClockView(clock, label, clock.due_at, -late, ClockStatus.BREACHED)
    left = cal.business_time_between(calendar=clock.calendar, start=now, end=clock.due_at, overrides=overrides)
    status = ClockStatus.WARNING if clock.warn_at is not None and clock.warn_at <= now else ClockStatus.OK
    return ClockView(clock, label, clock.due_at, left, status)


def clock_views(
    clocks: Iterable[SlaClock], *, now: dt.datetime | None = None, overrides: dict | None = None
) -> list[ClockView]:
    """Displays of several clocks. The day overrides of each calendar are read once (one query
    per calendar and year) and kept in `overrides`: pass the same dict for the rows of a page."""
    now = now or timezone.now()
    overrides = {} if overrides is None else overrides
    views = []
    for clock in clocks:
        calendar_overrides = overrides.get(clock.calendar_id)
        if calendar_overrides is None:
            calendar_overrides = overrides[clock.calendar_id] = cal.overrides_for(clock.calendar)
        views.append(clock_view(clock, now=now, overrides=calendar_overrides))
    return views


def clock_views_for(
    subjects: Sequence, *, now: dt.datetime | None = None, open_only: bool = False
) -> dict[int, list[ClockView]]:
    """{subject pk: [ClockView, …]} for a page of subjects of one model: one query for the
    clocks, and the calendars' day overrides once for all (the list pages and boards)."""
    now = now or timezone.now()
    overrides: dict = {}
    return {
        pk: clock_views(clocks, now=now, overrides=overrides)
        for pk, clocks in clocks_for(subjects, open_only=open_only).items()
    }


def clock_scope_q(user) -> Q:
    """Which clocks a user may see on a board: everything for the roles that see every customer;
    his own and his regions' (with their cities) for region-bound roles; otherwise his own."""
    if sees_all(user):
        return Q()
    own = Q(owner=user)
    if user.role in REGION_SCOPED:
        from apps.accounts.models import Region

        regions = Region.objects.filter(Q(staff=user) | Q(customer_manager=user)).values("pk")
        return own | Q(region__in=regions) | Q(region__parent__in=regions)
    return own


def overdue_clocks(*, user, now: dt.datetime | None = None, include_warning: bool = False) -> QuerySet[SlaClock]:
    """Open clocks past their deadline (with include_warning, also those in their warning time)
    that the user may see, most overdue first — the dashboards of SPEC SLA-5."""
    now = now or timezone.now()
    if user.role == Role.DEALER and not user.is_superuser:
        return SlaClock.objects.none()
    due = Q(due_at__lte=now)
    if include_warning:
        due |= Q(warn_at__lte=now, due_at__isnull=False)
    return (
        SlaClock.objects.filter(due, clock_scope_q(user), state__in=OPEN_CLOCK_STATES)
        .select_related("policy", "calendar", "owner", "region__parent", "content_type")
        .order_by("due_at", "id")
    )
