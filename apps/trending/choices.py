"""Enumerations of trending (SPEC CP-7): what is counted, by what, and a signal's review."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Source(models.TextChoices):
    """What is counted: complaints (not those found not to be a complaint), service faults (repair
    jobs and any job whose engineer found a fault cause), or both added together."""

    COMPLAINTS = "complaints", _("Complaints")
    FAULTS = "faults", _("Service faults")
    BOTH = "both", _("Complaints and service faults")


class Dimension(models.TextChoices):
    """What the counts are grouped by (CP-7: recurring faults by model, lot and part; and cause)."""

    MODEL = "model", _("Instrument model")
    LOT = "lot", pgettext_lazy("trend dimension", "Lot")
    PART = "part", pgettext_lazy("trend dimension", "Part")
    CAUSE = "cause", pgettext_lazy("trend dimension", "Cause")


class SignalState(models.TextChoices):
    OPEN = "open", pgettext_lazy("trend signal state", "To review")
    REVIEWED = "reviewed", pgettext_lazy("trend signal state", "Reviewed")


class Decision(models.TextChoices):
    """What the quality department decided about a signal (ISO 13485 8.4 / 8.5.2: analysis of
    data feeding corrective action)."""

    CAPA = "capa", _("CAPA opened")
    NO_ACTION = "no_action", _("No action")
