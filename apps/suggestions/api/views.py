"""/api/v1/suggestions/ (SPEC CP-5).

The same selectors (row scope: out of scope is 404) and services as the pages: one POST per move
naming the version it read (stale or wrong status: 409), a refused value is a 400 naming the
field, a role that may not is 403.
"""

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import RolePermission
from apps.core.ids import parse_id
from apps.suggestions import documents, filters, selectors, services
from apps.suggestions.api import serializers as s
from apps.suggestions.models import Suggestion

REFUSALS = {
    400: OpenApiResponse(description="Invalid input: the messages name the fields."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such suggestion in your scope."),
    409: OpenApiResponse(description="A stale version, or a status that does not allow the move."),
}


class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Suggestions: listed, read, collected (POST), and moved one step at a time — discuss, decide,
    answer (the thank-you letter), withdraw. Never edited in place or deleted."""

    resource = "suggestion"
    permission_classes = [RolePermission]
    serializer_class = s.SuggestionSerializer
    filterset_class = filters.SuggestionFilter
    ordering_fields = ["received_on", "created_at", "updated_at", "number", "status"]
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "discuss": "view",
        "decide": "view",
        "answer": "view",
        "withdraw": "view",
        "timeline": "view",
        "letter": "view",
    }
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return Suggestion.objects.none()
        return selectors.suggestion_list(user=self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self) -> Suggestion:
        pk = parse_id(self.kwargs.get("pk"))
        suggestion = selectors.suggestion_list(user=self.request.user).filter(pk=pk).first() if pk else None
        if suggestion is None:
            raise Http404
        return suggestion

    def _detail(self, suggestion, *, code=status.HTTP_200_OK) -> Response:
        suggestion = selectors.suggestion_list(user=self.request.user).get(pk=suggestion.pk)
        return Response(self.get_serializer(suggestion).data, status=code)

    def _body(self, request, body_class) -> dict:
        params = body_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)

    @extend_schema(request=s.SuggestionCreateSerializer, responses={201: s.SuggestionSerializer, **REFUSALS})
    def create(self, request):
        """Collect a suggestion; the technical head (and a customer's sales person) are told."""
        data = self._body(request, s.SuggestionCreateSerializer)
        suggestion = services.suggestion_create(actor=request.user, data=data)
        return self._detail(suggestion, code=status.HTTP_201_CREATED)

    def _move(self, request, key: str) -> Response:
        suggestion = self.get_object()
        data = self._body(request, s.MOVE_BODIES[key])
        version = data.pop("version")
        services.MOVES[key](actor=request.user, suggestion=suggestion, expected_version=version, **data)
        return self._detail(suggestion)

    @extend_schema(request=s.SuggestionDiscussSerializer, responses={200: s.SuggestionSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def discuss(self, request, pk=None):
        """Record a discussion: the departments that took part and what was said."""
        return self._move(request, "discuss")

    @extend_schema(request=s.SuggestionDecideSerializer, responses={200: s.SuggestionSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Accepted, partly, not adopted or deferred, with the conclusion. A product suggestion is
        discussed with another department first (409 until then)."""
        return self._move(request, "decide")

    @extend_schema(request=s.SuggestionAnswerSerializer, responses={200: s.SuggestionSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Issue the thank-you letter (stored as a PDF, GET …/letter/)."""
        return self._move(request, "answer")

    @extend_schema(request=s.SuggestionWithdrawSerializer, responses={200: s.SuggestionSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._move(request, "withdraw")

    @extend_schema(responses=s.SuggestionEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """Every event of the suggestion, oldest first: who, when, what."""
        suggestion = self.get_object()
        events = suggestion.events.select_related("actor").order_by("at", "id")
        return Response(s.SuggestionEventSerializer(events, many=True).data)

    @extend_schema(responses={(200, "application/pdf"): bytes, 404: REFUSALS[404]})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def letter(self, request, pk=None):
        """The thank-you letter as issued (PDF); 404 before the suggestion is answered."""
        suggestion = self.get_object()
        if not suggestion.letter_pdf:
            raise Http404
        try:
            handle = suggestion.letter_pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, filename=documents.pdf_filename(suggestion), content_type="application/pdf")
