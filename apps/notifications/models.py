from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.models import Record
from apps.notifications.choices import Channel, MessageState, WebhookKind


class WebhookEndpoint(Record):
    """A group robot (DingTalk, WeCom) or any JSON webhook that receives outbox messages.

    DingTalk's "加签" (sign) security setting: with a secret, each call carries `timestamp` and
    an HMAC-SHA256 `sign` in the query string. A generic endpoint with a secret receives an
    `X-Signature: sha256=<hex>` header over the body. WeCom robots have no signing.
    """

    name = models.CharField(_("name"), max_length=128, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=WebhookKind.choices, default=WebhookKind.DINGTALK)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("The robot's address, e.g. https://oapi.dingtalk.com/robot/send?access_token=…"),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=255,
        blank=True,
        help_text=_("DingTalk: the SEC… secret of the “sign” security setting. Leave empty if not used."),
    )

    class Meta:
        verbose_name = _("robot webhook")
        verbose_name_plural = _("robot webhooks")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notifications:webhook_detail", args=[self.pk])

    def clean(self):
        if self.kind == WebhookKind.WECOM and self.secret:
            raise ValidationError({"secret": _("WeCom group robots do not sign messages; leave the secret empty.")})


class Message(models.Model):
    """One message to one recipient on one channel: the outbox row.

    Written in the transaction of the event that causes it (so it exists only if the event
    does), delivered after commit by the task worker, retried with back-off. The triple
    (event_key, channel, recipient_key) is unique: one event is never sent twice to the same
    recipient on the same channel.
    """

    event_key = models.CharField(
        _("event"), max_length=200, help_text=_("Identifies the event, e.g. workorder:42:dispatched.")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # "user:<id>", "email:<address>" or "webhook:<id>" — what the uniqueness is about
    # (a plain nullable FK would not do: NULLs never collide in a unique constraint).
    recipient_key = models.CharField(_("recipient key"), max_length=300, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("robot webhook"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True, help_text=_("A path in this application."))

    state = models.CharField(
        _("state"), max_length=16, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retried by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "channel", "recipient_key"], name="message_once_per_event_channel_recipient"
            ),
        ]
        indexes = [
            # The worker's sweep: due pending rows (and stuck sending rows).
            models.Index(fields=["state", "next_attempt_at"], name="message_due_idx"),
            # A user's inbox, unread first, newest first.
            models.Index(fields=["recipient", "read_at", "created_at"], name="message_inbox_idx"),
            models.Index(fields=["created_at"], name="message_created_idx"),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("notifications:outbox_detail", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def destination(self) -> str:
        """Who or where the message goes, for the outbox board."""
        if self.channel == Channel.WEBHOOK:
            return str(self.endpoint) if self.endpoint_id else "—"
        if self.channel == Channel.EMAIL:
            return f"{self.recipient} <{self.email}>" if self.recipient_id else self.email
        return str(self.recipient) if self.recipient_id else "—"
