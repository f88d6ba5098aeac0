"""/api/v1/deliveries/, trace/, field-notices/, notice-recipients/ (issue 5).

The same selectors (row scope: 404 outside it) and services as the pages. A move names the
`version` it was based on: stale → 409; a state that does not allow it → 409; a role that may
not → 403; bad input → 400 naming the fields.
"""

from dataclasses import asdict

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import RecordViewSet, RolePermission, history_response
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.trace import filters, selectors, services
from apps.trace.api import serializers as s
from apps.trace.models import FieldNotice, NoticeRecipient

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("Your role may not do this, or the customer is not one you serve.")),
    404: OpenApiResponse(description=_("Not in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a move the state does not allow.")),
}


class DeliveryViewSet(RecordViewSet):
    """Deliveries (what was shipped to whom: lot, serial number, quantity, delivery note, dealer):
    the ground of the lot trace and of field safety notices. Never deleted: deactivated."""

    resource = "delivery"
    selector = selectors.delivery_list
    serializer_class = s.DeliverySerializer
    filterset_class = filters.DeliveryFilter
    ordering_fields = ["delivered_on", "quantity", "document_no", "created_at", "updated_at"]
    create_service = services.delivery_create
    update_service = services.delivery_update
    set_active_service = services.delivery_set_active


class TraceViewSet(viewsets.GenericViewSet):
    """The trace of a lot or a serial number, over what the caller may see."""

    resource = "trace"
    permission_classes = [RolePermission]
    serializer_class = s.TraceSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("lot_no", OpenApiTypes.STR, description=str(_("A lot number."))),
            OpenApiParameter(
                "lot", OpenApiTypes.INT, description=str(_("A catalogue lot id (to choose among several items)."))
            ),
            OpenApiParameter("serial_no", OpenApiTypes.STR, description=str(_("A serial number."))),
        ],
        responses={200: s.TraceSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def list(self, request):
        """From a lot number (or lot id) or a serial number: the customers that received it (with
        the deliveries and dealers), the instruments that carry it, the complaints and the service
        records (work orders) that mention it, the field safety notices that name it."""
        params = request.query_params
        lot_no = (params.get("lot_no") or "").strip()
        serial_no = (params.get("serial_no") or "").strip()
        raw_lot = params.get("lot")
        if raw_lot not in (None, "") and parse_id(raw_lot) is None:
            raise serializers.ValidationError({"lot": [_("Give a lot id.")]})
        if serial_no and (lot_no or raw_lot):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Search by a lot number or by a serial number, not both.")]}
            )
        if len(lot_no) > 32 or len(serial_no) > 64:
            raise serializers.ValidationError({"non_field_errors": [_("That is not a lot or serial number.")]})
        if serial_no:
            trace = selectors.trace_serial(user=request.user, serial_no=serial_no)
        elif lot_no or raw_lot:
            trace = selectors.trace_lot(user=request.user, lot_no=lot_no, lot_id=raw_lot)
        else:
            raise serializers.ValidationError({"non_field_errors": [_("Give lot_no, lot or serial_no.")]})
        return Response(s.TraceSerializer(trace).data)


class _ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return self.model.objects.none()
        return type(self).selector(user=self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self):
        pk = parse_id(self.kwargs.get("pk"))
        obj = type(self).selector(user=self.request.user).filter(pk=pk).first() if pk else None
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj

    def _parse(self, request, body_class):
        obj = self.get_object()
        params = body_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        return obj, dict(params.validated_data)

    def _fresh(self, pk, *, code=status.HTTP_200_OK):
        obj = type(self).selector(user=self.request.user).get(pk=pk)
        return Response(self.get_serializer_class()(obj, context=self.get_serializer_context()).data, status=code)


class FieldNoticeViewSet(_ScopedReadViewSet):
    """Field safety notices / recalls: drafted (POST, PATCH with the version), issued (the
    recipients are computed and told), closed (every recipient acknowledged, or the reason)."""

    resource = "field_notice"
    model = FieldNotice
    selector = selectors.notice_list_with_links
    serializer_class = s.FieldNoticeSerializer
    filterset_class = filters.NoticeFilter
    ordering_fields = ["created_at", "issued_at", "due_at", "number"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "timeline": "view",
        "history": "view",
        "create": "add",
        "partial_update": "add",
        "issue": "add",
        "close": "add",
        "add_recipients": "add",
    }

    @extend_schema(request=s.FieldNoticeWriteSerializer, responses={201: s.FieldNoticeSerializer, **REFUSALS})
    def create(self, request):
        """A draft notice (its number is given automatically unless sent)."""
        params = s.FieldNoticeWriteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data, m2m, _version = params.service_args()
        notice = services.notice_create(actor=request.user, data=data, m2m=m2m)
        return self._fresh(notice.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.FieldNoticeWriteSerializer, responses={200: s.FieldNoticeSerializer, **REFUSALS})
    def partial_update(self, request, pk=None):
        """Correct a draft, naming its version."""
        notice = self.get_object()
        params = s.FieldNoticeWriteSerializer(data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        data, m2m, version = params.service_args()
        services.notice_update(actor=request.user, instance=notice, data=data, m2m=m2m, expected_version=version)
        return self._fresh(notice.pk)

    @extend_schema(request=s.NoticeIssueSerializer, responses={200: s.FieldNoticeSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue the notice: exactly the customers that received one of its lots or parts, or have
        one of its instruments, become its recipients, due to be told within 1 / 3 / 7 days."""
        notice, data = self._parse(request, s.NoticeIssueSerializer)
        services.notice_issue(
            actor=request.user,
            notice=notice,
            expected_version=data["version"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return self._fresh(notice.pk)

    @extend_schema(request=s.NoticeIssueSerializer, responses={200: s.FieldNoticeSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="add-recipients")
    def add_recipients(self, request, pk=None):
        """An issued notice reaches the customers that received its lots or parts (or got its
        instruments) since it was issued; each is due to be told within the class's days from now."""
        notice, data = self._parse(request, s.NoticeIssueSerializer)
        services.notice_add_recipients(
            actor=request.user,
            notice=notice,
            expected_version=data["version"],
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        return self._fresh(notice.pk)

    @extend_schema(request=s.NoticeCloseSerializer, responses={200: s.FieldNoticeSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the notice: every recipient acknowledged, or `reason` says why not."""
        notice, data = self._parse(request, s.NoticeCloseSerializer)
        services.notice_close(
            actor=request.user, notice=notice, reason=data["reason"], expected_version=data["version"]
        )
        return self._fresh(notice.pk)

    @extend_schema(responses=s.NoticeEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """Every event of the notice, oldest first: who, when, what."""
        notice = self.get_object()
        events = notice.events.select_related("actor").order_by("at", "id")
        return Response(s.NoticeEventSerializer(events, many=True).data)

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Field-level audit trail of the notice."""
        notice = self.get_object()
        return Response([asdict(entry) for entry in history_for([notice], user=request.user)])


class NoticeRecipientViewSet(_ScopedReadViewSet):
    """The customers of issued notices (those the caller serves): told, acknowledged, overdue.
    Filter ?notice=<id>&pending=true for who has not acknowledged yet."""

    resource = "field_notice"
    model = NoticeRecipient
    selector = selectors.recipient_list
    serializer_class = s.NoticeRecipientSerializer
    filterset_class = filters.RecipientFilter
    ordering_fields = ["due_at", "notified_at", "acknowledged_at", "customer__code"]
    required_actions = {"list": "view", "retrieve": "view", "notify": "change", "acknowledge": "change"}

    @extend_schema(request=s.RecipientNotifySerializer, responses={200: s.NoticeRecipientSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """Record that the customer was told (by phone, on a visit, by letter …)."""
        recipient, data = self._parse(request, s.RecipientNotifySerializer)
        services.recipient_notify(
            actor=request.user,
            recipient=recipient,
            channel=data["channel"],
            note=data["note"],
            expected_version=data["version"],
        )
        return self._fresh(recipient.pk)

    @extend_schema(request=s.RecipientAcknowledgeSerializer, responses={200: s.NoticeRecipientSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Record the customer's acknowledgement: who (name, position) and a note."""
        recipient, data = self._parse(request, s.RecipientAcknowledgeSerializer)
        services.recipient_acknowledge(
            actor=request.user,
            recipient=recipient,
            name=data["name"],
            position=data["position"],
            note=data["note"],
            expected_version=data["version"],
        )
        return self._fresh(recipient.pk)
