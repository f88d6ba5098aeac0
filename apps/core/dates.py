import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
