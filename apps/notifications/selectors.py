"""Reads of the outbox. The inbox is always the user's own; the outbox board is for the roles
of resource "outbox" (apps.core.access), who see every message."""

from django.db.models import Q, QuerySet

from apps.core.access import can
from apps.core.history import HistoryEntry, history_for
from apps.notifications.choices import Channel
from apps.notifications.models import Message, WebhookEndpoint


def inbox(*, user) -> QuerySet[Message]:
    """The user's in-app notifications, newest first."""
    if not user.is_authenticated:
        return Message.objects.none()
    return Message.objects.filter(recipient=user, channel=Channel.IN_APP).order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return inbox(user=user).filter(read_at__isnull=True).count()


def outbox_list(*, user) -> QuerySet[Message]:
    """Every message on every channel, with its delivery state (outbox board, API)."""
    if not can(user, "outbox", "view"):
        return Message.objects.none()
    return Message.objects.select_related("recipient", "endpoint", "retried_by").order_by("-created_at", "-id")


def outbox_search(queryset: QuerySet[Message], text: str) -> QuerySet[Message]:
    """Any part of the event key, the subject, the e-mail address, the recipient's or the robot's name."""
    return queryset.filter(
        Q(event_key__icontains=text)
        | Q(subject__icontains=text)
        | Q(email__icontains=text)
        | Q(recipient__name__icontains=text)
        | Q(recipient__username__icontains=text)
        | Q(endpoint__name__icontains=text)
    )


def webhook_list(*, user) -> QuerySet[WebhookEndpoint]:
    if not can(user, "webhook", "view"):
        return WebhookEndpoint.objects.none()
    return WebhookEndpoint.objects.order_by("name")


def webhook_search(queryset: QuerySet[WebhookEndpoint], text: str) -> QuerySet[WebhookEndpoint]:
    return queryset.filter(Q(name__icontains=text) | Q(url__icontains=text))


def webhook_recent_messages(*, user, endpoint: WebhookEndpoint, limit: int = 20) -> QuerySet[Message]:
    return outbox_list(user=user).filter(endpoint=endpoint)[:limit]


SECRET_MASK = "••••••"


def webhook_history(*, user, endpoint: WebhookEndpoint) -> list[HistoryEntry]:
    """The field history of a robot; the secret is a credential, so it shows that it changed, not what it is."""
    entries = history_for([endpoint], user=user)
    for entry in entries:
        for change in entry.changes:
            if change.field == "secret":
                change.old = SECRET_MASK if change.old not in ("", "—") else change.old
                change.new = SECRET_MASK if change.new not in ("", "—") else change.new
    return entries
