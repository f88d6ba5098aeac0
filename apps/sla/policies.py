"""The numbers of the business calendar (SPEC SLA-5) as named values, overridable in settings."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# A clock that finds no working time for this long stops with a clear error instead of
# searching forever (e.g. a calendar whose overrides make every day a holiday).
MAX_SEARCH_YEARS: int = getattr(settings, "SLA_MAX_SEARCH_YEARS", 3)
MAX_SEARCH_DAYS: int = MAX_SEARCH_YEARS * 366

# The calendar page shows this many days from today.
PREVIEW_DAYS: int = getattr(settings, "SLA_CALENDAR_PREVIEW_DAYS", 60)

# The deadline calculator (page and API) accepts durations up to this many hours (about a
# year of office hours, well inside the search limit above).
CALCULATOR_MAX_HOURS: int = getattr(settings, "SLA_CALCULATOR_MAX_HOURS", 2_000)


# Statutory holidays on fixed Gregorian dates (全国年节及纪念日放假办法, as amended 2024):
# New Year's Day 1 Jan, Labour Day 1–2 May, National Day 1–3 Oct. Used only for years the
# chinesecalendar package does not know yet; overrides still win.
FIXED_STATUTORY_HOLIDAYS = {
    (1, 1): _("New Year's Day"),
    (5, 1): _("Labour Day"),
    (5, 2): _("Labour Day"),
    (10, 1): _("National Day"),
    (10, 2): _("National Day"),
    (10, 3): _("National Day"),
}
