"""Every write of the follow-up domain (SPEC §4).

- `followups_plan_for_work_order`: a completed job gets its plan from the rules table (FU-1);
- `followup_schedule`: one follow-up for any source (complaints, VIP visits, new projects …);
- `followup_record` / `followup_not_reached` / `followup_correct`: the call's outcome (FU-2, FU-3);
  each answer re-plans the rest of the plan (`_replan`): worse than usual → every next day until
  solved, all well → the third within a week, then regularly; a follow-up the plan no longer needs
  is SUPERSEDED with the reason, never deleted;
- `followup_leader_decide` / `followup_plan_told` / `followup_answer_questions`: FU-3's leader
  queue and the questions answered after discussion;
- `sheet_*`: FU-4's follow-up sheet — the caller submits, the supervisor reviews, the department
  head signs;
- FU-7: planning tells the technical head when an engineer's phone follow-ups in a week exceed
  one working day in five.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.exceptions import ConflictError
from apps.followups import policies
from apps.followups.choices import (
    AssigneeRole,
    Channel,
    EventKind,
    LeaderState,
    OffsetUnit,
    Problem,
    Questionnaire,
    SheetState,
    Stage,
    State,
    Trend,
)
from apps.followups.models import FollowUp, FollowUpEvent, FollowUpRule, FollowUpSheet

# Roles that lead the follow-up work: they may record, reassign and decide on anyone's follow-ups.
LEADERS = frozenset({Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR})
# Who signs the sheet off as department head (FU-4: 部门领导签字).
DEPARTMENT_HEADS = frozenset({Role.ADMIN, Role.TECH_HEAD})


def _now(at):
    return at or timezone.now()


def _in_default_language():
    return translation.override(settings.LANGUAGE_CODE)


def _event(followup, kind, *, actor, at, text=""):
    return FollowUpEvent.objects.create(followup=followup, kind=kind, actor=actor, at=at, text=text)


def _save(obj, *, actor, fields, reason=""):
    obj.version += 1
    obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]
    obj.save(update_fields=[*fields, "version", "updated_at"])


def _lock(obj, expected_version=None):
    locked = type(obj).objects.select_for_update(of=("self",)).get(pk=obj.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _notify(key: str, users, subject: str, link: str = "", body: str = ""):
    from apps.notifications.services import notify_users

    notify_users(
        event_key=key, users=[u for u in users if u is not None], subject=subject, body=body or subject, link=link
    )


def _staff(*roles):
    from apps.accounts.models import User

    return list(User.objects.filter(role__in=roles, is_active=True))


# --- time arithmetic (FU-1: "planned dates respect the business calendar where the rule says so")


def add_offset(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == OffsetUnit.HOURS:
        return start + dt.timedelta(hours=amount)
    if unit == OffsetUnit.DAYS:
        return start + dt.timedelta(days=amount)
    from apps.workorders.services import add_working_days

    local = timezone.localtime(start)
    day = add_working_days(local.date(), amount)
    return local.replace(year=day.year, month=day.month, day=day.day)


def retry_time(start: dt.datetime) -> dt.datetime:
    """FU-3: the next attempt RETRY_AFTER_HOURS of office time later (business calendar), so a
    call missed in the evening comes back the next working morning, not at midnight."""
    from apps.sla import calendar as business
    from apps.sla.selectors import default_calendar

    calendar = default_calendar()
    return business.add_business_time(
        calendar=calendar,
        start=start,
        duration=dt.timedelta(hours=policies.RETRY_AFTER_HOURS),
        overrides=business.overrides_for(calendar),
    )


# --- planning ----------------------------------------------------------------------------------


def _number(followup: FollowUp, at) -> None:
    followup.number = f"FU{timezone.localtime(at):%y%m%d}-{followup.pk:05d}"
    followup.save(update_fields=["number"])


def _assignee_for(role: str, *, engineer=None, customer=None):
    """The person who calls (None = the hotline pool)."""
    if role == AssigneeRole.ENGINEER and engineer is not None and engineer.is_active:
        return engineer
    if role in (AssigneeRole.ENGINEER, AssigneeRole.CUSTOMER_ENGINEER):
        responsible = getattr(customer, "responsible_engineer", None)
        if responsible is not None and responsible.is_active:
            return responsible
        if engineer is not None and engineer.is_active:
            return engineer
    return None


def _create(
    *,
    source,
    customer,
    job,
    rule,
    stage,
    questionnaire,
    channel,
    due_at,
    anchor_at,
    assignee,
    assignee_role,
    reason,
    actor,
    at,
    work_order=None,
) -> FollowUp:
    followup = FollowUp(
        source_type=ContentType.objects.get_for_model(source),
        source_id=source.pk,
        work_order=work_order,
        customer=customer,
        job=job,
        rule=rule,
        stage=stage,
        questionnaire=questionnaire,
        channel=channel,
        reason=reason[:255],
        anchor_at=anchor_at,
        planned_for=due_at,
        due_at=due_at,
        assignee=assignee,
        assignee_role=AssigneeRole.CLERK if assignee is None else assignee_role,
    )
    followup._history_user = actor
    followup.save()
    _number(followup, at)
    _event(followup, EventKind.PLANNED, actor=actor, at=at, text=reason)
    if assignee is not None and assignee.role == Role.ENGINEER and channel == Channel.PHONE:
        _warn_phone_load(assignee, due_at)
    return followup


def _rules(job: str) -> list[FollowUpRule]:
    return list(FollowUpRule.objects.filter(job=job, is_active=True).order_by("sequence", "pk"))


def _rule_reason(rule: FollowUpRule) -> str:
    return _("%(job)s, rule %(sequence)s: %(stage)s") % {
        "job": rule.get_job_display(),
        "sequence": rule.sequence,
        "stage": rule.get_stage_display(),
    }


def _plan_fixed(*, source, customer, job, anchor_at, engineer, actor, at, work_order=None) -> list[FollowUp]:
    planned = []
    with _in_default_language():
        for rule in _rules(job):
            if rule.stage != Stage.FIXED:
                continue
            planned.append(
                _create(
                    source=source,
                    customer=customer,
                    job=job,
                    rule=rule,
                    stage=rule.stage,
                    questionnaire=rule.questionnaire,
                    channel=rule.channel,
                    due_at=add_offset(anchor_at, rule.offset, rule.unit),
                    anchor_at=anchor_at,
                    assignee=_assignee_for(rule.assignee_role, engineer=engineer, customer=customer),
                    assignee_role=rule.assignee_role,
                    reason=_rule_reason(rule),
                    actor=actor,
                    at=at,
                    work_order=work_order,
                )
            )
    return planned


def _chain(source, job):
    return FollowUp.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk, job=job)


@transaction.atomic
def followups_plan_for_work_order(*, order, actor, at=None) -> list[FollowUp]:
    """FU-1: the follow-up plan of a completed (or remotely solved) job, from the rules table.
    Planning twice plans nothing more."""
    at = _now(at)
    job = policies.job_for_order(order)
    if job is None:
        return []
    anchor = order.completed_at or at
    if _chain(order, job).filter(anchor_at=anchor).exists():
        return list(_chain(order, job).filter(anchor_at=anchor))
    return _plan_fixed(
        source=order,
        customer=order.customer,
        job=job,
        anchor_at=anchor,
        engineer=order.engineer,
        actor=actor,
        at=at,
        work_order=order,
    )


@transaction.atomic
def followups_plan_for_source(
    *, source, customer, job: str, anchor_at, engineer=None, actor, at=None
) -> list[FollowUp]:
    """FU-1 for a source that is not a work order (a closed complaint, …): its FIXED rules."""
    at = _now(at)
    if _chain(source, job).exists():
        return list(_chain(source, job))
    return _plan_fixed(
        source=source, customer=customer, job=job, anchor_at=anchor_at, engineer=engineer, actor=actor, at=at
    )


@transaction.atomic
def followups_supersede_for_source(*, source, actor, at=None, reason: str) -> int:
    """The source no longer needs its open follow-ups (a reopened request …): each is superseded
    with the reason on its timeline."""
    at = _now(at)
    count = 0
    for followup in FollowUp.objects.select_for_update().filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk, state=State.PLANNED
    ):
        followup.state = State.SUPERSEDED
        _save(followup, actor=actor, fields=["state"], reason="superseded")
        _event(followup, EventKind.SUPERSEDED, actor=actor, at=at, text=reason)
        count += 1
    return count


@transaction.atomic
def followup_schedule(
    *,
    source,
    customer,
    job: str,
    questionnaire: str,
    due_at,
    reason: str,
    actor,
    at=None,
    assignee=None,
    assignee_role=AssigneeRole.ENGINEER,
    channel=Channel.PHONE,
    stage=Stage.MANUAL,
) -> FollowUp:
    """One follow-up for any source (a new project's monthly check, a VIP visit …), or one a
    caller plans by hand."""
    at = _now(at)
    if due_at is None:
        raise ValidationError({"due_at": _("Give the date of the follow-up.")})
    if questionnaire not in Questionnaire.values:
        raise ValidationError({"questionnaire": _("Unknown questionnaire.")})
    from apps.workorders.models import WorkOrder

    return _create(
        source=source,
        customer=customer,
        job=job,
        rule=None,
        stage=stage,
        questionnaire=questionnaire,
        channel=channel,
        due_at=due_at,
        anchor_at=at,
        assignee=assignee,
        assignee_role=assignee_role,
        reason=reason or _("Planned by hand"),
        actor=actor,
        at=at,
        work_order=source if isinstance(source, WorkOrder) else None,
    )


def _replan(followup: FollowUp, *, actor, at) -> list[FollowUp]:
    """FU-1 after an answer (or a corrected answer): decide the next step of this plan from the
    latest answer, supersede what no longer fits (with the reason), plan what is missing."""
    chain = _chain(followup.source, followup.job).select_for_update()
    rules = {rule.stage: rule for rule in _rules(followup.job)}
    done = [f for f in chain if f.state == State.DONE]
    if not done:
        return []
    last = max(done, key=lambda f: (f.done_at, f.pk))
    planned = [f for f in chain if f.state == State.PLANNED]
    fixed_pending = [f for f in planned if f.stage == Stage.FIXED]
    flexible = [f for f in planned if f.stage in (Stage.AFTER_GOOD, Stage.RECURRING, Stage.POOR_DAILY)]

    wanted: tuple[FollowUpRule, dt.datetime, str] | None = None
    with _in_default_language():
        if last.trend == Trend.WORSE and Stage.POOR_DAILY in rules:
            rule = rules[Stage.POOR_DAILY]
            wanted = (
                rule,
                add_offset(last.done_at, rule.offset, rule.unit),
                _("Results worse than usual: every next day until solved."),
            )
        elif fixed_pending:
            wanted = None
        elif Stage.AFTER_GOOD in rules and not any(f.stage == Stage.AFTER_GOOD for f in done):
            rule = rules[Stage.AFTER_GOOD]
            due = max(add_offset(last.anchor_at, rule.offset, rule.unit), last.done_at + dt.timedelta(days=1))
            wanted = (rule, due, _("All is well: the next follow-up within a week of completion."))
        elif Stage.RECURRING in rules:
            rule = rules[Stage.RECURRING]
            due = last.done_at + dt.timedelta(days=rule.interval_days)
            if due <= last.anchor_at + dt.timedelta(days=rule.horizon_days):
                wanted = (rule, due, _("All is well: regular follow-up (at least twice a month)."))

        if wanted is not None and wanted[0].stage == Stage.POOR_DAILY:
            # A fixed follow-up already due by then is the next day's call (no two calls a day).
            if any(f.due_at <= wanted[1] for f in fixed_pending):
                wanted = None

        kept = None
        for f in flexible:
            if wanted is not None and kept is None and f.stage == wanted[0].stage:
                kept = f
                continue
            f.state = State.SUPERSEDED
            _save(f, actor=actor, fields=["state"], reason="replan")
            why = (
                _("The answer of %(number)s changed the plan: %(why)s") % {"number": last.number, "why": wanted[2]}
                if wanted
                else _("The answer of %(number)s ends this part of the plan.") % {"number": last.number}
            )
            _event(f, EventKind.SUPERSEDED, actor=actor, at=at, text=why)
        if wanted is None or kept is not None:
            return []
        rule, due, why = wanted
        source = last.source
        engineer = getattr(source, "engineer", None) or last.done_by
        return [
            _create(
                source=source,
                customer=last.customer,
                job=last.job,
                rule=rule,
                stage=rule.stage,
                questionnaire=rule.questionnaire,
                channel=rule.channel,
                due_at=due,
                anchor_at=last.anchor_at,
                assignee=_assignee_for(rule.assignee_role, engineer=engineer, customer=last.customer),
                assignee_role=rule.assignee_role,
                reason=why,
                actor=actor,
                at=at,
                work_order=last.work_order,
            )
        ]


# --- who may act -------------------------------------------------------------------------------


def may_record(followup: FollowUp, user) -> bool:
    """The assigned caller, any clerk for the hotline pool, or a leader of the follow-up work."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role in LEADERS:
        return True
    if followup.assignee_id is not None:
        return followup.assignee_id == user.pk
    return user.role == Role.CLERK


def _check_caller(followup, actor):
    if not may_record(followup, actor):
        raise PermissionDenied(_("Only the assigned caller or a leader may record this follow-up."))


def _check_open(followup):
    if followup.state != State.PLANNED:
        raise ConflictError(
            _("This follow-up is already %(state)s; reload the page.") % {"state": followup.get_state_display()}
        )


def _clean_answers(questionnaire: str, answers: Mapping | None) -> dict:
    """Keep the questionnaire's questions only, typed; a number must be a number."""
    answers = answers or {}
    clean = {}
    for code, _label, kind in policies.QUESTIONS.get(questionnaire, ()):
        value = answers.get(code)
        if value in (None, ""):
            continue
        if kind == "yesno":
            if isinstance(value, str):
                if value.lower() not in ("yes", "no", "true", "false", "1", "0"):
                    raise ValidationError({code: _("Answer yes or no.")})
                value = value.lower() in ("yes", "true", "1")
            clean[code] = bool(value)
        elif kind == "number":
            try:
                number = float(str(value).replace(",", ""))
            except ValueError:
                raise ValidationError({code: _("Enter a number.")}) from None
            if not math.isfinite(number):  # "1e400", "inf", "nan" parse as floats
                raise ValidationError({code: _("Enter a number.")})
            if number < 0:
                raise ValidationError({code: _("Enter a number of zero or more.")})
            clean[code] = int(number) if number == int(number) else number
        else:
            clean[code] = str(value).strip()[:2000]
    return clean


def _validate_outcome(questionnaire, *, trend, problem, plan_told, record):
    errors = {}
    if problem not in Problem.values:
        errors["problem"] = _("Say whether a problem was found and how it was handled.")
    if questionnaire in policies.TREND_QUESTIONNAIRES and trend not in Trend.values:
        errors["trend"] = _("Say whether the results are as usual or worse than usual.")
    if trend and trend not in Trend.values:
        errors["trend"] = _("Unknown answer.")
    if problem == Problem.SOLVED_BY_PHONE and not (plan_told or "").strip():
        errors["plan_told"] = _("Write down the solution you told the customer.")
    if problem in (Problem.SOLVED_BY_PHONE, Problem.NEEDS_LEADER) and not (record or "").strip():
        errors["record"] = _("Describe the problem in the follow-up record.")
    if errors:
        raise ValidationError(errors)


# --- the call ----------------------------------------------------------------------------------


@transaction.atomic
def followup_record(
    *,
    followup: FollowUp,
    actor,
    problem: str,
    answers: Mapping | None = None,
    trend: str = "",
    record: str = "",
    remarks: str = "",
    plan_told: str = "",
    open_questions: str = "",
    spoke_with: str = "",
    expected_version=None,
    at=None,
) -> FollowUp:
    """FU-2/FU-3: the customer answered. Records the answers and the outcome, sends a problem the
    caller cannot solve to the leader's queue, and re-plans the rest of the plan (FU-1)."""
    at = _now(at)
    followup = _lock(followup, expected_version)
    _check_caller(followup, actor)
    _check_open(followup)
    clean = _clean_answers(followup.questionnaire, answers)
    _validate_outcome(followup.questionnaire, trend=trend, problem=problem, plan_told=plan_told, record=record)
    if (
        followup.questionnaire == Questionnaire.NEW_PROJECT
        and clean.get("in_use") is False
        and not clean.get("reason_not_in_use")
    ):
        raise ValidationError({"reason_not_in_use": _("Say why the project is not in use.")})
    followup.state = State.DONE
    followup.done_at = at
    followup.done_by = actor
    if followup.assignee_id is None:
        followup.assignee = actor  # a pool follow-up belongs to who made the call
    followup.answers = clean
    followup.trend = trend or ""
    followup.problem = problem
    followup.record = record.strip()
    followup.remarks = remarks.strip()[:255]
    followup.plan_told = plan_told.strip()
    followup.open_questions = open_questions.strip()
    followup.spoke_with = spoke_with.strip()[:64]
    fields = [
        "state",
        "done_at",
        "done_by",
        "assignee",
        "answers",
        "trend",
        "problem",
        "record",
        "remarks",
        "plan_told",
        "open_questions",
        "spoke_with",
    ]
    if problem == Problem.NEEDS_LEADER:
        followup.leader_state = LeaderState.PENDING
        fields.append("leader_state")
    _save(followup, actor=actor, fields=fields, reason="done")
    _event(followup, EventKind.DONE, actor=actor, at=at, text=followup.get_problem_display())
    if problem == Problem.NEEDS_LEADER:
        _tell_leaders(followup)
    _replan(followup, actor=actor, at=at)
    _after_answer(followup, actor=actor, at=at)
    return followup


def _after_answer(followup, *, actor, at):
    """Hand the answer to the app whose source this is (FU-6's monthly check)."""
    if followup.questionnaire == Questionnaire.NEW_PROJECT:
        try:
            from apps.survival.services import project_check_recorded
        except ImportError:  # pragma: no cover - survival app not installed
            return
        project_check_recorded(followup=followup, answers=followup.answers, actor=actor, at=at)


def _tell_leaders(followup):
    with _in_default_language():
        _notify(
            f"followup:{followup.pk}:leader",
            _staff(Role.SUPERVISOR, Role.TECH_HEAD),
            _("Follow-up %(number)s (%(customer)s) needs a handling plan")
            % {"number": followup.number, "customer": followup.customer.name},
            link=followup.get_absolute_url(),
            body=followup.record,
        )


@transaction.atomic
def followup_not_reached(*, followup: FollowUp, actor, note: str = "", expected_version=None, at=None) -> FollowUp:
    """FU-3: nobody answered; call again later. After a few attempts the supervisor hears of it —
    the follow-up stays on the list."""
    at = _now(at)
    followup = _lock(followup, expected_version)
    _check_caller(followup, actor)
    _check_open(followup)
    followup.attempts += 1
    followup.due_at = retry_time(max(followup.due_at, at))
    _save(followup, actor=actor, fields=["attempts", "due_at"], reason="not reached")
    with _in_default_language():
        text = _("Attempt %(n)s: not reached. %(note)s") % {"n": followup.attempts, "note": note.strip()}
        _event(followup, EventKind.ATTEMPT, actor=actor, at=at, text=text.strip())
        if followup.attempts == policies.ATTEMPTS_BEFORE_SUPERVISOR:
            _notify(
                f"followup:{followup.pk}:unreachable",
                _staff(Role.SUPERVISOR),
                _("%(customer)s not reached after %(n)s attempts (follow-up %(number)s)")
                % {"customer": followup.customer.name, "n": followup.attempts, "number": followup.number},
                link=followup.get_absolute_url(),
            )
    return followup


@transaction.atomic
def followup_correct(
    *,
    followup: FollowUp,
    actor,
    trend: str,
    problem: str,
    record: str = "",
    reason: str,
    expected_version=None,
    at=None,
) -> FollowUp:
    """Correct a recorded outcome (e.g. the lab calls back: results are worse after all). The rest of
    the plan is re-planned from the corrected answer (FU-1)."""
    at = _now(at)
    followup = _lock(followup, expected_version)
    _check_caller(followup, actor)
    if followup.state != State.DONE:
        raise ConflictError(_("Only a follow-up that was done can be corrected."))
    if followup.sheet_id and followup.sheet.state == SheetState.SIGNED:
        raise ConflictError(_("This follow-up is on a signed sheet and can no longer change."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the answer changes.")})
    _validate_outcome(
        followup.questionnaire,
        trend=trend,
        problem=problem,
        plan_told=followup.plan_told or "-",
        record=record or followup.record,
    )
    before = f"{followup.get_trend_display()} / {followup.get_problem_display()}"
    followup.trend = trend or ""
    followup.problem = problem
    if record.strip():
        followup.record = record.strip()
    fields = ["trend", "problem", "record"]
    if problem == Problem.NEEDS_LEADER and followup.leader_state == LeaderState.NONE:
        followup.leader_state = LeaderState.PENDING
        fields.append("leader_state")
    _save(followup, actor=actor, fields=fields, reason="corrected")
    after = f"{followup.get_trend_display()} / {followup.get_problem_display()}"
    _event(followup, EventKind.CORRECTED, actor=actor, at=at, text=f"{before} → {after}: {reason.strip()}")
    if followup.leader_state == LeaderState.PENDING and "leader_state" in fields:
        _tell_leaders(followup)
    _replan(followup, actor=actor, at=at)
    return followup


@transaction.atomic
def followup_reassign(
    *, followup: FollowUp, actor, assignee=None, reason: str = "", expected_version=None, at=None
) -> FollowUp:
    """A leader moves a follow-up to another caller, or to the hotline pool (assignee None) — e.g.
    when an engineer's phone follow-ups exceed one day in five (FU-7)."""
    at = _now(at)
    if actor.role not in LEADERS:
        raise PermissionDenied(_("Only the technical head or a supervisor reassigns follow-ups."))
    followup = _lock(followup, expected_version)
    _check_open(followup)
    if assignee is not None and (not assignee.is_active or assignee.role not in (Role.ENGINEER, Role.CLERK)):
        raise ValidationError({"assignee": _("Choose an active engineer or clerk.")})
    before = str(followup.assignee or _("hotline clerks"))
    followup.assignee = assignee
    followup.assignee_role = (
        AssigneeRole.CLERK if assignee is None or assignee.role == Role.CLERK else AssigneeRole.ENGINEER
    )
    _save(followup, actor=actor, fields=["assignee", "assignee_role"], reason="reassigned")
    after = str(assignee or _("hotline clerks"))
    _event(followup, EventKind.REASSIGNED, actor=actor, at=at, text=f"{before} → {after}. {reason}".strip())
    if assignee is not None:
        _notify(
            f"followup:{followup.pk}:assigned:{assignee.pk}:{followup.version}",
            [assignee],
            _("Follow-up %(number)s is now yours") % {"number": followup.number},
            link=followup.get_absolute_url(),
        )
    return followup


@transaction.atomic
def followup_cancel(*, followup: FollowUp, actor, reason: str, expected_version=None, at=None) -> FollowUp:
    """A leader cancels a follow-up that makes no sense any more (customer closed …), with the reason."""
    at = _now(at)
    if actor.role not in LEADERS:
        raise PermissionDenied(_("Only the technical head or a supervisor cancels follow-ups."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the follow-up is cancelled.")})
    followup = _lock(followup, expected_version)
    _check_open(followup)
    followup.state = State.CANCELLED
    _save(followup, actor=actor, fields=["state"], reason="cancelled")
    _event(followup, EventKind.CANCELLED, actor=actor, at=at, text=reason.strip())
    return followup


# --- FU-3: the leader's handling plan; questions answered after discussion ----------------------


@transaction.atomic
def followup_leader_decide(*, followup: FollowUp, actor, plan: str, expected_version=None, at=None) -> FollowUp:
    at = _now(at)
    if actor.role not in LEADERS:
        raise PermissionDenied(_("Only the technical head or a supervisor decides the handling plan."))
    followup = _lock(followup, expected_version)
    if followup.leader_state != LeaderState.PENDING:
        raise ConflictError(_("This follow-up is not waiting for a handling plan."))
    if not (plan or "").strip():
        raise ValidationError({"plan": _("Write the handling plan.")})
    followup.leader_state = LeaderState.DECIDED
    followup.leader_plan = plan.strip()
    followup.leader = actor
    followup.leader_at = at
    _save(followup, actor=actor, fields=["leader_state", "leader_plan", "leader", "leader_at"], reason="decided")
    _event(followup, EventKind.LEADER, actor=actor, at=at, text=followup.leader_plan)
    with _in_default_language():
        _notify(
            f"followup:{followup.pk}:decided",
            [followup.done_by],
            _("Handling plan for %(customer)s decided: tell the customer (follow-up %(number)s)")
            % {"customer": followup.customer.name, "number": followup.number},
            link=followup.get_absolute_url(),
            body=followup.leader_plan,
        )
    return followup


@transaction.atomic
def followup_plan_told(*, followup: FollowUp, actor, note: str = "", expected_version=None, at=None) -> FollowUp:
    at = _now(at)
    followup = _lock(followup, expected_version)
    if not (actor.role in LEADERS or actor.pk in (followup.done_by_id, followup.assignee_id)):
        raise PermissionDenied(_("Only the caller or a leader records this."))
    if followup.leader_state != LeaderState.DECIDED:
        raise ConflictError(_("There is no decided plan to tell the customer."))
    followup.leader_state = LeaderState.TOLD
    text = (note or "").strip()
    followup.plan_told = "\n".join(p for p in (followup.plan_told, text) if p)
    _save(followup, actor=actor, fields=["leader_state", "plan_told"], reason="told")
    _event(followup, EventKind.TOLD, actor=actor, at=at, text=text)
    return followup


@transaction.atomic
def followup_answer_questions(*, followup: FollowUp, actor, answer: str, expected_version=None, at=None) -> FollowUp:
    """S0 3.(一)三.5: questions the caller could not answer are answered after discussion."""
    at = _now(at)
    followup = _lock(followup, expected_version)
    if not (actor.role in LEADERS or actor.pk in (followup.done_by_id, followup.assignee_id)):
        raise PermissionDenied(_("Only the caller or a leader records this."))
    if not followup.open_questions:
        raise ConflictError(_("This follow-up has no open questions."))
    if followup.questions_answered_at is not None:
        raise ConflictError(_("The open questions were already answered."))
    if not (answer or "").strip():
        raise ValidationError({"answer": _("Write the answer given to the customer.")})
    followup.questions_answer = answer.strip()
    followup.questions_answered_at = at
    _save(followup, actor=actor, fields=["questions_answer", "questions_answered_at"], reason="answered")
    _event(followup, EventKind.QUESTIONS, actor=actor, at=at, text=followup.questions_answer)
    return followup


# --- FU-7: phone follow-ups at most one working day in five -----------------------------------


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def week_capacity(day: dt.date) -> dict:
    """FU-7's limit for the week of `day`: one working day in five of its working days."""
    from apps.sla import calendar as business
    from apps.sla.selectors import default_calendar

    first, last = week_of(day)
    calendar = default_calendar()
    overrides = business.overrides_for(calendar)
    working_days = sum(
        business.is_working_day(calendar=calendar, day=first + dt.timedelta(days=i), overrides=overrides)
        for i in range(7)
    )
    share, of = policies.PHONE_SHARE_DAYS
    return {
        "week_start": first,
        "week_end": last,
        "working_days": working_days,
        "limit_minutes": working_days * share * policies.WORKING_DAY_HOURS * 60 / of,
    }


def week_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    first, last = week_of(day)
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def phone_load(engineer, day: dt.date) -> dict:
    """The engineer's phone follow-ups in the week of `day` against FU-7's limit."""
    start, end = week_bounds(day)
    count = (
        FollowUp.objects.filter(assignee=engineer, channel=Channel.PHONE, due_at__gte=start, due_at__lt=end)
        .exclude(state__in=(State.SUPERSEDED, State.CANCELLED))
        .count()
    )
    capacity = week_capacity(day)
    minutes = count * policies.PHONE_FOLLOWUP_MINUTES
    return {**capacity, "count": count, "minutes": minutes, "over": minutes > capacity["limit_minutes"]}


def _warn_phone_load(engineer, due_at) -> None:
    load = phone_load(engineer, timezone.localdate(due_at))
    if not load["over"]:
        return
    with _in_default_language():
        _notify(
            f"followup:load:{engineer.pk}:{load['week_start']:%Y%m%d}",
            _staff(Role.TECH_HEAD) + [engineer],
            _("%(engineer)s has %(count)s phone follow-ups in the week of %(week)s — more than one working day in five")
            % {
                "engineer": engineer.get_full_name() or engineer.username,
                "count": load["count"],
                "week": f"{load['week_start']:%Y-%m-%d}",
            },
        )


# --- FU-4: the follow-up sheet ---------------------------------------------------------------


def _sheet_number(sheet, at):
    sheet.number = f"FS{timezone.localtime(at):%y%m%d}-{sheet.pk:04d}"
    sheet.save(update_fields=["number"])


@transaction.atomic
def sheet_create(*, caller, period_start: dt.date, period_end: dt.date, actor, at=None) -> FollowUpSheet:
    """Collect the caller's follow-ups done in the period that are on no sheet yet."""
    at = _now(at)
    if actor.pk != caller.pk and actor.role not in LEADERS:
        raise PermissionDenied(_("You can only make your own follow-up sheet."))
    if period_start is None or period_end is None or period_end < period_start:
        raise ValidationError({"period_end": _("The end of the period must not be before its start.")})
    if (period_end - period_start).days > 62:
        raise ValidationError({"period_end": _("A sheet covers at most two months.")})
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    lines = FollowUp.objects.select_for_update().filter(
        done_by=caller, state=State.DONE, sheet__isnull=True, done_at__gte=start, done_at__lt=end
    )
    ids = list(lines.values_list("pk", flat=True))
    if not ids:
        raise ValidationError({"period_start": _("No follow-ups done in this period are waiting for a sheet.")})
    sheet = FollowUpSheet(caller=caller, period_start=period_start, period_end=period_end)
    sheet._history_user = actor
    sheet.save()
    _sheet_number(sheet, at)
    FollowUp.objects.filter(pk__in=ids).update(sheet=sheet)
    return sheet


@transaction.atomic
def sheet_submit(*, sheet: FollowUpSheet, actor, expected_version=None, at=None) -> FollowUpSheet:
    at = _now(at)
    sheet = _lock(sheet, expected_version)
    if actor.pk != sheet.caller_id and actor.role not in LEADERS:
        raise PermissionDenied(_("Only the caller submits the sheet."))
    if sheet.state != SheetState.DRAFT:
        raise ConflictError(_("The sheet was already submitted."))
    sheet.state = SheetState.SUBMITTED
    sheet.submitted_at = at
    _save(sheet, actor=actor, fields=["state", "submitted_at"], reason="submitted")
    with _in_default_language():
        _notify(
            f"followupsheet:{sheet.pk}:submitted",
            _staff(Role.SUPERVISOR),
            _("Follow-up sheet %(number)s waits for your review") % {"number": sheet.number},
            link=sheet.get_absolute_url(),
        )
    return sheet


@transaction.atomic
def sheet_review(*, sheet: FollowUpSheet, actor, comment: str, expected_version=None, at=None) -> FollowUpSheet:
    """FU-4: the supervisor reviews the sheet and gives guidance (部门主管审查并提出指导意见)."""
    at = _now(at)
    if actor.role not in LEADERS:
        raise PermissionDenied(_("Only a supervisor or the technical head reviews follow-up sheets."))
    sheet = _lock(sheet, expected_version)
    if sheet.state != SheetState.SUBMITTED:
        raise ConflictError(_("The sheet is not waiting for a review."))
    if actor.pk == sheet.caller_id:
        raise PermissionDenied(_("Nobody reviews his own sheet."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Write your comments on the follow-ups.")})
    sheet.state = SheetState.REVIEWED
    sheet.reviewer = actor
    sheet.reviewed_at = at
    sheet.review_comment = comment.strip()
    _save(sheet, actor=actor, fields=["state", "reviewer", "reviewed_at", "review_comment"], reason="reviewed")
    with _in_default_language():
        _notify(
            f"followupsheet:{sheet.pk}:reviewed",
            _staff(Role.TECH_HEAD) + [sheet.caller],
            _("Follow-up sheet %(number)s reviewed: waits for the department head's signature")
            % {"number": sheet.number},
            link=sheet.get_absolute_url(),
            body=sheet.review_comment,
        )
    return sheet


@transaction.atomic
def sheet_sign(*, sheet: FollowUpSheet, actor, note: str = "", expected_version=None, at=None) -> FollowUpSheet:
    """FU-4: the department head signs the reviewed sheet off (部门领导签字)."""
    at = _now(at)
    if actor.role not in DEPARTMENT_HEADS:
        raise PermissionDenied(_("Only the head of the technical department signs follow-up sheets."))
    sheet = _lock(sheet, expected_version)
    if sheet.state != SheetState.REVIEWED:
        raise ConflictError(_("The sheet must be reviewed by the supervisor before it is signed."))
    sheet.state = SheetState.SIGNED
    sheet.signer = actor
    sheet.signed_at = at
    sheet.sign_comment = (note or "").strip()[:255]
    _save(sheet, actor=actor, fields=["state", "signer", "signed_at", "sign_comment"], reason="signed")
    return sheet


@transaction.atomic
def sheet_return(*, sheet: FollowUpSheet, actor, comment: str, expected_version=None, at=None) -> FollowUpSheet:
    """The reviewer or the head sends a sheet back to the caller (it becomes a draft again)."""
    at = _now(at)
    if actor.role not in LEADERS:
        raise PermissionDenied(_("Only a supervisor or the technical head returns follow-up sheets."))
    sheet = _lock(sheet, expected_version)
    if sheet.state not in (SheetState.SUBMITTED, SheetState.REVIEWED):
        raise ConflictError(_("Only a submitted or reviewed sheet can be returned."))
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what needs to change.")})
    sheet.state = SheetState.DRAFT
    sheet.review_comment = comment.strip()
    _save(sheet, actor=actor, fields=["state", "review_comment"], reason="returned")
    with _in_default_language():
        _notify(
            f"followupsheet:{sheet.pk}:returned:{sheet.version}",
            [sheet.caller],
            _("Follow-up sheet %(number)s returned to you") % {"number": sheet.number},
            link=sheet.get_absolute_url(),
            body=sheet.review_comment,
        )
    return sheet


# --- rules table (admin) -----------------------------------------------------------------------


# The signatures of the generic record pages and API (apps.core.views, apps.core.api), which call
# them directly; the rules have no many-to-many fields.
def rule_create(*, actor, data, m2m=None) -> FollowUpRule:
    from apps.core.services import record_create

    return record_create(model=FollowUpRule, actor=actor, data=data)


def rule_update(*, actor, instance, data, expected_version, m2m=None) -> FollowUpRule:
    from apps.core.services import record_update

    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version)


# --- daily reminder of overdue follow-ups ------------------------------------------------------


def remind_overdue(*, today: dt.date) -> int:
    """Tell each caller once a day how many of his follow-ups are overdue (still planned, due
    before `today`); clerks count the hotline pool too. One in-app message per caller per day."""
    from django.db.models import Count, Q
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import ngettext

    from apps.accounts.models import User
    from apps.notifications.choices import Channel as MessageChannel
    from apps.notifications.services import notify

    start = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())
    overdue = FollowUp.objects.filter(state=State.PLANNED, due_at__lt=start)
    counts = dict(
        overdue.filter(assignee__isnull=False).values("assignee").annotate(n=Count("pk")).values_list("assignee", "n")
    )
    pool = overdue.filter(assignee__isnull=True).count()
    callers = User.objects.filter(is_active=True).filter(
        Q(pk__in=list(counts)) | (Q(role=Role.CLERK) if pool else Q(pk__in=[]))
    )
    try:
        link = reverse("followups:calls")
    except NoReverseMatch:  # the follow-up pages are not installed
        link = ""
    told = 0
    with _in_default_language():
        for caller in callers.order_by("pk"):
            count = counts.get(caller.pk, 0) + (pool if caller.role == Role.CLERK else 0)
            if not count:
                continue
            subject = ngettext(
                "%(count)s follow-up is overdue on your call list",
                "%(count)s follow-ups are overdue on your call list",
                count,
            ) % {"count": count}
            with transaction.atomic():
                notify(
                    event_key=f"followup:overdue:{caller.pk}:{today:%Y%m%d}",
                    channel=MessageChannel.IN_APP,
                    recipient=caller,
                    subject=subject,
                    body=subject,
                    link=link,
                )
            told += 1
    return told
