from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.api import VersionedSerializer
from apps.sla import policies
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy

RECORD_READ_ONLY = ["is_active", "created_at", "updated_at"]


class BusinessCalendarSerializer(VersionedSerializer):
    class Meta:
        model = BusinessCalendar
        fields = [
            "id",
            "code",
            "name",
            "mode",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "is_default",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        # "One default" is the service's rule (it moves the default), not a uniqueness check here.
        extra_kwargs = {"is_default": {"validators": []}}


class DayOverrideSerializer(VersionedSerializer):
    calendar_code = serializers.CharField(source="calendar.code", read_only=True, default=None)

    class Meta:
        model = DayOverride
        fields = [
            "id",
            "date",
            "kind",
            "name",
            "calendar",
            "calendar_code",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        # One active entry per date and calendar is the model's to say (full_clean in the service), so
        # the message is the same in the UI and the API.
        validators = []


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text=_("When the clock starts, e.g. 2026-09-30T16:00 (Asia/Shanghai)."))
    hours = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal(policies.CALCULATOR_MAX_HOURS),
        help_text=_("Business hours the clock may run."),
    )


class DeadlineSerializer(serializers.Serializer):
    calendar = serializers.CharField()
    start = serializers.DateTimeField()
    hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    clock_starts = serializers.DateTimeField()
    deadline = serializers.DateTimeField()


class SlaPolicySerializer(VersionedSerializer):
    """Durations as "[DD] HH:MM:SS" (e.g. "00:10:00", "2 00:00:00"); `label` is the name in the
    caller's language. The code is fixed: the programme starts clocks by it."""

    label = serializers.CharField(read_only=True)
    calendar_code = serializers.CharField(source="calendar.code", read_only=True, default=None)

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "code",
            "name",
            "label",
            "description",
            "duration",
            "calendar",
            "calendar_code",
            "warn_before",
            "escalate_role",
            "is_active",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [*RECORD_READ_ONLY, "code"]
