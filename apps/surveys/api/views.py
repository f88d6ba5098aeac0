"""/api/v1/surveys/, /api/v1/survey-cases/, /api/v1/engineer-ratings/, /api/v1/engineer-quality/
(SPEC §5). Reads go through apps.surveys.selectors (404 outside the caller's scope); each move is
one POST that names the `version` it was based on and calls one service: a stale version or a
move the state does not allow is 409, a move that is not the caller's is 403, bad input 400.
The customer's own answer stays the HTML page behind the personal link."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.core.access import can
from apps.core.api import RolePermission
from apps.core.ids import parse_id
from apps.surveys import selectors, services
from apps.surveys.api import filters
from apps.surveys.api import serializers as s
from apps.surveys.models import EngineerRating, Survey, SurveyCase

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("Not yours to do.")),
    404: OpenApiResponse(description=_("Not in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a move the state does not allow.")),
}


def _move_schema(body, response, *, description: str):
    return extend_schema(request=body, responses={200: response, **REFUSALS}, description=description)


def _parse(request, body_class) -> dict:
    params = body_class(data=request.data, context={"request": request})
    params.is_valid(raise_exception=True)
    data = dict(params.validated_data)
    data["expected_version"] = data.pop("version")
    return data


class SurveyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Satisfaction surveys of completed jobs (SQ-1), scoped like their work orders."""

    resource = "survey"
    permission_classes = [RolePermission]
    filterset_class = filters.SurveyApiFilter
    ordering_fields = ["created_at", "answered_at", "number", "overall_score", "dissatisfied_count"]
    required_actions = {"answer": "change", "send_link": "change", "reissue_link": "change", "cancel": "change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Survey.objects.none()
        return selectors.survey_list(user=self.request.user)

    def get_serializer_class(self):
        return s.SurveyDetailSerializer if self.action == "retrieve" else s.SurveySerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> Survey:
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        try:
            return selectors.survey_list(user=self.request.user).select_related("contact").get(pk=pk)
        except Survey.DoesNotExist:
            raise Http404 from None

    def _detail(self, pk) -> Response:
        survey = selectors.survey_detail(user=self.request.user, pk=pk)
        return Response(s.SurveyDetailSerializer(survey, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: s.SurveyDetailSerializer, 404: REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One survey: the answers, the cases it opened, the timeline, and — for those who send
        it — the customer's personal link."""
        return self._detail(self.get_object().pk)

    @_move_schema(s.SurveyAnswerRequestSerializer, s.SurveyDetailSerializer, description="Record the answers (SQ-1)")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        survey = self.get_object()
        params = s.SurveyAnswerRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.survey_answer(survey=survey, actor=request.user, **params.service_kwargs())
        return self._detail(survey.pk)

    @_move_schema(s.SendLinkRequestSerializer, s.SurveyDetailSerializer, description="E-mail the personal link")
    @action(detail=True, methods=["post"], url_path="send-link")
    def send_link(self, request, pk=None):
        survey = self.get_object()
        services.survey_send_link(
            survey=survey,
            actor=request.user,
            base_url=request.build_absolute_uri("/"),
            **_parse(request, s.SendLinkRequestSerializer),
        )
        return self._detail(survey.pk)

    @_move_schema(s.VersionRequestSerializer, s.SurveyDetailSerializer, description="New link; the old one dies")
    @action(detail=True, methods=["post"], url_path="reissue-link")
    def reissue_link(self, request, pk=None):
        survey = self.get_object()
        services.survey_reissue_link(survey=survey, actor=request.user, **_parse(request, s.VersionRequestSerializer))
        return self._detail(survey.pk)

    @_move_schema(s.CancelRequestSerializer, s.SurveyDetailSerializer, description="Cancel a pending survey")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        survey = self.get_object()
        services.survey_cancel(survey=survey, actor=request.user, **_parse(request, s.CancelRequestSerializer))
        return self._detail(survey.pk)


class SurveyCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases of dissatisfied scores (SQ-2) and suggestions (SQ-3), tracked to closure."""

    resource = "survey_case"
    permission_classes = [RolePermission]
    filterset_class = filters.CaseApiFilter
    ordering_fields = ["opened_at", "number", "answer_due_on", "closed_at"]
    # Who may make a move is the case table's answer inside the service (403 with its reason).
    required_actions = {"list": "view", "retrieve": "view"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SurveyCase.objects.none()
        return selectors.case_list(user=self.request.user)

    def get_serializer_class(self):
        return s.CaseDetailSerializer if self.action == "retrieve" else s.CaseSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> SurveyCase:
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        try:
            return selectors.case_list(user=self.request.user).get(pk=pk)
        except SurveyCase.DoesNotExist:
            raise Http404 from None

    def _detail(self, pk) -> Response:
        case = selectors.case_detail(user=self.request.user, pk=pk)
        return Response(s.CaseDetailSerializer(case, context=self.get_serializer_context()).data)

    @extend_schema(responses={200: s.CaseDetailSerializer, 404: REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One case with its timeline, documents, what is missing before it may close, and the
        moves the caller may make now."""
        return self._detail(self.get_object().pk)

    def _move(self, request, service, body):
        case = self.get_object()
        service(case=case, actor=request.user, **_parse(request, body))
        return self._detail(case.pk)

    @_move_schema(s.CauseRequestSerializer, s.CaseDetailSerializer, description="Record the cause (SQ-2)")
    @action(detail=True, methods=["post"])
    def cause(self, request, pk=None):
        return self._move(request, services.case_record_cause, s.CauseRequestSerializer)

    @_move_schema(s.VerifyRequestSerializer, s.CaseDetailSerializer, description="Verified at the customer (SQ-2)")
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._move(request, services.case_record_verification, s.VerifyRequestSerializer)

    @_move_schema(
        s.QualityFormRequestSerializer, s.CaseDetailSerializer, description="Issue the quality feedback form (SQ-2)"
    )
    @action(detail=True, methods=["post"], url_path="quality-form")
    def quality_form(self, request, pk=None):
        return self._move(request, services.case_issue_quality_form, s.QualityFormRequestSerializer)

    @_move_schema(s.ForwardRequestSerializer, s.CaseDetailSerializer, description="Forward to production / R&D (SQ-3)")
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        return self._move(request, services.case_forward, s.ForwardRequestSerializer)

    @_move_schema(s.LetterRequestSerializer, s.CaseDetailSerializer, description="Issue a thank-you / reply letter")
    @action(detail=True, methods=["post"])
    def letter(self, request, pk=None):
        return self._move(request, services.case_issue_letter, s.LetterRequestSerializer)

    @_move_schema(s.AnswerRequestSerializer, s.CaseDetailSerializer, description="Record the answer to the customer")
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return self._move(request, services.case_record_answer, s.AnswerRequestSerializer)

    @_move_schema(s.CloseRequestSerializer, s.CaseDetailSerializer, description="Close (cause, answer, improvement)")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(request, services.case_close, s.CloseRequestSerializer)


class EngineerRatingViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """SQ-4: a rater's scores of an engineer for a month; one per rater, engineer and month.
    Changed (PUT / PATCH) by its rater only, naming the version read; never deleted."""

    resource = "engineer_rating"
    permission_classes = [RolePermission]
    serializer_class = s.EngineerRatingSerializer
    filterset_class = filters.RatingApiFilter
    ordering_fields = ["month", "created_at", "updated_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EngineerRating.objects.none()
        return selectors.rating_list(user=self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.rating_save(
            actor=self.request.user,
            engineer=data["engineer"],
            month=data["month"],
            attitude=data["attitude"],
            professional=data["professional"],
            conduct=data["conduct"],
            comment=data.get("comment", ""),
        )

    def perform_update(self, serializer):
        rating = serializer.instance
        if rating.rater_id != self.request.user.pk:
            raise PermissionDenied(_("Only the rater changes a rating."))
        data = serializer.validated_data
        if "version" not in data:
            raise serializers.ValidationError({"version": [_("Send the version of the rating you are changing.")]})
        if data.get("engineer", rating.engineer) != rating.engineer or data.get("month", rating.month) != rating.month:
            raise serializers.ValidationError(
                {"non_field_errors": [_("A rating keeps its engineer and month; rate anew for another.")]}
            )
        serializer.instance = services.rating_save(
            actor=self.request.user,
            engineer=rating.engineer,
            month=rating.month,
            attitude=data.get("attitude", rating.attitude),
            professional=data.get("professional", rating.professional),
            conduct=data.get("conduct", rating.conduct),
            comment=data.get("comment", rating.comment),
            expected_version=data["version"],
        )


class EngineerQualityViewSet(viewsets.ViewSet):
    """SQ-4: each engineer's service-quality record of a month. An engineer reads only his own;
    the technical head, supervisors and leaders every engineer's."""

    resource = "engineer_quality"
    permission_classes = [RolePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description=_("YYYY-MM; default: the current month.")),
            OpenApiParameter("engineer", int, description=_("Only this engineer.")),
            OpenApiParameter(
                "ordering",
                str,
                description=_(
                    "engineer, score, attitude, professional, conduct, average_overall, answered, "
                    "dissatisfied, ratings; '-' for descending."
                ),
            ),
        ],
        responses={200: s.EngineerQualitySerializer(many=True), 400: REFUSALS[400]},
    )
    def list(self, request):
        if not can(request.user, "engineer_quality", "view"):
            raise PermissionDenied()
        raw_month = request.query_params.get("month")
        month = selectors.parse_month(raw_month) if raw_month else selectors.current_month()
        if month is None:
            raise serializers.ValidationError({"month": [_("Enter a month as YYYY-MM.")]})
        engineer = request.query_params.get("engineer")
        engineer_id = parse_id(engineer) if engineer else None
        if engineer and engineer_id is None:
            raise serializers.ValidationError({"engineer": [_("An engineer id.")]})
        sort = request.query_params.get("ordering", "engineer")
        records = selectors.engineer_quality(user=request.user, month=month, engineer_id=engineer_id, sort=sort)
        return Response(s.EngineerQualitySerializer(records, many=True).data, status=status.HTTP_200_OK)
