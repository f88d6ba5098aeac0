"""Complaints in the API (SPEC §6, CP-1 … CP-4): what the list and the complaint file show, the
regulatory reports, CAPAs, reporting rules and reassignment reviews, and one small body per move
(each naming the `version` it was based on)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.catalog.models import CatalogItem, InstrumentModel, Lot
from apps.complaints import selectors, transitions
from apps.complaints.choices import (
    ACTIVITIES,
    Action,
    CapaState,
    CauseCategory,
    Channel,
    DeadlineUnit,
    Disposition,
    EventCategory,
    EventKind,
    Harm,
    Jurisdiction,
    Kind,
    ReplyKind,
    ReplyMethod,
    ReportState,
    ReviewState,
    Sex,
    Status,
    YesNoUnknown,
)
from apps.complaints.models import (
    Capa,
    Complaint,
    ComplaintEvent,
    ComplaintReply,
    ReassignmentReview,
    RegulatoryReport,
    ReportingRule,
)
from apps.core.access import personal_data_for, sees_personal_data
from apps.core.api import VersionedSerializer
from apps.core.ids import MAX_ID
from apps.customers.models import Customer
from apps.instruments.models import Instrument
from apps.workorders.api.serializers import IdRelatedField, SlaClockSerializer, enum_field, sla_clocks_of

TEXT_MAX = 5000

StatusField = enum_field(Status, "ComplaintStatus")
KindField = enum_field(Kind, "ComplaintKind")
ChannelField = enum_field(Channel, "ComplaintChannel")
SexField = enum_field(Sex, "ComplainantSex")
YesNoField = enum_field(YesNoUnknown, "ComplaintYesNoUnknown")
HarmField = enum_field(Harm, "ComplaintHarm")
DispositionField = enum_field(Disposition, "ComplaintDisposition")
CauseField = enum_field(CauseCategory, "ComplaintCause")
ReplyKindField = enum_field(ReplyKind, "ComplaintReplyKind")
ReplyMethodField = enum_field(ReplyMethod, "ComplaintReplyMethod")
EventCategoryField = enum_field(EventCategory, "RegulatoryEventCategory")
JurisdictionField = enum_field(Jurisdiction, "RegulatoryJurisdiction")
DeadlineUnitField = enum_field(DeadlineUnit, "RegulatoryDeadlineUnit")
ReportStateField = enum_field(ReportState, "RegulatoryReportState")
CapaStateField = enum_field(CapaState, "CapaState")
ReviewStateField = enum_field(ReviewState, "ReassignmentReviewState")
EventKindField = enum_field(EventKind, "ComplaintEventKind")
ActionField = enum_field(Action, "ComplaintAction")


class _Activities:
    """ACTIVITIES is a plain table, not a TextChoices: its keys as a choice set."""

    values = list(ACTIVITIES)
    choices = [(key, key) for key in ACTIVITIES]


ActivityField = enum_field(_Activities, "ComplaintActivity")

VERSION_HELP = _("The version of the complaint you read. A stale version is refused with 409.")


def _version_field(help_text=VERSION_HELP):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=help_text)


def _text(max_length=TEXT_MAX, **kwargs):
    """Free text the service checks itself (its message names the field in the user's language)."""
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, allow_null=False, default="", **kwargs
    )


def _optional_id(queryset, **kwargs):
    return IdRelatedField(queryset=queryset, required=False, allow_null=True, default=None, **kwargs)


def _user(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class _ScopedIdField(IdRelatedField):
    """An id of a row the caller may see (any other id is "does not exist", as for a stranger)."""

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        if user is None:  # schema generation
            return self.model_for_schema.objects.none()
        return self.scoped(user)


@extend_schema_field(OpenApiTypes.INT)
class ComplaintIdField(_ScopedIdField):
    model_for_schema = Complaint

    def scoped(self, user):
        return Complaint.objects.filter(selectors.complaint_scope_q(user))


@extend_schema_field(OpenApiTypes.INT)
class WorkOrderIdField(_ScopedIdField):
    """A work order the caller can see."""

    @property
    def model_for_schema(self):
        from apps.workorders.models import WorkOrder

        return WorkOrder

    def scoped(self, user):
        from apps.workorders.selectors import workorder_list

        return workorder_list(user=user)


def _survey_queryset():
    from apps.surveys.models import Survey

    return Survey.objects.all()


def _followup_queryset():
    from apps.followups.models import FollowUp

    return FollowUp.objects.all()


# --- reading: the parts of a complaint file ---------------------------------------------------


class ComplaintEventSerializer(serializers.ModelSerializer):
    """One timeline entry: who, when, from → to, why."""

    kind = EventKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)
    action = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintEvent
        fields = ["id", "kind", "kind_label", "action", "actor", "actor_name", "at", "text"]
        read_only_fields = fields

    def get_fields(self):
        # "from" and "to" are Python keywords: declared here rather than as attributes.
        fields = super().get_fields()
        fields["from"] = StatusField(source="from_status", allow_blank=True, read_only=True)
        fields["to"] = StatusField(source="to_status", allow_blank=True, read_only=True)
        return fields

    def get_action(self, obj) -> str:
        return (obj.data or {}).get("action", "")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # CP-3: a note about the engineer (the talk, a reassignment review) only for its readers;
        # the complaint is the prefetching parent (no query).
        if (instance.data or {}).get("personnel") and not selectors.sees_personnel_notes(
            _user(self), instance.complaint
        ):
            data["text"] = ""
        return data


class ComplaintReplySerializer(serializers.ModelSerializer):
    """One reply to the complainant (820.198(e)(8))."""

    kind = ReplyKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    method = ReplyMethodField(read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    satisfied = YesNoField(read_only=True)
    by_name = serializers.StringRelatedField(source="by", read_only=True)

    class Meta:
        model = ComplaintReply
        fields = [
            "id",
            "kind",
            "kind_label",
            "method",
            "method_label",
            "replied_at",
            "content",
            "satisfied",
            "by",
            "by_name",
        ]
        read_only_fields = fields


class RegulatoryReportSerializer(serializers.ModelSerializer):
    """One report a complaint owes an authority, with its deadline and its submission."""

    complaint_number = serializers.CharField(source="complaint.number", read_only=True)
    rule_code = serializers.CharField(source="rule.code", read_only=True)
    label = serializers.CharField(read_only=True)
    recipient_label = serializers.CharField(read_only=True)
    unit = DeadlineUnitField(read_only=True)
    unit_label = serializers.CharField(source="get_unit_display", read_only=True)
    state = ReportStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField(help_text=_("Still to submit and its deadline has passed."))
    submitted_by_name = serializers.StringRelatedField(source="submitted_by", read_only=True)
    attachment_url = serializers.SerializerMethodField(help_text=_("The file sent, through the API."))

    class Meta:
        model = RegulatoryReport
        fields = [
            "id",
            "complaint",
            "complaint_number",
            "rule",
            "rule_code",
            "label",
            "recipient_label",
            "amount",
            "unit",
            "unit_label",
            "aware_at",
            "due_at",
            "warn_at",
            "state",
            "state_label",
            "overdue",
            "warned_at",
            "escalated_at",
            "submitted_at",
            "report_number",
            "attachment_url",
            "submitted_by",
            "submitted_by_name",
            "note",
            "version",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.state == ReportState.PENDING and obj.due_at <= timezone.now()

    def get_attachment_url(self, obj) -> str | None:
        if not obj.attachment:
            return None
        return _absolute(self, reverse("regulatoryreport-attachment", args=[obj.pk]))


class CapaSerializer(serializers.ModelSerializer):
    """A CAPA (ISO 13485 8.5.2 / 8.5.3) that complaints link to."""

    state = CapaStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    owner_name = serializers.StringRelatedField(source="owner", read_only=True)
    closed_by_name = serializers.StringRelatedField(source="closed_by", read_only=True)

    class Meta:
        model = Capa
        fields = [
            "id",
            "number",
            "title",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "state",
            "state_label",
            "closed_at",
            "closed_by",
            "closed_by_name",
            "effectiveness",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CapaListSerializer(CapaSerializer):
    complaint_count = serializers.IntegerField(read_only=True, default=0)

    class Meta(CapaSerializer.Meta):
        fields = [*CapaSerializer.Meta.fields, "complaint_count"]
        read_only_fields = fields


class ComplaintRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = StatusField()
    summary = serializers.CharField()


class CapaDetailSerializer(CapaSerializer):
    complaints = serializers.SerializerMethodField(help_text=_("The linked complaints you can see."))

    class Meta(CapaSerializer.Meta):
        fields = [*CapaSerializer.Meta.fields, "complaints"]
        read_only_fields = fields

    @extend_schema_field(ComplaintRefSerializer(many=True))
    def get_complaints(self, obj):
        user = _user(self)
        if user is None:
            return []
        rows = obj.complaints.filter(selectors.complaint_scope_q(user)).distinct().order_by("-received_at", "-id")
        return ComplaintRefSerializer(rows, many=True).data


# --- reading: the complaint -------------------------------------------------------------------


class ComplaintSerializer(serializers.ModelSerializer):
    """One row of the list."""

    status = StatusField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind = KindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    channel = ChannelField(read_only=True)
    harm = HarmField(read_only=True)
    harm_label = serializers.CharField(source="get_harm_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)
    handler_name = serializers.StringRelatedField(source="handler", read_only=True)
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)
    pending_reports = serializers.SerializerMethodField(help_text=_("Regulatory reports still to submit."))
    overdue_reports = serializers.SerializerMethodField(
        help_text=_("Regulatory reports still to submit whose deadline has passed.")
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "kind",
            "kind_label",
            "channel",
            "received_at",
            "aware_at",
            "customer",
            "customer_name",
            "complainant_name",
            "product_name",
            "lot_no",
            "serial_no",
            "summary",
            "harm",
            "harm_label",
            "handler",
            "handler_name",
            "engineer",
            "engineer_name",
            "reportable",
            "pending_reports",
            "overdue_reports",
            "closed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_pending_reports(self, obj) -> int:
        if hasattr(obj, "pending_reports"):
            return obj.pending_reports
        return sum(1 for r in obj.reports.all() if r.state == ReportState.PENDING)

    def get_overdue_reports(self, obj) -> int:
        if hasattr(obj, "overdue_reports"):
            return obj.overdue_reports
        now = timezone.now()
        return sum(1 for r in obj.reports.all() if r.state == ReportState.PENDING and r.due_at <= now)


def _name(source: str):
    return serializers.StringRelatedField(source=source, read_only=True)


class ComplaintDetailSerializer(ComplaintSerializer):
    """The whole complaint file (ISO 13485 8.2.2, 21 CFR 820.198(e)) and what the caller can do
    with it now."""

    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    received_by_name = _name("received_by")
    region_name = _name("region")
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, default=None)
    complainant_sex = SexField(read_only=True, allow_blank=True)
    complainant_phone = serializers.SerializerMethodField(help_text=_("Masked for roles without personal data."))
    instrument_model_code = serializers.CharField(source="instrument_model.code", read_only=True, default=None)
    item_name = serializers.CharField(source="item.name", read_only=True, default=None)
    device_used = YesNoField(read_only=True)
    used_for_diagnosis = YesNoField(read_only=True)
    met_specification = YesNoField(read_only=True)
    reportable_events = serializers.ListField(child=EventCategoryField(), read_only=True)
    evaluated_by_name = _name("evaluated_by")
    reportability_by_name = _name("reportability_by")
    cause_category = CauseField(read_only=True, allow_blank=True)
    part_name = serializers.CharField(source="part.name", read_only=True, default=None)
    covered_by_number = serializers.CharField(source="covered_by.number", read_only=True, default=None)
    investigation_decided_by_name = _name("investigation_decided_by")
    disposition = DispositionField(read_only=True, allow_blank=True)
    apologised_by_name = _name("apologised_by")
    talked_by_name = _name("talked_by")
    reviewed_by_name = _name("reviewed_by")
    is_final = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    allowed_activities = serializers.SerializerMethodField()
    close_blockers = serializers.SerializerMethodField(
        help_text=_("While in the quality review: what still stands in the way of closing.")
    )
    reports = RegulatoryReportSerializer(many=True, read_only=True)
    replies = ComplaintReplySerializer(many=True, read_only=True)
    capas = CapaSerializer(many=True, read_only=True)
    events = ComplaintEventSerializer(many=True, read_only=True)
    sla_clocks = serializers.SerializerMethodField(help_text=_("CP-4: reply, plan and resolution clocks."))

    class Meta(ComplaintSerializer.Meta):
        fields = [
            *ComplaintSerializer.Meta.fields,
            "channel_label",
            "received_by",
            "received_by_name",
            "region",
            "region_name",
            "work_order",
            "work_order_number",
            "survey",
            "followup",
            "complainant_sex",
            "complainant_age",
            "complainant_employer",
            "complainant_address",
            "complainant_phone",
            "model_spec",
            "manufacturer",
            "instrument_model",
            "instrument_model_code",
            "item",
            "item_name",
            "lot",
            "instrument",
            "udi",
            "purchased_from",
            "purchased_on",
            "details",
            "device_used",
            "used_for_diagnosis",
            "met_specification",
            "harm_details",
            "told_to_stop_use",
            "evaluation_rationale",
            "evaluated_by",
            "evaluated_by_name",
            "evaluated_at",
            "reportable_events",
            "reportability_rationale",
            "reportability_by",
            "reportability_by_name",
            "reportability_at",
            "investigated",
            "investigation_started_on",
            "investigation_completed_on",
            "investigation_findings",
            "root_cause",
            "cause_category",
            "part",
            "part_name",
            "no_investigation_reason",
            "covered_by",
            "covered_by_number",
            "investigation_decided_by",
            "investigation_decided_by_name",
            "disposition",
            "disposition_note",
            "correction",
            "no_capa_reason",
            "apology",
            "apologised_at",
            "apologised_by",
            "apologised_by_name",
            "talk_note",
            "talked_at",
            "talked_by",
            "talked_by_name",
            "self_assessment",
            "self_assessed_at",
            "review_note",
            "reviewed_by",
            "reviewed_by_name",
            "retain_until",
            "is_final",
            "allowed_actions",
            "allowed_activities",
            "close_blockers",
            "reports",
            "replies",
            "capas",
            "events",
            "sla_clocks",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = _user(self)
        # SPEC MD-5 / §11: the complainant's personal data only for roles that call people.
        if not sees_personal_data(user):
            data["complainant_address"] = ""
            data["complainant_age"] = None
        # CP-3: what is said about the engineer is for the heads and for him (the dates stay:
        # everybody may see that the steps were taken).
        if not selectors.sees_personnel_notes(user, instance):
            data["talk_note"] = ""
            data["self_assessment"] = ""
        return data

    def get_complainant_phone(self, obj) -> str:
        phone, _email = personal_data_for(_user(self), phone=obj.complainant_phone or "")
        return phone

    @extend_schema_field(
        serializers.ListField(child=ActionField(), help_text=_("Moves of the state machine the caller can make now."))
    )
    def get_allowed_actions(self, obj):
        user = _user(self)
        return transitions.allowed_actions(obj, user) if user is not None else []

    @extend_schema_field(
        serializers.ListField(
            child=ActivityField(),
            help_text=_("Activities (replies, notes, CP-3 steps …) the caller can record now."),
        )
    )
    def get_allowed_activities(self, obj):
        user = _user(self)
        return transitions.allowed_activities(obj, user) if user is not None else []

    def get_close_blockers(self, obj) -> list[str]:
        from apps.complaints.services import close_blockers

        return [str(b) for b in close_blockers(obj)] if obj.status == Status.REVIEW else []

    @extend_schema_field(SlaClockSerializer(many=True))
    def get_sla_clocks(self, obj):
        return sla_clocks_of(obj)


class ComplaintCloseBlockersSerializer(serializers.Serializer):
    can_close = serializers.BooleanField(help_text=_("Nothing stands in the way (the status aside)."))
    blockers = serializers.ListField(child=serializers.CharField())


# --- writing: intake and edit -----------------------------------------------------------------


class ComplaintIntakeSerializer(serializers.Serializer):
    """CP-1 intake: the complainant, the product and what happened. Oral complaints are recorded
    when received (820.198(a)); the customer, instrument and lot fill in what they know."""

    kind = KindField()
    channel = ChannelField(default=Channel.PHONE)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    aware_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("When the company became aware (default: when received); regulatory deadlines run from it."),
    )
    handler = _optional_id(User.objects.filter(is_active=True))
    work_order = WorkOrderIdField(required=False, allow_null=True, default=None)
    survey = _optional_id(_survey_queryset())
    followup = _optional_id(_followup_queryset())
    customer = _optional_id(Customer.objects.all())
    complainant_name = serializers.CharField(max_length=64)
    complainant_sex = SexField(required=False, allow_blank=True, default="")
    complainant_age = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0)
    complainant_employer = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    complainant_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    complainant_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    product_name = serializers.CharField(max_length=128)
    model_spec = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    manufacturer = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    instrument_model = _optional_id(InstrumentModel.objects.all())
    item = _optional_id(CatalogItem.objects.all())
    lot = _optional_id(Lot.objects.all())
    lot_no = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    instrument = _optional_id(Instrument.objects.all())
    serial_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    udi = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    purchased_from = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    purchased_on = serializers.DateField(required=False, allow_null=True, default=None)
    summary = serializers.CharField(max_length=200)
    details = serializers.CharField(max_length=TEXT_MAX)
    device_used = YesNoField(default=YesNoUnknown.UNKNOWN)
    used_for_diagnosis = YesNoField(default=YesNoUnknown.UNKNOWN)
    met_specification = YesNoField(default=YesNoUnknown.UNKNOWN)
    harm = HarmField(default=Harm.NONE)
    harm_details = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    told_to_stop_use = serializers.BooleanField(default=False)
    engineer = _optional_id(User.objects.filter(role=Role.ENGINEER))


class ComplaintEditSerializer(ComplaintIntakeSerializer):
    """Correct intake fields of an open complaint: send only what changes, with the version."""

    version = _version_field()

    def validate(self, attrs):
        # Bound with partial=True (only the fields sent change), so "required" is checked here.
        if "version" not in attrs:
            raise serializers.ValidationError({"version": [_("Send the version of the complaint you are changing.")]})
        return attrs


# --- writing: one body per move ---------------------------------------------------------------


class ComplaintVersionOnly(serializers.Serializer):
    version = _version_field()


class ComplaintEvaluateSerializer(ComplaintVersionOnly):
    is_complaint = serializers.BooleanField(help_text=_("Is it a complaint? No closes it, with the rationale."))
    rationale = _text()


class ComplaintReportabilitySerializer(ComplaintVersionOnly):
    reportable = serializers.BooleanField()
    events = serializers.ListField(
        child=EventCategoryField(),
        required=False,
        default=list,
        max_length=len(EventCategory.values),
        help_text=_("What makes it reportable; each starts the reports its rules require."),
    )
    rationale = _text()


class ComplaintInvestigationSerializer(ComplaintVersionOnly):
    findings = _text()
    root_cause = _text()
    cause_category = CauseField(required=False, allow_blank=True, default="")
    started_on = serializers.DateField(required=False, allow_null=True, default=None)
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)
    part = _optional_id(CatalogItem.objects.all())


class ComplaintWaiveSerializer(ComplaintVersionOnly):
    reason = _text()
    covered_by = ComplaintIdField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The earlier complaint whose investigation covers this one."),
    )
    cause_category = CauseField(required=False, allow_blank=True, default="")


class ComplaintDispositionSerializer(ComplaintVersionOnly):
    disposition = DispositionField(required=False, allow_blank=True, default="")
    note = _text()


class ComplaintCorrectionSerializer(ComplaintVersionOnly):
    correction = _text()
    capas = serializers.ListField(
        child=IdRelatedField(queryset=Capa.objects.all()), required=False, default=list, max_length=50
    )
    no_capa_reason = _text()


class ComplaintResolutionSerializer(ComplaintVersionOnly):
    method = ReplyMethodField(required=False, allow_blank=True, default="")
    content = _text()
    satisfied = YesNoField(default=YesNoUnknown.UNKNOWN)
    replied_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ComplaintAddReplySerializer(ComplaintResolutionSerializer):
    kind = ReplyKindField(required=False, allow_blank=True, default="")


class ComplaintCloseSerializer(ComplaintVersionOnly):
    review_note = _text()


class ComplaintReasonSerializer(ComplaintVersionOnly):
    reason = _text()


class ComplaintTextSerializer(ComplaintVersionOnly):
    text = _text()


class ComplaintTalkSerializer(ComplaintVersionOnly):
    note = _text()


class ComplaintLinkCapaSerializer(ComplaintVersionOnly):
    capa = IdRelatedField(queryset=Capa.objects.all())


# --- regulatory reports -----------------------------------------------------------------------


class ReportSubmitSerializer(serializers.Serializer):
    version = _version_field(_("The version of the report you read. A stale version is refused with 409."))
    submitted_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    report_number = _text(max_length=64)
    attachment = serializers.FileField(required=False, allow_null=True, default=None)
    note = _text(max_length=255)


# --- CAPAs ------------------------------------------------------------------------------------


class CapaCreateSerializer(serializers.Serializer):
    number = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="", help_text=_("Empty: numbered automatically.")
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    owner = _optional_id(User.objects.filter(is_active=True))
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    complaint = ComplaintIdField(
        required=False, allow_null=True, default=None, help_text=_("Link the new CAPA to this complaint.")
    )


class CapaCloseSerializer(serializers.Serializer):
    version = _version_field(_("The version of the CAPA you read. A stale version is refused with 409."))
    effectiveness = _text()


# --- reporting rules --------------------------------------------------------------------------


class ReportingRuleSerializer(VersionedSerializer):
    jurisdiction = JurisdictionField()
    event = EventCategoryField()
    unit = DeadlineUnitField()
    escalate_role = serializers.ChoiceField(choices=Role.choices)
    label = serializers.CharField(read_only=True)
    recipient_label = serializers.CharField(read_only=True)
    source_label = serializers.CharField(read_only=True)
    deadline_text = serializers.CharField(read_only=True)

    class Meta:
        model = ReportingRule
        fields = [
            "id",
            "code",
            "jurisdiction",
            "event",
            "sequence",
            "name",
            "label",
            "recipient",
            "recipient_label",
            "amount",
            "unit",
            "deadline_text",
            "warn_before",
            "escalate_role",
            "source",
            "source_label",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]


# --- reassignment reviews ---------------------------------------------------------------------


class ReassignmentReviewSerializer(serializers.ModelSerializer):
    state = ReviewStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    engineer_name = _name("engineer")
    complaint_number = serializers.CharField(source="complaint.number", read_only=True)
    earlier_number = serializers.CharField(source="earlier.number", read_only=True)
    decided_by_name = _name("decided_by")

    class Meta:
        model = ReassignmentReview
        fields = [
            "id",
            "engineer",
            "engineer_name",
            "complaint",
            "complaint_number",
            "earlier",
            "earlier_number",
            "raised_at",
            "state",
            "state_label",
            "decision",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "version",
        ]
        read_only_fields = fields


class ReviewDecideSerializer(serializers.Serializer):
    version = _version_field(_("The version of the review you read. A stale version is refused with 409."))
    decision = _text()
