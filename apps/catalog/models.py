from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.choices import ItemKind, ProductFamily
from apps.core.models import Record


class InstrumentModel(Record):
    """An analyser model we sell or serve (SPEC MD-3), e.g. the YH-30 HbA1c HPLC analyser."""

    code = models.CharField(_("model code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128)
    family = models.CharField(_("product family"), max_length=16, choices=ProductFamily.choices, db_index=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=128, blank=True)
    registration_no = models.CharField(_("registration certificate no."), max_length=64, blank=True)
    is_third_party = models.BooleanField(
        _("third-party analyser"), default=False, help_text=_("Another maker's analyser running our reagents.")
    )

    class Meta:
        verbose_name = _("instrument model")
        verbose_name_plural = _("instrument models")
        ordering = ["family", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("catalog:instrumentmodel_detail", args=[self.pk])


class CatalogItem(Record):
    """A reagent, calibrator, QC material or spare part (SPEC MD-3)."""

    code = models.CharField(_("item code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=128, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices, db_index=True)
    specification = models.CharField(_("specification"), max_length=128, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    pack_size = models.CharField(
        _("pack size"), max_length=64, blank=True, help_text=_("e.g. R1 2×60 mL + R2 1×20 mL")
    )
    tests_per_ml = models.DecimalField(
        _("tests per mL"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    storage = models.CharField(_("storage"), max_length=64, blank=True, help_text=_("e.g. 2–8 °C, dark"))
    shelf_life_months = models.PositiveSmallIntegerField(_("shelf life (months)"), null=True, blank=True)
    onboard_stability_days = models.PositiveSmallIntegerField(_("on-board stability (days)"), null=True, blank=True)
    opened_stability_days = models.PositiveSmallIntegerField(_("stability after opening (days)"), null=True, blank=True)
    registration_no = models.CharField(_("registration certificate no."), max_length=64, blank=True)
    serial_tracked = models.BooleanField(_("serial-tracked"), default=False)
    compatible_models = models.ManyToManyField(
        InstrumentModel, verbose_name=_("compatible instrument models"), blank=True, related_name="items"
    )

    _history_m2m_fields = ["compatible_models"]  # audited like plain fields (simple-history)

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("catalog:item_detail", args=[self.pk])

    def clean(self):
        if self.kind == ItemKind.SPARE_PART and self.tests_per_ml:
            raise ValidationError({"tests_per_ml": _("A spare part has no tests per mL.")})
        if self.kind != ItemKind.SPARE_PART and self.serial_tracked:
            raise ValidationError({"serial_tracked": _("Only spare parts are serial-tracked.")})


class Lot(Record):
    """A production lot of a reagent, calibrator or QC material, with its expiry (SPEC MD-3)."""

    item = models.ForeignKey(CatalogItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="lots")
    lot_no = models.CharField(_("lot number"), max_length=32, db_index=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), db_index=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["-expires_on", "lot_no"]
        constraints = [models.UniqueConstraint(fields=["item", "lot_no"], name="lot_unique_number_per_item")]

    def __str__(self):
        return f"{self.item.code} / {self.lot_no}"

    def get_absolute_url(self):
        return reverse("catalog:lot_detail", args=[self.pk])

    def clean(self):
        if self.item_id and self.item.kind == ItemKind.SPARE_PART:
            raise ValidationError({"item": _("Spare parts have no lots; use serial numbers.")})
        if self.manufactured_on and self.expires_on and self.expires_on <= self.manufactured_on:
            raise ValidationError({"expires_on": _("The expiry date must come after the manufacturing date.")})
        if self.item_id and self.lot_no:
            same = Lot.objects.filter(item_id=self.item_id, lot_no=self.lot_no).exclude(pk=self.pk)
            if same.exists():
                # Said here, on the field, so the form and the API give the same clear message.
                raise ValidationError({"lot_no": _("This item already has a lot with this number.")})

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()


class LotMatch(Record):
    """Which reagent, calibrator and QC lots go together ([S0 1.二 note 2]; checked by OR-1)."""

    reagent_lot = models.ForeignKey(
        Lot, verbose_name=_("reagent lot"), on_delete=models.PROTECT, related_name="matches_as_reagent"
    )
    calibrator_lot = models.ForeignKey(
        Lot,
        verbose_name=_("calibrator lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matches_as_calibrator",
    )
    qc_lot = models.ForeignKey(
        Lot, verbose_name=_("QC lot"), null=True, blank=True, on_delete=models.PROTECT, related_name="matches_as_qc"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("lot match")
        verbose_name_plural = _("lot matches")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reagent_lot", "calibrator_lot", "qc_lot"], name="lotmatch_unique_combination"
            )
        ]

    def __str__(self):
        parts = [self.reagent_lot, self.calibrator_lot, self.qc_lot]
        return " + ".join(str(p) for p in parts if p)

    def get_absolute_url(self):
        return reverse("catalog:lotmatch_detail", args=[self.pk])

    @property
    def lots(self) -> list:
        """The reagent, calibrator and QC lot, in that order (None where not named)."""
        return [self.reagent_lot, self.calibrator_lot, self.qc_lot]

    def clean(self):
        expected = {
            "reagent_lot": ItemKind.REAGENT,
            "calibrator_lot": ItemKind.CALIBRATOR,
            "qc_lot": ItemKind.QC,
        }
        errors = {}
        for field, kind in expected.items():
            lot = getattr(self, field) if getattr(self, f"{field}_id") else None
            if lot is not None and lot.item.kind != kind:
                errors[field] = _("This lot is not a %(kind)s lot.") % {"kind": ItemKind(kind).label}
        if not errors and self.calibrator_lot_id is None and self.qc_lot_id is None:
            errors["calibrator_lot"] = _("Name a calibrator lot, a QC lot or both.")
        if not errors and self.reagent_lot_id is not None:
            # SQL treats NULLs as distinct, so the unique constraint alone would let a reagent +
            # calibrator pair without a QC lot be recorded twice.
            same = LotMatch.objects.filter(
                reagent_lot_id=self.reagent_lot_id,
                calibrator_lot_id=self.calibrator_lot_id,
                qc_lot_id=self.qc_lot_id,
            ).exclude(pk=self.pk)
            if same.exists():
                raise ValidationError(_("These lots are already recorded as a match."))
        if errors:
            raise ValidationError(errors)
