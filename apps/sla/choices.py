from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarMode(models.TextChoices):
    """How a clock runs on a calendar (SPEC SLA-5: 24×7 or business hours)."""

    BUSINESS_HOURS = "business_hours", _("Business hours")
    ROUND_THE_CLOCK = "round_the_clock", _("Round the clock (24×7)")


class DayKind(models.TextChoices):
    """What an override makes of a date."""

    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Working day")


class DaySource(models.TextChoices):
    """Where the classification of a date comes from (shown next to each day of the calendar)."""

    OVERRIDE = "override", _("override")
    PACKAGE = "package", _("official schedule")
    WEEKDAY_RULE = "weekday", _("Monday–Friday rule")
