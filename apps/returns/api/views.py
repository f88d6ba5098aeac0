"""/api/v1/returns/ (SPEC CP-6).

The same selectors (row scope: out of scope is 404) and services as the pages: the application
as multipart/form-data with its proof of purchase, one POST per move naming the version it read
(stale or wrong status: 409), a refused value is a 400 naming the field, a role that may not is 403.
"""

import mimetypes

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.core.api import RolePermission
from apps.core.ids import parse_id
from apps.returns import filters, selectors, services
from apps.returns.api import serializers as s
from apps.returns.models import ReturnRequest

REFUSALS = {
    400: OpenApiResponse(description="Invalid input: the messages name the fields."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such application in your scope."),
    409: OpenApiResponse(description="A stale version, or a status that does not allow the move."),
}


class ReturnRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Return / exchange applications: listed, read, applied for (POST multipart with `proof`),
    and moved one step at a time — assess, decide, complete, close, reject. Never edited in place
    or deleted."""

    resource = "return_request"
    permission_classes = [RolePermission]
    serializer_class = s.ReturnRequestSerializer
    filterset_class = filters.ReturnFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ordering_fields = ["applied_on", "created_at", "updated_at", "number", "status"]
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "assess": "view",
        "decide": "view",
        "complete": "view",
        "close": "view",
        "reject": "view",
        "attachments": "view",
        "attachment": "view",
        "timeline": "view",
    }
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return ReturnRequest.objects.none()
        return selectors.return_list(user=self.request.user)

    def get_serializer_class(self):
        return s.ReturnRequestDetailSerializer if self.action == "retrieve" else s.ReturnRequestSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> ReturnRequest:
        pk = parse_id(self.kwargs.get("pk"))
        return_request = selectors.return_list(user=self.request.user).filter(pk=pk).first() if pk else None
        if return_request is None:
            raise Http404
        return return_request

    def _detail(self, return_request, *, code=status.HTTP_200_OK) -> Response:
        detail = selectors.return_detail(user=self.request.user, pk=return_request.pk)
        return Response(
            s.ReturnRequestDetailSerializer(detail, context=self.get_serializer_context()).data, status=code
        )

    def _body(self, request, body_class) -> dict:
        params = body_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    def retrieve(self, request, pk=None):
        """One application with its files."""
        return self._detail(self.get_object())

    @extend_schema(
        request={"multipart/form-data": s.ReturnCreateSerializer},
        responses={201: s.ReturnRequestDetailSerializer, **REFUSALS},
    )
    def create(self, request):
        """Apply: the proof of purchase is required; outside the allowed period the application is
        refused (400 on `purchased_on`) unless a technical head or the quality department sends
        `override_reason`."""
        data = self._body(request, s.ReturnCreateSerializer)
        proofs = data.pop("proof", [])
        photos = data.pop("photos", [])
        override_reason = data.pop("override_reason", "")
        return_request = services.return_create(
            actor=request.user, data=data, proofs=proofs, photos=photos, override_reason=override_reason
        )
        return self._detail(return_request, code=status.HTTP_201_CREATED)

    def _move(self, request, key: str) -> Response:
        return_request = self.get_object()
        data = self._body(request, s.MOVE_BODIES[key])
        version = data.pop("version")
        services.MOVES[key](actor=request.user, return_request=return_request, expected_version=version, **data)
        return self._detail(return_request)

    @extend_schema(request=s.ReturnAssessSerializer, responses={200: s.ReturnRequestDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """Cause and responsibility (quality department, technical head)."""
        return self._move(request, "assess")

    @extend_schema(request=s.ReturnDecideSerializer, responses={200: s.ReturnRequestDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Repair, replacement, or a refund with `refund_basis` and `refund_reason`."""
        return self._move(request, "decide")

    @extend_schema(request=s.ReturnCompleteSerializer, responses={200: s.ReturnRequestDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """What was done; a refund is completed by finance with the amount, day and reference."""
        return self._move(request, "complete")

    @extend_schema(request=s.ReturnCloseSerializer, responses={200: s.ReturnRequestDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, "close")

    @extend_schema(request=s.ReturnRejectSerializer, responses={200: s.ReturnRequestDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._move(request, "reject")

    @extend_schema(
        request={"multipart/form-data": s.ReturnAttachSerializer},
        responses={201: s.ReturnAttachmentSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        """Add a file (a further proof, a photo of the fault) while the application is open."""
        return_request = self.get_object()
        data = self._body(request, s.ReturnAttachSerializer)
        attachment = services.return_attach(
            actor=request.user, return_request=return_request, upload=data["file"], kind=data["kind"]
        )
        return Response(s.ReturnAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: REFUSALS[404]})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        filter_backends=[],
        pagination_class=None,
    )
    def attachment(self, request, pk=None, attachment_id=None):
        """One file of the application."""
        return_request = self.get_object()
        attachment = return_request.attachments.filter(pk=parse_id(attachment_id)).first()
        if attachment is None:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
        return FileResponse(handle, filename=attachment.original_name, content_type=content_type)

    @extend_schema(responses=s.ReturnEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """Every event of the application, oldest first: who, when, what."""
        return_request = self.get_object()
        events = return_request.events.select_related("actor").order_by("at", "id")
        return Response(s.ReturnEventSerializer(events, many=True).data)
