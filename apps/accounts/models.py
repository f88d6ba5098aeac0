from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.accounts.choices import CityTier, RegionLevel, Role
from apps.accounts.choices import SkillGroup as SkillGroupCode
from apps.core.models import Record


class Region(Record):
    """A province or a city under it (SPEC MD-2); cities carry the tier that sets hotel caps (EX-3)."""

    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"level": RegionLevel.PROVINCE},
    )
    code = models.CharField(_("administrative code"), max_length=12, blank=True)
    tier = models.CharField(_("city tier"), max_length=16, choices=CityTier.choices, blank=True)
    customer_manager = models.ForeignKey(
        "accounts.User",
        verbose_name=_("customer manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_regions",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="region_unique_name_in_parent"),
        ]
        indexes = [models.Index(fields=["level", "parent"])]

    def __str__(self):
        if self.level == RegionLevel.CITY and self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:region_detail", args=[self.pk])

    def clean(self):
        if self.level == RegionLevel.PROVINCE:
            if self.parent_id:
                raise ValidationError({"parent": _("A province has no parent region.")})
            if self.tier:
                raise ValidationError({"tier": _("Only cities have a tier.")})
        elif self.level == RegionLevel.CITY:
            if not self.parent_id:
                raise ValidationError({"parent": _("A city belongs to a province.")})
            if self.parent and self.parent.level != RegionLevel.PROVINCE:
                raise ValidationError({"parent": _("A city's parent must be a province.")})
            if not self.tier:
                raise ValidationError({"tier": _("Choose the city tier.")})


class SkillGroup(models.Model):
    """A skill group of the technical department; fixed list, seeded by migration."""

    code = models.CharField(_("code"), max_length=32, unique=True, choices=SkillGroupCode.choices)

    class Meta:
        verbose_name = _("skill group")
        verbose_name_plural = _("skill groups")
        ordering = ["id"]

    def __str__(self):
        return str(self.get_code_display())


class StaffManager(UserManager):
    pass


class User(AbstractUser):
    """A staff member (or a dealer's login) with one role, regions and skill groups (SPEC §0)."""

    name = models.CharField(_("full name"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.CLERK, db_index=True)
    phone = models.CharField(_("mobile"), max_length=32, blank=True)
    regions = models.ManyToManyField(Region, verbose_name=_("regions"), blank=True, related_name="staff")
    skill_groups = models.ManyToManyField(
        SkillGroup, verbose_name=_("skill groups"), blank=True, related_name="staff"
    )
    dealer = models.ForeignKey(
        "customers.Dealer",
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Only for dealer logins: the dealer this login acts for."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[regions, skill_groups], excluded_fields=["password", "last_login"])
    objects = StaffManager()

    SENSITIVE_FIELDS = ("phone", "email")

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]

    def __str__(self):
        return self.name or self.username

    def get_absolute_url(self):
        return reverse("accounts:staff_detail", args=[self.pk])

    def get_full_name(self):
        return self.name or super().get_full_name()

    def clean(self):
        super().clean()
        if self.role == Role.DEALER and not self.dealer_id:
            raise ValidationError({"dealer": _("A dealer login must name its dealer.")})
        if self.role != Role.DEALER and self.dealer_id:
            raise ValidationError({"dealer": _("Only dealer logins belong to a dealer.")})


class Qualification(Record):
    """An engineer's qualification to service an instrument model, until it expires (SPEC TR-3)."""

    engineer = models.ForeignKey(
        User, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="qualifications"
    )
    instrument_model = models.ForeignKey(
        "catalog.InstrumentModel",
        verbose_name=_("instrument model"),
        on_delete=models.PROTECT,
        related_name="qualifications",
    )
    certificate_no = models.CharField(_("certificate number"), max_length=64, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["valid_until"]
        constraints = [
            models.UniqueConstraint(
                fields=["engineer", "instrument_model"],
                condition=models.Q(is_active=True),
                name="qualification_one_active_per_model",
                violation_error_message=_("This engineer already has an active qualification for this model."),
            )
        ]
        indexes = [models.Index(fields=["instrument_model", "valid_until"])]

    def __str__(self):
        return f"{self.engineer} · {self.instrument_model}"

    def get_absolute_url(self):
        return reverse("accounts:qualification_detail", args=[self.pk])

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date must not be before the start date.")})
        if self.engineer_id and self.engineer.role not in (Role.ENGINEER, Role.CUSTOMER_MANAGER, Role.SUPERVISOR):
            raise ValidationError(
                {"engineer": _("Qualifications are for engineers, supervisors and customer managers.")}
            )

    @property
    def is_valid_today(self) -> bool:
        return self.is_active and self.valid_from <= timezone.localdate() <= self.valid_until
