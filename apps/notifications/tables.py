import django_tables2 as tables
from django.middleware.csrf import get_token
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.access import can
from apps.core.tables import RecordTable
from apps.notifications.choices import MessageState
from apps.notifications.models import Message, WebhookEndpoint

STATE_BADGE = {
    MessageState.PENDING: "warn",
    MessageState.SENDING: "",
    MessageState.SENT: "ok",
    MessageState.FAILED: "danger",
}


def state_badge(message) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATE_BADGE.get(message.state, ""), message.get_state_display()
    )


class OutboxTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("created at"), format="Y-m-d H:i")
    subject = tables.Column(linkify=True)
    channel = tables.Column()
    destination = tables.Column(verbose_name=_("to"), empty_values=(), orderable=False)
    state = tables.Column()
    attempts = tables.Column()
    next_attempt_at = tables.DateTimeColumn(verbose_name=_("next attempt"), format="Y-m-d H:i")
    last_error = tables.Column()
    actions = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Message
        fields = ("created_at", "subject", "channel", "destination", "state", "attempts", "next_attempt_at",
                  "last_error", "actions")
        attrs = {"class": "table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
        order_by = ("-created_at",)

    def render_destination(self, record):
        return record.destination

    def render_state(self, record):
        return state_badge(record)

    def render_next_attempt_at(self, record, value):
        # Only meaningful while the message is still waiting.
        if record.state != MessageState.PENDING:
            return "—"
        return dateformat.format(timezone.localtime(value), "Y-m-d H:i")

    def render_actions(self, record):
        request = getattr(self, "request", None)
        if record.state != MessageState.FAILED or request is None or not can(request.user, "outbox", "change"):
            return ""
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<input type="hidden" name="next" value="{}"><button type="submit">{}</button></form>',
            reverse("notifications:outbox_retry", args=[record.pk]),
            get_token(request),
            request.get_full_path(),
            _("Retry now"),
        )

    def render_last_error(self, value):
        return truncatechars(value, 80)


class WebhookEndpointTable(RecordTable):
    name = tables.Column(linkify=True)

    class Meta(RecordTable.Meta):
        model = WebhookEndpoint
        fields = ("name", "kind", "is_active")
        order_by = ("name",)
