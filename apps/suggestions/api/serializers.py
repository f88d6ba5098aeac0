"""Suggestions in the API (SPEC CP-5): what the pages show, and one small request body per move,
each naming the `version` it was based on."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.access import personal_data_for
from apps.core.ids import MAX_ID
from apps.customers.models import Customer
from apps.suggestions import policies
from apps.suggestions.choices import AnswerMethod, Category, Decision, Department, EventKind, Source, Status
from apps.suggestions.models import Suggestion, SuggestionEvent
from apps.workorders.api.serializers import IdRelatedField


def enum_field(choices, component: str, *, blank: bool = False):
    """A choice field whose value set is one named component of the schema (no colliding enums)."""
    values = ["", *choices.values] if blank else list(choices.values)
    options = [("", "—"), *choices.choices] if blank else choices.choices

    @extend_schema_field({"type": "string", "enum": values}, component_name=component)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=options, **kwargs)

    EnumField.__name__ = f"{component}Field"
    return EnumField


StatusField = enum_field(Status, "SuggestionStatus")
SourceField = enum_field(Source, "SuggestionSource")
CategoryField = enum_field(Category, "SuggestionCategory")
DecisionField = enum_field(Decision, "SuggestionDecision")
DecisionOrBlankField = enum_field(Decision, "SuggestionDecisionOrBlank", blank=True)
MethodField = enum_field(AnswerMethod, "SuggestionAnswerMethod")
MethodOrBlankField = enum_field(AnswerMethod, "SuggestionAnswerMethodOrBlank", blank=True)
DepartmentField = enum_field(Department, "SuggestionDepartment")
EventKindField = enum_field(EventKind, "SuggestionEventKind")
EventStatusField = enum_field(Status, "SuggestionEventStatus", blank=True)


def _version_field():
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The version of the suggestion you read. A stale version is refused with 409."),
    )


class SuggestionSerializer(serializers.ModelSerializer):
    status = StatusField(read_only=True)
    source = SourceField(read_only=True)
    category = CategoryField(read_only=True)
    decision = DecisionOrBlankField(read_only=True)
    answer_method = MethodOrBlankField(read_only=True)
    departments = serializers.ListField(child=DepartmentField(), read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    decision_label = serializers.CharField(source="get_decision_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)
    submitter_contact = serializers.SerializerMethodField()
    has_letter = serializers.SerializerMethodField()

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "source",
            "source_label",
            "category",
            "category_label",
            "customer",
            "customer_name",
            "submitter",
            "submitter_name",
            "submitter_contact",
            "sales",
            "received_on",
            "received_by",
            "title",
            "content",
            "departments",
            "discussion",
            "decision",
            "decision_label",
            "decision_text",
            "decided_by",
            "decided_at",
            "letter_number",
            "letter_date",
            "answer_method",
            "answered_at",
            "has_letter",
            "withdraw_reason",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_submitter_contact(self, obj) -> str:
        request = self.context.get("request")
        return personal_data_for(getattr(request, "user", None), phone=obj.submitter_contact)[0]

    def get_has_letter(self, obj) -> bool:
        return bool(obj.letter_pdf)


class SuggestionEventSerializer(serializers.ModelSerializer):
    kind = EventKindField(read_only=True)
    from_status = EventStatusField(read_only=True)
    to_status = EventStatusField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)

    class Meta:
        model = SuggestionEvent
        fields = ["kind", "kind_label", "at", "actor", "actor_name", "from_status", "to_status", "text"]
        read_only_fields = fields


class SuggestionCreateSerializer(serializers.Serializer):
    source = SourceField()
    category = CategoryField()
    customer = IdRelatedField(queryset=Customer.objects.filter(is_active=True), required=False, allow_null=True)
    submitter = IdRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)
    submitter_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    submitter_contact = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=policies.TEXT_MAX)


class SuggestionDiscussSerializer(serializers.Serializer):
    departments = serializers.ListField(child=DepartmentField(), allow_empty=False)
    record = serializers.CharField(max_length=policies.TEXT_MAX)
    version = _version_field()


class SuggestionDecideSerializer(serializers.Serializer):
    decision = DecisionField()
    text = serializers.CharField(max_length=policies.TEXT_MAX)
    version = _version_field()


class SuggestionAnswerSerializer(serializers.Serializer):
    method = MethodField()
    letter_date = serializers.DateField(required=False, allow_null=True, default=None)
    letter_text = serializers.CharField(
        max_length=policies.TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Empty: the standard text for the decision."),
    )
    version = _version_field()


class SuggestionWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=policies.TEXT_MAX)
    version = _version_field()


MOVE_BODIES = {
    "discuss": SuggestionDiscussSerializer,
    "decide": SuggestionDecideSerializer,
    "answer": SuggestionAnswerSerializer,
    "withdraw": SuggestionWithdrawSerializer,
}
