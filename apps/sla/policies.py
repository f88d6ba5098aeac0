"""The numbers of the business calendar (SPEC SLA-5) as named values, overridable in settings."""

from django.conf import settings

# A clock that finds no working time for this long stops with a clear error instead of
# searching forever (e.g. a calendar whose overrides make every day a holiday).
MAX_SEARCH_YEARS: int = getattr(settings, "SLA_MAX_SEARCH_YEARS", 3)
MAX_SEARCH_DAYS: int = MAX_SEARCH_YEARS * 366

# The calendar page shows this many days from today.
PREVIEW_DAYS: int = getattr(settings, "SLA_CALENDAR_PREVIEW_DAYS", 60)

# The deadline calculator (page and API) accepts durations up to this many hours (about a
# year of office hours, well inside the search limit above).
CALCULATOR_MAX_HOURS: int = getattr(settings, "SLA_CALCULATOR_MAX_HOURS", 2_000)
