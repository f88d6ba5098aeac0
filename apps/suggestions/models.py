"""Suggestions (SPEC CP-5, [S0 3.(四)二]): collected in writing with the technical head,
discussed (with the other departments for product ideas), decided and answered with a thank-you
letter."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.models import Record
from apps.suggestions.choices import (
    FINAL_STATUSES,
    Action,
    AnswerMethod,
    Category,
    Decision,
    Department,
    EventKind,
    Source,
    Status,
)

USER = settings.AUTH_USER_MODEL


def letter_upload_path(instance, filename):
    return f"suggestions/{instance.pk}/{filename}"


class Suggestion(Record):
    """One written suggestion from a customer, a member of staff, a sales person or a leader.

    `status` only changes through apps.suggestions.services (the table choices.TRANSITIONS);
    every move writes a SuggestionEvent. Answering freezes the thank-you letter as a PDF
    (`letter_pdf`, its SHA-256 in `letter_hash`), rendered once in the company's language.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.COLLECTED, db_index=True
    )
    source = models.CharField(_("from"), max_length=12, choices=Source.choices, db_index=True)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, db_index=True)
    # Who made it: a customer's person (customer + name), or one of us (submitter + name).
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    submitter = models.ForeignKey(
        USER, verbose_name=_("staff member"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitter_name = models.CharField(_("made by"), max_length=64)
    submitter_contact = models.CharField(_("contact (phone / e-mail)"), max_length=128, blank=True)
    # The customer's sales person when it was collected: told of it and of the answer.
    sales = models.ForeignKey(
        USER, verbose_name=_("sales"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(_("received on"), db_index=True)
    received_by = models.ForeignKey(USER, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("suggestion in one line"), max_length=200)
    content = models.TextField(_("suggestion"))
    # Discussion [S0 3.(四)二.1–2].
    departments = models.JSONField(_("discussed with"), default=list, blank=True)
    discussion = models.TextField(_("discussion record"), blank=True)
    discussed_at = models.DateTimeField(_("last discussed at"), null=True, blank=True)
    # Decision.
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True, db_index=True)
    decision_text = models.TextField(_("conclusion"), blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The thank-you letter [S0 3.(四)二.3].
    letter_number = models.CharField(_("letter number"), max_length=24, blank=True)
    letter_date = models.DateField(_("letter date"), null=True, blank=True)
    letter_text = models.TextField(_("letter text"), blank=True)
    answer_method = models.CharField(_("sent by"), max_length=8, choices=AnswerMethod.choices, blank=True)
    letter_pdf = models.FileField(_("thank-you letter (PDF)"), upload_to=letter_upload_path, max_length=255, blank=True)
    letter_hash = models.CharField(_("letter SHA-256"), max_length=64, blank=True)
    answered_by = models.ForeignKey(
        USER, verbose_name=_("answered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Withdrawn (a duplicate, entered by mistake, taken back by the person who made it).
    withdraw_reason = models.TextField(_("why withdrawn"), blank=True)
    withdrawn_by = models.ForeignKey(
        USER, verbose_name=_("withdrawn by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    SENSITIVE_FIELDS = ("submitter_contact",)
    HISTORY_REASONS = dict(Action.choices)  # core.history: the moves in the reader's words
    HISTORY_CHOICES = {"departments": Department.choices}  # core.history: codes → labels

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["status", "received_on"], name="suggestion_status_received"),
            models.Index(fields=["category", "received_on"], name="suggestion_category_received"),
            models.Index(fields=["customer", "received_on"], name="suggestion_customer_received"),
            models.Index(fields=["submitter", "received_on"], name="suggestion_submitter_received"),
            models.Index(fields=["sales", "received_on"], name="suggestion_sales_received"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("suggestions:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def addressee(self) -> str:
        """Whom the thank-you letter is addressed to."""
        if self.customer_id:
            return f"{self.customer.name} {self.submitter_name}".strip()
        return self.submitter_name

    @property
    def department_labels(self) -> list[str]:
        return [str(Department(code).label) for code in self.departments if code in Department.values]


class SuggestionEvent(models.Model):
    """The suggestion's timeline a user reads: who, when, from → to, what (never edited)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    from_status = models.CharField(_("from"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=Status.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["suggestion", "at"], name="suggestion_event_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
