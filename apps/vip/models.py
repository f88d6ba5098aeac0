"""The VIP programme (SPEC FU-5): tiers by annual purchase volume, the volumes themselves, each
VIP's membership (fixed engineer, visit cycle, last and next visit), its visits and the
timeline a user reads."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import Record
from apps.vip import policies
from apps.vip.choices import OPEN_VISIT_STATES, EventKind, VisitState

USER = settings.AUTH_USER_MODEL


class VipTier(Record):
    """A VIP tier an administrator or the technical head edits: who qualifies (the minimum annual
    purchase volume), how often its members are visited and what the visit brings.

    A customer is tiered into the active tier with the highest threshold its volume reaches;
    below every threshold it is no VIP (apps.vip.services.vip_retier)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=64)
    min_annual_volume = models.DecimalField(
        _("minimum annual purchase volume (CNY)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("A customer whose purchases of the year reach this amount belongs to this tier."),
    )
    visit_cycle_days = models.PositiveIntegerField(
        _("visit cycle (days)"),
        validators=[MinValueValidator(1), MaxValueValidator(policies.MAX_VISIT_CYCLE_DAYS)],
        help_text=_("A member is visited on site at least this often."),
    )
    service_content = models.TextField(_("service content"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("VIP tier")
        verbose_name_plural = _("VIP tiers")
        ordering = ["position", "-min_annual_volume"]
        constraints = [
            # Two active tiers with one threshold would make tiering ambiguous.
            models.UniqueConstraint(
                fields=["min_annual_volume"],
                condition=Q(is_active=True),
                name="vip_tier_unique_active_threshold",
                violation_error_message=_("Another active tier has the same minimum volume."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("vip:tier_detail", args=[self.pk])


class PurchaseVolume(Record):
    """What a customer bought from the company in one calendar year, in CNY, as commerce reports
    it; the basis of tiering (SPEC FU-5 1: 根据客户进货量，划分客户等级)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="purchase_volumes"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(policies.FIRST_YEAR), MaxValueValidator(policies.LAST_YEAR)]
    )
    amount = models.DecimalField(
        _("purchase volume (CNY)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("purchase volume")
        verbose_name_plural = _("purchase volumes")
        ordering = ["-year", "customer__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "year"],
                name="vip_volume_one_per_customer_year",
                violation_error_message=_("This customer already has a purchase volume for this year."),
            )
        ]
        indexes = [models.Index(fields=["year", "amount"], name="vip_volume_year_amount")]

    def __str__(self):
        return f"{self.customer} · {self.year}"

    def get_absolute_url(self):
        return reverse("vip:volume_detail", args=[self.pk])


class VipMembership(Record):
    """A customer's place in the VIP programme (one per customer, kept when it leaves):
    its tier, fixed engineer (SPEC FU-5 2), visit cycle (the tier's, or a per-customer cycle set
    by policy with its reason, FU-5 3), the last visit and when the next one is due.

    `is_active` is membership: a customer whose volume falls below every tier is taken out
    (inactive) and its customer record's tier goes back to normal. Written only by
    apps.vip.services; every change bumps `version` and the field history."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="vip_membership"
    )
    tier = models.ForeignKey(VipTier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="memberships")
    engineer = models.ForeignKey(
        USER,
        verbose_name=_("fixed engineer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vip_memberships",
    )
    cycle_override_days = models.PositiveIntegerField(
        _("own visit cycle (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(policies.MAX_VISIT_CYCLE_DAYS)],
    )
    cycle_override_reason = models.CharField(_("reason for the own cycle"), max_length=255, blank=True)
    since = models.DateField(_("member since"))
    basis_year = models.PositiveSmallIntegerField(_("tiered on the volume of"))
    basis_amount = models.DecimalField(_("purchase volume of that year (CNY)"), max_digits=14, decimal_places=2)
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True)
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("VIP customer")
        verbose_name_plural = _("VIP customers")
        ordering = ["next_visit_due", "id"]
        indexes = [
            models.Index(fields=["is_active", "next_visit_due"], name="vip_member_active_due"),
            models.Index(fields=["engineer", "is_active"], name="vip_member_engineer"),
            models.Index(fields=["tier", "is_active"], name="vip_member_tier"),
        ]

    def __str__(self):
        return str(self.customer)

    def get_absolute_url(self):
        return reverse("vip:member_detail", args=[self.pk])

    @property
    def visit_cycle_days(self) -> int:
        return self.cycle_override_days or self.tier.visit_cycle_days

    def clean(self):
        if self.cycle_override_days and not self.cycle_override_reason.strip():
            raise ValidationError({"cycle_override_reason": _("Say which policy sets this customer's own cycle.")})


class VipVisit(models.Model):
    """One on-site VIP visit: planned for a date, announced to the lab head (the agreed time,
    content and special requests; this registers the VIP_VISIT work order it links to), done
    when that order is completed, or cancelled with the reason. At most one open visit per
    member."""

    membership = models.ForeignKey(
        VipMembership, verbose_name=_("VIP customer"), on_delete=models.PROTECT, related_name="visits"
    )
    engineer = models.ForeignKey(
        USER, verbose_name=_("engineer"), on_delete=models.PROTECT, null=True, blank=True, related_name="vip_visits"
    )
    planned_on = models.DateField(_("planned for"), db_index=True)
    state = models.CharField(_("state"), max_length=16, choices=VisitState.choices, default=VisitState.PLANNED)
    # SPEC FU-5 4: 服务前和负责人联系，告知服务时间和内容，询问客户是否有特殊要求。
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_name = models.CharField(_("lab head told"), max_length=64, blank=True)
    agreed_at = models.DateTimeField(_("agreed date and time"), null=True, blank=True)
    content = models.TextField(_("service content"), blank=True)
    special_requests = models.TextField(_("special requests of the customer"), blank=True)
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    announced_by = models.ForeignKey(
        USER, verbose_name=_("announced by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    work_order = models.OneToOneField(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vip_visit",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    unplanned = models.BooleanField(
        _("unplanned"), default=False, help_text=_("A VIP visit work order registered without a planned visit.")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        USER, verbose_name=_("cancelled by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("VIP visit")
        verbose_name_plural = _("VIP visits")
        ordering = ["planned_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(state__in=sorted(OPEN_VISIT_STATES)),
                name="vip_one_open_visit",
                violation_error_message=_("This VIP customer already has an open visit."),
            )
        ]
        indexes = [
            models.Index(fields=["engineer", "state", "planned_on"], name="vip_visit_engineer_state"),
            models.Index(fields=["state", "planned_on"], name="vip_visit_state_planned"),
        ]

    def __str__(self):
        return str(_("VIP visit %(customer)s %(day)s") % {"customer": self.membership.customer, "day": self.planned_on})

    def get_absolute_url(self):
        return reverse("vip:visit_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_VISIT_STATES

    @property
    def due_on(self):
        """The day the visit should happen: the agreed day once announced, else the planned one."""
        if self.state == VisitState.ANNOUNCED and self.agreed_at is not None:
            from django.utils import timezone

            return timezone.localtime(self.agreed_at).date()
        return self.planned_on


class VipEvent(models.Model):
    """The timeline of a membership a user reads: joined, tier changed, left, engineer or cycle
    changed, visits planned / announced / done / cancelled / overdue — who, when, why. Never
    changed."""

    membership = models.ForeignKey(VipMembership, on_delete=models.CASCADE, related_name="events")
    visit = models.ForeignKey(VipVisit, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("VIP timeline event")
        verbose_name_plural = _("VIP timeline events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["membership", "at"], name="vip_event_member_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
