"""Enumerations of satisfaction surveys and service quality (SPEC §5, SQ-1 … SQ-4), and the
tables of who may do what to a survey or a case, as plain data."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role as R


class SurveyState(models.TextChoices):
    PENDING = "pending", _("Waiting for the answer")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")


class SurveyChannel(models.TextChoices):
    """SQ-1: who filled the survey in, and how."""

    ON_SITE = "on_site", _("On site (engineer's phone)")
    PHONE = "phone", _("Phone call")
    LINK = "link", _("Customer's personal link")


class Item(models.TextChoices):
    """SQ-1: the scored items of the satisfaction survey (满意度调查表)."""

    PRODUCT_QUALITY = "product_quality", _("Product quality")
    TIMELY_ON_SITE = "timely_on_site", _("Timeliness of on-site service")
    TIMELY_SHIPPING = "timely_shipping", _("Timeliness of shipping")
    TIMELY_INVOICE = "timely_invoice", _("Timeliness of invoices")
    TIMELY_FOLLOWUP = "timely_followup", _("Timeliness of follow-ups")
    TIMELY_RESOLUTION = "timely_resolution", _("Timeliness of problem resolution")
    PACKAGING = "packaging", pgettext_lazy("survey item", "Packaging")
    LOGISTICS = "logistics", pgettext_lazy("survey item", "Logistics")
    OTHER = "other", pgettext_lazy("survey item", "Other")
    OVERALL = "overall", _("Overall evaluation")


# The form's sections, in the order of the paper form [S0 3.(二)].
ITEM_GROUPS = (
    (_("Product quality"), (Item.PRODUCT_QUALITY,)),
    (
        _("Timeliness"),
        (Item.TIMELY_ON_SITE, Item.TIMELY_SHIPPING, Item.TIMELY_INVOICE, Item.TIMELY_FOLLOWUP, Item.TIMELY_RESOLUTION),
    ),
    (_("Packaging, logistics and other"), (Item.PACKAGING, Item.LOGISTICS, Item.OTHER)),
    (_("Overall"), (Item.OVERALL,)),
)

# SQ-3: suggestions on these items go to production and R&D and are answered with a letter.
SUGGESTION_ITEMS = frozenset({Item.PACKAGING, Item.LOGISTICS, Item.OTHER})


class Score(models.IntegerChoices):
    """5 = very satisfied … 1 = very dissatisfied (≤ policies.DISSATISFIED_AT_MOST: dissatisfied)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class CaseKind(models.TextChoices):
    DISSATISFIED = "dissatisfied", _("Dissatisfied score")
    SUGGESTION = "suggestion", _("Suggestion")


class CaseState(models.TextChoices):
    """SQ-2: open → cause found → answered → closed; a suggestion (SQ-3): open → forwarded to
    production / R&D → answered → closed."""

    OPEN = "open", pgettext_lazy("survey case state", "Open")
    CAUSE_FOUND = "cause_found", pgettext_lazy("survey case state", "Cause found")
    FORWARDED = "forwarded", _("Forwarded to production / R&D")
    ANSWERED = "answered", _("Customer answered")
    CLOSED = "closed", pgettext_lazy("survey case state", "Closed")


OPEN_CASE_STATES = frozenset({CaseState.OPEN, CaseState.CAUSE_FOUND, CaseState.FORWARDED, CaseState.ANSWERED})


class AnswerMethod(models.TextChoices):
    """How the customer was answered."""

    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    WECHAT = "wechat", _("WeChat / SMS")


class ForwardTarget(models.TextChoices):
    PRODUCTION = "production", _("Production centre")
    RND = "rnd", _("R&D centre")
    BOTH = "both", _("Production and R&D centres")


class LetterKind(models.TextChoices):
    """SQ-3: the company answers a suggestion with a thank-you or a reply letter."""

    THANKS = "thanks", _("Thank-you letter")
    REPLY = "reply", _("Reply letter")


class RaterGroup(models.TextChoices):
    """SQ-4: who scores an engineer's attitude, professional level and conduct."""

    TECH_HEAD = "tech_head", _("Technical head's phone survey")
    LEADER = "leader", _("Marketing-centre leader")
    SALES = "sales", _("Sales")


class EventKind(models.TextChoices):
    """Timeline rows a user reads: who, when, what."""

    CREATED = "created", _("Survey created")
    LINK_ISSUED = "link_issued", _("Link re-issued")
    LINK_SENT = "link_sent", _("Link sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    CASE_OPENED = "case_opened", _("Case opened")
    CAUSE = "cause", _("Cause recorded")
    VERIFIED = "verified", _("Verified at the customer")
    QUALITY_FORM = "quality_form", _("Quality feedback form issued")
    FORWARDED = "forwarded", _("Forwarded to production / R&D")
    LETTER = "letter", _("Letter issued")
    ANSWER = "answer", _("Customer answered")
    CLOSED = "closed", _("Case closed")


# --- who may do what ------------------------------------------------------------------------
# Row-level sentinels: the owner of a case is a role (policies.OWNER_ROLE_BY_ITEM); the engineer
# of the job is the one the survey names.
OWNER = "owner"
JOB_ENGINEER = "job_engineer"

# SQ-1: the channels each role fills a survey through (the engineer hands his phone to the
# customer on site; the hotline fills it in during a call).
STAFF_CHANNELS: dict[str, frozenset] = {
    R.ENGINEER: frozenset({SurveyChannel.ON_SITE}),
    R.CLERK: frozenset({SurveyChannel.PHONE}),
    R.TECH_HEAD: frozenset({SurveyChannel.PHONE, SurveyChannel.ON_SITE}),
    R.SUPERVISOR: frozenset({SurveyChannel.PHONE, SurveyChannel.ON_SITE}),
    R.ADMIN: frozenset({SurveyChannel.PHONE, SurveyChannel.ON_SITE}),
}

S = SurveyState
SURVEY_DESK = frozenset({R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR})
# action -> (states it is possible in, roles (or sentinels) that may do it)
SURVEY_ACTIONS: dict[str, tuple[frozenset, frozenset]] = {
    # A clerk may still take the answers by phone after the customer's link ran out.
    "answer": (frozenset({S.PENDING, S.EXPIRED}), frozenset(STAFF_CHANNELS) | {JOB_ENGINEER}),
    "send_link": (frozenset({S.PENDING}), SURVEY_DESK | {JOB_ENGINEER}),
    "reissue_link": (frozenset({S.PENDING, S.EXPIRED}), SURVEY_DESK),
    "cancel": (frozenset({S.PENDING, S.EXPIRED}), SURVEY_DESK),
}

C = CaseState
CASE_DESK = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR})
# action -> (states it is possible in, roles (or sentinels) that may do it). What each action
# needs beyond that (a cause before the answer, a verification before the quality form …) is
# checked by the service with a message that says what is missing.
CASE_ACTIONS: dict[str, tuple[frozenset, frozenset]] = {
    "cause": (frozenset({C.OPEN, C.CAUSE_FOUND}), CASE_DESK | {OWNER}),
    "verify": (frozenset({C.OPEN, C.CAUSE_FOUND}), CASE_DESK | {OWNER, JOB_ENGINEER}),
    "quality_form": (frozenset({C.OPEN, C.CAUSE_FOUND}), CASE_DESK | {R.QUALITY}),
    "forward": (frozenset({C.OPEN, C.CAUSE_FOUND, C.FORWARDED}), CASE_DESK | {OWNER}),
    "letter": (frozenset({C.CAUSE_FOUND, C.FORWARDED, C.ANSWERED}), CASE_DESK | {OWNER}),
    "answer": (frozenset({C.CAUSE_FOUND, C.FORWARDED, C.ANSWERED}), CASE_DESK | {OWNER}),
    "close": (OPEN_CASE_STATES, CASE_DESK | {OWNER}),
}


class CaseAction(models.TextChoices):
    CAUSE = "cause", _("Record the cause")
    VERIFY = "verify", _("Record the verification at the customer")
    QUALITY_FORM = "quality_form", _("Issue the quality feedback form")
    FORWARD = "forward", _("Forward to production / R&D")
    LETTER = "letter", _("Issue a thank-you or reply letter")
    ANSWER = "answer", _("Record the answer to the customer")
    CLOSE = "close", _("Close the case")
