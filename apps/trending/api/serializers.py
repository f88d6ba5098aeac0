"""Serializers of /api/v1/trend-counts/, trend-thresholds/ and trend-signals/.

Choice fields are their own named schema components (TrendSourceEnum …): "source", "state" and
"decision" are names other apps use for other choice sets, and drf-spectacular's enum naming by
field name would collide (a warning, and an unstable component name)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.complaints.choices import CauseCategory
from apps.core.api import VersionedSerializer
from apps.trending.choices import Decision, Dimension, SignalState, Source
from apps.trending.models import TrendSignal, TrendThreshold


def named_choice_field(choices_class, component: str, *, blank: bool = False):
    values = list(choices_class.values) + ([""] if blank else [])

    @extend_schema_field({"type": "string", "enum": values}, component_name=component)
    class InlineChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            kwargs.setdefault("choices", choices_class.choices)
            if blank:
                kwargs.setdefault("allow_blank", True)
            super().__init__(**kwargs)

    InlineChoiceField.__name__ = f"{choices_class.__name__}ChoiceField"
    return InlineChoiceField


SourceField = named_choice_field(Source, "TrendSourceEnum")
DimensionField = named_choice_field(Dimension, "TrendDimensionEnum")
CauseField = named_choice_field(CauseCategory, "TrendCauseEnum", blank=True)
StateField = named_choice_field(SignalState, "TrendSignalStateEnum")
DecisionField = named_choice_field(Decision, "TrendDecisionEnum")
DecisionOrBlankField = named_choice_field(Decision, "TrendDecisionOrBlankEnum", blank=True)

RECORD_READ_ONLY = ["is_active", "created_at", "updated_at"]


class TrendThresholdSerializer(VersionedSerializer):
    """`label` is the name in the caller's language, `rule` the rule in words."""

    source = SourceField()
    dimension = DimensionField()
    cause = CauseField(required=False)
    label = serializers.CharField(read_only=True)
    rule = serializers.CharField(source="rule_text", read_only=True)

    class Meta:
        model = TrendThreshold
        fields = [
            "id",
            "name",
            "label",
            "source",
            "dimension",
            "instrument_model",
            "lot",
            "part",
            "cause",
            "count",
            "note",
            "rule",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY


class TrendSignalSerializer(serializers.ModelSerializer):
    source = SourceField(read_only=True)
    dimension = DimensionField(read_only=True)
    state = StateField(read_only=True)
    decision = DecisionOrBlankField(read_only=True)
    month = serializers.SerializerMethodField()
    threshold_label = serializers.CharField(source="threshold.label", read_only=True)
    capa_number = serializers.CharField(source="capa.number", read_only=True, default=None)

    class Meta:
        model = TrendSignal
        fields = [
            "id",
            "threshold",
            "threshold_label",
            "source",
            "dimension",
            "value_key",
            "value_label",
            "month",
            "count",
            "limit",
            "raised_at",
            "state",
            "decision",
            "reason",
            "capa",
            "capa_number",
            "reviewed_by",
            "reviewed_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "example": "2026-03"})
    def get_month(self, signal) -> str:
        return f"{signal.month:%Y-%m}"


class SignalReviewSerializer(serializers.Serializer):
    decision = DecisionField()
    reason = serializers.CharField(required=False, allow_blank=True, help_text=_("Required for no action."))
    capa = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text=_("An open CAPA to link instead of opening a new one.")
    )
    capa_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    capa_description = serializers.CharField(required=False, allow_blank=True)
    capa_due_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(min_value=1, help_text=_("The version you read; a stale one is refused (409)."))

    def validate_capa(self, value):
        from apps.complaints.models import Capa

        if value is None:
            return None
        capa = Capa.objects.filter(pk=value).first()
        if capa is None:
            raise serializers.ValidationError(_("No such CAPA."))
        return capa


class TrendRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField())
    over = serializers.ListField(child=serializers.BooleanField(), help_text=_("Months at or over the threshold."))
    total = serializers.IntegerField()
    threshold = serializers.IntegerField(allow_null=True)


class TrendCountsSerializer(serializers.Serializer):
    source = SourceField()
    dimension = DimensionField()
    months = serializers.ListField(child=serializers.CharField(), help_text=_("YYYY-MM, oldest first."))
    totals = serializers.ListField(child=serializers.IntegerField())
    rows = TrendRowSerializer(many=True)


def counts_data(table) -> dict:
    return {
        "source": table.source,
        "dimension": table.dimension,
        "months": [f"{m:%Y-%m}" for m in table.months],
        "totals": table.month_totals,
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "counts": [c.count for c in row.cells],
                "over": [c.over for c in row.cells],
                "total": row.total,
                "threshold": row.limit,
            }
            for row in table.rows
        ],
    }
