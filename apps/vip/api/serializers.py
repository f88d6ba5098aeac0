"""The VIP programme in the API: tiers and purchase volumes (records), members and visits (read,
plus one small body per move, each naming the `version` it was based on)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.api import VersionedSerializer
from apps.core.ids import MAX_ID
from apps.customers.models import Contact, Customer
from apps.vip import policies, selectors
from apps.vip.choices import VISIT_TRANSITIONS, EventKind, RetierChange, VisitState
from apps.vip.models import PurchaseVolume, VipEvent, VipMembership, VipTier, VipVisit
from apps.workorders.api.serializers import IdRelatedField, enum_field

RECORD_READ_ONLY = ["is_active", "created_at", "updated_at"]

VisitStateField = enum_field(VisitState, "VipVisitState")
VipEventKindField = enum_field(EventKind, "VipEventKind")
RetierChangeField = enum_field(RetierChange, "VipRetierChange")


class VipTierSerializer(VersionedSerializer):
    class Meta:
        model = VipTier
        fields = [
            "id",
            "code",
            "name",
            "min_annual_volume",
            "visit_cycle_days",
            "service_content",
            "position",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        # "One active tier per threshold" is the model's rule (full_clean in the service).
        validators = []


class PurchaseVolumeSerializer(VersionedSerializer):
    customer = IdRelatedField(queryset=Customer.objects.all())
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = PurchaseVolume
        fields = [
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "year",
            "amount",
            "note",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        # One row per customer and year, and the customer in the caller's scope: the service's rules.
        validators = []


class VipMemberSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    region = serializers.CharField(source="customer.city", read_only=True)
    tier_name = serializers.CharField(source="tier.name", read_only=True)
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)
    visit_cycle_days = serializers.IntegerField(
        read_only=True, help_text=_("The cycle in force: own, else the tier's.")
    )
    overdue = serializers.SerializerMethodField(help_text=_("The next visit was due before today."))

    class Meta:
        model = VipMembership
        fields = [
            "id",
            "customer",
            "customer_code",
            "customer_name",
            "region",
            "tier",
            "tier_name",
            "engineer",
            "engineer_name",
            "visit_cycle_days",
            "cycle_override_days",
            "cycle_override_reason",
            "since",
            "basis_year",
            "basis_amount",
            "last_visit_on",
            "next_visit_due",
            "overdue",
            "left_on",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj)


class VipVisitSerializer(serializers.ModelSerializer):
    state = VisitStateField(read_only=True)
    customer = serializers.IntegerField(source="membership.customer_id", read_only=True)
    customer_name = serializers.CharField(source="membership.customer.name", read_only=True)
    tier_name = serializers.CharField(source="membership.tier.name", read_only=True)
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, default=None)
    due_on = serializers.DateField(read_only=True, help_text=_("The agreed day once announced, else the planned day."))
    overdue = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(help_text=_("The moves the caller can make now."))

    class Meta:
        model = VipVisit
        fields = [
            "id",
            "membership",
            "customer",
            "customer_name",
            "tier_name",
            "engineer",
            "engineer_name",
            "planned_on",
            "due_on",
            "state",
            "contact",
            "contact_name",
            "agreed_at",
            "content",
            "special_requests",
            "announced_at",
            "announced_by",
            "work_order",
            "work_order_number",
            "done_at",
            "unplanned",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "overdue",
            "allowed_actions",
            "version",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return selectors.visit_is_overdue(obj)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=["announce", "cancel"])))
    def get_allowed_actions(self, obj):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return [a for a in VISIT_TRANSITIONS if a != "complete" and selectors.visit_allows(obj, user, a)]


class VipEventSerializer(serializers.ModelSerializer):
    kind = VipEventKindField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)

    class Meta:
        model = VipEvent
        fields = ["id", "at", "kind", "kind_label", "actor", "actor_name", "visit", "text", "data"]
        read_only_fields = fields


# --- moves -----------------------------------------------------------------------------------


def _version_field():
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("The version you read. A stale version is refused with 409.")
    )


class AnnounceSerializer(serializers.Serializer):
    version = _version_field()
    contact = IdRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True, default=None)
    contact_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    agreed_at = serializers.DateTimeField(help_text=_("The date and time agreed with the lab head."))
    content = serializers.CharField(max_length=5000)
    special_requests = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class CancelSerializer(serializers.Serializer):
    version = _version_field()
    reason = serializers.CharField(max_length=255)


class EngineerChangeSerializer(serializers.Serializer):
    version = _version_field()
    engineer = IdRelatedField(queryset=User.objects.all())
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CycleChangeSerializer(serializers.Serializer):
    version = _version_field()
    cycle_days = serializers.IntegerField(
        min_value=1,
        max_value=policies.MAX_VISIT_CYCLE_DAYS,
        allow_null=True,
        help_text=_("The customer's own cycle in days; null: the tier's."),
    )
    reason = serializers.CharField(max_length=255)


class RetierRequestSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=policies.FIRST_YEAR, max_value=policies.LAST_YEAR)
    apply = serializers.BooleanField(
        default=False, help_text=_("false: only the preview; true: re-tier for real (the same plan).")
    )


class RetierRowSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_name = serializers.CharField(source="customer.name")
    change = RetierChangeField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    old_tier = serializers.CharField(source="old_tier.code", default=None)
    new_tier = serializers.CharField(source="new_tier.code", default=None)


class RetierResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    applied = serializers.BooleanField()
    joining = serializers.IntegerField()
    changing = serializers.IntegerField()
    leaving = serializers.IntegerField()
    staying = serializers.IntegerField()
    rows = RetierRowSerializer(many=True)
