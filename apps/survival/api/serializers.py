"""New projects and survival rates in the API (SPEC FU-6): what the pages show, and one small
request body per write (each correction naming the `version` it was based on)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import User
from apps.catalog.choices import ItemKind
from apps.catalog.models import CatalogItem
from apps.core.ids import MAX_ID
from apps.customers.models import Customer
from apps.customers.selectors import customer_list
from apps.instruments.models import Instrument
from apps.instruments.selectors import instrument_list
from apps.survival import policies
from apps.survival.choices import CheckMethod, NotInUseReason, ProjectState, Source, UsageUnit
from apps.survival.models import NewProject, ProjectCheck, ProjectEvent
from apps.workorders.api.serializers import IdRelatedField

TEXT_MAX = 5000


def enum_field(choices, component: str):
    """A choice field whose value set is one named component of the schema."""

    @extend_schema_field({"type": "string", "enum": list(choices.values)}, component_name=component)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    EnumField.__name__ = f"{component}Field"
    return EnumField


StateField = enum_field(ProjectState, "NewProjectState")
SourceField = enum_field(Source, "NewProjectSource")
MethodField = enum_field(CheckMethod, "ProjectCheckMethod")
UnitField = enum_field(UsageUnit, "ProjectUsageUnit")


@extend_schema_field({"type": "string", "enum": ["", *NotInUseReason.values]}, component_name="ProjectNotInUseReason")
class ReasonKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[("", "—"), *NotInUseReason.choices], **kwargs)


def _version_field(**kwargs):
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=_("The version you read. A stale version is refused with 409."),
        **kwargs,
    )


# --- reading -------------------------------------------------------------------------------------


class ProjectCheckSerializer(serializers.ModelSerializer):
    """One month's check; `recorded` false while it is only planned."""

    recorded = serializers.BooleanField(read_only=True)
    method = MethodField(read_only=True, allow_blank=True)
    usage_unit = UnitField(read_only=True)
    reason_kind = ReasonKindField(read_only=True)
    recorded_by_name = serializers.StringRelatedField(source="recorded_by", read_only=True)

    class Meta:
        model = ProjectCheck
        fields = [
            "month",
            "due_on",
            "recorded",
            "method",
            "in_use",
            "usage",
            "usage_unit",
            "shipment",
            "reason_kind",
            "reason",
            "suggestion",
            "note",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
            "sales_notified_at",
            "version",
        ]
        read_only_fields = fields


class NewProjectSerializer(serializers.ModelSerializer):
    """One row of the list."""

    state = StateField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    source = SourceField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True, default=None)
    instrument_serial = serializers.CharField(source="instrument.serial_no", read_only=True, default=None)
    engineer_name = serializers.StringRelatedField(source="engineer", read_only=True)
    sales_name = serializers.StringRelatedField(source="sales", read_only=True)
    region_name = serializers.StringRelatedField(source="region", read_only=True)
    ends_on = serializers.DateField(read_only=True)
    latest_in_use = serializers.BooleanField(
        read_only=True, allow_null=True, help_text=_("Answer of the latest recorded check.")
    )
    latest_month = serializers.IntegerField(read_only=True, allow_null=True)
    next_due_on = serializers.DateField(read_only=True, allow_null=True, help_text=_("Due day of the next open check."))

    class Meta:
        model = NewProject
        fields = [
            "id",
            "customer",
            "customer_name",
            "name",
            "item",
            "item_name",
            "instrument",
            "instrument_serial",
            "engineer",
            "engineer_name",
            "sales",
            "sales_name",
            "region",
            "region_name",
            "started_on",
            "ends_on",
            "tracking_months",
            "state",
            "state_label",
            "ended_on",
            "stop_reason",
            "source",
            "work_order",
            "latest_in_use",
            "latest_month",
            "next_due_on",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class NewProjectDetailSerializer(NewProjectSerializer):
    """A project with its monthly checks."""

    checks = ProjectCheckSerializer(many=True, read_only=True)

    class Meta(NewProjectSerializer.Meta):
        fields = [*NewProjectSerializer.Meta.fields, "note", "checks"]
        read_only_fields = fields


class ProjectEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.StringRelatedField(source="actor", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ProjectEvent
        fields = ["kind", "kind_label", "month", "actor", "actor_name", "at", "text"]
        read_only_fields = fields


# --- writing -------------------------------------------------------------------------------------


def _optional(queryset):
    return IdRelatedField(queryset=queryset, required=False, allow_null=True, default=None)


class _Scoped(serializers.Serializer):
    """Customers and instruments only from the caller's scope (else the field's 400)."""

    def _user(self):
        return self.context["request"].user

    def validate_customer(self, customer):
        if customer is not None and not customer_list(user=self._user()).filter(pk=customer.pk).exists():
            raise serializers.ValidationError(_("No such customer in your scope."))
        return customer

    def validate_instrument(self, instrument):
        if instrument is not None and not instrument_list(user=self._user()).filter(pk=instrument.pk).exists():
            raise serializers.ValidationError(_("No such instrument in your scope."))
        return instrument


class NewProjectCreateSerializer(_Scoped):
    """Staff enter a project. Engineer: yourself if you are one, else the customer's; sales: the
    customer's responsible sales person."""

    customer = IdRelatedField(queryset=Customer.objects.filter(is_active=True))
    name = serializers.CharField(max_length=128)
    started_on = serializers.DateField()
    item = _optional(CatalogItem.objects.filter(kind=ItemKind.REAGENT, is_active=True))
    instrument = _optional(Instrument.objects.filter(is_active=True))
    engineer = _optional(User.objects.filter(is_active=True))
    sales = _optional(User.objects.filter(is_active=True))
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")


class NewProjectUpdateSerializer(_Scoped):
    """Correct a project: send only what changes, and the version you read."""

    name = serializers.CharField(max_length=128, required=False)
    started_on = serializers.DateField(required=False)
    item = IdRelatedField(queryset=CatalogItem.objects.filter(kind=ItemKind.REAGENT), required=False, allow_null=True)
    instrument = IdRelatedField(queryset=Instrument.objects.all(), required=False, allow_null=True)
    engineer = IdRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    sales = IdRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    version = _version_field()


class ProjectCheckRecordSerializer(serializers.Serializer):
    """The month's check. Correcting a recorded month needs its `version` (the check's)."""

    month = serializers.IntegerField(min_value=1, max_value=policies.MAX_TRACKING_MONTHS)
    method = MethodField()
    in_use = serializers.BooleanField()
    usage = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True, default=None)
    usage_unit = UnitField(default=UsageUnit.TESTS)
    shipment = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False, allow_null=True, default=None
    )
    reason_kind = ReasonKindField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when not in use: the sales person receives it."),
    )
    suggestion = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    version = _version_field(required=False, allow_null=True, default=None)


class ProjectStopSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)
    version = _version_field()


# --- survival rates ------------------------------------------------------------------------------


class SurvivalRateSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text=_("Region or engineer id; empty for months."))
    label = serializers.CharField()
    tracked = serializers.IntegerField()
    in_use = serializers.IntegerField()
    not_in_use = serializers.IntegerField()
    unchecked = serializers.IntegerField(help_text=_("Tracked projects with no check recorded yet."))
    checked_this_month = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("in_use ÷ tracked (0–1); empty when none tracked."))


class SurvivalLostSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    customer = serializers.CharField()
    name = serializers.CharField(source="project")
    engineer = serializers.CharField()
    sales = serializers.CharField()
    month = serializers.IntegerField()
    reason = serializers.CharField()
    reason_kind = ReasonKindField()


class SurvivalReportSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM"))
    overall = SurvivalRateSerializer()
    regions = SurvivalRateSerializer(many=True)
    engineers = SurvivalRateSerializer(many=True)
    trend = SurvivalRateSerializer(many=True, help_text=_("The months up to the report month, oldest first."))
    not_in_use = SurvivalLostSerializer(many=True, source="lost")


def rate_data(rate) -> dict:
    return {
        "id": rate.key if isinstance(rate.key, int) else None,
        "label": rate.label,
        "tracked": rate.tracked,
        "in_use": rate.in_use,
        "not_in_use": rate.not_in_use,
        "unchecked": rate.unchecked,
        "checked_this_month": rate.checked_this_month,
        "rate": round(rate.rate, 4) if rate.rate is not None else None,
    }


def report_data(report) -> dict:
    return {
        "month": f"{report.month:%Y-%m}",
        "overall": rate_data(report.overall),
        "regions": [rate_data(r) for r in report.regions],
        "engineers": [rate_data(r) for r in report.engineers],
        "trend": [rate_data(r) for r in report.trend],
        "lost": report.lost,
    }
