"""Regulatory deadlines from the awareness moment (issue 5).

- hours: exactly that many hours after the company became aware (a group event's 12 h / 24 h);
- calendar days: "within N days of becoming aware" — the day of awareness is not counted
  (民法典 art. 201: a period counted in days starts the next day), so the report is due by the
  end (23:59:59, Asia/Shanghai) of the N-th day after it: aware 2026-03-02 → 20 days → due
  2026-03-22 23:59:59;
- working days (US 5-day report): the N-th working day after the day of awareness on the
  company's default business calendar (weekends, public holidays and make-up days), end of day.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from apps.complaints.choices import DeadlineUnit


def _legal_zone() -> ZoneInfo:
    """Days are counted on the company's clock (settings.TIME_ZONE, Asia/Shanghai), never on the
    time zone a request happens to have activated: a legal deadline is the same for everybody."""
    return ZoneInfo(settings.TIME_ZONE)


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=_legal_zone())


def due_at(*, aware_at: dt.datetime, amount: int, unit: str, calendar=None) -> dt.datetime:
    if unit == DeadlineUnit.HOURS:
        return aware_at + dt.timedelta(hours=amount)
    aware_day = aware_at.astimezone(_legal_zone()).date()
    if unit == DeadlineUnit.CALENDAR_DAYS:
        return _end_of_day(aware_day + dt.timedelta(days=amount))
    if unit == DeadlineUnit.WORKING_DAYS:
        from apps.sla.calendar import is_working_day, overrides_for
        from apps.sla.selectors import default_calendar

        calendar = calendar or default_calendar()
        overrides = overrides_for(calendar)
        day, counted = aware_day, 0
        while counted < amount:
            day += dt.timedelta(days=1)
            if is_working_day(calendar=calendar, day=day, overrides=overrides):
                counted += 1
        return _end_of_day(day)
    raise ValueError(f"unknown deadline unit {unit!r}")


def warn_at(*, due: dt.datetime, warn_before: dt.timedelta, aware_at: dt.datetime) -> dt.datetime | None:
    """The moment to warn; None when there is no warning or it would fall before awareness."""
    if not warn_before:
        return None
    moment = due - warn_before
    return moment if moment > aware_at else None
