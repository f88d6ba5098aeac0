"""Follow-ups (回访, SPEC §4): the rules table, each planned call or visit, its timeline, and the
caller's follow-up sheet (跟踪回访单) that the supervisor reviews and the department head signs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.core.models import Record
from apps.followups.choices import (
    AssigneeRole,
    Channel,
    EventKind,
    Job,
    LeaderState,
    OffsetUnit,
    Problem,
    Questionnaire,
    SheetState,
    Stage,
    State,
    Trend,
)


class FollowUpRule(Record):
    """One line of the follow-up rules table (FU-1): for a kind of job, when a follow-up is
    planned (stage + offset from completion, or from the last follow-up for recurring and daily
    ones), by which channel, who calls and with which questions. Admins edit it; completed jobs
    are planned from it."""

    job = models.CharField(_("job"), max_length=20, choices=Job.choices, db_index=True)
    stage = models.CharField(_("when"), max_length=12, choices=Stage.choices)
    sequence = models.PositiveSmallIntegerField(_("order"), default=1)
    offset = models.PositiveIntegerField(
        _("offset"), help_text=_("How long after completion (or after the last follow-up for daily tracking).")
    )
    unit = models.CharField(_("unit"), max_length=14, choices=OffsetUnit.choices, default=OffsetUnit.HOURS)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    assignee_role = models.CharField(
        _("who calls"), max_length=20, choices=AssigneeRole.choices, default=AssigneeRole.ENGINEER
    )
    questionnaire = models.CharField(_("questions"), max_length=16, choices=Questionnaire.choices)
    interval_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"), default=0, help_text=_("Only for regular follow-ups: days between two calls.")
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("repeat until (days after completion)"), default=0, help_text=_("Only for regular follow-ups.")
    )
    note = models.CharField(_("source / note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        ordering = ["job", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "sequence"],
                condition=Q(is_active=True),
                name="followup_rule_job_sequence",
                violation_error_message=_("This job already has an active rule with this order number."),
            )
        ]

    def __str__(self):
        return f"{self.get_job_display()} #{self.sequence}: {self.get_stage_display()}"

    def clean(self):
        super().clean()
        if self.stage == Stage.RECURRING and (not self.interval_days or not self.horizon_days):
            raise ValidationError(
                {"interval_days": _("A regular follow-up needs both the interval and how long it repeats.")}
            )
        if self.offset == 0 and self.stage != Stage.RECURRING:
            raise ValidationError({"offset": _("The offset must be at least 1.")})

    def get_absolute_url(self):
        return reverse("followups:rule_detail", args=[self.pk])


class FollowUp(Record):
    """One planned follow-up call or visit on somebody's call list (FU-1 … FU-3).

    It hangs from a source (a completed work order, a complaint, a VIP visit, a new project …)
    through a generic relation; `work_order` is filled when the source is a work order so lists
    join it cheaply. Nothing is deleted: a follow-up the plan no longer needs is SUPERSEDED with
    the reason, so "no follow-up is ever silently dropped"."""

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    work_order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="followups"
    )
    job = models.CharField(_("job"), max_length=20, choices=Job.choices)
    rule = models.ForeignKey(
        FollowUpRule, verbose_name=_("rule"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(_("when"), max_length=12, choices=Stage.choices, default=Stage.FIXED)
    questionnaire = models.CharField(_("questions"), max_length=16, choices=Questionnaire.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    reason = models.CharField(_("why planned"), max_length=255, blank=True)
    anchor_at = models.DateTimeField(_("job completed at"))
    planned_for = models.DateTimeField(_("planned for"))
    due_at = models.DateTimeField(_("due"), db_index=True, help_text=_("Moves when a customer could not be reached."))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("follow-up", "caller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )
    assignee_role = models.CharField(_("who calls"), max_length=20, choices=AssigneeRole.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PLANNED, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("unanswered attempts"), default=0)
    # The answer (FU-2, FU-3, FU-4)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, db_index=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    spoke_with = models.CharField(_("spoke with"), max_length=64, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    trend = models.CharField(_("results compared with usual"), max_length=10, choices=Trend.choices, blank=True)
    problem = models.CharField(_("problem"), max_length=16, choices=Problem.choices, blank=True)
    record = models.TextField(_("follow-up record"), blank=True)
    remarks = models.CharField(_("remarks"), max_length=255, blank=True)
    plan_told = models.TextField(_("plan told to the customer"), blank=True)
    open_questions = models.TextField(_("questions to answer after discussion"), blank=True)
    questions_answer = models.TextField(_("answer to the open questions"), blank=True)
    questions_answered_at = models.DateTimeField(_("open questions answered at"), null=True, blank=True)
    # FU-3: a problem that cannot be solved by phone goes to the leader for a handling plan.
    leader_state = models.CharField(
        _("leader's decision"), max_length=10, choices=LeaderState.choices, default=LeaderState.NONE, blank=True
    )
    leader_plan = models.TextField(_("handling plan"), blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    sheet = models.ForeignKey(
        "followups.FollowUpSheet",
        verbose_name=_("follow-up sheet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
    )

    # core.history: the reasons services._save() writes, in the reader's language.
    HISTORY_REASONS = {
        "superseded": _("Replaced by a new plan"),
        "replan": _("Plan recalculated"),
        "done": _("Follow-up done"),
        "not reached": _("Customer not reached"),
        "corrected": _("Answer corrected"),
        "reassigned": _("Reassigned"),
        "cancelled": _("Cancelled"),
        "decided": _("Leader decided the plan"),
        "told": _("Plan told to the customer"),
        "answered": _("Open questions answered"),
    }

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["state", "assignee", "due_at"], name="followup_calllist"),
            models.Index(fields=["state", "assignee_role", "due_at"], name="followup_pool"),
            models.Index(fields=["source_type", "source_id", "job"], name="followup_source"),
            models.Index(fields=["leader_state"], name="followup_leader", condition=~Q(leader_state="")),
            models.Index(fields=["done_by", "done_at"], name="followup_done_by"),
        ]

    def __str__(self):
        return self.number or f"FU-{self.pk}"

    def get_absolute_url(self):
        return reverse("followups:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == State.PLANNED


class FollowUpEvent(models.Model):
    """The timeline of one follow-up: planned, not reached, done, corrected, leader's decision …"""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("details"), blank=True)

    class Meta:
        verbose_name = _("follow-up event")
        verbose_name_plural = _("follow-up events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["followup", "at"], name="followup_event_at")]

    def __str__(self):
        return f"{self.followup} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class FollowUpSheet(Record):
    """The follow-up sheet (跟踪回访单, FU-4) of one caller for a period: number, time, hospital,
    record, remarks and caller of each follow-up done; the supervisor reviews and comments, the
    department head signs off. A signed sheet does not change."""

    number = models.CharField(_("number"), max_length=20, unique=True, blank=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("follow-up", "caller"),
        on_delete=models.PROTECT,
        related_name="followup_sheets",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    state = models.CharField(
        _("state"), max_length=10, choices=SheetState.choices, default=SheetState.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("supervisor's comments"), blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    sign_comment = models.CharField(_("department head's note"), max_length=255, blank=True)

    # core.history: the reasons services._save() writes, in the reader's language.
    HISTORY_REASONS = {
        "submitted": _("Sheet submitted"),
        "reviewed": _("Sheet reviewed"),
        "signed": _("Sheet signed"),
        "returned": _("Sheet returned"),
    }

    class Meta:
        verbose_name = _("follow-up sheet")
        verbose_name_plural = _("follow-up sheets")
        ordering = ["-period_end", "-pk"]
        indexes = [models.Index(fields=["caller", "period_end"], name="followup_sheet_caller")]

    def __str__(self):
        return self.number or f"SHEET-{self.pk}"

    def get_absolute_url(self):
        return reverse("followups:sheet_detail", args=[self.pk])
