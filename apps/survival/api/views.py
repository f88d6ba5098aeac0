"""/api/v1/new-projects/ and /api/v1/survival-rates/ (SPEC FU-6).

The same selectors (row scope: out of scope is 404) and services as the pages: a write names the
version it read (stale: 409), a refused value is a 400 naming the field, a role that may not is 403.
"""

from dataclasses import asdict

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import RolePermission, history_response
from apps.core.ids import parse_id
from apps.survival import filters, selectors, services
from apps.survival.api import serializers as s
from apps.survival.models import NewProject

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("Your role may not do this.")),
    404: OpenApiResponse(description=_("No such project in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a state that does not allow it.")),
}


class NewProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """New projects tracked for survival: listed, read, entered (POST), corrected (PATCH with the
    version), checked month by month (POST …/checks/) and stopped (POST …/stop/). Never deleted."""

    resource = "new_project"
    permission_classes = [RolePermission]
    filterset_class = filters.ProjectFilter
    ordering_fields = ["started_on", "created_at", "updated_at", "name", "state"]
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "partial_update": "change",
        "checks": "record",
        "stop": "stop",
        "timeline": "view",
        "history": "view",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return NewProject.objects.none()
        return selectors.project_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.NewProjectDetailSerializer
        return s.NewProjectSerializer

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> NewProject:
        pk = parse_id(self.kwargs.get("pk"))
        project = selectors.project_list(user=self.request.user).filter(pk=pk).first() if pk else None
        if project is None:
            raise Http404
        self.check_object_permissions(self.request, project)
        return project

    def _detail(self, pk: int, *, code: int = status.HTTP_200_OK) -> Response:
        project = selectors.project_detail(user=self.request.user, pk=pk)
        return Response(s.NewProjectDetailSerializer(project, context=self.get_serializer_context()).data, status=code)

    def _body(self, request, body_class):
        params = body_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    @extend_schema(responses={200: s.NewProjectDetailSerializer, 404: REFUSALS[404]})
    def retrieve(self, request, pk=None):
        """One project with its monthly checks."""
        return self._detail(self.get_object().pk)

    @extend_schema(
        request=s.NewProjectCreateSerializer,
        responses={201: s.NewProjectDetailSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    def create(self, request):
        """Start tracking a project; its monthly checks go on the engineer's call list."""
        data = self._body(request, s.NewProjectCreateSerializer)
        project = services.project_create(actor=request.user, **data)
        return self._detail(project.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.NewProjectUpdateSerializer, responses={200: s.NewProjectDetailSerializer, **REFUSALS})
    def partial_update(self, request, pk=None):
        """Correct a project (name, reagent, instrument, engineer, sales, start day, note)."""
        project = self.get_object()
        data = self._body(request, s.NewProjectUpdateSerializer)
        version = data.pop("version")
        services.project_update(project=project, actor=request.user, data=data, expected_version=version)
        return self._detail(project.pk)

    @extend_schema(
        request=s.ProjectCheckRecordSerializer,
        responses={200: s.NewProjectDetailSerializer, **REFUSALS},
        description=str(
            _(
                "Record the month's check. A month is recorded once: sending it again is a correction "
                "and must carry that check's version (else 409). Not in use needs the reason; the sales "
                "person is informed at once."
            )
        ),
    )
    @action(detail=True, methods=["post"])
    def checks(self, request, pk=None):
        project = self.get_object()
        data = self._body(request, s.ProjectCheckRecordSerializer)
        services.project_check_record(project=project, actor=request.user, expected_version=data.pop("version"), **data)
        return self._detail(project.pk)

    @extend_schema(request=s.ProjectStopSerializer, responses={200: s.NewProjectDetailSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        """Stop tracking early, with the reason; the open calls are withdrawn."""
        project = self.get_object()
        data = self._body(request, s.ProjectStopSerializer)
        services.project_stop(
            project=project, actor=request.user, reason=data["reason"], expected_version=data["version"]
        )
        return self._detail(project.pk)

    @extend_schema(responses=s.ProjectEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """Every event of the project, oldest first: who, when, what, why."""
        project = self.get_object()
        events = project.events.select_related("actor").order_by("at", "id")
        return Response(s.ProjectEventSerializer(events, many=True).data)

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Field-level audit trail of the project and its checks."""
        from apps.core.history import history_for

        project = self.get_object()
        entries = history_for([project, *project.checks.all()], user=request.user)
        return Response([asdict(entry) for entry in entries])


class SurvivalRateViewSet(viewsets.GenericViewSet):
    """The survival rate of a month (SPEC FU-6): overall, per region, per engineer, the months up to
    it, and the projects not in use with their reasons — over the projects the caller may see, with
    the project list's filters."""

    resource = "new_project"
    permission_classes = [RolePermission]
    filterset_class = filters.ProjectFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = None
    serializer_class = s.SurvivalReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NewProject.objects.none()
        return selectors.project_list(user=self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, description=str(_("The report month, YYYY-MM (default: this month)."))
            )
        ],
        responses={200: s.SurvivalReportSerializer, 400: REFUSALS[400]},
    )
    def list(self, request):
        text = request.query_params.get("month")
        month = selectors.parse_month(text) if text else timezone.localdate().replace(day=1)
        if month is None:
            raise serializers.ValidationError({"month": [_("Give a month as YYYY-MM.")]})
        projects = self.filter_queryset(self.get_queryset())
        report = selectors.survival_report(projects=projects, month=month)
        return Response(s.SurvivalReportSerializer(s.report_data(report)).data)
