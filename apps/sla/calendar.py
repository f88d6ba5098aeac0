"""The one business-calendar module every SLA clock is computed with (SPEC SLA-5).

A day is a working day according to, in this order:

1. a day override (apps.sla.models.DayOverride) for this calendar, then one for every calendar;
2. the official schedule of the `chinesecalendar` package — public holidays *and* the make-up
   working days (调休) that fall on weekends;
3. for a year the package does not know (it raises NotImplementedError): Monday to Friday.

Business-hours calendars run the clock only inside the working periods of working days;
round-the-clock (24×7) calendars run it all the time (plain arithmetic).

The functions are pure: they take the calendar object and a map of overrides
(`date -> kind`, or `date -> object with .kind and .name`). `overrides_for(calendar)` gives the
map from the database, loaded a year at a time on first use, so one deadline costs one query
(two across New Year), never one per day. Datetimes must be aware; they are read and returned in
settings.TIME_ZONE (Asia/Shanghai), and Django stores them as UTC.

Typical use by a clock (e.g. SLA-1's "on site within 48 h" on the default calendar)::

    calendar = selectors.default_calendar()          # or selectors.calendar_by_code("24x7")
    overrides = calendar_module.overrides_for(calendar)  # reuse it for several clocks
    due = add_business_time(calendar=calendar, start=reported_at, duration=timedelta(hours=48),
                            overrides=overrides)
    due = deadline_with_pauses(calendar=calendar, start=reported_at, duration=timedelta(hours=48),
                               pauses=[(p.started_at, p.ended_at) for p in pauses], overrides=overrides)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import chinese_calendar
from django.utils import translation
from django.utils.translation import gettext as _

from apps.sla import policies
from apps.sla.choices import DayKind, DaySource

ZERO = dt.timedelta(0)
ONE_DAY = dt.timedelta(days=1)

Interval = tuple[dt.datetime, dt.datetime]
Pause = tuple[dt.datetime, dt.datetime | None]


class CalendarError(ValueError):
    """The calendar cannot answer (no working time for years, bad arguments)."""


@dataclass(frozen=True)
class DayStatus:
    """What a date is, and why (shown on the calendar page next to each day)."""

    day: dt.date
    is_working: bool
    source: str  # a DaySource value
    name: str = ""

    @property
    def source_label(self) -> str:
        return str(DaySource(self.source).label)

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def is_makeup_workday(self) -> bool:
        """A Saturday or Sunday worked to make up for a holiday (调休上班)."""
        return self.is_working and self.is_weekend

    @property
    def is_holiday(self) -> bool:
        """A Monday–Friday off, or a named holiday that falls on a weekend."""
        return not self.is_working and (not self.is_weekend or bool(self.name))


# --- overrides -----------------------------------------------------------------------------


class OverrideMap(Mapping):
    """Active day overrides of one calendar (its own first, then those for every calendar),
    loaded from the database one calendar year at a time, on first use."""

    def __init__(self, calendar):
        self.calendar_id = getattr(calendar, "pk", None)
        self._days: dict[dt.date, object] = {}
        self._years: set[int] = set()

    def _load(self, year: int) -> None:
        from django.db.models import Q

        from apps.sla.models import DayOverride

        self._years.add(year)
        rows = DayOverride.objects.filter(
            Q(calendar__isnull=True) | Q(calendar_id=self.calendar_id),
            is_active=True,
            date__range=(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        ).only("date", "kind", "name", "calendar_id")
        # Overrides for every calendar first, so this calendar's own entry for a date wins.
        for row in sorted(rows, key=lambda r: r.calendar_id is not None):
            self._days[row.date] = row

    def __getitem__(self, day: dt.date):
        if day.year not in self._years:
            self._load(day.year)
        return self._days[day]

    def __iter__(self):
        return iter(self._days)

    def __len__(self):
        return len(self._days)


def overrides_for(calendar) -> OverrideMap:
    """The override map the functions below read (lazy, one query per calendar year)."""
    return OverrideMap(calendar)


def _overrides(calendar, overrides: Mapping | None) -> Mapping:
    return overrides_for(calendar) if overrides is None else overrides


# --- days ----------------------------------------------------------------------------------


def _holiday_name(english: str | None) -> str:
    """The package names holidays in English and Chinese; show the one of the user's language."""
    if not english:
        return ""
    if (translation.get_language() or "").startswith("zh"):
        try:
            return chinese_calendar.Holiday(english).chinese
        except ValueError:
            return english
    return english


@functools.lru_cache(maxsize=8192)
def _package_day(day: dt.date) -> tuple[bool, str | None] | None:
    """(is working day, holiday name) from the package, or None for a year it does not know."""
    try:
        working = chinese_calendar.is_workday(day)
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    return working, name


def day_status(*, calendar, day: dt.date, overrides: Mapping | None = None) -> DayStatus:
    """The official classification of a date (for any calendar mode): override, package, weekday rule."""
    override = _overrides(calendar, overrides).get(day)
    if override is not None:
        kind = getattr(override, "kind", override)
        return DayStatus(day, kind == DayKind.WORKDAY, DaySource.OVERRIDE, getattr(override, "name", ""))
    package = _package_day(day)
    if package is not None:
        working, name = package
        return DayStatus(day, working, DaySource.PACKAGE, _holiday_name(name))
    # A year the package does not know yet: the fixed-date statutory holidays are certain
    # (the lunar ones and the make-up days need an override once the State Council publishes).
    fixed = policies.FIXED_STATUTORY_HOLIDAYS.get((day.month, day.day))
    if fixed is not None:
        return DayStatus(day, False, DaySource.WEEKDAY_RULE, str(fixed))
    return DayStatus(day, day.weekday() < 5, DaySource.WEEKDAY_RULE)


def is_working_day(*, calendar, day: dt.date, overrides: Mapping | None = None) -> bool:
    """True when the clock of this calendar runs on this date (every day for a 24×7 calendar)."""
    if calendar.is_round_the_clock:
        return True
    return day_status(calendar=calendar, day=day, overrides=overrides).is_working


def day_statuses(*, calendar, first: dt.date, last: dt.date, overrides: Mapping | None = None) -> list[DayStatus]:
    overrides = _overrides(calendar, overrides)
    count = (last - first).days + 1
    return [day_status(calendar=calendar, day=first + ONE_DAY * i, overrides=overrides) for i in range(count)]


def working_periods(*, calendar, day: dt.date, overrides: Mapping | None = None) -> list[Interval]:
    """The aware intervals of `day` during which the clock runs (empty on a day off)."""
    tz = calendar.tz
    if calendar.is_round_the_clock:
        return [(dt.datetime.combine(day, dt.time(0), tz), dt.datetime.combine(day + ONE_DAY, dt.time(0), tz))]
    if not day_status(calendar=calendar, day=day, overrides=overrides).is_working:
        return []
    return [(dt.datetime.combine(day, start, tz), dt.datetime.combine(day, end, tz)) for start, end in calendar.periods]


# --- clock arithmetic ----------------------------------------------------------------------


def hours_as_duration(hours) -> dt.timedelta:
    """A number of hours (int, float or Decimal, e.g. from a form) as a timedelta, to the second."""
    return dt.timedelta(seconds=round(Decimal(str(hours)) * 3600))


def _aware(value: dt.datetime, name: str) -> None:
    if not isinstance(value, dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(_("%(name)s must be a date-time with a time zone.") % {"name": name})


def _search_limit_error(calendar, start: dt.datetime) -> CalendarError:
    return CalendarError(
        _(
            "Calendar %(calendar)s has no working time left within %(years)s years after %(start)s; "
            "check its business hours and day overrides."
        )
        % {
            "calendar": getattr(calendar, "code", calendar),
            "years": policies.MAX_SEARCH_YEARS,
            "start": f"{start.astimezone(calendar.tz):%Y-%m-%d %H:%M}",
        }
    )


EARLIEST = dt.date(1980, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_DURATION = dt.timedelta(days=3650)


def business_segments(
    *, calendar, start: dt.datetime, duration: dt.timedelta, overrides: Mapping | None = None
) -> Iterator[Interval]:
    """The pieces of working time a clock started at `start` consumes until `duration` is used up.

    The first piece starts at the next working period when `start` is outside one; the last one
    ends at the deadline — exactly at a period's end when the time runs out there (not the next
    morning). Raises CalendarError after MAX_SEARCH_YEARS of calendar without enough working time.
    """
    _aware(start, "start")
    if duration < ZERO:
        raise CalendarError(_("A duration cannot be negative."))
    if not EARLIEST <= start.date() <= LATEST or duration > MAX_DURATION:
        # Beyond any real service clock (and beyond what date arithmetic can hold).
        raise CalendarError(_("The start or the duration is out of the supported range."))
    tz = calendar.tz
    start = start.astimezone(tz)
    if duration == ZERO:
        return
    if calendar.is_round_the_clock:
        yield start, start + duration
        return
    if not calendar.periods:
        raise _search_limit_error(calendar, start)
    overrides = _overrides(calendar, overrides)
    remaining = duration
    first_day = start.date()
    for offset in range(policies.MAX_SEARCH_DAYS + 1):
        for period_start, period_end in working_periods(
            calendar=calendar, day=first_day + ONE_DAY * offset, overrides=overrides
        ):
            if period_end <= start:
                continue
            piece_start = max(period_start, start)
            available = period_end - piece_start
            if remaining <= available:
                yield piece_start, piece_start + remaining
                return
            yield piece_start, period_end
            remaining -= available
    raise _search_limit_error(calendar, start)


def add_business_time(
    *, calendar, start: dt.datetime, duration: dt.timedelta, overrides: Mapping | None = None
) -> dt.datetime:
    """The deadline of a clock started at `start` that may run for `duration` of business time."""
    _aware(start, "start")
    deadline = start.astimezone(calendar.tz)
    for _piece_start, piece_end in business_segments(
        calendar=calendar, start=start, duration=duration, overrides=overrides
    ):
        deadline = piece_end
    return deadline


def business_time_between(
    *, calendar, start: dt.datetime, end: dt.datetime, overrides: Mapping | None = None
) -> dt.timedelta:
    """Business time from `start` to `end` (zero when `end` is not after `start`).

    The inverse of add_business_time: business_time_between(s, add_business_time(s, d)) == d.
    """
    _aware(start, "start")
    _aware(end, "end")
    if end <= start:
        return ZERO
    if calendar.is_round_the_clock:
        return end - start
    tz = calendar.tz
    start, end = start.astimezone(tz), end.astimezone(tz)
    overrides = _overrides(calendar, overrides)
    total = ZERO
    day = start.date()
    while day <= end.date():
        for period_start, period_end in working_periods(calendar=calendar, day=day, overrides=overrides):
            overlap = min(period_end, end) - max(period_start, start)
            if overlap > ZERO:
                total += overlap
        day += ONE_DAY
    return total


# --- pauses (SPEC SLA-5: clocks pause while waiting for the customer or for parts) ----------


def _merged_pauses(start: dt.datetime, pauses: Sequence[Pause]) -> list[Pause]:
    """Pauses in order, overlapping ones merged, the part before the clock's start dropped."""
    cleaned = []
    for pause_start, pause_end in pauses:
        _aware(pause_start, "pause start")
        if pause_end is not None:
            _aware(pause_end, "pause end")
            if pause_end < pause_start:
                raise CalendarError(_("A pause cannot end before it starts."))
            if pause_end <= start:
                continue
        cleaned.append((max(pause_start, start), pause_end))
    cleaned.sort(key=lambda pause: pause[0])
    merged: list[Pause] = []
    for pause_start, pause_end in cleaned:
        if merged and (merged[-1][1] is None or pause_start <= merged[-1][1]):
            last_start, last_end = merged[-1]
            end = None if last_end is None or pause_end is None else max(last_end, pause_end)
            merged[-1] = (last_start, end)
        else:
            merged.append((pause_start, pause_end))
    return merged


def deadline_with_pauses(
    *,
    calendar,
    start: dt.datetime,
    duration: dt.timedelta,
    pauses: Sequence[Pause],
    overrides: Mapping | None = None,
) -> dt.datetime | None:
    """The deadline of a clock that stood still during `pauses` ((from, until) pairs; until None
    while the pause lasts).

    The clock's business time runs only outside the pauses, so the deadline moves out by exactly
    the business time spent paused and a re-planned clock never loses that time. A pause that
    starts after the time has run out changes nothing (it cannot undo a breach). While a pause
    that began before the deadline is still open, there is no deadline yet: None.
    """
    _aware(start, "start")
    overrides = _overrides(calendar, overrides)
    remaining = duration
    cursor = start
    for pause_start, pause_end in _merged_pauses(start, pauses):
        if pause_start > cursor:
            available = business_time_between(calendar=calendar, start=cursor, end=pause_start, overrides=overrides)
            if remaining <= available:
                return add_business_time(calendar=calendar, start=cursor, duration=remaining, overrides=overrides)
            remaining -= available
        if pause_end is None:
            return None
        cursor = max(cursor, pause_end)
    return add_business_time(calendar=calendar, start=cursor, duration=remaining, overrides=overrides)


def business_time_running(
    *,
    calendar,
    start: dt.datetime,
    end: dt.datetime,
    pauses: Sequence[Pause] = (),
    overrides: Mapping | None = None,
) -> dt.timedelta:
    """Business time a clock has run from `start` to `end`, paused time left out (an open pause
    counts as lasting until `end`). What is left of an SLA is its duration minus this."""
    overrides = _overrides(calendar, overrides)
    total = business_time_between(calendar=calendar, start=start, end=end, overrides=overrides)
    for pause_start, pause_end in _merged_pauses(start, pauses):
        total -= business_time_between(
            calendar=calendar, start=pause_start, end=min(end, pause_end or end), overrides=overrides
        )
    return total
