"""Follow-ups in the API: what the list, the detail page and the sheet show, and one small body
per move (each naming the `version` it was based on)."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.api import VersionedSerializer
from apps.core.ids import MAX_ID
from apps.followups import policies, selectors
from apps.followups.choices import (
    AssigneeRole,
    Channel,
    EventKind,
    Job,
    LeaderState,
    OffsetUnit,
    Problem,
    Questionnaire,
    SheetState,
    Stage,
    State,
    Trend,
)
from apps.followups.models import FollowUp, FollowUpEvent, FollowUpRule, FollowUpSheet
from apps.followups.services import may_record
from apps.workorders.api.serializers import IdRelatedField, enum_field

TEXT_MAX = 5000

StateField = enum_field(State, "FollowUpState")
JobField = enum_field(Job, "FollowUpJob")
StageField = enum_field(Stage, "FollowUpStage")
UnitField = enum_field(OffsetUnit, "FollowUpOffsetUnit")
ChannelField = enum_field(Channel, "FollowUpChannel")
AssigneeRoleField = enum_field(AssigneeRole, "FollowUpAssigneeRole")
QuestionnaireField = enum_field(Questionnaire, "FollowUpQuestionnaire")
TrendField = enum_field(Trend, "FollowUpTrend")
ProblemField = enum_field(Problem, "FollowUpProblem")
LeaderStateField = enum_field(LeaderState, "FollowUpLeaderState")
EventKindField = enum_field(EventKind, "FollowUpEventKind")
SheetStateField = enum_field(SheetState, "FollowUpSheetState")


VERSION_HELP = _("The version of the follow-up you read. A stale version is refused with 409.")
SHEET_VERSION_HELP = _("The version of the sheet you read. A stale version is refused with 409.")


def _version_field(help_text=VERSION_HELP):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=help_text)


@extend_schema_field(OpenApiTypes.INT)
class WorkOrderIdField(IdRelatedField):
    """A work order the caller can see (any other id is "does not exist")."""

    def get_queryset(self):
        from apps.workorders.selectors import workorder_list

        request = self.context.get("request")
        return workorder_list(user=request.user)


def _text(max_length=TEXT_MAX, **kwargs):
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


# --- reading ---------------------------------------------------------------------------------


class FollowUpQuestionSerializer(serializers.Serializer):
    """One question of the follow-up's questionnaire (FU-2) with the answer given, if any."""

    code = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=[("text", "text"), ("yesno", "yesno"), ("number", "number")])
    answer = serializers.JSONField(allow_null=True)


def questions_of(followup: FollowUp) -> list[dict]:
    answers = followup.answers or {}
    return [
        {"code": code, "label": str(label), "kind": kind, "answer": answers.get(code)}
        for code, label, kind in policies.QUESTIONS.get(followup.questionnaire, ())
    ]


class FollowUpSerializer(serializers.ModelSerializer):
    """One row of the list or of the call list."""

    state = StateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    job = JobField(read_only=True)
    job_label = serializers.CharField(source="get_job_display", read_only=True)
    stage = StageField(read_only=True)
    questionnaire = QuestionnaireField(read_only=True)
    channel = ChannelField(read_only=True)
    assignee_role = AssigneeRoleField(read_only=True)
    trend = TrendField(read_only=True, allow_blank=True)
    problem = ProblemField(read_only=True, allow_blank=True)
    leader_state = LeaderStateField(read_only=True, allow_blank=True)
    source_type = serializers.SerializerMethodField(
        help_text=_('What the follow-up hangs from, e.g. "workorders.workorder".')
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, default=None)
    assignee_name = serializers.StringRelatedField(source="assignee", read_only=True)
    done_by_name = serializers.StringRelatedField(source="done_by", read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("Still planned and its due time has passed."))
    questions = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "number",
            "state",
            "state_label",
            "job",
            "job_label",
            "stage",
            "questionnaire",
            "channel",
            "reason",
            "source_type",
            "source_id",
            "work_order",
            "work_order_number",
            "customer",
            "customer_name",
            "anchor_at",
            "planned_for",
            "due_at",
            "overdue",
            "assignee",
            "assignee_name",
            "assignee_role",
            "attempts",
            "done_at",
            "done_by",
            "done_by_name",
            "trend",
            "problem",
            "leader_state",
            "sheet",
            "questions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_source_type(self, obj) -> str:
        content_type = ContentType.objects.get_for_id(obj.source_type_id)  # cached: no query per row
        return f"{content_type.app_label}.{content_type.model}"

    def get_overdue(self, obj) -> bool:
        return obj.state == State.PLANNED and obj.due_at < timezone.now()

    @extend_schema_field(FollowUpQuestionSerializer(many=True))
    def get_questions(self, obj):
        return questions_of(obj)


class FollowUpEventSerializer(serializers.ModelSerializer):
    kind = EventKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)

    class Meta:
        model = FollowUpEvent
        fields = ["id", "kind", "kind_label", "actor", "actor_name", "at", "text"]
        read_only_fields = fields


class FollowUpDetailSerializer(FollowUpSerializer):
    """One follow-up with its answers, outcome, leader's decision, plan and timeline."""

    leader_name = serializers.StringRelatedField(source="leader", read_only=True)
    chain = serializers.SerializerMethodField(
        help_text=_("Ids of every follow-up of the same plan (same source and job), in order.")
    )
    events = serializers.SerializerMethodField()
    may_record = serializers.SerializerMethodField(help_text=_("Whether you may record this call."))
    trend_required = serializers.SerializerMethodField(
        help_text=_('Whether an answer must say "as usual" or "worse than usual".')
    )

    class Meta(FollowUpSerializer.Meta):
        fields = [
            *FollowUpSerializer.Meta.fields,
            "spoke_with",
            "answers",
            "record",
            "remarks",
            "plan_told",
            "open_questions",
            "questions_answer",
            "questions_answered_at",
            "leader_plan",
            "leader",
            "leader_name",
            "leader_at",
            "chain",
            "events",
            "may_record",
            "trend_required",
        ]
        read_only_fields = fields

    def get_chain(self, obj) -> list[int]:
        return list(selectors.chain_of(obj).values_list("pk", flat=True))

    @extend_schema_field(FollowUpEventSerializer(many=True))
    def get_events(self, obj):
        return FollowUpEventSerializer(obj.events.select_related("actor").order_by("at", "pk"), many=True).data

    def get_may_record(self, obj) -> bool:
        user = _user(self)
        return bool(user is not None and may_record(obj, user))

    def get_trend_required(self, obj) -> bool:
        return obj.questionnaire in policies.TREND_QUESTIONNAIRES


# --- writing: one body per move ---------------------------------------------------------------


class FollowUpVersionOnly(serializers.Serializer):
    version = _version_field()


class FollowUpScheduleSerializer(serializers.Serializer):
    """A follow-up planned by hand for a work order (POST follow-ups/)."""

    work_order = WorkOrderIdField(help_text=_("Id of a work order you can see."))
    job = JobField(required=False, help_text=_("Defaults to the job the work order's type follows (FU-1)."))
    questionnaire = QuestionnaireField()
    due_at = serializers.DateTimeField()
    channel = ChannelField(default=Channel.PHONE)
    assignee = IdRelatedField(
        queryset=User.objects.filter(is_active=True, role__in=(Role.ENGINEER, Role.CLERK)),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("An active engineer or clerk; empty = the hotline clerks' pool."),
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("job"):
            job = policies.job_for_order(attrs["work_order"])
            if job is None:
                raise serializers.ValidationError({"job": [_("This kind of work has no follow-up plan: choose one.")]})
            attrs["job"] = job
        return attrs


class FollowUpRecordSerializer(FollowUpVersionOnly):
    """The customer answered (FU-2, FU-3)."""

    problem = ProblemField()
    answers = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text=_("Answers by question code; unknown codes are ignored, numbers must be numbers."),
    )
    trend = TrendField(required=False, allow_blank=True, default="")
    record = _text()
    remarks = _text(255)
    plan_told = _text(help_text=_("Required when the problem was solved by phone."))
    open_questions = _text(help_text=_("Questions to answer after discussion."))
    spoke_with = _text(64)


class FollowUpNoteSerializer(FollowUpVersionOnly):
    note = _text()


class FollowUpCorrectSerializer(FollowUpVersionOnly):
    problem = ProblemField()
    trend = TrendField(required=False, allow_blank=True, default="")
    record = _text()
    reason = serializers.CharField(max_length=255)


class FollowUpReassignSerializer(FollowUpVersionOnly):
    assignee = IdRelatedField(
        queryset=User.objects.all(),
        allow_null=True,
        help_text=_("An active engineer or clerk; null = the hotline clerks' pool."),
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class FollowUpReasonSerializer(FollowUpVersionOnly):
    reason = serializers.CharField(max_length=255)


class FollowUpLeaderDecisionSerializer(FollowUpVersionOnly):
    plan = serializers.CharField(max_length=TEXT_MAX)


class FollowUpAnswerQuestionsSerializer(FollowUpVersionOnly):
    answer = serializers.CharField(max_length=TEXT_MAX)


# --- the rules table -------------------------------------------------------------------------


class FollowUpRuleSerializer(VersionedSerializer):
    job = JobField()
    job_label = serializers.CharField(source="get_job_display", read_only=True)
    stage = StageField()
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    unit = UnitField(default=OffsetUnit.HOURS)
    channel = ChannelField(default=Channel.PHONE)
    assignee_role = AssigneeRoleField(default=AssigneeRole.ENGINEER)
    questionnaire = QuestionnaireField()

    class Meta:
        model = FollowUpRule
        fields = [
            "id",
            "job",
            "job_label",
            "stage",
            "stage_label",
            "sequence",
            "offset",
            "unit",
            "channel",
            "assignee_role",
            "questionnaire",
            "interval_days",
            "horizon_days",
            "note",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]
        # "One active rule per job and order number" is the model's to say (full_clean in the
        # service), so the message is the same in the UI and the API.
        validators = []


# --- the follow-up sheet (FU-4) ----------------------------------------------------------------


class FollowUpSheetLineSerializer(serializers.ModelSerializer):
    """One line of the sheet: number, time, hospital, record, remarks, who called."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, default=None)
    done_by_name = serializers.StringRelatedField(source="done_by", read_only=True)
    problem = ProblemField(read_only=True, allow_blank=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "number",
            "done_at",
            "customer",
            "customer_name",
            "work_order",
            "work_order_number",
            "problem",
            "record",
            "remarks",
            "done_by",
            "done_by_name",
        ]
        read_only_fields = fields


class FollowUpSheetSerializer(serializers.ModelSerializer):
    state = SheetStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    caller_name = serializers.StringRelatedField(source="caller", read_only=True)
    reviewer_name = serializers.StringRelatedField(source="reviewer", read_only=True)
    signer_name = serializers.StringRelatedField(source="signer", read_only=True)

    class Meta:
        model = FollowUpSheet
        fields = [
            "id",
            "number",
            "caller",
            "caller_name",
            "period_start",
            "period_end",
            "state",
            "state_label",
            "submitted_at",
            "reviewer",
            "reviewer_name",
            "reviewed_at",
            "review_comment",
            "signer",
            "signer_name",
            "signed_at",
            "sign_comment",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowUpSheetDetailSerializer(FollowUpSheetSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(FollowUpSheetSerializer.Meta):
        fields = [*FollowUpSheetSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    @extend_schema_field(FollowUpSheetLineSerializer(many=True))
    def get_lines(self, obj):
        return FollowUpSheetLineSerializer(selectors.sheet_lines(obj), many=True).data


class FollowUpSheetCreateSerializer(serializers.Serializer):
    caller = IdRelatedField(
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Whose sheet (default: yours; a leader may make one for a caller)."),
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class FollowUpSheetVersionOnly(serializers.Serializer):
    version = _version_field(SHEET_VERSION_HELP)


class FollowUpSheetCommentSerializer(FollowUpSheetVersionOnly):
    comment = serializers.CharField(max_length=TEXT_MAX)


class FollowUpSheetSignSerializer(FollowUpSheetVersionOnly):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


# --- FU-7 ------------------------------------------------------------------------------------


class CallsQuerySerializer(serializers.Serializer):
    day = serializers.DateField(required=False)


class LoadQuerySerializer(serializers.Serializer):
    week = serializers.DateField(required=False, help_text=_("Any day of the week (default: this week)."))


class FollowUpEngineerLoadSerializer(serializers.Serializer):
    engineer = serializers.IntegerField()
    engineer_name = serializers.CharField()
    count = serializers.IntegerField(help_text=_("Phone follow-ups due in the week."))
    minutes = serializers.IntegerField()
    over = serializers.BooleanField(help_text=_("More than one working day in five."))


class FollowUpPhoneLoadSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    working_days = serializers.IntegerField()
    limit_minutes = serializers.FloatField()
    engineers = FollowUpEngineerLoadSerializer(many=True)
