from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductFamily(models.TextChoices):
    """The three instrument families of SPEC §0."""

    HBA1C = "hba1c", _("HbA1c HPLC analyser")
    POCT = "poct", _("POCT fluorescence immunoassay reader")
    BIOCHEMISTRY = "biochem", _("Biochemistry analyser")


class ItemKind(models.TextChoices):
    REAGENT = "reagent", _("Reagent")
    CALIBRATOR = "calibrator", _("Calibrator")
    QC = "qc", _("QC material")
    SPARE_PART = "spare_part", _("Spare part")
