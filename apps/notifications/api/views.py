from dataclasses import asdict

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import RecordViewSet, RolePermission, history_response
from apps.notifications import filters, selectors, services
from apps.notifications.api import serializers as s
from apps.notifications.models import Message


class ScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return type(self).selector(user=self.request.user)


class InboxApiFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Message
        fields = ["unread"]


class NotificationViewSet(ScopedReadOnlyViewSet):
    """The signed-in user's own in-app notifications, newest first."""

    resource = "notification"
    required_actions = {"read": "change", "read_all": "change"}
    selector = selectors.inbox
    serializer_class = s.NotificationSerializer
    filterset_class = InboxApiFilter
    ordering_fields = ["created_at"]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        message = self.get_object()
        services.mark_read(user=request.user, message=message)
        message.refresh_from_db()
        return Response(self.get_serializer(message).data)

    @extend_schema(request=None, responses=inline_serializer("ReadAll", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_read(user=request.user)})

    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


class OutboxViewSet(ScopedReadOnlyViewSet):
    """Every message with its delivery state; `retry` sends a failed one again."""

    resource = "outbox"
    required_actions = {"retry": "change"}
    selector = selectors.outbox_list
    serializer_class = s.OutboxMessageSerializer
    filterset_class = filters.OutboxFilter
    ordering_fields = ["created_at", "next_attempt_at", "attempts"]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        message = services.retry(actor=request.user, message=self.get_object())
        message.refresh_from_db()
        return Response(self.get_serializer(message).data)


class WebhookEndpointViewSet(RecordViewSet):
    resource = "webhook"
    required_actions = {"test": "change"}
    selector = selectors.webhook_list
    serializer_class = s.WebhookEndpointSerializer
    filterset_class = filters.WebhookEndpointFilter
    ordering_fields = ["name", "kind", "created_at", "updated_at"]
    create_service = services.webhook_create
    update_service = services.webhook_update
    set_active_service = services.set_active

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Field-level audit trail; the signing secret is masked."""
        entries = selectors.webhook_history(user=request.user, endpoint=self.get_object())
        return Response([asdict(entry) for entry in entries])

    @extend_schema(request=None, responses=s.OutboxMessageSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a test message now (one attempt); the answer is the outbox row with its state."""
        message = services.webhook_send_test(actor=request.user, endpoint=self.get_object())
        return Response(s.OutboxMessageSerializer(message).data)
