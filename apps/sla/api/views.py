from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.core.api import RecordViewSet
from apps.sla import filters, selectors, services
from apps.sla.api import serializers
from apps.sla.calendar import CalendarError, hours_as_duration


class BusinessCalendarViewSet(RecordViewSet):
    resource = "calendar"
    selector = selectors.calendar_list
    serializer_class = serializers.BusinessCalendarSerializer
    filterset_class = filters.CalendarFilter
    ordering_fields = ["code", "name", "created_at", "updated_at"]
    create_service = services.calendar_create
    update_service = services.calendar_update
    set_active_service = services.calendar_set_active
    required_actions = {"deadline": "view"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start", str, required=True, description=_("Start, ISO 8601 (Asia/Shanghai if no offset).")
            ),
            OpenApiParameter("hours", float, required=True, description=_("Business hours the clock may run.")),
        ],
        responses=serializers.DeadlineSerializer,
    )
    @action(detail=True, methods=["get"])
    def deadline(self, request, pk=None):
        """The deadline of a clock started at `start` that may run `hours` business hours (SPEC SLA-5)."""
        calendar = self.get_object()
        query = serializers.DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            check = selectors.deadline_check(
                calendar=calendar,
                start=query.validated_data["start"],
                duration=hours_as_duration(query.validated_data["hours"]),
            )
        except CalendarError as error:
            raise drf_serializers.ValidationError({"non_field_errors": [str(error)]})
        data = {
            "calendar": calendar.code,
            "start": check.start,
            "hours": query.validated_data["hours"],
            "clock_starts": check.clock_starts,
            "deadline": check.deadline,
        }
        return Response(serializers.DeadlineSerializer(data).data)


class DayOverrideViewSet(RecordViewSet):
    resource = "calendar"
    selector = selectors.override_list
    serializer_class = serializers.DayOverrideSerializer
    filterset_class = filters.DayOverrideFilter
    ordering_fields = ["date", "created_at", "updated_at"]
    create_service = services.override_create
    update_service = services.override_update
    set_active_service = services.override_set_active


class SlaPolicyViewSet(RecordViewSet):
    """The time limits of SPEC §3. They are not created through the API (each comes with the code
    that starts its clocks); managers change and deactivate them."""

    resource = "sla_policy"
    selector = selectors.policy_list
    serializer_class = serializers.SlaPolicySerializer
    filterset_class = filters.SlaPolicyFilter
    ordering_fields = ["code", "name", "duration", "created_at", "updated_at"]
    update_service = services.policy_update
    set_active_service = services.policy_set_active

    def create(self, request, *args, **kwargs):
        raise PermissionDenied(_("Time limits come with the programme; change or deactivate an existing one."))
