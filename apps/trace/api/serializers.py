"""The trace in the API: deliveries (records), the trace of a lot or serial number (read), field
safety notices and their recipients (read, plus one small body per move, each naming the
`version` it was based on)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.catalog.models import CatalogItem, Lot
from apps.core.api import VersionedSerializer
from apps.core.ids import MAX_ID
from apps.customers.models import Customer, Dealer
from apps.instruments.models import Instrument
from apps.trace.choices import MANUAL_CHANNELS, AckChannel, EventKind, NoticeClass, NoticeState, NotifyChannel
from apps.trace.models import Delivery, FieldNotice, NoticeEvent, NoticeRecipient
from apps.workorders.api.serializers import IdRelatedField, enum_field

RECORD_READ_ONLY = ["is_active", "created_at", "updated_at"]

NoticeClassField = enum_field(NoticeClass, "FieldNoticeClass")
NoticeStateField = enum_field(NoticeState, "FieldNoticeState")
NotifyChannelField = enum_field(NotifyChannel, "FieldNoticeNotifyChannel")
AckChannelField = enum_field(AckChannel, "FieldNoticeAckChannel")
NoticeEventKindField = enum_field(EventKind, "FieldNoticeEventKind")


class _Choices:
    """A fixed set of choices for enum_field (named schema components avoid enum-name collisions)."""

    def __init__(self, choices):
        self.choices = list(choices)
        self.values = [value for value, _label in self.choices]


ManualChannelField = enum_field(_Choices(MANUAL_CHANNELS), "FieldNoticeManualChannel")
TraceKindField = enum_field(_Choices([("lot", _("Lot")), ("serial", _("Serial number"))]), "TraceKind")


def _version(help_text=None):
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=help_text or _("The version you read. A stale version is refused with 409."),
    )


# --- deliveries ---------------------------------------------------------------------------------


class DeliverySerializer(VersionedSerializer):
    customer = IdRelatedField(queryset=Customer.objects.all())
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    item = IdRelatedField(queryset=CatalogItem.objects.all(), required=False, allow_null=True)
    item_code = serializers.CharField(source="item.code", read_only=True, default=None)
    lot = IdRelatedField(queryset=Lot.objects.all(), required=False, allow_null=True)
    lot_no = serializers.CharField(source="lot.lot_no", read_only=True, default=None)
    instrument = IdRelatedField(queryset=Instrument.objects.all(), required=False, allow_null=True)
    dealer = IdRelatedField(queryset=Dealer.objects.all(), required=False, allow_null=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True, default=None)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "delivered_on",
            "customer",
            "customer_code",
            "customer_name",
            "item",
            "item_code",
            "lot",
            "lot_no",
            "instrument",
            "serial_no",
            "quantity",
            "document_no",
            "dealer",
            "dealer_name",
            "note",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        # Item, lot, instrument and serial number together: the model's rules (full_clean in the service).
        validators = []


# --- the trace -----------------------------------------------------------------------------------------


class TraceLotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    lot_no = serializers.CharField()
    item = serializers.IntegerField(source="item_id")
    item_code = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    expires_on = serializers.DateField()


class TraceDeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    delivered_on = serializers.DateField()
    what = serializers.CharField()
    quantity = serializers.IntegerField()
    document_no = serializers.CharField()
    dealer = serializers.IntegerField(source="dealer_id", allow_null=True)
    dealer_name = serializers.CharField(source="dealer.name", default=None, allow_null=True)


class TraceCustomerSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_code = serializers.CharField(source="customer.code")
    customer_name = serializers.CharField(source="customer.name")
    quantity = serializers.IntegerField()
    first_delivered_on = serializers.DateField(source="first_on", allow_null=True)
    last_delivered_on = serializers.DateField(source="last_on", allow_null=True)
    dealers = serializers.SerializerMethodField()
    deliveries = TraceDeliverySerializer(many=True)

    def get_dealers(self, row) -> list[str]:
        return [d.name for d in row.dealers]


class TraceInstrumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial_no = serializers.CharField()
    model_code = serializers.CharField(source="model.code")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    status = serializers.CharField()


class TraceComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    received_at = serializers.DateTimeField()
    customer_name = serializers.CharField(source="customer.name", default=None, allow_null=True)
    summary = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")


class TraceWorkOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    created_at = serializers.DateTimeField()
    customer_name = serializers.CharField(source="customer.name")
    instrument_serial = serializers.CharField(source="instrument.serial_no", default=None, allow_null=True)
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")


class TraceNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    notice_class = NoticeClassField()
    state = NoticeStateField()


class TraceSerializer(serializers.Serializer):
    """What a lot or serial number leads to; `candidates`: choose one (?lot=<id>) when several
    items share the lot number; `truncated`: lists cut at the page limit."""

    kind = TraceKindField()
    number = serializers.CharField()
    lot = TraceLotSerializer(allow_null=True)
    instrument = TraceInstrumentSerializer(allow_null=True)
    candidates = TraceLotSerializer(many=True)
    customers = TraceCustomerSerializer(many=True)
    instruments = TraceInstrumentSerializer(many=True)
    complaints = TraceComplaintSerializer(many=True)
    work_orders = TraceWorkOrderSerializer(many=True)
    notices = TraceNoticeSerializer(many=True)
    truncated = serializers.ListField(child=serializers.CharField())


# --- notices ----------------------------------------------------------------------------------------------


class FieldNoticeSerializer(serializers.ModelSerializer):
    notice_class = NoticeClassField(read_only=True)
    notice_class_label = serializers.CharField(source="get_notice_class_display", read_only=True)
    state = NoticeStateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    serial_numbers = serializers.ListField(source="serial_list", child=serializers.CharField(), read_only=True)
    issued_by_name = serializers.StringRelatedField(source="issued_by", read_only=True)
    recipient_count = serializers.IntegerField(read_only=True)
    notified_count = serializers.IntegerField(read_only=True)
    acknowledged_count = serializers.IntegerField(read_only=True)
    overdue_count = serializers.IntegerField(read_only=True, help_text=_("Recipients past due and not told."))

    class Meta:
        model = FieldNotice
        fields = [
            "id",
            "number",
            "title",
            "notice_class",
            "notice_class_label",
            "reason",
            "action_required",
            "lots",
            "instruments",
            "serial_numbers",
            "state",
            "state_label",
            "created_by",
            "issued_by",
            "issued_by_name",
            "issued_at",
            "due_at",
            "closed_by",
            "closed_at",
            "close_reason",
            "recipient_count",
            "notified_count",
            "acknowledged_count",
            "overdue_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FieldNoticeWriteSerializer(serializers.Serializer):
    """A draft: created (POST) or corrected (PATCH with `version`) until it is issued."""

    number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    notice_class = NoticeClassField()
    reason = serializers.CharField(max_length=10000)
    action_required = serializers.CharField(max_length=10000)
    lots = serializers.ListField(child=IdRelatedField(queryset=Lot.objects.all()), required=False, max_length=500)
    instruments = serializers.ListField(
        child=IdRelatedField(queryset=Instrument.objects.all()), required=False, max_length=500
    )
    serial_numbers = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=500,
        help_text=_("Parts' serial numbers."),
    )
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def validate(self, attrs):
        if self.partial and "version" not in attrs:
            raise serializers.ValidationError({"version": [_("Send the version of the notice you are changing.")]})
        return attrs

    def service_args(self) -> tuple[dict, dict, int | None]:
        data = dict(self.validated_data)
        version = data.pop("version", None)
        m2m = {name: data.pop(name) for name in ("lots", "instruments") if name in data}
        if "serial_numbers" in data:
            data["serial_numbers"] = "\n".join(data["serial_numbers"])
        return data, m2m, version


class NoticeIssueSerializer(serializers.Serializer):
    version = _version()


class NoticeCloseSerializer(serializers.Serializer):
    version = _version()
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when some recipients have not acknowledged."),
    )


class NoticeEventSerializer(serializers.ModelSerializer):
    kind = NoticeEventKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)

    class Meta:
        model = NoticeEvent
        fields = ["id", "kind", "kind_label", "recipient", "actor", "actor_name", "at", "text"]
        read_only_fields = fields


class NoticeRecipientSerializer(serializers.ModelSerializer):
    notice_number = serializers.CharField(source="notice.number", read_only=True)
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    notify_channel = NotifyChannelField(read_only=True, allow_blank=True)
    ack_channel = AckChannelField(read_only=True, allow_blank=True)
    emailed = serializers.SerializerMethodField(help_text=_("The notice was e-mailed with the acknowledgement link."))
    overdue = serializers.SerializerMethodField(help_text=_("Past due and not told."))

    class Meta:
        model = NoticeRecipient
        fields = [
            "id",
            "notice",
            "notice_number",
            "customer",
            "customer_code",
            "customer_name",
            "affected",
            "due_at",
            "overdue",
            "emailed",
            "notified_at",
            "notified_by",
            "notify_channel",
            "notify_note",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_position",
            "ack_note",
            "ack_channel",
            "ack_recorded_by",
            "version",
        ]
        read_only_fields = fields

    def get_emailed(self, obj) -> bool:
        return bool(obj.emailed_to)

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.now())


class RecipientNotifySerializer(serializers.Serializer):
    version = _version()
    channel = ManualChannelField()
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class RecipientAcknowledgeSerializer(serializers.Serializer):
    version = _version()
    name = serializers.CharField(max_length=64, help_text=_("Who at the customer acknowledged."))
    position = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
