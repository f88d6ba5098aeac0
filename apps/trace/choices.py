"""Enumerations of the lot / serial trace and of field safety notices (issue 5), with the notice's
state machine as a plain table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NoticeClass(models.TextChoices):
    """Recall class (召回级别, 医疗器械召回管理办法 §14): I — use may cause or has caused serious
    harm; II — temporary or reversible harm; III — harm unlikely, yet a recall is needed."""

    CLASS_I = "1", _("Class I")
    CLASS_II = "2", _("Class II")
    CLASS_III = "3", _("Class III")


class NoticeState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("field notice state", "Draft")
    ISSUED = "issued", pgettext_lazy("field notice state", "Issued")
    CLOSED = "closed", pgettext_lazy("field notice state", "Closed")


# state -> states a notice may move to (issue: draft → issued; close: issued → closed).
TRANSITIONS: dict[str, frozenset] = {
    NoticeState.DRAFT: frozenset({NoticeState.ISSUED}),
    NoticeState.ISSUED: frozenset({NoticeState.CLOSED}),
    NoticeState.CLOSED: frozenset(),
}


class NotifyChannel(models.TextChoices):
    """How a customer was told of a notice."""

    EMAIL = "email", _("E-mail with acknowledgement link")
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter / fax")
    OTHER = "other", pgettext_lazy("notify channel", "Other")


# Staff record these by hand; e-mail is what issuing sends.
MANUAL_CHANNELS = [c for c in NotifyChannel.choices if c[0] != NotifyChannel.EMAIL]


class AckChannel(models.TextChoices):
    LINK = "link", _("Personal link")
    STAFF = "staff", _("Recorded by staff")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    ISSUED = "issued", _("Issued")
    EXTENDED = "extended", _("Customers added")
    NOTIFIED = "notified", _("Customer notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REMINDED = "reminded", _("Reminder sent")
    CLOSED = "closed", pgettext_lazy("field notice event", "Closed")
