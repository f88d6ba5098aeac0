"""Work orders in the API: what the list and the detail page show, and one small request body
per move (each naming the `version` it was based on)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.catalog.models import CatalogItem, InstrumentModel, Lot
from apps.complaints.choices import CauseCategory
from apps.core.access import personal_data_for, sees_internal_notes
from apps.core.ids import MAX_ID, parse_id
from apps.customers.models import Contact, Customer, Department
from apps.instruments.models import Instrument
from apps.workorders import transitions
from apps.workorders.choices import (
    TRANSITIONS,
    ApprovalStep,
    AttachmentKind,
    Billing,
    Channel,
    Decision,
    Outcome,
    PartSupply,
    PauseKind,
    Status,
    Urgency,
    WorkType,
)
from apps.workorders.models import (
    ApprovalDecision,
    Attachment,
    ChecklistItem,
    PaidService,
    PartUsage,
    ServiceApplication,
    ServiceReport,
    Visit,
    WorkOrder,
    WorkOrderEvent,
)

TEXT_MAX = 5000  # free text (descriptions, findings …): generous, but bounded


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id; a malformed or out-of-range one (`"abc"`, `true`, 10**30) is a 400 naming
    the field, never a database error."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or parse_id(data) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(parse_id(data))


def _id_field(queryset, **kwargs):
    return IdRelatedField(queryset=queryset, **kwargs)


def _optional_id(queryset):
    return IdRelatedField(queryset=queryset, required=False, allow_null=True, default=None)


def _version_field():
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The version of the work order you read. A stale version is refused with 409."),
    )


def _user(request):
    return getattr(request, "user", None)


def enum_field(choices, component: str):
    """A choice field whose value set is one named schema component, shared by every field that
    uses it (the same set appears in lists, details, requests and other apps' resources under
    field names like `status`, which would otherwise collide in the OpenAPI schema)."""

    @extend_schema_field({"type": "string", "enum": list(choices.values)}, component_name=component)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    EnumField.__name__ = f"{component}Field"
    return EnumField


StatusField = enum_field(Status, "WorkOrderStatus")
ChannelField = enum_field(Channel, "WorkOrderChannel")
BillingField = enum_field(Billing, "WorkOrderBilling")
AttachmentKindField = enum_field(AttachmentKind, "AttachmentKind")


# --- reading ---------------------------------------------------------------------------------


class WorkOrderSerializer(serializers.ModelSerializer):
    """One row of the list."""

    status = StatusField(read_only=True)
    channel = ChannelField(read_only=True)
    billing = BillingField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    work_type_label = serializers.CharField(source="get_work_type_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    instrument_serial = serializers.CharField(source="instrument.serial_no", read_only=True, default=None)
    instrument_model_code = serializers.CharField(source="instrument_model.code", read_only=True, default=None)
    region_name = serializers.StringRelatedField(source="region", read_only=True)
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)
    sales_name = serializers.StringRelatedField(source="sales", read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "work_type",
            "work_type_label",
            "urgency",
            "channel",
            "customer",
            "customer_name",
            "instrument",
            "instrument_serial",
            "instrument_model",
            "instrument_model_code",
            "region",
            "region_name",
            "engineer",
            "engineer_name",
            "sales",
            "sales_name",
            "billing",
            "in_warranty",
            "arrears_at_intake",
            "emergency",
            "application_missing",
            "on_hold",
            "appointment_at",
            "completed_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ChecklistItemSerializer(serializers.ModelSerializer):
    done_by_name = serializers.StringRelatedField(source="done_by", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = ["code", "label", "position", "done", "done_by", "done_by_name", "done_at", "note"]
        read_only_fields = fields


class ApprovalDecisionSerializer(serializers.ModelSerializer):
    step_label = serializers.SerializerMethodField()
    decided_by_name = serializers.StringRelatedField(source="decided_by", read_only=True)

    class Meta:
        model = ApprovalDecision
        fields = ["step", "step_label", "decision", "decided_by", "decided_by_name", "decided_at", "reason"]
        read_only_fields = fields

    def get_step_label(self, obj) -> str:
        return _step_label(obj.step)


def _step_label(code: str) -> str:
    try:
        return str(ApprovalStep(code).label)
    except ValueError:
        return code


class RouteStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    current = serializers.BooleanField()


class ServiceApplicationSerializer(serializers.ModelSerializer):
    """The 技术服务申请表 and where its approval route stands (SPEC WO-3, WO-9)."""

    filed_by_name = serializers.StringRelatedField(source="filed_by", read_only=True)
    billing = BillingField(read_only=True)
    route = serializers.SerializerMethodField()
    step_code = serializers.CharField(read_only=True, allow_null=True)
    step_label = serializers.SerializerMethodField()
    decisions = ApprovalDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceApplication
        fields = [
            "filed_by",
            "filed_by_name",
            "filed_at",
            "work_content",
            "billing",
            "state",
            "route",
            "route_explanation",
            "current_step",
            "step_code",
            "step_label",
            "user_and_dealer_agree",
            "decisions",
        ]
        read_only_fields = fields

    @extend_schema_field(RouteStepSerializer(many=True))
    def get_route(self, obj):
        return [
            {
                "step": code,
                "label": _step_label(code),
                "done": index < obj.current_step,
                "current": index == obj.current_step and obj.state == "pending",
            }
            for index, code in enumerate(obj.route)
        ]

    def get_step_label(self, obj) -> str | None:
        return _step_label(obj.step_code) if obj.step_code else None


class PaidServiceSerializer(serializers.ModelSerializer):
    """The money of a paid hardware service (SPEC WO-9)."""

    balance_amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)
    deposit_confirmed_by_name = serializers.StringRelatedField(source="deposit_confirmed_by", read_only=True)
    balance_confirmed_by_name = serializers.StringRelatedField(source="balance_confirmed_by", read_only=True)

    class Meta:
        model = PaidService
        fields = [
            "quote_amount",
            "quote_note",
            "contract_no",
            "customer_agreed_at",
            "deposit_amount",
            "deposit_reference",
            "deposit_paid_at",
            "deposit_confirmed_by",
            "deposit_confirmed_by_name",
            "deposit_confirmed_at",
            "balance_amount",
            "balance_due_date",
            "balance_paid_at",
            "balance_confirmed_by",
            "balance_confirmed_by_name",
            "invoice_no",
            "parts_warranty_until",
        ]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "engineer",
            "engineer_name",
            "checked_in_at",
            "checked_out_at",
            "findings",
            "work_done",
            "measurements",
            "drift_warning_given",
            "lab_head_consent",
            "lab_head_name",
            "version",
        ]
        read_only_fields = fields


class PartUsageSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = PartUsage
        fields = [
            "id",
            "item",
            "item_code",
            "item_name",
            "quantity",
            "supply",
            "fitted",
            "visit",
            "requested_at",
            "arrival_confirmed_at",
            "reminder_due_on",
            "reminded_at",
        ]
        read_only_fields = fields


class ServiceReportSerializer(serializers.ModelSerializer):
    """A signed report (SPEC WO-12): who signed, when, what it means, the hashes and the PDF."""

    pdf_url = serializers.SerializerMethodField(
        help_text=_("The frozen PDF on the report pages (a logged-in browser session).")
    )
    api_pdf_url = serializers.SerializerMethodField(help_text=_("The same PDF through the API (token or session)."))

    class Meta:
        model = ServiceReport
        fields = [
            "id",
            "number",
            "kind",
            "visit",
            "signer_name",
            "signer_title",
            "signature_meaning",
            "signed_at",
            "content_hash",
            "pdf_hash",
            "pdf_url",
            "api_pdf_url",
            "emailed_to",
        ]
        read_only_fields = fields

    def get_pdf_url(self, obj) -> str | None:
        try:
            return _absolute(self, reverse("workorders:report_pdf", args=[obj.pk]))
        except NoReverseMatch:  # the report pages are not installed
            return None

    def get_api_pdf_url(self, obj) -> str:
        return _absolute(self, reverse("workorder-report-pdf", args=[obj.work_order_id, obj.pk]))


def _absolute(serializer, url: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class AttachmentSerializer(serializers.ModelSerializer):
    kind = AttachmentKindField(read_only=True)
    uploaded_by_name = serializers.StringRelatedField(source="uploaded_by", read_only=True)
    url = serializers.SerializerMethodField(help_text=_("The file on the work-order pages (a browser session)."))
    api_url = serializers.SerializerMethodField(help_text=_("The same file through the API (token or session)."))

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "original_name",
            "size",
            "caption",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "url",
            "api_url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str | None:
        try:
            return _absolute(self, reverse("workorders:attachment", args=[obj.work_order_id, obj.pk]))
        except NoReverseMatch:  # the work-order pages are not installed
            return None

    def get_api_url(self, obj) -> str:
        return _absolute(self, reverse("workorder-attachment-file", args=[obj.work_order_id, obj.pk]))


class SlaClockSerializer(serializers.Serializer):
    """One SLA clock as the detail page shows it (SPEC §3)."""

    policy = serializers.CharField(help_text=_("Code of the time limit."))
    label = serializers.CharField()
    state = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(
        allow_null=True, help_text=_("Business time left; negative when overdue; empty once stopped.")
    )
    pause_reason = serializers.CharField(allow_blank=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    owner = serializers.IntegerField(allow_null=True)


class RecentJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = StatusField()
    work_type = serializers.ChoiceField(choices=WorkType.choices)
    created_at = serializers.DateTimeField()


class WorkOrderDetailSerializer(WorkOrderSerializer):
    """Everything the detail page shows, plus the moves the caller can make now."""

    department_name = serializers.CharField(source="department.name", read_only=True, default=None)
    contact_name = serializers.CharField(source="contact.name", read_only=True, default=None)
    contact_phone = serializers.SerializerMethodField()
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    created_by_name = serializers.StringRelatedField(source="created_by", read_only=True)
    dispatched_by_name = serializers.StringRelatedField(source="dispatched_by", read_only=True)
    arrears_agreed_by_name = serializers.StringRelatedField(source="arrears_agreed_by", read_only=True)
    complaint_assessed_by_name = serializers.StringRelatedField(source="complaint_assessed_by", read_only=True)
    lot_label = serializers.StringRelatedField(source="lot", read_only=True)
    fault_cause_label = serializers.CharField(source="get_fault_cause_display", read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    close_blockers = serializers.SerializerMethodField()
    checklist = ChecklistItemSerializer(many=True, read_only=True)
    application = serializers.SerializerMethodField()
    paid = serializers.SerializerMethodField()
    visits = VisitSerializer(many=True, read_only=True)
    parts = PartUsageSerializer(many=True, read_only=True)
    reports = ServiceReportSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    sla_clocks = serializers.SerializerMethodField()
    recent_jobs = serializers.SerializerMethodField()

    class Meta(WorkOrderSerializer.Meta):
        fields = [
            *WorkOrderSerializer.Meta.fields,
            "channel_label",
            "department",
            "department_name",
            "contact",
            "contact_name",
            "contact_phone",
            "caller_name",
            "caller_phone",
            "description",
            "site_address",
            "created_by",
            "created_by_name",
            "arrears_agreed_by",
            "arrears_agreed_by_name",
            "arrears_agreement",
            "remote_actions",
            "callback_due_at",
            "dispatched_by",
            "dispatched_by_name",
            "dispatched_at",
            "appointment_with",
            "customer_contacted_at",
            "hold_reason",
            "closed_at",
            "outcome",
            "escalated",
            "closing_reason",
            "complaint_assessed",
            "complaint_assessed_by",
            "complaint_assessed_by_name",
            "complaint_assessed_at",
            "complaint_assessment_note",
            "quality_report_needed",
            "lot",
            "lot_label",
            "fault_cause",
            "fault_cause_label",
            "result_reported_at",
            "is_open",
            "allowed_actions",
            "close_blockers",
            "checklist",
            "application",
            "paid",
            "visits",
            "parts",
            "reports",
            "attachments",
            "sla_clocks",
            "recent_jobs",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = _user(self.context.get("request"))
        # SPEC MD-5: the caller's phone as this user may see it; internal notes not for dealers.
        data["caller_phone"], _email = personal_data_for(user, phone=data["caller_phone"] or "")
        if not sees_internal_notes(user):
            for name in WorkOrder.INTERNAL_FIELDS:
                data[name] = ""
        return data

    def get_contact_phone(self, obj) -> str | None:
        if obj.contact is None:
            return None
        phone, _email = personal_data_for(_user(self.context.get("request")), phone=obj.contact.mobile or "")
        return phone

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=list(TRANSITIONS)),
            help_text=_("Moves of the transition table the caller can make now (approve / reject: POST decide/)."),
        )
    )
    def get_allowed_actions(self, obj):
        user = _user(self.context.get("request"))
        return transitions.allowed_actions(obj, user) if user is not None else []

    def get_close_blockers(self, obj) -> list[str]:
        from apps.workorders.services import close_blockers

        return [str(b) for b in close_blockers(obj)] if obj.status == Status.COMPLETED else []

    @extend_schema_field(ServiceApplicationSerializer(allow_null=True))
    def get_application(self, obj):
        from apps.workorders.selectors import application_for

        application = application_for(obj)
        return ServiceApplicationSerializer(application, context=self.context).data if application else None

    @extend_schema_field(PaidServiceSerializer(allow_null=True))
    def get_paid(self, obj):
        paid = (
            PaidService.objects.filter(work_order=obj)
            .select_related("deposit_confirmed_by", "balance_confirmed_by")
            .first()
        )
        return PaidServiceSerializer(paid, context=self.context).data if paid else None

    @extend_schema_field(SlaClockSerializer(many=True))
    def get_sla_clocks(self, obj):
        return sla_clocks_of(obj)

    @extend_schema_field(RecentJobSerializer(many=True))
    def get_recent_jobs(self, obj):
        from apps.workorders.selectors import recent_jobs

        user = _user(self.context.get("request"))
        if user is None:
            return []
        jobs = recent_jobs(user=user, instrument=obj.instrument, customer=obj.customer, exclude=obj)
        return RecentJobSerializer(jobs, many=True).data


def sla_clocks_of(order) -> list[dict]:
    """The order's SLA clocks (apps.sla), oldest first; empty while the clock engine is absent."""
    try:
        from apps.sla.selectors import clock_views, clocks_for
    except ImportError:  # the SLA app is optional for the work-order API
        return []
    views = clock_views(clocks_for([order]).get(order.pk, []))
    return [
        {
            "policy": view.clock.policy.code,
            "label": str(view.label),
            "state": view.clock.state,
            "status": view.status,
            "status_label": view.status_label,
            "started_at": view.clock.started_at,
            "due_at": view.due_at,
            "remaining_seconds": int(view.remaining.total_seconds()) if view.remaining is not None else None,
            "pause_reason": view.pause_reason,
            "stopped_at": view.clock.stopped_at,
            "met": view.clock.met,
            "owner": view.clock.owner_id,
        }
        for view in views
    ]


class EventSerializer(serializers.Serializer):
    """One timeline entry: who, when, from → to, why (SPEC WO-18)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=WorkOrderEvent._meta.get_field("kind").choices)
    kind_label = serializers.CharField(source="get_kind_display")
    action = serializers.CharField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_name = serializers.StringRelatedField(source="actor")
    at = serializers.DateTimeField()
    text = serializers.CharField()

    def get_fields(self):
        # "from" and "to" are Python keywords: declared here rather than as attributes.
        fields = super().get_fields()
        fields["from"] = StatusField(source="from_status", allow_blank=True)
        fields["to"] = StatusField(source="to_status", allow_blank=True)
        return fields


# --- writing: intake --------------------------------------------------------------------------


class WorkOrderCreateSerializer(serializers.Serializer):
    """Intake (SPEC WO-1). Warranty, arrears, region and sales are taken from the records."""

    customer = _id_field(Customer.objects.all())
    work_type = serializers.ChoiceField(choices=WorkType.choices)
    description = serializers.CharField(max_length=TEXT_MAX)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)
    channel = ChannelField(default=Channel.API)
    instrument = _optional_id(Instrument.objects.all())
    instrument_model = _optional_id(InstrumentModel.objects.all())
    contact = _optional_id(Contact.objects.all())
    department = _optional_id(Department.objects.all())
    caller_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    site_address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    remote_actions = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    lot = IdRelatedField(
        queryset=Lot.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The reagent, calibrator or QC lot the request concerns (lot trace)."),
    )


# --- writing: one body per move ---------------------------------------------------------------


class VersionOnly(serializers.Serializer):
    version = _version_field()


class RemoteAttemptSerializer(VersionOnly):
    actions = serializers.CharField(max_length=TEXT_MAX, help_text=_("What was tried by phone or remotely."))
    callback_due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ResolveRemotelySerializer(VersionOnly):
    solution = serializers.CharField(max_length=TEXT_MAX)


class ReasonSerializer(VersionOnly):
    reason = serializers.CharField(max_length=255)


class ApplicationSerializer(VersionOnly):
    billing = serializers.ChoiceField(choices=[c for c in Billing.choices if c[0] != Billing.UNDECIDED])
    work_content = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    user_and_dealer_agree = serializers.BooleanField(default=False)


class DecideSerializer(VersionOnly):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    # The data of the paid-service steps (SPEC WO-9); each step reads only its own.
    quote_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    quote_note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    contract_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    deposit_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class DispatchSerializer(VersionOnly):
    engineer = _id_field(User.objects.all())
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    arrears_agreement = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("A customer in arrears: who (sales or the company) agreed to serve (SPEC WO-15)."),
    )


class EmergencyDispatchSerializer(DispatchSerializer):
    reason = serializers.CharField(max_length=255)


class ReallocateSerializer(VersionOnly):
    engineer = _id_field(User.objects.all())
    reason = serializers.CharField(max_length=255)
    arrears_agreement = serializers.CharField(
        max_length=255,
        required=False,
        allow_blank=True,
        default="",
        help_text=_(
            "Only when the customer is in arrears and no agreement is on record yet: who agreed to serve (WO-15)."
        ),
    )


class ChecklistSerializer(VersionOnly):
    code = serializers.CharField(max_length=32)
    done = serializers.BooleanField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ScheduleSerializer(VersionOnly):
    appointment_at = serializers.DateTimeField()
    agreed_with = serializers.CharField(max_length=64)


class RescheduleSerializer(VersionOnly):
    appointment_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=255)
    customer_informed = serializers.BooleanField()


class PauseSerializer(VersionOnly):
    kind = serializers.ChoiceField(choices=PauseKind.choices)
    reason = serializers.CharField(max_length=255)


class VisitRecordSerializer(VersionOnly):
    """The whole record of the open visit (saved as often as the engineer likes)."""

    findings = serializers.CharField(max_length=TEXT_MAX, allow_blank=True)
    work_done = serializers.CharField(max_length=TEXT_MAX, allow_blank=True)
    measurements = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    drift_warning_given = serializers.BooleanField(default=False)
    lab_head_consent = serializers.BooleanField(default=False)
    lab_head_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    # Issue 5: kept on the order; left out, they stay as they are (null / "" clears them).
    lot = IdRelatedField(
        queryset=Lot.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=_("The lot concerned (left out: unchanged; null: none)."),
    )
    fault_cause = serializers.ChoiceField(
        choices=CauseCategory.choices,
        required=False,
        allow_blank=True,
        help_text=_("The cause found (left out: unchanged; empty: not yet known)."),
    )
    visit_version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The version of the visit record you read (optional; a stale one is refused with 409)."),
    )


class PartSerializer(VersionOnly):
    item = _id_field(CatalogItem.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=10000)
    supply = serializers.ChoiceField(choices=PartSupply.choices)
    fitted = serializers.BooleanField(default=False)


class ResultSerializer(VersionOnly):
    text = serializers.CharField(max_length=TEXT_MAX)
    quality_problem = serializers.BooleanField(default=False)


class AssessmentSerializer(VersionOnly):
    is_complaint = serializers.BooleanField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class BalanceSerializer(VersionOnly):
    invoice_no = serializers.CharField(max_length=64)


class CloseSerializer(VersionOnly):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class NoteSerializer(VersionOnly):
    text = serializers.CharField(max_length=TEXT_MAX)


class SignatureApiField(serializers.CharField):
    """The customer's finger signature as ``data:image/png;base64,…`` — the same checks as the
    signing page's pad (a real PNG of sensible size with some ink on it); becomes PNG bytes."""

    def __init__(self, **kwargs):
        from apps.core.signature import _max_data_url_length

        kwargs.setdefault("max_length", _max_data_url_length())
        kwargs.setdefault("help_text", _("data:image/png;base64,… of the signature drawn on the screen."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        from django import forms

        from apps.core.signature import SignatureField

        value = super().to_internal_value(data)
        try:
            return SignatureField().clean(value)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages)


class ReportSignSerializer(VersionOnly):
    """The customer signs the service report on the engineer's phone (SPEC WO-12)."""

    signer_name = serializers.CharField(max_length=64, help_text=_("The signer's name in print."))
    signer_title = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    signature = SignatureApiField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    email_to = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Where the PDF copy goes (default: the contact's e-mail)."),
    )
    summary_hash = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("summary_hash of GET report/: a visit record changed since is refused with 409."),
    )


class ReportPreviewSerializer(serializers.Serializer):
    """What the customer is about to sign, and what still stands in the way."""

    snapshot = serializers.DictField(allow_null=True)
    summary_hash = serializers.CharField(allow_null=True)
    blockers = serializers.DictField(child=serializers.CharField())


class AttachmentUploadSerializer(VersionOnly):
    file = serializers.FileField()
    kind = AttachmentKindField(required=False, allow_blank=True, default="")
    caption = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
