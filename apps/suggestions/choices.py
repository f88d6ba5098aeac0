"""Enumerations of suggestions (SPEC CP-5, [S0 3.(四)二]) and their state machine as a plain table.

[S0 3.(四)二] 建议处理流程: 1. any suggestion of customers, department staff, regional sales and
leaders is collected in writing with the technical head, who may have the department discuss it
and ask the leaders' opinion; 2. a good suggestion on the company's products is discussed with
the heads of the departments concerned, to see whether it is feasible and reach a conclusion;
3. the centre concerned answers with a thank-you letter and an explanation.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role as R


class Source(models.TextChoices):
    """Who made the suggestion [S0 3.(四)二.1]."""

    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Department staff")
    SALES = "sales", _("Regional sales")
    LEADER = "leader", _("Leader")


class Category(models.TextChoices):
    PRODUCT = "product", pgettext_lazy("suggestion category", "Product")
    SERVICE = "service", pgettext_lazy("suggestion category", "Service")
    PACKAGING = "packaging", pgettext_lazy("suggestion category", "Packaging")
    LOGISTICS = "logistics", pgettext_lazy("suggestion category", "Logistics")
    OTHER = "other", pgettext_lazy("suggestion category", "Other")


class Status(models.TextChoices):
    COLLECTED = "collected", pgettext_lazy("suggestion status", "Collected")
    DISCUSSION = "discussion", pgettext_lazy("suggestion status", "In discussion")
    DECIDED = "decided", pgettext_lazy("suggestion status", "Decided")
    ANSWERED = "answered", pgettext_lazy("suggestion status", "Answered")
    WITHDRAWN = "withdrawn", pgettext_lazy("suggestion status", "Withdrawn")


FINAL_STATUSES = frozenset({Status.ANSWERED, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(set(Status.values) - FINAL_STATUSES)


class Department(models.TextChoices):
    """Who took part in the discussion [S0 3.(四)二.1–2]."""

    TECHNICAL = "technical", _("Technical department")
    RD = "rd", _("R&D centre")
    PRODUCTION = "production", _("Production centre")
    QUALITY = "quality", _("Quality department")
    MARKETING = "marketing", _("Marketing centre")
    COMMERCE = "commerce", _("Commerce department")
    LOGISTICS = "logistics", _("Logistics")
    LEADERSHIP = "leadership", _("Company leaders")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTLY = "partly", _("Partly accepted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    DEFERRED = "deferred", _("Deferred")


class AnswerMethod(models.TextChoices):
    """How the thank-you letter reached the person who made the suggestion."""

    POST = "post", _("Letter by post")
    EMAIL = "email", _("E-mail")
    HANDED = "handed", _("Handed over in person")
    MESSAGE = "message", _("WeChat / SMS")


class EventKind(models.TextChoices):
    CREATED = "created", _("Collected")
    DISCUSSION = "discussion", _("Discussion recorded")
    TRANSITION = "transition", _("Status changed")


# --- the state machine ------------------------------------------------------------------------
# [S0 3.(四)二]: the technical head collects, organises the discussion and answers; the
# departments (quality, marketing) add their part of the discussion; the technical head or a
# leader decides.
TECHNICAL = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR})
DISCUSSANTS = TECHNICAL | {R.MARKETING_HEAD, R.QUALITY}
DECIDERS = frozenset({R.ADMIN, R.TECH_HEAD, R.MARKETING_HEAD})
# Who counts as a leader [S0 3.(四)二.1 领导]: the centre heads and the general manager.
LEADER_ROLES = frozenset({R.GENERAL_MANAGER, R.MARKETING_HEAD, R.TECH_HEAD})
# Who reads every suggestion (the rest read the ones they made, received or their customers').
READERS_OF_ALL = frozenset(
    {R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.QUALITY, R.CLERK}
)

S = Status
# action -> (from statuses, to status, roles allowed)
TRANSITIONS: dict[str, tuple[frozenset, str, frozenset]] = {
    # Recorded as often as the departments meet; the suggestion stays in discussion.
    "discuss": (frozenset({S.COLLECTED, S.DISCUSSION}), S.DISCUSSION, DISCUSSANTS),
    "decide": (frozenset({S.COLLECTED, S.DISCUSSION}), S.DECIDED, DECIDERS),
    # [S0 3.(四)二.3] the thank-you letter.
    "answer": (frozenset({S.DECIDED}), S.ANSWERED, TECHNICAL),
    "withdraw": (frozenset({S.COLLECTED, S.DISCUSSION, S.DECIDED}), S.WITHDRAWN, TECHNICAL),
}


class Action(models.TextChoices):
    DISCUSS = "discuss", _("Record a discussion")
    DECIDE = "decide", _("Decide")
    ANSWER = "answer", _("Send the thank-you letter")
    WITHDRAW = "withdraw", _("Withdraw")
