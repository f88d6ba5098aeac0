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


class ClockState(models.TextChoices):
    """Where an SLA clock stands (SPEC SLA-5). Whether a stopped clock met its deadline is
    SlaClock.met; whether a running one has overrun it is SlaClock.breached_at."""

    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    STOPPED = "stopped", _("stopped")
    # The subject went away (request cancelled, rejected, solved by phone): no verdict, so the
    # clock counts neither as met nor as late.
    CANCELLED = "cancelled", _("cancelled")


OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class PauseKind(models.TextChoices):
    """Why a clock stands still (SPEC SLA-5: waiting for the customer or for parts)."""

    WAITING_CUSTOMER = "waiting_customer", _("Waiting for the customer")
    WAITING_PARTS = "waiting_parts", _("Waiting for parts")
    OTHER = "other", _("Other")


class ClockStatus(models.TextChoices):
    """What a clock shows on a page or a board (apps.sla.selectors.ClockView)."""

    OK = "ok", _("on time")
    WARNING = "warning", _("due soon")
    BREACHED = "breached", _("overdue")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    LATE = "late", _("late")
    CANCELLED = "cancelled", _("cancelled")
