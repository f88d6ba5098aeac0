import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.dates import add_months
from apps.core.models import Record
from apps.instruments.choices import InstrumentStatus, Ownership, WarrantyState

# Plausibility bounds: a typo (year 0202, 9999) is refused instead of breaking date arithmetic.
EARLIEST_DATE = dt.date(1980, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_WARRANTY_MONTHS = 240


def new_qr_token() -> str:
    return secrets.token_urlsafe(16)


class Instrument(Record):
    """One installed analyser (设备档案, SPEC MD-4). Warranty runs from acceptance (SPEC WO-10)."""

    serial_no = models.CharField(_("serial number"), max_length=64, unique=True)
    model = models.ForeignKey(
        "catalog.InstrumentModel", verbose_name=_("model"), on_delete=models.PROTECT, related_name="instruments"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer site"), on_delete=models.PROTECT, related_name="instruments"
    )
    department = models.ForeignKey(
        "customers.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instruments",
    )
    ownership = models.CharField(_("ownership"), max_length=16, choices=Ownership.choices, default=Ownership.CUSTOMER)
    dealer = models.ForeignKey(
        "customers.Dealer",
        verbose_name=_("placing dealer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placed_instruments",
    )
    install_date = models.DateField(_("install date"), null=True, blank=True)
    acceptance_date = models.DateField(_("acceptance date"), null=True, blank=True)
    contract_no = models.CharField(_("contract number"), max_length=64, blank=True)
    warranty_months = models.PositiveSmallIntegerField(
        _("warranty (months)"), default=12, validators=[MaxValueValidator(MAX_WARRANTY_MONTHS)]
    )
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True, editable=False, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=InstrumentStatus.choices, default=InstrumentStatus.IN_USE, db_index=True
    )
    qr_token = models.CharField(_("QR token"), max_length=32, unique=True, default=new_qr_token, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["serial_no"]
        indexes = [
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["model", "status"]),
            models.Index(fields=["dealer"]),
        ]

    def __str__(self):
        return f"{self.serial_no} ({self.model.code})"

    def get_absolute_url(self):
        return reverse("instruments:instrument_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.ownership == Ownership.DEALER and not self.dealer_id:
            errors["dealer"] = _("A dealer-placed instrument must name its dealer.")
        if self.ownership != Ownership.DEALER and self.dealer_id:
            errors["dealer"] = _("Only dealer-placed instruments name a placing dealer.")
        for name in ("install_date", "acceptance_date"):
            day = getattr(self, name)
            if day and not EARLIEST_DATE <= day <= LATEST_DATE:
                errors[name] = _("Enter a date between %(start)s and %(end)s.") % {
                    "start": EARLIEST_DATE.isoformat(),
                    "end": LATEST_DATE.isoformat(),
                }
        if self.install_date and self.acceptance_date and self.acceptance_date < self.install_date:
            errors["acceptance_date"] = _("Acceptance cannot come before installation.")
        if self.department_id and self.customer_id and self.department.customer_id != self.customer_id:
            errors["department"] = _("The department belongs to another customer.")
        if errors:
            raise ValidationError(errors)

    def compute_warranty_end(self):
        """Last day of warranty: acceptance date + contract months − 1 day (SPEC WO-10)."""
        if not self.acceptance_date or not EARLIEST_DATE <= self.acceptance_date <= LATEST_DATE:
            return None
        return add_months(self.acceptance_date, self.warranty_months) - dt.timedelta(days=1)

    def save(self, *args, **kwargs):
        self.warranty_end = self.compute_warranty_end()
        super().save(*args, **kwargs)

    def warranty_state(self, today=None) -> str:
        today = today or timezone.localdate()
        if not self.warranty_end:
            return WarrantyState.NOT_ACCEPTED
        return WarrantyState.IN_WARRANTY if today <= self.warranty_end else WarrantyState.EXPIRED

    def get_warranty_state_display(self):
        return WarrantyState(self.warranty_state()).label
