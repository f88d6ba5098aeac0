"""Reads of the business calendar (SPEC SLA-5). Every internal role reads the calendars; who may
change them is the role table's business (apps.core.access, resource "calendar")."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from apps.core.dates import parse_day
from apps.sla import calendar as cal
from apps.sla.models import BusinessCalendar, DayOverride


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
    statuses = {
        status.day: status for status in cal.day_statuses(calendar=calendar, first=first, last=last)
    }
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
