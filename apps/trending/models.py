"""Trending of complaints and service faults (SPEC CP-7): the thresholds the quality department
keeps, and the signals a threshold raises for a value (a model, a lot, a part, a cause) in a
calendar month. The counts themselves are never stored: apps.trending.selectors computes them
with one GROUP BY query per source and dimension."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.complaints.choices import CauseCategory
from apps.core.models import Record
from apps.trending import policies
from apps.trending.choices import Decision, Dimension, SignalState, Source

USER = settings.AUTH_USER_MODEL

# The field of a threshold that names one value of each dimension (empty: any value).
VALUE_FIELDS = {
    Dimension.MODEL: "instrument_model",
    Dimension.LOT: "lot",
    Dimension.PART: "part",
    Dimension.CAUSE: "cause",
}


class TrendThreshold(Record):
    """One line of the trending rules (CP-7, kept as configuration): when the count of `source`
    for one value of `dimension` reaches `count` in a calendar month, a TrendSignal is raised and
    the quality department is told. A threshold names one value (this model, this lot, this part,
    this cause) or leaves it empty for any value. Deactivated thresholds raise nothing."""

    name = models.CharField(_("name"), max_length=128)
    source = models.CharField(_("what is counted"), max_length=12, choices=Source.choices)
    dimension = models.CharField(_("per"), max_length=8, choices=Dimension.choices)
    instrument_model = models.ForeignKey(
        "catalog.InstrumentModel",
        verbose_name=_("instrument model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lot = models.ForeignKey(
        "catalog.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    part = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("part"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cause = models.CharField(_("cause"), max_length=16, choices=CauseCategory.choices, blank=True)
    count = models.PositiveIntegerField(
        _("signal at"),
        validators=[MinValueValidator(1), MaxValueValidator(policies.MAX_THRESHOLD)],
        help_text=_("A signal is raised when a calendar month reaches this count."),
    )
    note = models.TextField(_("why this threshold"), blank=True)

    class Meta:
        verbose_name = _("trend threshold")
        verbose_name_plural = _("trend thresholds")
        ordering = ["source", "dimension", "count", "id"]
        indexes = [models.Index(fields=["is_active", "source", "dimension"], name="trend_threshold_active")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("trending:threshold_detail", args=[self.pk])

    @property
    def label(self) -> str:
        return gettext(self.name) if self.name else self.rule_text

    @property
    def note_label(self) -> str:
        return gettext(self.note) if self.note else ""

    @property
    def value_key(self) -> str | None:
        """The key of the one value this threshold watches (as the counts name it), None for any."""
        if self.dimension == Dimension.CAUSE:
            return self.cause or None
        field = VALUE_FIELDS.get(self.dimension)
        pk = getattr(self, f"{field}_id", None) if field else None
        return str(pk) if pk else None

    @property
    def value_label(self) -> str:
        if self.dimension == Dimension.CAUSE:
            return str(self.get_cause_display()) if self.cause else gettext("any cause")
        value = getattr(self, VALUE_FIELDS[self.dimension], None) if self.dimension in VALUE_FIELDS else None
        if value is not None:
            return str(value)
        return {
            Dimension.MODEL: gettext("any instrument model"),
            Dimension.LOT: gettext("any lot"),
            Dimension.PART: gettext("any part"),
        }.get(self.dimension, "")

    @property
    def rule_text(self) -> str:
        """ "Any lot: 3 or more complaints in a calendar month" — in the reader's language."""
        text = gettext("%(value)s: %(count)s or more %(source)s in a calendar month") % {
            "value": self.value_label,
            "count": self.count,
            "source": str(self.get_source_display()).lower() if self.source else "",
        }
        return capfirst(text)

    def clean(self):
        errors = {}
        wanted = VALUE_FIELDS.get(self.dimension)
        for field in VALUE_FIELDS.values():
            if field == wanted:
                continue
            value = getattr(self, field if field == "cause" else f"{field}_id")
            if value:
                errors[field] = _("Only the value of the chosen dimension can be named; leave this empty.")
        if self.dimension == Dimension.PART and self.part_id:
            from apps.catalog.choices import ItemKind

            if self.part.kind != ItemKind.SPARE_PART:
                errors["part"] = _("Choose a spare part.")
        if errors:
            raise ValidationError(errors)


class TrendSignal(models.Model):
    """A threshold reached: `count` of the threshold's source for one value in one calendar month
    (`month` is its first day). One signal per threshold, value and month, however often the scan
    runs. The quality department reviews it: a CAPA opened (and linked), or no action with the
    reason. The value and the rule are kept as they were when the signal was raised."""

    threshold = models.ForeignKey(
        TrendThreshold, verbose_name=_("threshold"), on_delete=models.PROTECT, related_name="signals"
    )
    source = models.CharField(_("what is counted"), max_length=12, choices=Source.choices)
    dimension = models.CharField(_("per"), max_length=8, choices=Dimension.choices)
    value_key = models.CharField(_("value key"), max_length=64)
    value_label = models.CharField(_("value"), max_length=255)
    month = models.DateField(_("month"))
    count = models.PositiveIntegerField(_("count"))
    limit = models.PositiveIntegerField(_("threshold count"))
    raised_at = models.DateTimeField(_("raised at"))
    state = models.CharField(_("state"), max_length=10, choices=SignalState.choices, default=SignalState.OPEN)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    capa = models.ForeignKey(
        "complaints.Capa",
        verbose_name=_("CAPA"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trend_signals",
    )
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("reviewed by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("trend signal")
        verbose_name_plural = _("trend signals")
        ordering = ["state", "-month", "-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["threshold", "value_key", "month"], name="trend_signal_one_per_month"),
        ]
        indexes = [
            # The list: open ones first, newest first.
            models.Index(fields=["state", "month", "raised_at"], name="trend_signal_state_month"),
            # The scan: what this month's and last month's signals already are.
            models.Index(fields=["month"], name="trend_signal_month"),
        ]

    def __str__(self):
        return gettext("%(value)s: %(count)s %(source)s in %(month)s") % {
            "value": self.value_label,
            "count": self.count,
            "source": str(self.get_source_display()).lower(),
            "month": f"{self.month:%Y-%m}",
        }

    def get_absolute_url(self):
        return reverse("trending:signal_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == SignalState.OPEN
