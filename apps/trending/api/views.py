"""/api/v1/trend-counts/, /api/v1/trend-thresholds/ and /api/v1/trend-signals/ (SPEC CP-7).

The same selectors and services as the pages: a role that may not is 403, bad input a 400 naming
the field, a stale version a 409."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import RecordViewSet, RolePermission
from apps.core.ids import parse_id
from apps.trending import filters, selectors, services
from apps.trending.api import serializers as s
from apps.trending.choices import Dimension, Source
from apps.trending.models import TrendSignal

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("Your role may not do this.")),
    404: OpenApiResponse(description=_("No such signal.")),
    409: OpenApiResponse(description=_("A stale version, or the signal was reviewed already.")),
}


class TrendCountViewSet(viewsets.GenericViewSet):
    """Monthly counts of complaints and service faults per model, lot, part or cause (CP-7), with
    the threshold that applies to each value."""

    resource = "trend"
    permission_classes = [RolePermission]
    pagination_class = None
    filter_backends = []
    serializer_class = s.TrendCountsSerializer

    def get_queryset(self):
        return TrendSignal.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "source", str, enum=Source.values, description=str(_("What is counted (default complaints)."))
            ),
            OpenApiParameter("dimension", str, enum=Dimension.values, description=str(_("Per what (default lot)."))),
            OpenApiParameter(
                "from", str, description=str(_("First month, YYYY-MM (default: 11 months before the last)."))
            ),
            OpenApiParameter("to", str, description=str(_("Last month, YYYY-MM (default: this month)."))),
        ],
        responses={200: s.TrendCountsSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def list(self, request):
        params = request.query_params
        source = params.get("source") or Source.COMPLAINTS
        dimension = params.get("dimension") or Dimension.LOT
        errors = {}
        if source not in Source.values:
            errors["source"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Source.values)}]
        if dimension not in Dimension.values:
            errors["dimension"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Dimension.values)}]
        try:
            months = selectors.month_range(params.get("from"), params.get("to"))
        except selectors.RangeError as error:
            errors[error.field] = [error.message]
        if errors:
            raise serializers.ValidationError(errors)
        table = selectors.trend_table(source=source, dimension=dimension, months=months, user=request.user)
        return Response(s.TrendCountsSerializer(s.counts_data(table)).data)


class TrendThresholdViewSet(RecordViewSet):
    resource = "trend"
    selector = selectors.threshold_list
    serializer_class = s.TrendThresholdSerializer
    filterset_class = filters.ThresholdFilter
    ordering_fields = ["source", "dimension", "count", "created_at", "updated_at"]
    create_service = services.threshold_create
    update_service = services.threshold_update
    set_active_service = services.threshold_set_active


class TrendSignalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Signals raised by the thresholds, open ones first; the quality department reviews each
    (POST …/review/ with the version it read)."""

    resource = "trend"
    permission_classes = [RolePermission]
    serializer_class = s.TrendSignalSerializer
    filterset_class = filters.SignalFilter
    ordering_fields = ["month", "raised_at", "count"]
    required_actions = {"list": "view", "retrieve": "view", "review": "change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrendSignal.objects.none()
        return selectors.signal_list(user=self.request.user)

    def get_object(self) -> TrendSignal:
        pk = parse_id(self.kwargs.get("pk"))
        signal = self.get_queryset().filter(pk=pk).first() if pk else None
        if signal is None:
            raise Http404
        return signal

    @extend_schema(request=s.SignalReviewSerializer, responses={200: s.TrendSignalSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record the decision: "capa" (a new CAPA from capa_title …, or link the open CAPA `capa`)
        or "no_action" with the reason."""
        signal = self.get_object()
        body = s.SignalReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        signal = services.signal_review(
            actor=request.user,
            signal=signal,
            decision=data["decision"],
            reason=data.get("reason", ""),
            capa=data.get("capa"),
            capa_title=data.get("capa_title", ""),
            capa_description=data.get("capa_description", ""),
            capa_due_on=data.get("capa_due_on"),
            expected_version=data["version"],
        )
        return Response(s.TrendSignalSerializer(selectors.signal_detail(user=request.user, pk=signal.pk)).data)
