from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import Record
from apps.knowledge.choices import IndexField

USER = settings.AUTH_USER_MODEL


class Case(Record):
    """A problem solved once, written up so that nobody has to solve it twice (SPEC KB-1, 案例分享).

    What the customer saw (`symptom`), on which instrument model, reagent and lot, what the cause
    was and what fixed it, with the lessons learned. It comes from a complaint (CP-3: the service
    complaint's case shared to the library) or a hard job (`work_order`). A draft is read by its
    author and the heads (policies.EDITORS) only; published, active cases by all internal staff.
    Every write goes through apps.knowledge.services, which also rebuilds the case's postings in
    the search index (CaseTerm); the field-level history is Record's.
    """

    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"), help_text=_("What the customer saw, in the words a caller would use."))
    instrument_model = models.ForeignKey(
        "catalog.InstrumentModel",
        verbose_name=_("instrument model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    item = models.ForeignKey(
        "catalog.CatalogItem",
        verbose_name=_("reagent / item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    lot = models.ForeignKey(
        "catalog.Lot", verbose_name=_("lot"), on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    lot_no = models.CharField(
        _("lot number"),
        max_length=32,
        blank=True,
        db_index=True,
        help_text=_("Filled in from the lot; type it when the lot is not in the catalogue."),
    )
    cause = models.TextField(_("cause"), blank=True)
    fix = models.TextField(_("fix"), blank=True, help_text=_("What solved it, step by step."))
    lessons = models.TextField(_("lessons and notes"), blank=True)
    tags = models.CharField(
        _("tags"), max_length=200, blank=True, help_text=_("Keywords, separated by commas, e.g. 温控, 报警")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("from complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("from work order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT, related_name="cases_written")
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Drafts are seen by their author and the heads only.")
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["published", "is_active", "updated_at"], name="case_published_updated"),
            models.Index(fields=["author", "updated_at"], name="case_author_updated"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("knowledge:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.lot_id and self.item_id and self.lot.item_id != self.item_id:
            errors["lot"] = _("This lot belongs to another item.")
        if self.published and not self.fix.strip():
            errors["fix"] = _("A published case says what fixed the problem.")
        if errors:
            raise ValidationError(errors)


class CaseTerm(models.Model):
    """One posting of the case library's inverted index: `term` occurs `tf` times in `field` of
    `case`, a field that holds `length` terms in all (BM25's length normalisation).

    Written only by apps.knowledge.services, one row per (case, field, term) (rebuilt on every
    create and update of the case, and
    all at once by `manage.py knowledge_rebuild_index`); the ranking sums over the postings of the
    query's terms in one aggregate query (apps.knowledge.selectors.case_search).
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="terms")
    field = models.CharField(_("field"), max_length=8, choices=IndexField.choices)
    term = models.CharField(_("term"), max_length=64)
    tf = models.PositiveIntegerField(_("occurrences"))
    length = models.PositiveIntegerField(_("terms in the field"))

    class Meta:
        verbose_name = _("index entry")
        verbose_name_plural = _("index entries")
        # The search reads every column of the postings of a few terms: the index alone answers it.
        indexes = [models.Index(fields=["term", "case", "field", "tf", "length"], name="caseterm_term_postings")]

    def __str__(self):
        return f"{self.term} ({self.field} ×{self.tf})"


class IndexStat(models.Model):
    """Totals of the search index per field: how many cases are indexed and how many terms the
    field holds in all (BM25's document count and average field length). Kept up to date by the
    services with every (re)indexed case; recounted by a full rebuild."""

    field = models.CharField(_("field"), max_length=8, choices=IndexField.choices, unique=True)
    documents = models.PositiveIntegerField(_("cases"), default=0)
    tokens = models.PositiveBigIntegerField(_("terms"), default=0)

    class Meta:
        verbose_name = _("index statistic")
        verbose_name_plural = _("index statistics")

    def __str__(self):
        return f"{self.field}: {self.documents} / {self.tokens}"
