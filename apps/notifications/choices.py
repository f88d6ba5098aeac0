from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a message reaches its recipient."""

    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Robot webhook")


class MessageState(models.TextChoices):
    """Delivery state of an outbox row: pending → sending → sent, or back to pending
    (retry after a back-off) until the attempts run out → failed."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookKind(models.TextChoices):
    """Group robots of the two Chinese office suites, or any service that takes JSON."""

    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")
    GENERIC = "generic", _("Generic JSON webhook")
