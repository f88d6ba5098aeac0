"""New-project survival (SPEC FU-6, 新上成活率): each new project of a laboratory is tracked for
three months with a check a month; the monthly report counts which projects are still in use."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from apps.core.dates import add_months
from apps.core.models import Record
from apps.survival import policies
from apps.survival.choices import CheckMethod, EventKind, NotInUseReason, ProjectState, Source, UsageUnit

USER = settings.AUTH_USER_MODEL


class NewProject(Record):
    """A test (assay) a laboratory started running with our reagent — one line of the
    新增客户项目开展表 [S0 3.(一)二.2].

    Created when a new-project job is completed (apps.workorders aftercare hook) or entered by
    staff; tracked for `tracking_months` from `started_on`, one ProjectCheck per month; the
    state only changes through apps.survival.services, every change bumps `version` and writes
    a ProjectEvent.
    """

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="new_projects"
    )
    name = models.CharField(pgettext_lazy("new project", "project"), max_length=128)
    item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("reagent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    instrument = models.ForeignKey(
        "instruments.Instrument",
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    engineer = models.ForeignKey(
        USER, verbose_name=_("responsible engineer"), on_delete=models.PROTECT, related_name="survival_projects"
    )
    sales = models.ForeignKey(
        USER, verbose_name=_("sales"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The customer's city (else province): the report groups by it.
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(_("went live on"))
    tracking_months = models.PositiveSmallIntegerField(
        _("tracking months"),
        default=policies.TRACKING_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(policies.MAX_TRACKING_MONTHS)],
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ProjectState.choices, default=ProjectState.TRACKING, db_index=True
    )
    ended_on = models.DateField(_("tracking ended on"), null=True, blank=True)
    stop_reason = models.CharField(_("why tracking stopped"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("entered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # core.history: the reasons services._save() writes, in the reader's language.
    HISTORY_REASONS = {
        "order reopened": _("Work order reopened"),
        "corrected": _("Project corrected"),
        "stopped": _("Tracking stopped"),
        "latest check": _("Latest monthly check"),
        "period over": _("Three months over"),
    }

    class Meta:
        verbose_name = _("new project")
        verbose_name_plural = _("new projects")
        ordering = ["-started_on", "-id"]
        constraints = [
            # One completed job starts one tracked project, however often the hook runs.
            models.UniqueConstraint(
                fields=["work_order"], condition=Q(work_order__isnull=False), name="survival_one_project_per_order"
            )
        ]
        indexes = [
            models.Index(fields=["state", "started_on"], name="survival_state_started"),
            models.Index(fields=["engineer", "started_on"], name="survival_engineer_started"),
            models.Index(fields=["sales", "started_on"], name="survival_sales_started"),
            models.Index(fields=["region", "started_on"], name="survival_region_started"),
            models.Index(fields=["customer", "started_on"], name="survival_customer_started"),
            models.Index(fields=["started_on", "id"], name="survival_started"),
        ]

    def __str__(self):
        return f"{self.customer.name} · {self.name}" if self.customer_id else self.name

    def get_absolute_url(self):
        return reverse("survival:project_detail", args=[self.pk])

    @property
    def ends_on(self):
        """The last day of the tracking period (the due day of the last check)."""
        return add_months(self.started_on, self.tracking_months) if self.started_on else None

    @property
    def is_tracking(self) -> bool:
        return self.state == ProjectState.TRACKING

    def clean(self):
        from apps.accounts.choices import Role
        from apps.catalog.choices import ItemKind

        errors = {}
        if self.instrument_id and self.customer_id and self.instrument.customer_id != self.customer_id:
            errors["instrument"] = _("This instrument is not installed at the chosen customer.")
        if self.item_id and self.item.kind != ItemKind.REAGENT:
            errors["item"] = _("Choose a reagent of the catalogue.")
        if self.sales_id and self.sales.role != Role.SALES:
            errors["sales"] = _("The sales person must have the sales role.")
        if errors:
            raise ValidationError(errors)


class ProjectCheck(models.Model):
    """One monthly check of a new project [S0 3.(一)二.1]: planned when tracking starts (month n
    is due `started_on` + n months), recorded once by phone, on site or from the shipments, and
    corrected — never duplicated — naming the version it read."""

    project = models.ForeignKey(NewProject, on_delete=models.CASCADE, related_name="checks")
    month = models.PositiveSmallIntegerField(_("month"))
    due_on = models.DateField(_("due on"), db_index=True)
    method = models.CharField(_("method"), max_length=16, choices=CheckMethod.choices, blank=True)
    in_use = models.BooleanField(_("in use"), null=True, blank=True)
    usage = models.PositiveIntegerField(_("monthly usage"), null=True, blank=True)
    usage_unit = models.CharField(
        _("usage unit"), max_length=8, choices=UsageUnit.choices, default=UsageUnit.TESTS, blank=True
    )
    shipment = models.PositiveIntegerField(
        _("shipment volume (kits)"),
        null=True,
        blank=True,
        help_text=_("Kits shipped to the customer this month, from the commerce department."),
    )
    reason_kind = models.CharField(_("kind of reason"), max_length=16, choices=NotInUseReason.choices, blank=True)
    reason = models.TextField(_("why not in use"), blank=True)
    suggestion = models.TextField(_("advice to sales"), blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    sales_notified_at = models.DateTimeField(_("sales informed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    # core.history: the reasons services._save() writes, in the reader's language.
    HISTORY_REASONS = {"recorded": _("Check recorded"), "corrected": _("Check corrected")}

    class Meta:
        verbose_name = _("monthly check")
        verbose_name_plural = _("monthly checks")
        ordering = ["project", "month"]
        constraints = [models.UniqueConstraint(fields=["project", "month"], name="survival_one_check_a_month")]

    def __str__(self):
        return str(_("Month %(month)s check: %(project)s") % {"month": self.month, "project": self.project})

    def get_absolute_url(self):
        return reverse("survival:project_detail", args=[self.project_id])

    @property
    def recorded(self) -> bool:
        return self.recorded_at is not None


class ProjectEvent(models.Model):
    """The timeline a user reads on the project page: who, when, what, why. Never changed."""

    project = models.ForeignKey(NewProject, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["project", "at"], name="survival_event_project_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
