from rest_framework import serializers

from apps.core.api import VersionedSerializer
from apps.notifications.models import Message, WebhookEndpoint

RECORD_READ_ONLY = ["is_active", "created_at", "updated_at"]


class NotificationSerializer(serializers.ModelSerializer):
    """A notification in the user's own inbox."""

    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Message
        fields = ["id", "event_key", "subject", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class OutboxMessageSerializer(serializers.ModelSerializer):
    """A message on any channel with its delivery state (the outbox board)."""

    destination = serializers.CharField(read_only=True)
    endpoint_name = serializers.CharField(source="endpoint.name", read_only=True, default=None)

    class Meta:
        model = Message
        fields = [
            "id", "event_key", "channel", "recipient", "email", "endpoint", "endpoint_name", "destination",
            "subject", "body", "link", "state", "attempts", "next_attempt_at", "last_error", "created_at",
            "sent_at", "read_at", "retried_by", "retried_at",
        ]
        read_only_fields = fields


class WebhookEndpointSerializer(VersionedSerializer):
    """The secret can be written, never read back; `has_secret` says whether one is set."""

    secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=255)
    has_secret = serializers.SerializerMethodField()

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "name", "kind", "url", "secret", "has_secret", "is_active", "version", "created_at", "updated_at",
        ]
        read_only_fields = RECORD_READ_ONLY
        validators = []

    def get_has_secret(self, obj) -> bool:
        return bool(obj.secret)
