import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_day(text: str | None, *, earliest=dt.date(1980, 1, 1), latest=dt.date(2100, 12, 31)) -> dt.date | None:
    """A YYYY-MM-DD string from a query string → date, or None when malformed, impossible
    (2027-02-30) or outside the plausible range — never an exception."""
    from django.utils.dateparse import parse_date

    try:
        day = parse_date(text or "")
    except ValueError:
        return None
    return day if day is not None and earliest <= day <= latest else None
