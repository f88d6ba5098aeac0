"""Surveys, cases and service quality in the API: what the pages show, and one small request
body per move (each naming the `version` it was based on)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.access import personal_data_for
from apps.core.ids import MAX_ID
from apps.surveys import policies, selectors
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
from apps.surveys.models import CaseLetter, EngineerRating, QualityFeedbackForm, Survey, SurveyCase
from apps.workorders.api.serializers import IdRelatedField, enum_field

TEXT_MAX = 5000

SurveyStateField = enum_field(SurveyState, "SurveyState")
SurveyChannelField = enum_field(SurveyChannel, "SurveyChannel")
SurveyItemField = enum_field(Item, "SurveyItem")
CaseKindField = enum_field(CaseKind, "SurveyCaseKind")
CaseStateField = enum_field(CaseState, "SurveyCaseState")
AnswerMethodField = enum_field(AnswerMethod, "SurveyAnswerMethod")
ForwardTargetField = enum_field(ForwardTarget, "SurveyForwardTarget")
LetterKindField = enum_field(LetterKind, "SurveyLetterKind")
RaterGroupField = enum_field(RaterGroup, "RaterGroup")
SurveyEventKindField = enum_field(EventKind, "SurveyEventKind")


def _version_field():
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The version you read. A stale version is refused with 409."),
    )


def _text(**kwargs):
    return serializers.CharField(max_length=TEXT_MAX, **kwargs)


# --- reading ---------------------------------------------------------------------------------


class SurveySerializer(serializers.ModelSerializer):
    """One row of the list."""

    state = SurveyStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    channel = SurveyChannelField(read_only=True, allow_blank=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "number",
            "state",
            "state_label",
            "channel",
            "work_order",
            "work_order_number",
            "customer",
            "customer_name",
            "engineer",
            "engineer_name",
            "overall_score",
            "dissatisfied_count",
            "created_at",
            "answered_at",
            "link_expires_at",
            "version",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    item = SurveyItemField()
    item_label = serializers.CharField(read_only=True)
    score = serializers.IntegerField(
        min_value=policies.SCORE_MIN, max_value=policies.SCORE_MAX, allow_null=True, required=False, default=None
    )
    not_applicable = serializers.BooleanField(required=False, default=False)
    comment = serializers.CharField(max_length=policies.COMMENT_MAX, required=False, allow_blank=True, default="")


class CaseSummarySerializer(serializers.ModelSerializer):
    kind = CaseKindField(read_only=True)
    item = SurveyItemField(read_only=True)
    state = CaseStateField(read_only=True)

    class Meta:
        model = SurveyCase
        fields = ["id", "number", "kind", "item", "score", "state", "owner_role", "opened_at"]
        read_only_fields = fields


class SurveyEventSerializer(serializers.Serializer):
    kind = SurveyEventKindField()
    kind_label = serializers.CharField(source="get_kind_display")
    case = serializers.IntegerField(source="case_id", allow_null=True)
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_name = serializers.StringRelatedField(source="actor")
    at = serializers.DateTimeField()
    text = serializers.CharField()


class SurveyDetailSerializer(SurveySerializer):
    answers = serializers.SerializerMethodField()
    cases = CaseSummarySerializer(many=True, read_only=True)
    events = SurveyEventSerializer(many=True, read_only=True)
    link = serializers.SerializerMethodField(
        help_text=_("The customer's personal link, for those who may send it while the survey is pending.")
    )
    link_sent_to = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [
            *SurveySerializer.Meta.fields,
            "respondent_name",
            "respondent_position",
            "suggestion",
            "answered_by",
            "link_issued_at",
            "link_sent_at",
            "link_sent_to",
            "link",
            "cancel_reason",
            "answers",
            "cases",
            "events",
        ]
        read_only_fields = fields

    @extend_schema_field(AnswerSerializer(many=True))
    def get_answers(self, obj):
        return [
            {
                "item": row.item,
                "item_label": row.label,
                "score": row.score,
                "not_applicable": row.not_applicable,
                "comment": row.comment,
            }
            for _title, rows in selectors.answer_sheet(obj)
            for row in rows
            if obj.answered_at
        ]

    def get_link(self, obj) -> str | None:
        from apps.surveys import services
        from apps.surveys.views import public_link

        request = self.context.get("request")
        if request is None or obj.state != SurveyState.PENDING:
            return None
        user = request.user
        if not (services.survey_may(obj, user, "send_link") or services.survey_may(obj, user, "reissue_link")):
            return None
        return public_link(request, obj)

    def get_link_sent_to(self, obj) -> str:
        request = self.context.get("request")
        return personal_data_for(getattr(request, "user", None), email=obj.link_sent_to)[1]


class QualityFeedbackFormSerializer(serializers.ModelSerializer):
    issued_by_name = serializers.StringRelatedField(source="issued_by", read_only=True)
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = QualityFeedbackForm
        fields = [
            "number",
            "issued_on",
            "customer_name",
            "product",
            "model",
            "lot_no",
            "problem",
            "verification_result",
            "requested_action",
            "issued_by",
            "issued_by_name",
            "issued_at",
            "pdf",
        ]
        read_only_fields = fields

    def get_pdf(self, obj) -> str:
        from django.urls import reverse

        return reverse("surveys:quality_form_pdf", args=[obj.case_id])


class LetterSerializer(serializers.ModelSerializer):
    kind = LetterKindField(read_only=True)
    issued_by_name = serializers.StringRelatedField(source="issued_by", read_only=True)
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = CaseLetter
        fields = [
            "id",
            "number",
            "kind",
            "letter_date",
            "addressee",
            "body",
            "issued_by",
            "issued_by_name",
            "issued_at",
            "pdf",
        ]
        read_only_fields = fields

    def get_pdf(self, obj) -> str:
        from django.urls import reverse

        return reverse("surveys:letter_pdf", args=[obj.case_id, obj.pk])


class CaseSerializer(serializers.ModelSerializer):
    kind = CaseKindField(read_only=True)
    item = SurveyItemField(read_only=True)
    state = CaseStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    owner_label = serializers.CharField(source="get_owner_role_display", read_only=True)
    survey_number = serializers.CharField(source="survey.number", read_only=True)
    customer_name = serializers.CharField(source="survey.customer.name", read_only=True)
    work_order_number = serializers.CharField(source="survey.work_order.number", read_only=True)

    class Meta:
        model = SurveyCase
        fields = [
            "id",
            "number",
            "kind",
            "item",
            "score",
            "state",
            "state_label",
            "owner_role",
            "owner_label",
            "survey",
            "survey_number",
            "customer_name",
            "work_order_number",
            "opened_at",
            "answer_due_on",
            "closed_at",
            "version",
        ]
        read_only_fields = fields


class CaseDetailSerializer(CaseSerializer):
    answer_method = AnswerMethodField(read_only=True, allow_blank=True)
    forwarded_to = ForwardTargetField(read_only=True, allow_blank=True)
    quality_form = serializers.SerializerMethodField()
    letters = LetterSerializer(many=True, read_only=True)
    events = SurveyEventSerializer(many=True, read_only=True)
    close_blockers = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(help_text=_("The moves the caller may make now."))

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "customer_comment",
            "cause",
            "cause_recorded_at",
            "verification_note",
            "verified_at",
            "forwarded_to",
            "forwarded_on",
            "forward_note",
            "answer",
            "answered_on",
            "answer_method",
            "improvement",
            "quality_form",
            "letters",
            "events",
            "close_blockers",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(QualityFeedbackFormSerializer(allow_null=True))
    def get_quality_form(self, obj):
        form = selectors.quality_form_of(obj) if obj.is_product_quality else None
        return QualityFeedbackFormSerializer(form).data if form else None

    def get_close_blockers(self, obj) -> list[str]:
        from apps.surveys.services import close_blockers

        return [str(text) for text in close_blockers(obj).values()] if obj.is_open else []

    def get_actions(self, obj) -> list[str]:
        from apps.surveys.choices import CASE_ACTIONS
        from apps.surveys.services import case_may

        request = self.context.get("request")
        if request is None:
            return []
        return [key for key in CASE_ACTIONS if case_may(obj, request.user, key)]


# --- writing: surveys ------------------------------------------------------------------------------


class SurveyAnswerRequestSerializer(serializers.Serializer):
    """The customer's answers as taken by staff: on site or by phone (SQ-1)."""

    version = _version_field()
    channel = SurveyChannelField(help_text=_("on_site (the engineer's phone) or phone (the clerk's call)."))
    respondent_name = serializers.CharField(max_length=64)
    respondent_position = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    suggestion = _text(required=False, allow_blank=True, default="")
    answers = AnswerSerializer(many=True, help_text=_("One entry per item: a score 1–5, or not_applicable."))

    def validate_answers(self, value):
        seen = set()
        for row in value:
            if row["item"] in seen:
                raise serializers.ValidationError(_("Each item once."))
            seen.add(row["item"])
        return value

    def service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        data["answers"] = {
            row["item"]: {"score": row["score"], "not_applicable": row["not_applicable"], "comment": row["comment"]}
            for row in data["answers"]
        }
        data["expected_version"] = data.pop("version")
        return data


class SendLinkRequestSerializer(serializers.Serializer):
    version = _version_field()
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class VersionRequestSerializer(serializers.Serializer):
    version = _version_field()


class CancelRequestSerializer(serializers.Serializer):
    version = _version_field()
    reason = serializers.CharField(max_length=255)


# --- writing: cases ---------------------------------------------------------------------------------


class CauseRequestSerializer(serializers.Serializer):
    version = _version_field()
    cause = _text()


class VerifyRequestSerializer(serializers.Serializer):
    version = _version_field()
    note = _text()


class QualityFormRequestSerializer(serializers.Serializer):
    version = _version_field()
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    product = serializers.CharField(max_length=128)
    model = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    lot_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    problem = _text()
    verification_result = _text()
    requested_action = _text()


class ForwardRequestSerializer(serializers.Serializer):
    version = _version_field()
    forwarded_to = ForwardTargetField()
    forwarded_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = _text()


class LetterRequestSerializer(serializers.Serializer):
    version = _version_field()
    kind = LetterKindField()
    letter_date = serializers.DateField(required=False, allow_null=True, default=None)
    body = _text()


class AnswerRequestSerializer(serializers.Serializer):
    version = _version_field()
    answer = _text()
    method = AnswerMethodField()
    answered_on = serializers.DateField(required=False, allow_null=True, default=None)


class CloseRequestSerializer(serializers.Serializer):
    version = _version_field()
    improvement = _text(required=False, allow_blank=True, default="")


# --- SQ-4 --------------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-06"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM"."""

    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_internal_value(self, data):
        month = selectors.parse_month(data if isinstance(data, str) else "")
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return value.strftime("%Y-%m")


class EngineerRatingSerializer(serializers.ModelSerializer):
    engineer = IdRelatedField(queryset=User.objects.all())
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)
    rater_name = serializers.StringRelatedField(source="rater", read_only=True)
    rater_group = RaterGroupField(read_only=True)
    month = MonthField()
    attitude = serializers.IntegerField(min_value=policies.SCORE_MIN, max_value=policies.SCORE_MAX)
    professional = serializers.IntegerField(min_value=policies.SCORE_MIN, max_value=policies.SCORE_MAX)
    conduct = serializers.IntegerField(min_value=policies.SCORE_MIN, max_value=policies.SCORE_MAX)
    comment = _text(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Required on update: the version you read. A stale version is refused with 409."),
    )

    class Meta:
        model = EngineerRating
        fields = [
            "id",
            "engineer",
            "engineer_name",
            "month",
            "rater",
            "rater_name",
            "rater_group",
            "attitude",
            "professional",
            "conduct",
            "comment",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "rater", "created_at", "updated_at"]


class GroupScoresSerializer(serializers.Serializer):
    group = RaterGroupField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    attitude = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    professional = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    conduct = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)


class EngineerQualitySerializer(serializers.Serializer):
    """One engineer's service-quality record of one month (SQ-4)."""

    engineer = serializers.IntegerField(source="engineer.pk")
    engineer_name = serializers.CharField(source="engineer.__str__")
    month = MonthField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    attitude = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    professional = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    conduct = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()
    groups = GroupScoresSerializer(many=True)
    answered = serializers.IntegerField()
    average_overall = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    dissatisfied = serializers.IntegerField()
    penalty = serializers.DecimalField(max_digits=5, decimal_places=2)
