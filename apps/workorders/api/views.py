"""/api/v1/work-orders/: intake, list, detail, and one POST per move (SPEC §2).

Each move parses a small body that names the `version` it was based on, and calls exactly one
service of apps.workorders.services. A stale version is 409 and changes nothing; a move the
state does not allow is 409 with the reason (transitions.TransitionRefused); a move this user
may not make is 403 (transitions.NotPermitted); an order outside the user's scope is 404.
"""

import mimetypes
from contextlib import contextmanager

from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from apps.core.api import RolePermission, history_response
from apps.core.exceptions import ConflictError
from apps.core.ids import parse_id
from apps.workorders import selectors, services, transitions
from apps.workorders.api import filters
from apps.workorders.api import serializers as s
from apps.workorders.choices import AttachmentKind
from apps.workorders.models import WorkOrder

ID_PATTERN = r"[0-9]{1,19}"

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("Your role may not make this move on this order.")),
    404: OpenApiResponse(description=_("No such work order in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a move the order's state does not allow.")),
}


def _move_schema(body, *, description: str, response=s.WorkOrderDetailSerializer, code: int = 200):
    return extend_schema(request=body, responses={code: response, **REFUSALS}, description=description)


class FileRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type (application/pdf, image/*) get it."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _file_response(field_file, filename: str, content_type: str, *, inline: bool) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@contextmanager
def at_version(order: WorkOrder, version: int):
    """Lock the order and refuse a stale `version` (409) before the service runs, in the same
    transaction — also for the services that do not compare versions themselves."""
    with transaction.atomic():
        current = WorkOrder.objects.select_for_update().values_list("version", flat=True).get(pk=order.pk)
        if current != version:
            raise ConflictError()
        yield


class WorkOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Work orders: registered (POST), read, and moved by one POST per move. Never edited as a
    whole and never deleted."""

    resource = "workorder"
    permission_classes = [RolePermission]
    filterset_class = filters.WorkOrderApiFilter
    ordering_fields = ["number", "created_at", "updated_at", "appointment_at", "completed_at", "status"]
    # Who may call an endpoint at all (apps.core.access); who may make the move on this order is
    # the transition table's answer inside the service (403 with its reason). Moves not named
    # here need "view" (RolePermission's default): approvers, finance and quality only read
    # orders, yet decide steps, confirm money and assess complaints.
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "timeline": "view",
        "history": "view",
        "attachments": "view",
        "dispatch_suggestions": "view",
        "notes": "change",
        "upload_attachment": "change",
        "attachment_file": "view",
        "report": "view",
        "report_pdf": "view",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return WorkOrder.objects.none()
        # A city's name reads "province / city": its parent comes along, once.
        return selectors.workorder_list(user=self.request.user).select_related("region__parent")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.WorkOrderDetailSerializer
        if self.action == "create":
            return s.WorkOrderCreateSerializer
        return s.WorkOrderSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> WorkOrder:
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        queryset = selectors.workorder_list(user=self.request.user).select_related("customer")
        try:
            order = queryset.get(pk=pk)
        except WorkOrder.DoesNotExist:
            raise Http404
        self.check_object_permissions(self.request, order)
        return order

    def handle_exception(self, exc):
        if isinstance(exc, transitions.NotPermitted):
            exc = exceptions.PermissionDenied(detail=str(exc.message))
        return super().handle_exception(exc)

    # --- reading -----------------------------------------------------------------------------

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        try:
            order = selectors.workorder_detail(user=self.request.user, pk=pk)
        except WorkOrder.DoesNotExist:
            # The move took the order out of the caller's scope (e.g. re-allocated away): he
            # still learns the outcome of what he just did.
            order = WorkOrder.objects.select_related("customer").get(pk=pk)
        return Response(s.WorkOrderDetailSerializer(order, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses={200: s.WorkOrderDetailSerializer, 404: REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One order with everything its page shows and the moves the caller can make now."""
        return self._detail(self.get_object().pk)

    @extend_schema(
        request=s.WorkOrderCreateSerializer, responses={201: s.WorkOrderDetailSerializer, 400: REFUSALS[400]}
    )
    def create(self, request):
        """Register a request (SPEC WO-1); `channel` defaults to "api"."""
        params = s.WorkOrderCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        order = services.workorder_create(actor=request.user, **params.validated_data)
        return self._detail(order.pk, code=status.HTTP_201_CREATED)

    @extend_schema(responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """Every event of the order, oldest first: who, when, from → to, why (SPEC WO-18)."""
        order = self.get_object()
        events = order.events.select_related("actor").order_by("at", "id")
        return Response(s.EventSerializer(events, many=True).data)

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Field-level audit trail of the order, its application, money and visits."""
        from dataclasses import asdict

        from apps.core.history import history_for
        from apps.workorders.models import PaidService, ServiceApplication

        order = self.get_object()
        objects = [
            order,
            *ServiceApplication.objects.filter(work_order=order),
            *PaidService.objects.filter(work_order=order),
            *order.visits.all(),
        ]
        return Response([asdict(entry) for entry in history_for(objects, user=request.user)])

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, description=_("How many engineers (default 10, at most 50)."))],
        responses={
            200: inline_serializer(
                "DispatchSuggestion",
                many=True,
                fields={
                    "engineer": serializers.IntegerField(),
                    "engineer_name": serializers.CharField(),
                    "score": serializers.FloatField(),
                    "resident": serializers.BooleanField(),
                    "skilled": serializers.BooleanField(),
                    "qualified": serializers.BooleanField(allow_null=True),
                    "load": serializers.IntegerField(),
                    "distance_km": serializers.FloatField(allow_null=True),
                    "reasons": serializers.ListField(
                        child=inline_serializer(
                            "DispatchReason",
                            fields={"text": serializers.CharField(), "tone": serializers.CharField()},
                        )
                    ),
                },
            ),
            403: REFUSALS[403],
            404: REFUSALS[404],
        },
    )
    @action(detail=True, methods=["get"], url_path="dispatch-suggestions", filter_backends=[], pagination_class=None)
    def dispatch_suggestions(self, request, pk=None):
        """Field engineers ranked for this order, best first, each with the reasons (SPEC WO-6)."""
        from apps.core.access import can
        from apps.workorders.dispatching import suggest_engineers

        if not can(request.user, "dispatch_board", "view"):
            raise exceptions.PermissionDenied(_("Only those who dispatch see the suggestions."))
        order = self.get_object()
        limit = parse_id(request.query_params.get("limit", 10))
        if limit is None or limit > 50:
            raise serializers.ValidationError({"limit": [_("A number from 1 to 50.")]})
        ranked = suggest_engineers(order=order, limit=limit)
        return Response(
            [
                {
                    "engineer": item.engineer.pk,
                    "engineer_name": str(item.engineer),
                    "score": item.score,
                    "resident": item.resident,
                    "skilled": item.skilled,
                    "qualified": item.qualified,
                    "load": item.load,
                    "distance_km": round(item.distance_km, 1) if item.distance_km is not None else None,
                    "reasons": [{"text": str(r), "tone": getattr(r, "tone", "")} for r in item.reasons],
                }
                for item in ranked
            ]
        )

    @extend_schema(responses=s.AttachmentSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
        filter_backends=[],
        pagination_class=None,
    )
    def attachments(self, request, pk=None):
        """Photos, videos and files of the order (SPEC WO-1, WO-11)."""
        order = self.get_object()
        rows = order.attachments.select_related("uploaded_by").order_by("uploaded_at", "id")
        return Response(s.AttachmentSerializer(rows, many=True, context=self.get_serializer_context()).data)

    # --- moves -------------------------------------------------------------------------------

    def _parse(self, request, body_class, **context):
        """The order (404 outside the scope) and the validated body (400 naming the fields)."""
        order = self.get_object()
        params = body_class(data=request.data, context={"request": request, **context})
        params.is_valid(raise_exception=True)
        return order, dict(params.validated_data)

    @_move_schema(s.RemoteAttemptSerializer, description="Record a remote attempt (SPEC WO-2)")
    @action(detail=True, methods=["post"], url_path="remote-attempt")
    def remote_attempt(self, request, pk=None):
        order, data = self._parse(request, s.RemoteAttemptSerializer)
        with at_version(order, data["version"]):
            services.workorder_record_remote(
                order=order,
                actor=request.user,
                actions=data["actions"],
                callback_due_at=data["callback_due_at"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.ResolveRemotelySerializer, description="Solved remotely: close without a visit (SPEC WO-2)")
    @action(detail=True, methods=["post"], url_path="resolve-remotely")
    def resolve_remotely(self, request, pk=None):
        order, data = self._parse(request, s.ResolveRemotelySerializer)
        with at_version(order, data["version"]):
            services.workorder_resolve_remotely(
                order=order, actor=request.user, solution=data["solution"], expected_version=data["version"]
            )
        return self._detail(order.pk)

    @_move_schema(s.ReasonSerializer, description="Reopen a remotely solved request")
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        order, data = self._parse(request, s.ReasonSerializer)
        with at_version(order, data["version"]):
            services.workorder_reopen(
                order=order, actor=request.user, reason=data["reason"], expected_version=data["version"]
            )
        return self._detail(order.pk)

    @_move_schema(s.ApplicationSerializer, description="File the service application (SPEC WO-3, WO-9)")
    @action(detail=True, methods=["post"])
    def application(self, request, pk=None):
        order, data = self._parse(request, s.ApplicationSerializer)
        with at_version(order, data["version"]):
            services.workorder_file_application(
                order=order,
                actor=request.user,
                billing=data["billing"],
                work_content=data["work_content"],
                user_and_dealer_agree=data["user_and_dealer_agree"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.DecideSerializer, description="Approve or reject the current approval step (SPEC WO-9)")
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        order, data = self._parse(request, s.DecideSerializer)
        with at_version(order, data["version"]):
            services.workorder_decide(
                order=order,
                actor=request.user,
                decision=data["decision"],
                reason=data["reason"],
                quote_amount=data["quote_amount"],
                quote_note=data["quote_note"],
                contract_no=data["contract_no"],
                deposit_reference=data["deposit_reference"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.DispatchSerializer, description="Dispatch an engineer (SPEC WO-4, WO-6, WO-15)")
    # Not named `dispatch`: that is the view's own request entry point.
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_order(self, request, pk=None):
        order, data = self._parse(request, s.DispatchSerializer)
        with at_version(order, data["version"]):
            services.workorder_dispatch(
                order=order,
                actor=request.user,
                engineer=data["engineer"],
                reason=data["reason"],
                arrears_agreement=data["arrears_agreement"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.EmergencyDispatchSerializer, description="Dispatch first, application later (SPEC WO-5)")
    @action(detail=True, methods=["post"], url_path="emergency-dispatch")
    def emergency_dispatch(self, request, pk=None):
        order, data = self._parse(request, s.EmergencyDispatchSerializer)
        with at_version(order, data["version"]):
            services.workorder_emergency_dispatch(
                order=order,
                actor=request.user,
                engineer=data["engineer"],
                reason=data["reason"],
                arrears_agreement=data["arrears_agreement"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.ReallocateSerializer, description="Hand the job to another engineer (SPEC WO-6)")
    @action(detail=True, methods=["post"])
    def reallocate(self, request, pk=None):
        order, data = self._parse(request, s.ReallocateSerializer)
        with at_version(order, data["version"]):
            services.workorder_reallocate(
                order=order,
                actor=request.user,
                engineer=data["engineer"],
                reason=data["reason"],
                arrears_agreement=data["arrears_agreement"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.ChecklistSerializer, description="Tick or untick a readiness item (SPEC WO-8)")
    @action(detail=True, methods=["post"])
    def checklist(self, request, pk=None):
        order, data = self._parse(request, s.ChecklistSerializer)
        with at_version(order, data["version"]):
            services.workorder_check_item(
                order=order, actor=request.user, code=data["code"], done=data["done"], note=data["note"]
            )
        return self._detail(order.pk)

    @_move_schema(s.ScheduleSerializer, description="Book the visit with the customer (SPEC WO-7, WO-8)")
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        order, data = self._parse(request, s.ScheduleSerializer)
        with at_version(order, data["version"]):
            services.workorder_schedule(
                order=order,
                actor=request.user,
                appointment_at=data["appointment_at"],
                agreed_with=data["agreed_with"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.RescheduleSerializer, description="Move the appointment, customer told (SPEC WO-7)")
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        order, data = self._parse(request, s.RescheduleSerializer)
        with at_version(order, data["version"]):
            services.workorder_reschedule(
                order=order,
                actor=request.user,
                appointment_at=data["appointment_at"],
                reason=data["reason"],
                customer_informed=data["customer_informed"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.PauseSerializer, description="Pause the SLA clocks while waiting (SPEC SLA-5)")
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        order, data = self._parse(request, s.PauseSerializer)
        with at_version(order, data["version"]):
            services.workorder_pause(
                order=order,
                actor=request.user,
                kind=data["kind"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        return self._detail(order.pk)

    @_move_schema(s.VersionOnly, description="Resume the SLA clocks (SPEC SLA-5)")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        order, data = self._parse(request, s.VersionOnly)
        with at_version(order, data["version"]):
            services.workorder_resume(order=order, actor=request.user, expected_version=data["version"])
        return self._detail(order.pk)

    @_move_schema(s.VersionOnly, description="Check in on site (SPEC WO-11)")
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        order, data = self._parse(request, s.VersionOnly)
        with at_version(order, data["version"]):
            services.workorder_check_in(order=order, actor=request.user, expected_version=data["version"])
        return self._detail(order.pk)

    @_move_schema(s.VisitRecordSerializer, description="Record the open visit (SPEC WO-11)")
    @action(detail=True, methods=["post"])
    def visit(self, request, pk=None):
        order, data = self._parse(request, s.VisitRecordSerializer)
        with at_version(order, data["version"]):
            services.workorder_record_visit(
                order=order,
                actor=request.user,
                findings=data["findings"],
                work_done=data["work_done"],
                measurements=data["measurements"],
                drift_warning_given=data["drift_warning_given"],
                lab_head_consent=data["lab_head_consent"],
                lab_head_name=data["lab_head_name"],
                expected_version=data["visit_version"],
                **{name: data[name] for name in ("lot", "fault_cause") if name in data},
            )
        return self._detail(order.pk)

    @_move_schema(s.PartSerializer, description="Record a part used or needed (SPEC WO-16)")
    @action(detail=True, methods=["post"])
    def parts(self, request, pk=None):
        order, data = self._parse(request, s.PartSerializer)
        with at_version(order, data["version"]):
            services.workorder_add_part(
                order=order,
                actor=request.user,
                item=data["item"],
                quantity=data["quantity"],
                supply=data["supply"],
                fitted=data["fitted"],
            )
        return self._detail(order.pk)

    @_move_schema(s.VersionOnly, description="Confirm that a shipped part arrived (SPEC WO-16)")
    @action(detail=True, methods=["post"], url_path=rf"parts/(?P<part_id>{ID_PATTERN})/arrived")
    def part_arrived(self, request, pk=None, part_id=None):
        order, data = self._parse(request, s.VersionOnly)
        part = order.parts.filter(pk=parse_id(part_id) or 0).first()
        if part is None:
            raise Http404
        with at_version(order, data["version"]):
            services.workorder_part_arrived(part=part, actor=request.user)
        return self._detail(order.pk)

    @_move_schema(s.ResultSerializer, description="Report the result to sales (SPEC WO-13)")
    @action(detail=True, methods=["post"])
    def result(self, request, pk=None):
        order, data = self._parse(request, s.ResultSerializer)
        with at_version(order, data["version"]):
            services.workorder_report_result(
                order=order, actor=request.user, text=data["text"], quality_problem=data["quality_problem"]
            )
        return self._detail(order.pk)

    @_move_schema(s.AssessmentSerializer, description="Assessed as a complaint? (ISO 13485 7.5.4, SPEC WO-13)")
    @action(detail=True, methods=["post"])
    def assessment(self, request, pk=None):
        order, data = self._parse(request, s.AssessmentSerializer)
        with at_version(order, data["version"]):
            services.workorder_assess_complaint(
                order=order, actor=request.user, is_complaint=data["is_complaint"], note=data["note"]
            )
        return self._detail(order.pk)

    @_move_schema(s.BalanceSerializer, description="Finance confirms the balance and the invoice (SPEC WO-9)")
    @action(detail=True, methods=["post"])
    def balance(self, request, pk=None):
        order, data = self._parse(request, s.BalanceSerializer)
        with at_version(order, data["version"]):
            services.workorder_record_balance(order=order, actor=request.user, invoice_no=data["invoice_no"])
        return self._detail(order.pk)

    @_move_schema(s.CloseSerializer, description="Close a completed, settled order (SPEC WO-18)")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order, data = self._parse(request, s.CloseSerializer)
        with at_version(order, data["version"]):
            services.workorder_close(
                order=order, actor=request.user, note=data["note"], expected_version=data["version"]
            )
        return self._detail(order.pk)

    @_move_schema(s.ReasonSerializer, description="Cancel with a reason (SPEC WO-18)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        order, data = self._parse(request, s.ReasonSerializer)
        with at_version(order, data["version"]):
            services.workorder_cancel(
                order=order, actor=request.user, reason=data["reason"], expected_version=data["version"]
            )
        return self._detail(order.pk)

    @_move_schema(s.NoteSerializer, description="Add a note to the timeline")
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        order, data = self._parse(request, s.NoteSerializer)
        with at_version(order, data["version"]):
            services.workorder_add_note(order=order, actor=request.user, text=data["text"])
        return self._detail(order.pk)

    @extend_schema(
        parameters=[OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: REFUSALS[404]},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"attachments/(?P<attachment_id>{ID_PATTERN})/file",
        url_name="attachment-file",
        renderer_classes=[JSONRenderer, FileRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def attachment_file(self, request, pk=None, attachment_id=None):
        """The stored file of one attachment."""
        order = self.get_object()
        attachment = order.attachments.filter(pk=parse_id(attachment_id) or 0).first()
        if attachment is None:
            raise Http404
        inline = attachment.kind in (AttachmentKind.PHOTO, AttachmentKind.VIDEO)
        content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
        return _file_response(attachment.file, attachment.original_name, content_type, inline=inline)

    @extend_schema(responses={200: s.ReportPreviewSerializer, 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def report(self, request, pk=None):
        """What the customer is about to sign (the open visit's report) with its summary_hash,
        and what the visit record still lacks (SPEC WO-11, WO-12)."""
        from apps.workorders import reports

        order = self.get_object()
        visit = reports.open_visit_for(order)
        if visit is None:
            return Response({"snapshot": None, "summary_hash": None, "blockers": reports.sign_blockers(None)})
        snapshot = reports.report_snapshot(order, visit)
        return Response(
            {
                "snapshot": snapshot,
                "summary_hash": reports.summary_hash(snapshot),
                "blockers": {k: str(v) for k, v in reports.sign_blockers(visit).items()},
            }
        )

    @_move_schema(
        s.ReportSignSerializer,
        description="The customer signs the service report; the order completes (SPEC WO-12)",
        code=201,
    )
    @report.mapping.post
    def sign_report(self, request, pk=None):
        from apps.workorders import reports

        order, data = self._parse(request, s.ReportSignSerializer)
        with at_version(order, data["version"]):
            reports.report_sign(
                order=order,
                actor=request.user,
                signer_name=data["signer_name"],
                signer_title=data["signer_title"],
                signature_png=data["signature"],
                outcome=data["outcome"],
                email_to=data["email_to"],
                expected_version=data["version"],
                expected_summary_hash=data["summary_hash"] or None,
            )
        return self._detail(order.pk, code=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("report_id", int, OpenApiParameter.PATH)],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: REFUSALS[404]},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=rf"reports/(?P<report_id>{ID_PATTERN})/pdf",
        url_name="report-pdf",
        renderer_classes=[JSONRenderer, FileRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def report_pdf(self, request, pk=None, report_id=None):
        """The signed report's PDF exactly as it was frozen at signing; never regenerated."""
        order = self.get_object()
        report = order.reports.filter(pk=parse_id(report_id) or 0).first()
        if report is None:
            raise Http404
        return _file_response(report.pdf, f"{report.number}.pdf", "application/pdf", inline=False)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer, **REFUSALS},
        description="Upload a photo, video or file (SPEC WO-1, WO-11).",
    )
    @attachments.mapping.post
    def upload_attachment(self, request, pk=None):
        order, data = self._parse(request, s.AttachmentUploadSerializer)
        with at_version(order, data["version"]):
            attachment = services.workorder_attach(
                order=order, actor=request.user, upload=data["file"], kind=data["kind"], caption=data["caption"]
            )
        body = s.AttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
