"""Enumerations of the follow-up domain (SPEC §4, FU-1 … FU-7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Job(models.TextChoices):
    """The kind of completed work a follow-up plan hangs from (one rule set each, FU-1)."""

    INSTALLATION = "installation", _("Installation / upgrade / replacement")
    REPAIR = "repair", _("Repair / maintenance")
    TECHNICAL_SUPPORT = "technical_support", _("Technical support")
    PAID_HARDWARE = "paid_hardware", _("Paid hardware service")
    APPLICATION = "application", _("Application work")
    VIP_VISIT = "vip_visit", _("VIP on-site visit")
    COMPLAINT = "complaint", _("Complaint")
    NEW_PROJECT = "new_project", _("New-project survival check")


class Stage(models.TextChoices):
    """When a rule plans its follow-up (FU-1)."""

    FIXED = "fixed", _("After completion")
    AFTER_GOOD = "after_good", _("Once all is well")
    RECURRING = "recurring", _("Regularly while all is well")
    POOR_DAILY = "poor_daily", _("Every next day while results are worse than usual")
    MANUAL = "manual", _("Planned by hand")


class OffsetUnit(models.TextChoices):
    HOURS = "hours", _("hours (round the clock)")
    DAYS = "days", pgettext_lazy("offset unit", "calendar days")
    WORKING_DAYS = "working_days", _("working days (business calendar)")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("On-site visit")


class AssigneeRole(models.TextChoices):
    """Who calls: the engineer who did the job, the customer's responsible engineer, or the
    hotline pool (any clerk)."""

    ENGINEER = "engineer", _("Engineer who did the job")
    CUSTOMER_ENGINEER = "customer_engineer", _("Customer's responsible engineer")
    CLERK = "clerk", _("Hotline clerks")


class Questionnaire(models.TextChoices):
    """The question sets of FU-2 (questions: apps.followups.policies.QUESTIONS)."""

    INSTALLATION = "installation", _("Installation (7 items)")
    SERVICE = "service", _("Repair / maintenance / support (6 items)")
    LAB_PHONE = "lab_phone", _("Laboratory phone follow-up")
    COMPLAINT = "complaint", _("Complaint follow-up")
    NEW_PROJECT = "new_project", _("New-project check")


class State(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("follow-up state", "Planned")
    DONE = "done", pgettext_lazy("follow-up state", "Done")
    SUPERSEDED = "superseded", pgettext_lazy("follow-up state", "Replaced by a new plan")
    CANCELLED = "cancelled", pgettext_lazy("follow-up state", "Cancelled")


OPEN_STATES = (State.PLANNED,)


class Trend(models.TextChoices):
    """Results compared with usual (S1 三: 出片效果等同或好于常规 / 次于常规)."""

    AS_USUAL = "as_usual", _("As usual or better")
    WORSE = "worse", _("Worse than usual")


class Problem(models.TextChoices):
    """FU-3: problem found? → solvable by phone? → solve and report the plan; else to the leader."""

    NONE = "none", _("No problem")
    SOLVED_BY_PHONE = "solved_by_phone", _("Problem solved by phone")
    NEEDS_LEADER = "needs_leader", _("Needs a leader's decision")


class LeaderState(models.TextChoices):
    NONE = "", _("—")
    PENDING = "pending", _("Waiting for a handling plan")
    DECIDED = "decided", _("Plan decided — tell the customer")
    TOLD = "told", _("Plan told to the customer")


class EventKind(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("follow-up event", "Planned")
    ATTEMPT = "attempt", _("Not reached")
    DONE = "done", pgettext_lazy("follow-up event", "Done")
    CORRECTED = "corrected", _("Answer corrected")
    SUPERSEDED = "superseded", _("Replaced by a new plan")
    CANCELLED = "cancelled", pgettext_lazy("follow-up event", "Cancelled")
    REASSIGNED = "reassigned", _("Reassigned")
    LEADER = "leader", _("Leader's decision")
    TOLD = "told", _("Plan told to the customer")
    QUESTIONS = "questions", _("Open questions answered")


class SheetState(models.TextChoices):
    """FU-4: the caller's 跟踪回访单 → the supervisor reviews → the department head signs."""

    DRAFT = "draft", pgettext_lazy("sheet state", "Draft")
    SUBMITTED = "submitted", _("Waiting for the supervisor's review")
    REVIEWED = "reviewed", _("Waiting for the department head's signature")
    SIGNED = "signed", _("Signed off")
