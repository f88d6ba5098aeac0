"""Returns and exchanges in the API (SPEC CP-6): what the pages show, the application as a
multipart body (with the proof of purchase), and one small request body per move, each naming the
`version` it was based on."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.catalog.models import CatalogItem, Lot
from apps.complaints.choices import CauseCategory
from apps.complaints.models import Complaint
from apps.core.access import personal_data_for, sees_internal_notes
from apps.core.ids import MAX_ID
from apps.customers.models import Customer
from apps.instruments.models import Instrument
from apps.returns import policies
from apps.returns.choices import (
    AttachmentKind,
    EventKind,
    PeriodRule,
    ProductKind,
    RefundBasis,
    Remedy,
    RequestedRemedy,
    Responsibility,
    Status,
)
from apps.returns.models import ReturnAttachment, ReturnEvent, ReturnRequest
from apps.workorders.api.serializers import IdRelatedField
from apps.workorders.models import WorkOrder


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


StatusField = enum_field(Status, "ReturnStatus")
EventStatusField = enum_field(Status, "ReturnEventStatus", blank=True)
EventKindField = enum_field(EventKind, "ReturnEventKind")
ProductKindField = enum_field(ProductKind, "ReturnProductKind")
RequestedRemedyField = enum_field(RequestedRemedy, "ReturnRequestedRemedy")
PeriodRuleField = enum_field(PeriodRule, "ReturnPeriodRule")
CauseField = enum_field(CauseCategory, "ReturnCauseCategory", blank=True)
ResponsibilityField = enum_field(Responsibility, "ReturnResponsibility")
ResponsibilityOrBlankField = enum_field(Responsibility, "ReturnResponsibilityOrBlank", blank=True)
RemedyField = enum_field(Remedy, "ReturnRemedy")
RemedyOrBlankField = enum_field(Remedy, "ReturnRemedyOrBlank", blank=True)
RefundBasisField = enum_field(RefundBasis, "ReturnRefundBasis", blank=True)
AttachmentKindField = enum_field(AttachmentKind, "ReturnAttachmentKind")


def _version_field():
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The version of the application you read. A stale version is refused with 409."),
    )


def _optional(queryset):
    return IdRelatedField(queryset=queryset, required=False, allow_null=True, default=None)


class ReturnAttachmentSerializer(serializers.ModelSerializer):
    kind = AttachmentKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ReturnAttachment
        fields = ["id", "kind", "kind_label", "original_name", "size", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class ReturnRequestSerializer(serializers.ModelSerializer):
    status = StatusField(read_only=True)
    product_kind = ProductKindField(read_only=True)
    requested_remedy = RequestedRemedyField(read_only=True)
    period_rule = PeriodRuleField(read_only=True)
    cause_category = CauseField(read_only=True)
    responsibility = ResponsibilityOrBlankField(read_only=True)
    remedy = RemedyOrBlankField(read_only=True)
    refund_basis = RefundBasisField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    product_kind_label = serializers.CharField(source="get_product_kind_display", read_only=True)
    requested_remedy_label = serializers.CharField(source="get_requested_remedy_display", read_only=True)
    period_rule_label = serializers.CharField(source="get_period_rule_display", read_only=True)
    responsibility_label = serializers.CharField(source="get_responsibility_display", read_only=True)
    remedy_label = serializers.CharField(source="get_remedy_display", read_only=True)
    applicant_phone = serializers.SerializerMethodField()
    refund_reference = serializers.SerializerMethodField()

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "customer",
            "customer_name",
            "applicant_name",
            "applicant_phone",
            "created_by",
            "sales",
            "complaint",
            "work_order",
            "product_kind",
            "product_kind_label",
            "product_name",
            "instrument",
            "item",
            "lot",
            "lot_no",
            "serial_no",
            "quantity",
            "purchased_on",
            "purchase_document",
            "device_data",
            "fault_description",
            "requested_remedy",
            "requested_remedy_label",
            "applied_on",
            "period_ends_on",
            "period_rule",
            "period_rule_label",
            "in_period",
            "override_reason",
            "override_by",
            "cause",
            "cause_category",
            "responsibility",
            "responsibility_label",
            "assessed_by",
            "assessed_at",
            "remedy",
            "remedy_label",
            "chargeable",
            "refund_basis",
            "refund_reason",
            "decision_note",
            "decided_by",
            "decided_at",
            "work_done",
            "completed_on",
            "goods_received_on",
            "replacement_serial",
            "refund_amount",
            "refund_paid_on",
            "refund_reference",
            "completed_by",
            "completed_at",
            "close_note",
            "closed_at",
            "reject_reason",
            "rejected_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_applicant_phone(self, obj) -> str:
        return personal_data_for(self._user(), phone=obj.applicant_phone)[0]

    def get_refund_reference(self, obj) -> str:
        return obj.refund_reference if sees_internal_notes(self._user()) else ""


class ReturnRequestDetailSerializer(ReturnRequestSerializer):
    attachments = ReturnAttachmentSerializer(many=True, read_only=True)

    class Meta(ReturnRequestSerializer.Meta):
        fields = [*ReturnRequestSerializer.Meta.fields, "attachments"]
        read_only_fields = fields


class ReturnEventSerializer(serializers.ModelSerializer):
    kind = EventKindField(read_only=True)
    from_status = EventStatusField(read_only=True)
    to_status = EventStatusField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)

    class Meta:
        model = ReturnEvent
        fields = ["kind", "kind_label", "at", "actor", "actor_name", "from_status", "to_status", "text"]
        read_only_fields = fields


class ReturnCreateSerializer(serializers.Serializer):
    """multipart/form-data: the fields, `proof` (one or more files, required) and `photos`."""

    customer = _optional(Customer.objects.filter(is_active=True))
    applicant_name = serializers.CharField(max_length=64)
    applicant_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    complaint = _optional(Complaint.objects.all())
    work_order = _optional(WorkOrder.objects.all())
    instrument = _optional(Instrument.objects.filter(is_active=True))
    item = _optional(CatalogItem.objects.filter(is_active=True))
    lot = _optional(Lot.objects.all())
    lot_no = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    serial_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=policies.MAX_QUANTITY, required=False, default=1)
    purchased_on = serializers.DateField()
    purchase_document = serializers.CharField(max_length=64)
    device_data = serializers.CharField(max_length=policies.TEXT_MAX, required=False, allow_blank=True, default="")
    fault_description = serializers.CharField(max_length=policies.TEXT_MAX)
    requested_remedy = RequestedRemedyField()
    override_reason = serializers.CharField(
        max_length=policies.TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Outside the allowed period: why a technical head or the quality department accepts it."),
    )
    proof = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ReturnAssessSerializer(serializers.Serializer):
    cause = serializers.CharField(max_length=policies.TEXT_MAX)
    responsibility = ResponsibilityField()
    cause_category = CauseField(required=False, allow_blank=True, default="")
    version = _version_field()


class ReturnDecideSerializer(serializers.Serializer):
    remedy = RemedyField()
    refund_basis = RefundBasisField(required=False, allow_blank=True, default="")
    refund_reason = serializers.CharField(max_length=policies.TEXT_MAX, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=policies.TEXT_MAX, required=False, allow_blank=True, default="")
    version = _version_field()


class ReturnCompleteSerializer(serializers.Serializer):
    work_done = serializers.CharField(max_length=policies.TEXT_MAX)
    completed_on = serializers.DateField(required=False, allow_null=True, default=None)
    goods_received_on = serializers.DateField(required=False, allow_null=True, default=None)
    replacement_serial = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    refund_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    refund_paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    refund_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    version = _version_field()


class ReturnCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=policies.TEXT_MAX, required=False, allow_blank=True, default="")
    version = _version_field()


class ReturnRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=policies.TEXT_MAX)
    version = _version_field()


class ReturnAttachSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = AttachmentKindField(default=AttachmentKind.FAULT)


MOVE_BODIES = {
    "assess": ReturnAssessSerializer,
    "decide": ReturnDecideSerializer,
    "complete": ReturnCompleteSerializer,
    "close": ReturnCloseSerializer,
    "reject": ReturnRejectSerializer,
}
