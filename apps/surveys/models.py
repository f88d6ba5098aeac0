"""Satisfaction surveys, the cases their dissatisfied scores and suggestions open, and the
engineers' service-quality ratings (SPEC §5, SQ-1 … SQ-4)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import Record
from apps.surveys import policies
from apps.surveys.choices import (
    AnswerMethod,
    CaseKind,
    CaseState,
    EventKind,
    ForwardTarget,
    Item,
    LetterKind,
    RaterGroup,
    SurveyChannel,
    SurveyState,
)

USER = settings.AUTH_USER_MODEL
SCORE_VALIDATORS = [MinValueValidator(policies.SCORE_MIN), MaxValueValidator(policies.SCORE_MAX)]


class Survey(Record):
    """The satisfaction survey of one completed job (SQ-1): one per work order.

    Filled on the engineer's phone on site, by the clerk during a call, or by the customer
    through a personal link (`link_nonce`, signed into the token; a new nonce kills the old
    link). `state` only changes through apps.surveys.services.
    """

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    work_order = models.OneToOneField(
        "workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT, related_name="survey"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="surveys"
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    engineer = models.ForeignKey(
        USER, verbose_name=_("engineer"), on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    job_completed_at = models.DateTimeField(_("job completed at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=SurveyState.choices, default=SurveyState.PENDING, db_index=True
    )
    channel = models.CharField(_("channel"), max_length=12, choices=SurveyChannel.choices, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, verbose_name=_("filled in by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    respondent_name = models.CharField(_("respondent"), max_length=64, blank=True)
    respondent_position = models.CharField(_("respondent's position"), max_length=64, blank=True)
    suggestion = models.TextField(_("suggestions"), blank=True)
    overall_score = models.PositiveSmallIntegerField(_("overall score"), null=True, blank=True)
    dissatisfied_count = models.PositiveSmallIntegerField(_("dissatisfied scores"), default=0)
    link_nonce = models.CharField(_("link key"), max_length=32, editable=False)
    link_issued_at = models.DateTimeField(_("link issued at"))
    link_expires_at = models.DateTimeField(_("link expires at"), db_index=True)
    link_sent_to = models.CharField(_("link sent to"), max_length=254, blank=True)
    link_sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    SENSITIVE_FIELDS = ("link_sent_to",)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "created_at"], name="sv_state_created"),
            models.Index(fields=["engineer", "answered_at"], name="sv_engineer_answered"),
            models.Index(fields=["customer", "created_at"], name="sv_customer_created"),
            models.Index(fields=["channel", "created_at"], name="sv_channel_created"),
            models.Index(fields=["dissatisfied_count", "created_at"], name="sv_dissatisfied_created"),
        ]

    def __str__(self):
        return self.number or str(_("Survey"))

    def get_absolute_url(self):
        return reverse("surveys:detail", args=[self.pk])

    @property
    def is_dissatisfied(self) -> bool:
        return self.dissatisfied_count > 0


class SurveyAnswer(models.Model):
    """One item's score (1–5, or not applicable) and comment. Written once, never changed."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(pgettext_lazy("survey", "item"), max_length=24, choices=Item.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, validators=SCORE_VALIDATORS)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "item"], name="sv_answer_one_per_item"),
            models.CheckConstraint(
                condition=Q(not_applicable=True, score__isnull=True) | Q(not_applicable=False, score__isnull=False),
                name="sv_answer_score_or_na",
            ),
        ]

    def __str__(self):
        return f"{self.get_item_display()}: {self.score if self.score is not None else '—'}"

    @property
    def dissatisfied(self) -> bool:
        return self.score is not None and self.score <= policies.DISSATISFIED_AT_MOST


class SurveyCase(Record):
    """A dissatisfied score (SQ-2) or a packaging / logistics / other suggestion (SQ-3) of a
    survey, tracked to closure: cause → answer to the customer → improvement. Product-quality
    cases are verified at the customer and produce a quality feedback form; suggestions are
    forwarded to production / R&D and answered with a letter."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    item = models.CharField(pgettext_lazy("survey", "item"), max_length=24, choices=Item.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    customer_comment = models.TextField(_("customer's comment"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=CaseState.choices, default=CaseState.OPEN)
    owner_role = models.CharField(_("owner"), max_length=32, db_index=True)
    opened_at = models.DateTimeField(_("opened at"))
    answer_due_on = models.DateField(_("answer due"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    cause_recorded_at = models.DateTimeField(_("cause recorded at"), null=True, blank=True)
    cause_recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    verification_note = models.TextField(_("verified at the customer"), blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    forwarded_to = models.CharField(_("forwarded to"), max_length=12, choices=ForwardTarget.choices, blank=True)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    forward_note = models.TextField(_("forwarding note"), blank=True)
    forwarded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answer = models.TextField(_("answer to the customer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer_method = models.CharField(_("answered by"), max_length=8, choices=AnswerMethod.choices, blank=True)
    answer_recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    improvement = models.TextField(_("improvement"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("survey case")
        verbose_name_plural = _("survey cases")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["state", "opened_at"], name="sv_case_state_opened"),
            models.Index(fields=["owner_role", "state"], name="sv_case_owner_state"),
            models.Index(fields=["item", "opened_at"], name="sv_case_item_opened"),
        ]

    def __str__(self):
        return self.number or str(_("Case"))

    def get_absolute_url(self):
        return reverse("surveys:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    @property
    def is_product_quality(self) -> bool:
        return self.item == Item.PRODUCT_QUALITY

    @property
    def is_suggestion_item(self) -> bool:
        from apps.surveys.choices import SUGGESTION_ITEMS

        return self.item in SUGGESTION_ITEMS

    def get_owner_role_display(self) -> str:
        from apps.accounts.choices import Role

        try:
            return str(Role(self.owner_role).label)
        except ValueError:
            return self.owner_role


class QualityFeedbackForm(models.Model):
    """质量反馈表 (SQ-2): a product-quality problem, verified at the customer, reported to the
    marketing and product centres. Issued once; printable as PDF."""

    case = models.OneToOneField(SurveyCase, on_delete=models.PROTECT, related_name="quality_form")
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    issued_on = models.DateField(_("date"))
    customer_name = models.CharField(_("customer"), max_length=128)
    product = models.CharField(_("product"), max_length=128)
    model = models.CharField(_("model / specification"), max_length=64, blank=True)
    lot_no = models.CharField(_("lot or serial number"), max_length=64, blank=True)
    problem = models.TextField(_("problem"))
    verification_result = models.TextField(_("verification result"))
    requested_action = models.TextField(_("requested action"))
    issued_by = models.ForeignKey(USER, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("quality feedback form")
        verbose_name_plural = _("quality feedback forms")

    def __str__(self):
        return self.number or ""


class CaseLetter(models.Model):
    """感谢函 / 回复函 (SQ-3): the company's letter answering a customer's suggestion."""

    case = models.ForeignKey(SurveyCase, on_delete=models.PROTECT, related_name="letters")
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=LetterKind.choices)
    letter_date = models.DateField(_("date"))
    addressee = models.CharField(_("addressee"), max_length=128)
    body = models.TextField(_("text"))
    issued_by = models.ForeignKey(USER, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["issued_at", "id"]

    def __str__(self):
        return self.number or ""


class SurveyEvent(models.Model):
    """The timeline of a survey and its cases: who, when, what. Never changed."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="events")
    case = models.ForeignKey(SurveyCase, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(USER, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("details"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("survey event")
        verbose_name_plural = _("survey events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["survey", "at"], name="sv_event_survey_at"),
            models.Index(fields=["case", "at"], name="sv_event_case_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class EngineerRating(Record):
    """SQ-4: one rater's scores of one engineer for one month — attitude, professional level,
    personal conduct (1–5). One per rater, engineer and month; edited with its version."""

    engineer = models.ForeignKey(
        USER, verbose_name=_("engineer"), on_delete=models.PROTECT, related_name="service_ratings"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month rated."))
    rater = models.ForeignKey(USER, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+")
    rater_group = models.CharField(_("rater group"), max_length=12, choices=RaterGroup.choices)
    attitude = models.PositiveSmallIntegerField(_("service attitude"), validators=SCORE_VALIDATORS)
    professional = models.PositiveSmallIntegerField(_("professional level"), validators=SCORE_VALIDATORS)
    conduct = models.PositiveSmallIntegerField(_("personal conduct"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("engineer rating")
        verbose_name_plural = _("engineer ratings")
        ordering = ["-month", "engineer", "rater_group", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["engineer", "month", "rater"],
                name="sv_rating_one_per_rater_month",
                violation_error_message=_("You have already rated this engineer for this month."),
            )
        ]
        indexes = [models.Index(fields=["month", "engineer"], name="sv_rating_month_engineer")]

    def __str__(self):
        return f"{self.engineer} · {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("surveys:rating_edit", args=[self.pk])
