from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.choices import Role
from apps.core.models import Record
from apps.sla.choices import OPEN_CLOCK_STATES, CalendarMode, ClockState, DayKind, PauseKind


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


class SlaPolicy(Record):
    """A time limit of SPEC §3 (SLA-1…SLA-4, WO-2): how long, on which calendar, when to warn,
    and which role hears of a breach. Subject apps start clocks by `code` (apps.sla.policies
    names the seeded ones); a technical head tunes the numbers here. A running clock keeps the
    duration it started with, so editing a policy moves no deadline already promised."""

    code = models.SlugField(
        _("code"), max_length=64, unique=True, help_text=_("Fixed name the programme starts clocks by.")
    )
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    duration = models.DurationField(_("time limit"), help_text=_("e.g. 10 min, 4 h, 48 h"))
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        help_text=_("Leave empty for the default calendar."),
    )
    warn_before = models.DurationField(
        _("warn before"),
        default=timedelta(0),
        help_text=_("Warn the person responsible when this much time is left; 0 for no warning."),
    )
    escalate_role = models.CharField(
        _("escalate to"),
        max_length=32,
        choices=Role.choices,
        help_text=_("Role told of a breach; a region-bound role only in the clock's region."),
    )

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["code"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("sla:policy_detail", args=[self.pk])

    @property
    def label(self) -> str:
        """The name in the user's language when it is a seeded (translated) one, else as typed."""
        return gettext(self.name) if self.name else self.code

    @property
    def description_label(self) -> str:
        return gettext(self.description) if self.description else ""

    def clean(self):
        from apps.sla.calendar import MAX_DURATION

        errors = {}
        if self.duration is not None:
            if self.duration <= timedelta(0):
                errors["duration"] = _("A time limit must be longer than zero.")
            elif self.duration > MAX_DURATION:
                errors["duration"] = _("A time limit cannot be longer than ten years.")
        if self.warn_before is not None:
            if self.warn_before < timedelta(0):
                errors["warn_before"] = _("The warning time cannot be negative.")
            elif self.duration is not None and "duration" not in errors and self.warn_before >= self.duration:
                errors["warn_before"] = _("Warn before the time limit runs out: give less than the time limit.")
        if errors:
            raise ValidationError(errors)


class SlaClock(models.Model):
    """One running time limit of one subject (a work order, later a complaint): started, paused,
    resumed, re-planned and stopped only by apps.sla.services, and scanned every minute for
    warnings and breaches (SPEC SLA-5).

    `due_at` is always apps.sla.calendar.deadline_with_pauses over the clock's calendar, its
    start, its duration and all its pauses — None while a pause that began before the deadline
    lasts. `warn_at` is the moment `warn_before` of business time is left. `plan` counts
    re-plans, so that a re-planned clock can warn and escalate again.
    """

    content_type = models.ForeignKey(ContentType, verbose_name=_("subject type"), on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField(_("subject id"))
    subject = GenericForeignKey("content_type", "object_id")
    policy = models.ForeignKey(SlaPolicy, verbose_name=_("time limit"), on_delete=models.PROTECT, related_name="clocks")
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="clocks"
    )
    started_at = models.DateTimeField(_("started at"))
    duration = models.DurationField(_("time limit"))
    warn_before = models.DurationField(_("warn before"), default=timedelta(0))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ClockState.choices, default=ClockState.RUNNING)
    plan = models.PositiveSmallIntegerField(_("plan"), default=1, editable=False)
    # The open pause, copied here so that lists and boards show it without another query.
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    left_when_paused = models.DurationField(_("time left when paused"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    met = models.BooleanField(
        _("met"), null=True, blank=True, help_text=_("Stopped in time (empty while open, and when cancelled).")
    )
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True, help_text=_("The deadline missed."))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sla_clocks",
    )
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("stopped by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="sla_clock_subject"),
            # The periodic scan (services.check_clocks) and the overdue boards.
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
            models.Index(fields=["state", "warn_at"], name="sla_clock_state_warn"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "policy"],
                condition=Q(state__in=OPEN_CLOCK_STATES),
                name="sla_clock_one_open_per_subject_policy",
            ),
            models.CheckConstraint(
                condition=Q(state=ClockState.STOPPED, stopped_at__isnull=False, met__isnull=False)
                | Q(state=ClockState.CANCELLED, stopped_at__isnull=False, met__isnull=True)
                | Q(state__in=OPEN_CLOCK_STATES, stopped_at__isnull=True, met__isnull=True),
                name="sla_clock_stopped_has_time_and_result",
            ),
        ]

    def __str__(self):
        return f"{self.policy.label} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES


class SlaPause(models.Model):
    """A stretch of time a clock stood still, and why (SPEC SLA-5: waiting for the customer or
    for parts). Never deleted: the deadline is recomputed over every pause."""

    clock = models.ForeignKey(SlaClock, verbose_name=_("clock"), on_delete=models.PROTECT, related_name="pauses")
    started_at = models.DateTimeField(_("paused at"))
    ended_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=PauseKind.choices, default=PauseKind.OTHER)
    reason = models.CharField(_("reason"), max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paused by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resumed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"], condition=Q(ended_at__isnull=True), name="sla_pause_one_open_per_clock"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="sla_pause_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.reason}"
