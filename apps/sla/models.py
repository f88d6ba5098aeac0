from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import Record
from apps.sla.choices import CalendarMode, DayKind


class BusinessCalendar(Record):
    """The calendar an SLA clock runs on (SPEC SLA-5): round the clock (24×7), or business hours
    on working days — Chinese public holidays and the official make-up working days (调休)
    included, see apps.sla.calendar.

    Business hours are at most two periods a day (a morning and an optional afternoon), the same
    on every working day. Times are wall-clock times in settings.TIME_ZONE (Asia/Shanghai);
    there is no per-calendar time zone. Exactly one calendar is the default (kept so by
    apps.sla.services).
    """

    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Short fixed name used by rules, e.g. office or 24x7.")
    )
    name = models.CharField(_("name"), max_length=128)
    mode = models.CharField(_("mode"), max_length=16, choices=CalendarMode.choices, default=CalendarMode.BUSINESS_HOURS)
    morning_start = models.TimeField(_("morning from"), null=True, blank=True)
    morning_end = models.TimeField(_("morning until"), null=True, blank=True)
    afternoon_start = models.TimeField(_("afternoon from"), null=True, blank=True)
    afternoon_end = models.TimeField(_("afternoon until"), null=True, blank=True)
    is_default = models.BooleanField(
        _("default calendar"), default=False, help_text=_("Used by every clock whose rule names no calendar.")
    )

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["-is_default", "code"]
        constraints = [
            # Backstop of the service rule "exactly one default" (SPEC SLA-5).
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="sla_calendar_one_default",
                violation_error_message=_("Another calendar is already the default."),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("sla:calendar_detail", args=[self.pk])

    @property
    def tz(self) -> ZoneInfo:
        """Business hours are read in the installation's time zone (Asia/Shanghai)."""
        return ZoneInfo(settings.TIME_ZONE)

    @property
    def is_round_the_clock(self) -> bool:
        return self.mode == CalendarMode.ROUND_THE_CLOCK

    @property
    def periods(self) -> list[tuple]:
        """The (from, until) wall-clock periods of a working day, in order."""
        if self.is_round_the_clock:
            return []
        pairs = [(self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end)]
        return [(start, end) for start, end in pairs if start is not None and end is not None]

    @property
    def hours_display(self) -> str:
        if self.is_round_the_clock:
            return str(_("24 hours a day, every day"))
        return ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in self.periods) or "—"

    def clean(self):
        if self.is_round_the_clock:
            return
        errors = {}
        if self.morning_start is None:
            errors["morning_start"] = _("A business-hours calendar needs its first working period.")
        if self.morning_end is None:
            errors["morning_end"] = _("A business-hours calendar needs its first working period.")
        if not errors and self.morning_end <= self.morning_start:
            errors["morning_end"] = _("A period must end after it starts.")
        if (self.afternoon_start is None) != (self.afternoon_end is None):
            field = "afternoon_end" if self.afternoon_end is None else "afternoon_start"
            errors[field] = _("Give both ends of the second period, or neither.")
        elif self.afternoon_start is not None:
            if self.afternoon_end <= self.afternoon_start:
                errors["afternoon_end"] = _("A period must end after it starts.")
            elif self.morning_end is not None and self.afternoon_start < self.morning_end:
                errors["afternoon_start"] = _("The second period must start after the first one ends.")
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The service moves the default flag (apps.sla.services); a form asking for a new default
        # must not be refused because the old one still holds it. The constraint stays in the
        # database as the backstop.
        super().validate_constraints(exclude=set(exclude or ()) | {"is_default"})


class DayOverride(Record):
    """One date made a holiday or a working day by hand (SPEC SLA-5), for one calendar or — when
    no calendar is named — for every calendar.

    Overrides come first; then the official schedule of the `chinesecalendar` package (public
    holidays and make-up working days, 调休); for a year the package does not know yet, Monday to
    Friday. The admin enters the State Council's schedule here for years the package does not
    cover (2027 onward with the pinned version) and corrects the package when needed.
    """

    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overrides",
        help_text=_("Leave empty for every calendar."),
    )
    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=64, help_text=_("e.g. 国庆节, 调休上班"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["-date"]
        constraints = [
            # One active entry per date and calendar; a deactivated one no longer counts.
            models.UniqueConstraint(
                fields=["calendar", "date"],
                condition=Q(is_active=True, calendar__isnull=False),
                name="sla_override_unique_per_calendar",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(is_active=True, calendar__isnull=True),
                name="sla_override_unique_for_all_calendars",
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"

    def get_absolute_url(self):
        return reverse("sla:override_detail", args=[self.pk])

    def clean(self):
        if self.is_active and self.date:
            same = DayOverride.objects.filter(is_active=True, date=self.date, calendar_id=self.calendar_id)
            if same.exclude(pk=self.pk).exists():
                # Said here, on the field, so the form and the API give the same clear message.
                raise ValidationError({"date": _("This date already has an active entry for this calendar.")})

    def validate_constraints(self, exclude=None):
        # clean() says it with a field message; the constraints stay as the database backstop.
        exclude = set(exclude or ()) | {"date", "calendar"}
        super().validate_constraints(exclude=exclude)
