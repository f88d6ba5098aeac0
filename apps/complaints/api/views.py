"""/api/v1/complaints/, regulatory-reports/, capas/, reporting-rules/ and reassignment-reviews/
(SPEC §6, CP-1 … CP-4; ISO 13485 8.2.2 / 8.2.3; 21 CFR 820.198).

Each move parses a small body that names the `version` it was based on and calls exactly one
service of apps.complaints.services: a stale version, or a move the complaint's status does not
allow (transitions.TransitionRefused), is 409 and changes nothing; a move this user may not make
is 403; bad input is 400 naming the fields; a complaint outside the user's scope is 404.
"""

import mimetypes
import os

from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.complaints import selectors, services
from apps.complaints.api import filters
from apps.complaints.api import serializers as s
from apps.complaints.models import Capa, Complaint, ReassignmentReview, RegulatoryReport
from apps.core.api import RecordViewSet, RolePermission
from apps.core.ids import parse_id
from apps.workorders.api.views import FileRenderer

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("You may not do this on this complaint.")),
    404: OpenApiResponse(description=_("No such complaint in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a move the complaint's status does not allow.")),
}


def _move_schema(body, *, description: str, response=s.ComplaintDetailSerializer, code: int = 200, refusals=None):
    return extend_schema(request=body, responses={code: response, **(refusals or REFUSALS)}, description=description)


def _pk(kwargs) -> int:
    pk = parse_id(kwargs.get("pk"))
    if pk is None:
        raise Http404
    return pk


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints: registered (POST), read, corrected (edit/) and moved by one POST per move of the
    state machine (choices.TRANSITIONS) or activity (choices.ACTIVITIES). Never deleted."""

    resource = "complaint"
    permission_classes = [RolePermission]
    filterset_class = filters.ComplaintApiFilter
    ordering_fields = ["received_at", "number", "status", "created_at", "updated_at"]
    # Who may call an endpoint at all (apps.core.access); who may make the move on this complaint
    # is the transition table's answer inside the service (403 with its reason). The engineer
    # complained about writes his self-assessment with a mere "view".
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "close_blockers": "view",
        "create": "add",
        "edit": "change",
        "evaluate": "change",
        "decide_reportability": "change",
        "revise_reportability": "change",
        "complete_investigation": "change",
        "waive_investigation": "change",
        "record_disposition": "change",
        "record_correction": "change",
        "send_resolution": "change",
        "close": "change",
        "return_for_rework": "change",
        "replies": "change",
        "apologise": "change",
        "talk_with_engineer": "change",
        "self_assessment": "view",
        "notes": "change",
        "link_capa": "change",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return Complaint.objects.none()
        return selectors.complaint_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.ComplaintDetailSerializer
        return s.ComplaintSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> Complaint:
        """The complaint (without the file's extras: the service locks and re-reads it)."""
        complaint = Complaint.objects.filter(
            selectors.complaint_scope_q(self.request.user), pk=_pk(self.kwargs)
        ).first()
        if complaint is None:
            raise Http404
        self.check_object_permissions(self.request, complaint)
        return complaint

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        try:
            complaint = selectors.complaint_detail(user=self.request.user, pk=pk)
        except Http404:
            # The move took it out of the caller's scope: he still learns the outcome.
            complaint = Complaint.objects.get(pk=pk)
        body = s.ComplaintDetailSerializer(complaint, context=self.get_serializer_context()).data
        return Response(body, status=code)

    def _parse(self, request, body_class, **kwargs):
        """The complaint (404 outside the scope) and the validated body (400 naming the fields)."""
        complaint = self.get_object()
        params = body_class(data=request.data, context={"request": request}, **kwargs)
        params.is_valid(raise_exception=True)
        return complaint, dict(params.validated_data)

    # --- reading -----------------------------------------------------------------------------

    @extend_schema(responses={200: s.ComplaintDetailSerializer, 404: REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """The whole complaint file: intake, evaluation, reportability and its reports with their
        deadlines, investigation, disposition, correction and CAPAs, replies, CP-3 steps, review,
        timeline, CP-4 clocks, and what the caller can do now."""
        complaint = selectors.complaint_detail(user=request.user, pk=_pk(self.kwargs))
        return Response(s.ComplaintDetailSerializer(complaint, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: s.ComplaintCloseBlockersSerializer, 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], url_path="close-blockers", filter_backends=[], pagination_class=None)
    def close_blockers(self, request, pk=None):
        """What still stands in the way of closing: regulatory reports not submitted, open CAPAs,
        CP-3 steps of a service complaint, the resolution reply."""
        complaint = self.get_object()
        blockers = [str(b) for b in services.close_blockers(complaint)]
        return Response(s.ComplaintCloseBlockersSerializer({"can_close": not blockers, "blockers": blockers}).data)

    # --- intake and correction ---------------------------------------------------------------

    @extend_schema(
        request=s.ComplaintIntakeSerializer,
        responses={201: s.ComplaintDetailSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def create(self, request):
        """Record a complaint when it is received (CP-1; oral ones too). The technical head
        (service) or the quality department (product) is told at once (CP-2); the reply / plan /
        resolution clocks start (CP-4)."""
        params = s.ComplaintIntakeSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        complaint = services.complaint_create(actor=request.user, data=dict(params.validated_data))
        return self._detail(complaint.pk, code=status.HTTP_201_CREATED)

    @_move_schema(
        s.ComplaintEditSerializer,
        description="Correct intake fields of an open complaint: send only the fields that change, and the version.",
    )
    @action(detail=True, methods=["post", "patch"])
    def edit(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintEditSerializer, partial=True)
        version = data.pop("version")
        services.complaint_update(actor=request.user, complaint=complaint, data=data, expected_version=version)
        return self._detail(complaint.pk)

    # --- moves of the state machine ----------------------------------------------------------

    @_move_schema(s.ComplaintEvaluateSerializer, description="Is it a complaint? Yes or no, with the rationale (8.2.2)")
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintEvaluateSerializer)
        services.complaint_evaluate(
            actor=request.user,
            complaint=complaint,
            is_complaint=data["is_complaint"],
            rationale=data["rationale"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintReportabilitySerializer,
        description="Reportable to an authority? Which events? Their rules start the reports' clocks (8.2.3)",
    )
    @action(detail=True, methods=["post"], url_path="decide-reportability")
    def decide_reportability(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintReportabilitySerializer)
        services.complaint_decide_reportability(
            actor=request.user,
            complaint=complaint,
            reportable=data["reportable"],
            events=data["events"],
            rationale=data["rationale"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintReportabilitySerializer,
        description="Revise reportability: new events start reports, pending ones no longer found are withdrawn",
    )
    @action(detail=True, methods=["post"], url_path="revise-reportability")
    def revise_reportability(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintReportabilitySerializer)
        services.complaint_revise_reportability(
            actor=request.user,
            complaint=complaint,
            reportable=data["reportable"],
            events=data["events"],
            rationale=data["rationale"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintInvestigationSerializer,
        description="Record the investigation: dates, results, cause (820.198(e)(9))",
    )
    @action(detail=True, methods=["post"], url_path="complete-investigation")
    def complete_investigation(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintInvestigationSerializer)
        services.complaint_complete_investigation(
            actor=request.user,
            complaint=complaint,
            findings=data["findings"],
            root_cause=data["root_cause"],
            cause_category=data["cause_category"],
            started_on=data["started_on"],
            completed_on=data["completed_on"],
            part=data["part"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintWaiveSerializer,
        description="No investigation: the reason and the earlier complaint that covers it (820.198(b))",
    )
    @action(detail=True, methods=["post"], url_path="waive-investigation")
    def waive_investigation(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintWaiveSerializer)
        services.complaint_waive_investigation(
            actor=request.user,
            complaint=complaint,
            reason=data["reason"],
            covered_by=data["covered_by"],
            cause_category=data["cause_category"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintDispositionSerializer, description="The product disposition: lot released or held, unit returned"
    )
    @action(detail=True, methods=["post"], url_path="record-disposition")
    def record_disposition(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintDispositionSerializer)
        services.complaint_record_disposition(
            actor=request.user,
            complaint=complaint,
            disposition=data["disposition"],
            note=data["note"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintCorrectionSerializer, description="The correction and the CAPA(s), or why none is needed (8.2.2 e)"
    )
    @action(detail=True, methods=["post"], url_path="record-correction")
    def record_correction(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintCorrectionSerializer)
        services.complaint_record_correction(
            actor=request.user,
            complaint=complaint,
            correction=data["correction"],
            capas=data["capas"],
            no_capa_reason=data["no_capa_reason"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintResolutionSerializer, description="The resolution reply to the complainant; on to the quality review"
    )
    @action(detail=True, methods=["post"], url_path="send-resolution")
    def send_resolution(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintResolutionSerializer)
        services.complaint_send_resolution(
            actor=request.user,
            complaint=complaint,
            method=data["method"],
            content=data["content"],
            satisfied=data["satisfied"],
            replied_at=data["replied_at"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintCloseSerializer,
        description="The quality review closes it: not while a report is missing, a CAPA open or a CP-3 step undone",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintCloseSerializer)
        services.complaint_close(
            actor=request.user, complaint=complaint, review_note=data["review_note"], expected_version=data["version"]
        )
        return self._detail(complaint.pk)

    @_move_schema(s.ComplaintReasonSerializer, description="The quality review sends it back to the investigation")
    @action(detail=True, methods=["post"], url_path="return-for-rework")
    def return_for_rework(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintReasonSerializer)
        services.complaint_return_for_rework(
            actor=request.user, complaint=complaint, reason=data["reason"], expected_version=data["version"]
        )
        return self._detail(complaint.pk)

    # --- activities --------------------------------------------------------------------------

    @_move_schema(
        s.ComplaintAddReplySerializer,
        description="Record a reply to the complainant (820.198(e)(8)); it stops the CP-4 clocks it answers",
        code=201,
    )
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintAddReplySerializer)
        services.complaint_add_reply(
            actor=request.user,
            complaint=complaint,
            kind=data["kind"],
            method=data["method"],
            content=data["content"],
            satisfied=data["satisfied"],
            replied_at=data["replied_at"],
            expected_version=data["version"],
        )
        return self._detail(complaint.pk, code=status.HTTP_201_CREATED)

    @_move_schema(s.ComplaintTextSerializer, description="CP-3: the technical head's apology in the department's name")
    @action(detail=True, methods=["post"])
    def apologise(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintTextSerializer)
        services.complaint_apologise(
            actor=request.user, complaint=complaint, text=data["text"], expected_version=data["version"]
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintTalkSerializer, description="CP-3: the talk with the engineer; he is asked for his self-assessment"
    )
    @action(detail=True, methods=["post"], url_path="talk-with-engineer")
    def talk_with_engineer(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintTalkSerializer)
        services.complaint_talk_with_engineer(
            actor=request.user, complaint=complaint, note=data["note"], expected_version=data["version"]
        )
        return self._detail(complaint.pk)

    @_move_schema(
        s.ComplaintTextSerializer, description="CP-3: the engineer complained about writes his self-assessment"
    )
    @action(detail=True, methods=["post"], url_path="self-assessment")
    def self_assessment(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintTextSerializer)
        services.complaint_self_assess(
            actor=request.user, complaint=complaint, text=data["text"], expected_version=data["version"]
        )
        return self._detail(complaint.pk)

    @_move_schema(s.ComplaintTextSerializer, description="Add a note to the timeline", code=201)
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintTextSerializer)
        services.complaint_add_note(
            actor=request.user, complaint=complaint, text=data["text"], expected_version=data["version"]
        )
        return self._detail(complaint.pk, code=status.HTTP_201_CREATED)

    @_move_schema(s.ComplaintLinkCapaSerializer, description="Link the complaint to an existing CAPA")
    @action(detail=True, methods=["post"], url_path="link-capa")
    def link_capa(self, request, pk=None):
        complaint, data = self._parse(request, s.ComplaintLinkCapaSerializer)
        services.complaint_link_capa(
            actor=request.user, complaint=complaint, capa=data["capa"], expected_version=data["version"]
        )
        return self._detail(complaint.pk)


# --- regulatory reports ---------------------------------------------------------------------------

REPORT_REFUSALS = {
    **REFUSALS,
    403: OpenApiResponse(description=_("Only the quality department records submissions.")),
    404: OpenApiResponse(description=_("No such report in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a report no longer waiting to be submitted.")),
}


class RegulatoryReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The reports complaints owe authorities (8.2.3; China's adverse-event rules; US MDR), most
    urgent first, each with its deadline from the awareness date; the submission is recorded with
    its date, the authority's number and the file sent."""

    resource = "complaint"
    permission_classes = [RolePermission]
    serializer_class = s.RegulatoryReportSerializer
    filterset_class = filters.RegulatoryReportApiFilter
    ordering_fields = ["due_at", "submitted_at", "created_at"]
    required_actions = {"list": "view", "retrieve": "view", "attachment": "view", "submit": "change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RegulatoryReport.objects.none()
        return selectors.report_list(user=self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> RegulatoryReport:
        report = self.get_queryset().filter(pk=_pk(self.kwargs)).first()
        if report is None:
            raise Http404
        self.check_object_permissions(self.request, report)
        return report

    def _body(self, pk: int) -> Response:
        report = self.get_queryset().get(pk=pk)
        return Response(s.RegulatoryReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: s.RegulatoryReportSerializer, 404: REPORT_REFUSALS[404]})
    def retrieve(self, request, pk=None):
        return self._body(self.get_object().pk)

    @extend_schema(
        request={"multipart/form-data": s.ReportSubmitSerializer, "application/json": s.ReportSubmitSerializer},
        responses={200: s.RegulatoryReportSerializer, **REPORT_REFUSALS},
        description="Record that the report went to the authority: when, its number there, the file sent.",
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser, JSONParser])
    def submit(self, request, pk=None):
        report = self.get_object()
        params = s.ReportSubmitSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        services.report_submit(
            actor=request.user,
            report=report,
            submitted_at=data["submitted_at"],
            report_number=data["report_number"],
            attachment=data["attachment"],
            note=data["note"],
            expected_version=data["version"],
        )
        return self._body(report.pk)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: REPORT_REFUSALS[404]})
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[JSONRenderer, FileRenderer],
        filter_backends=[],
        pagination_class=None,
    )
    def attachment(self, request, pk=None):
        """The file that was sent to the authority."""
        report = self.get_object()
        if not report.attachment:
            raise Http404
        try:
            handle = report.attachment.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        filename = os.path.basename(report.attachment.name)
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
        response["Cache-Control"] = "private, no-store"
        return response


# --- CAPAs ----------------------------------------------------------------------------------------

CAPA_REFUSALS = {
    400: REFUSALS[400],
    403: OpenApiResponse(description=_("You may not manage CAPAs.")),
    404: OpenApiResponse(description=_("No such CAPA.")),
    409: OpenApiResponse(description=_("A stale version, or a CAPA already closed.")),
}


class CapaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CAPAs (ISO 13485 8.5.2 / 8.5.3) that complaints link to; a complaint cannot close while one
    of its CAPAs is open."""

    resource = "capa"
    permission_classes = [RolePermission]
    filterset_class = filters.CapaApiFilter
    ordering_fields = ["number", "due_on", "created_at", "updated_at"]
    required_actions = {"list": "view", "retrieve": "view", "create": "add", "close": "change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Capa.objects.none()
        return selectors.capa_list(user=self.request.user)

    def get_serializer_class(self):
        return s.CapaDetailSerializer if self.action == "retrieve" else s.CapaListSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> Capa:
        capa = Capa.objects.filter(pk=_pk(self.kwargs)).first()
        if capa is None:
            raise Http404
        self.check_object_permissions(self.request, capa)
        return capa

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        capa = Capa.objects.select_related("owner", "closed_by").get(pk=pk)
        return Response(s.CapaDetailSerializer(capa, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses={200: s.CapaDetailSerializer, 404: CAPA_REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One CAPA with the complaints linked to it that you can see."""
        return self._detail(self.get_object().pk)

    @extend_schema(
        request=s.CapaCreateSerializer,
        responses={201: s.CapaDetailSerializer, 400: REFUSALS[400], 403: CAPA_REFUSALS[403], 409: REFUSALS[409]},
    )
    def create(self, request):
        """Open a CAPA (numbered automatically unless a number is given), optionally linked to a
        complaint."""
        params = s.CapaCreateSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        complaint = data.pop("complaint")
        if data.get("owner") is None:
            data.pop("owner")
        capa = services.capa_create(actor=request.user, data=data, complaint=complaint)
        return self._detail(capa.pk, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CapaCloseSerializer,
        responses={200: s.CapaDetailSerializer, **CAPA_REFUSALS},
        description="Close the CAPA with its effectiveness check.",
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        capa = self.get_object()
        params = s.CapaCloseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.capa_close(
            actor=request.user,
            capa=capa,
            effectiveness=params.validated_data["effectiveness"],
            expected_version=params.validated_data["version"],
        )
        return self._detail(capa.pk)


# --- the reporting rules table ------------------------------------------------------------------


class ReportingRuleViewSet(RecordViewSet):
    """The regulatory reporting rules (issue 5: deadlines kept as configuration): read by all
    internal staff, changed by the quality department. A report already started keeps the
    deadline it was given."""

    resource = "reporting_rule"
    selector = selectors.rule_list
    serializer_class = s.ReportingRuleSerializer
    filterset_class = filters.ReportingRuleApiFilter
    ordering_fields = ["jurisdiction", "event", "sequence", "code", "created_at", "updated_at"]
    create_service = services.rule_create
    update_service = services.rule_update
    set_active_service = services.rule_set_active


# --- CP-3 reassignment reviews --------------------------------------------------------------------

REVIEW_REFUSALS = {
    400: REFUSALS[400],
    403: OpenApiResponse(description=_("Only the technical head decides a reassignment review.")),
    404: OpenApiResponse(description=_("No such review.")),
    409: OpenApiResponse(description=_("A stale version, or a review already decided.")),
}


class ReassignmentReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CP-3: a second service complaint against the same engineer raises a review of his
    assignment; the technical head decides and records why."""

    resource = "reassignment_review"
    permission_classes = [RolePermission]
    serializer_class = s.ReassignmentReviewSerializer
    filterset_class = filters.ReassignmentReviewApiFilter
    ordering_fields = ["raised_at", "decided_at"]
    required_actions = {"list": "view", "retrieve": "view", "decide": "change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReassignmentReview.objects.none()
        return selectors.review_list(user=self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> ReassignmentReview:
        review = self.get_queryset().filter(pk=_pk(self.kwargs)).first()
        if review is None:
            raise Http404
        self.check_object_permissions(self.request, review)
        return review

    @extend_schema(
        request=s.ReviewDecideSerializer,
        responses={200: s.ReassignmentReviewSerializer, **REVIEW_REFUSALS},
        description="The technical head decides the review and records why.",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        review = self.get_object()
        params = s.ReviewDecideSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.reassignment_decide(
            actor=request.user,
            review=review,
            decision=params.validated_data["decision"],
            expected_version=params.validated_data["version"],
        )
        return Response(s.ReassignmentReviewSerializer(self.get_queryset().get(pk=review.pk)).data)
