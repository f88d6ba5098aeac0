"""API conventions shared by every resource under /api/v1/."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.forms import REASON_MAX_LENGTH


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Conflict.")
    default_code = "conflict"


def exception_handler(exc, context):
    """Domain errors become clean HTTP answers: 400 with field messages, 409 on conflicts."""
    if isinstance(exc, ConflictError):
        exc = Conflict(detail=str(exc.message))
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        exc = serializers.ValidationError(detail=detail)
    elif isinstance(exc, DjangoPermissionDenied):
        from rest_framework.exceptions import PermissionDenied

        exc = PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        from rest_framework.exceptions import NotFound

        exc = NotFound()
    return drf_exception_handler(exc, context)


ACTION_MAP = {
    "list": "view",
    "retrieve": "view",
    "history": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "deactivate": "deactivate",
    "reactivate": "deactivate",
}


class RolePermission(BasePermission):
    """The role table of apps.core.access, for the API (same answer as the UI)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        needed = getattr(view, "required_actions", {}).get(view.action) or ACTION_MAP.get(view.action, "view")
        return can(request.user, view.resource, needed)


class VersionedSerializer(serializers.ModelSerializer):
    """Writes must name the version they were based on; a stale one is refused with 409."""

    version = serializers.IntegerField(
        required=False,
        help_text=_("Required on update: the version you read. A stale version is refused with 409."),
    )

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError(
                {"version": [_("Send the version of the record you are changing.")]}
            )
        return attrs


class SetActiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)
    version = serializers.IntegerField(required=False, min_value=1)


set_active_request = SetActiveSerializer


history_response = inline_serializer(
    "HistoryEntry",
    many=True,
    fields={
        "when": serializers.DateTimeField(),
        "who": serializers.CharField(),
        "action": serializers.CharField(),
        "subject": serializers.CharField(),
        "reason": serializers.CharField(),
        "changes": serializers.ListField(child=serializers.DictField()),
    },
)


class RecordViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create, update, deactivate / reactivate; never delete."""

    resource = ""
    permission_classes = [RolePermission]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return self.get_serializer_class().Meta.model._default_manager.none()
        return type(self).selector(user=self.request.user)

    def filter_queryset(self, queryset):
        # Filters (and the default "active only") narrow lists; a record is reachable by id
        # whatever its status, so that inactive records can be read and reactivated.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _split(self, data: dict):
        model = self.get_serializer_class().Meta.model
        m2m_names = {f.name for f in model._meta.many_to_many}
        data = dict(data)
        version = data.pop("version", None)
        m2m = {k: data.pop(k) for k in list(data) if k in m2m_names}
        return data, m2m, version

    def perform_create(self, serializer):
        data, m2m, _version = self._split(serializer.validated_data)
        serializer.instance = type(self).create_service(actor=self.request.user, data=data, m2m=m2m)

    def perform_update(self, serializer):
        data, m2m, version = self._split(serializer.validated_data)
        serializer.instance = type(self).update_service(
            actor=self.request.user,
            instance=serializer.instance,
            data=data,
            m2m=m2m,
            expected_version=version,
        )

    def _set_active(self, request, active: bool):
        instance = self.get_object()
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object with a reason.")]})
        params = SetActiveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        instance = type(self).set_active_service(
            actor=request.user,
            instance=instance,
            active=active,
            reason=params.validated_data["reason"],
            expected_version=params.validated_data.get("version"),
        )
        return Response(self.get_serializer(instance).data)

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Field-level audit trail of this record: who, when, before and after."""
        from dataclasses import asdict

        from apps.core.history import history_for

        entries = history_for(self.history_objects(self.get_object()), user=request.user)
        return Response([asdict(entry) for entry in entries])

    def history_objects(self, instance):
        return [instance]

    @extend_schema(request=set_active_request)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return self._set_active(request, active=False)

    @extend_schema(request=set_active_request)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._set_active(request, active=True)
