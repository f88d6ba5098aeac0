from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel
from apps.core.models import Record
from apps.core.text import pinyin_keys
from apps.customers.choices import ContactRole, CustomerKind, CustomerTier, HospitalGrade, ProductLineUsage


class Dealer(Record):
    """A channel partner (经销商): may request service; some equipment is dealer-placed (SPEC §0)."""

    code = models.CharField(_("dealer code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, db_index=True)
    contact_person = models.CharField(_("contact person"), max_length=64, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    regions = models.ManyToManyField(
        "accounts.Region", verbose_name=_("regions served"), blank=True, related_name="dealers"
    )

    _history_m2m_fields = ["regions"]  # audited like plain fields (simple-history)

    class Meta:
        verbose_name = _("dealer")
        verbose_name_plural = _("dealers")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:dealer_detail", args=[self.pk])


class Customer(Record):
    """A hospital, laboratory or clinic (SPEC MD-1)."""

    code = models.CharField(_("customer code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    name_pinyin = models.CharField(_("pinyin"), max_length=255, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=128, blank=True, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.HOSPITAL)
    grade = models.CharField(_("grade"), max_length=8, choices=HospitalGrade.choices, default=HospitalGrade.UNGRADED)
    province = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="province_customers",
        limit_choices_to={"level": RegionLevel.PROVINCE},
    )
    city = models.ForeignKey(
        "accounts.Region",
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="city_customers",
        limit_choices_to={"level": RegionLevel.CITY},
    )
    district = models.CharField(_("district / county"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    responsible_sales = models.ForeignKey(
        "accounts.User",
        verbose_name=_("responsible sales"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_customers",
    )
    responsible_engineer = models.ForeignKey(
        "accounts.User",
        verbose_name=_("responsible engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="engineer_customers",
    )
    dealer = models.ForeignKey(
        Dealer,
        verbose_name=_("dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text=_("Only when the customer is served through a dealer."),
    )
    tier = models.CharField(_("tier"), max_length=8, choices=CustomerTier.choices, default=CustomerTier.NORMAL)
    product_line_usage = models.CharField(
        _("product-line usage"),
        max_length=16,
        choices=ProductLineUsage.choices,
        default=ProductLineUsage.PROSPECT,
        help_text=_("Decides whether hardware service can be free (full line) or needs approval."),
    )
    in_arrears = models.BooleanField(
        _("in arrears"),
        default=False,
        help_text=_("Service staff are warned before serving."),  # SPEC WO-15
    )
    arrears_note = models.CharField(_("arrears note"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    INTERNAL_FIELDS = ("arrears_note",)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="customer_unique_name_in_city")]
        indexes = [
            models.Index(fields=["province", "city"]),
            models.Index(fields=["responsible_sales"]),
            models.Index(fields=["responsible_engineer"]),
            models.Index(fields=["dealer"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.pk])

    def clean(self):
        from apps.accounts.choices import Role

        errors = {}
        if self.city_id and self.province_id and self.city.parent_id != self.province_id:
            errors["city"] = _("The city must lie in the chosen province.")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both latitude and longitude, or neither.")
        if self.responsible_sales_id and self.responsible_sales.role != Role.SALES:
            errors["responsible_sales"] = _("The responsible sales person must have the sales role.")
        if self.responsible_engineer_id and self.responsible_engineer.role not in (
            Role.ENGINEER,
            Role.CUSTOMER_MANAGER,
        ):
            errors["responsible_engineer"] = _("The responsible engineer must be an engineer or a customer manager.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)


class Department(Record):
    """A department of a customer (检验科, 生化室 …)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["customer", "name"]
        constraints = [models.UniqueConstraint(fields=["customer", "name"], name="department_unique_name_in_customer")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.customer_id]) + "#departments"


class Contact(Record):
    """A person at a customer site: reports faults, signs reports, answers follow-ups (SPEC §0)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("full name"), max_length=64)
    role = models.CharField(_("role"), max_length=16, choices=ContactRole.choices, default=ContactRole.OTHER)
    title = models.CharField(_("title"), max_length=64, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    SENSITIVE_FIELDS = ("mobile", "email")

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "-is_primary", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:customer_detail", args=[self.customer_id]) + "#contacts"

    def clean(self):
        if self.department_id and self.customer_id and self.department.customer_id != self.customer_id:
            raise ValidationError({"department": _("The department belongs to another customer.")})
