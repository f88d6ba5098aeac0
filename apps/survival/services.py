"""Every write of new-project survival (SPEC FU-6): one transaction, the row locked, the version
checked, a timeline event written, follow-up calls and notifications queued in the same
transaction.

- `project_track_from_work_order`: a completed new-project job starts tracking its project
  (called by the work-order aftercare hook for every completed job; a no-op for other types);
- `project_withdraw_for_work_order`: a reopened remotely solved job stops the tracking it started;
- `project_create` / `project_update` / `project_stop`: staff enter, correct and stop projects;
- `project_check_record`: the month-n check (phone, on site, shipments); a project not in use
  needs the reason and the sales person hears of it at once [S0 3.(一)二.3];
- `project_check_recorded`: the same, from an answered follow-up call (apps.followups);
- `project_end_due` / `survival_summary_send`: the monthly run — periods that are over end as
  survived or lost, and the month's figures go to the marketing centre [S0 3.(一)二.1].
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.choices import Role
from apps.core.access import can
from apps.core.dates import add_months
from apps.core.exceptions import ConflictError
from apps.survival import policies
from apps.survival.choices import (
    ENDED_STATES,
    TRANSITIONS,
    CheckMethod,
    EventKind,
    NotInUseReason,
    ProjectState,
    Source,
    UsageUnit,
)
from apps.survival.models import NewProject, ProjectCheck, ProjectEvent

# Roles that may be a project's responsible engineer (as for a customer's responsible engineer).
ENGINEER_ROLES = frozenset({Role.ENGINEER, Role.CUSTOMER_MANAGER})
# A check may be recorded this many days before it is due (the call list shows calls early).
CHECK_EARLY_DAYS = 14
# The largest monthly usage or shipment a check takes (as the API).
MAX_COUNT = 10_000_000
# Fields staff may correct on a project; started_on and engineer re-plan the open checks.
EDITABLE_FIELDS = ("name", "item", "instrument", "engineer", "sales", "started_on", "note")

# --- helpers ---------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _in_default_language():
    return translation.override(settings.LANGUAGE_CODE)


def _require(actor, action: str) -> None:
    if not can(actor, "new_project", action):
        raise PermissionDenied(_("Your role may not do this."))


def _region_for(customer):
    return customer.city if customer.city_id else customer.province


def _event(project, *, kind, actor, at, text="", month=None, data=None) -> ProjectEvent:
    return ProjectEvent.objects.create(
        project=project, kind=kind, actor=actor, at=at, text=text, month=month, data=data or {}
    )


def _lock(project: NewProject, expected_version: int | None = None) -> NewProject:
    # of=("self",): lock the project row only, never its customer.
    locked = NewProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _save(obj, *, actor, fields, reason: str = "") -> None:
    obj.version += 1
    obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]
    extra = ["updated_at"] if hasattr(obj, "updated_at") else []
    obj.save(update_fields=[*fields, "version", *extra])


def _move(project: NewProject, to_state: str) -> None:
    if to_state not in TRANSITIONS[project.state]:
        raise ConflictError(
            _("A project that is “%(state)s” cannot become “%(to)s”.")
            % {"state": project.get_state_display(), "to": ProjectState(to_state).label}
        )
    project.state = to_state


def _check_engineer(engineer) -> None:
    if engineer is None:
        raise ValidationError({"engineer": _("Name the engineer responsible for the project.")})
    if not engineer.is_active or engineer.role not in ENGINEER_ROLES:
        raise ValidationError({"engineer": _("The responsible engineer must be an active engineer.")})


def _clean_text(value, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


# --- the calls on the engineer's list (apps.followups) -------------------------------------------


def _due_at(day: dt.date) -> dt.datetime:
    """The local time of day the monthly call is due on its day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(policies.CHECK_HOUR)))


def _schedule_call(check: ProjectCheck, *, project: NewProject, actor, at) -> None:
    """SPEC FU-6: the month-n check goes on the responsible engineer's call list."""
    from apps.followups.services import followup_schedule

    with _in_default_language():
        reason = _("New project “%(project)s”: month %(month)s check (in use? monthly usage)") % {
            "project": project.name,
            "month": check.month,
        }
    followup_schedule(
        source=check,
        customer=project.customer,
        job=policies.FOLLOWUP_JOB,
        questionnaire=policies.FOLLOWUP_QUESTIONNAIRE,
        due_at=_due_at(check.due_on),
        assignee=project.engineer,
        assignee_role=Role.ENGINEER,
        channel="phone",
        reason=reason,
        actor=actor,
        at=at,
    )


def _withdraw_calls(checks, *, actor, at, reason: str) -> None:
    """The open calls of these checks are no longer needed: each is superseded with the reason on
    its own timeline (never silently dropped)."""
    from apps.followups.services import followups_supersede_for_source

    for check in checks:
        followups_supersede_for_source(source=check, actor=actor, at=at, reason=reason)


def _plan_checks(project: NewProject, *, actor, at) -> list[ProjectCheck]:
    """One check per month of the period: month n is due `started_on` + n months (clamped to the
    month's end: went live 31 Jan → checks due 28 Feb, 31 Mar, 30 Apr)."""
    checks = ProjectCheck.objects.bulk_create(
        ProjectCheck(project=project, month=n, due_on=add_months(project.started_on, n))
        for n in range(1, project.tracking_months + 1)
    )
    checks = list(project.checks.order_by("month"))  # with their ids on every database
    for check in checks:
        _schedule_call(check, project=project, actor=actor, at=at)
    return checks


# --- starting to track -----------------------------------------------------------------------------


def _create(
    *, actor, customer, name, started_on, engineer, item, instrument, sales, note, source, work_order, at
) -> NewProject:
    project = NewProject(
        customer=customer,
        name=name,
        item=item,
        instrument=instrument,
        engineer=engineer,
        sales=sales,
        region=_region_for(customer),
        started_on=started_on,
        tracking_months=policies.TRACKING_MONTHS,
        source=source,
        work_order=work_order,
        note=note,
        created_by=actor,
    )
    project.full_clean()
    project._history_user = actor
    project.save()
    with _in_default_language():
        if work_order is not None:
            text = _("Tracking started from work order %(number)s; checks due %(dates)s.")
        else:
            text = _("Tracking started; checks due %(dates)s.")
        dates = ", ".join(add_months(started_on, n).isoformat() for n in range(1, project.tracking_months + 1))
        _event(
            project,
            kind=EventKind.CREATED,
            actor=actor,
            at=at,
            text=text % {"number": getattr(work_order, "number", ""), "dates": dates},
        )
    _plan_checks(project, actor=actor, at=at)
    return project


@transaction.atomic
def project_create(
    *,
    actor,
    customer,
    name: str,
    started_on: dt.date,
    engineer=None,
    item=None,
    instrument=None,
    sales=None,
    note: str = "",
    at: dt.datetime | None = None,
) -> NewProject:
    """Staff enter a new project (a new customer's projects, or one started without a job)."""
    at = _now(at)
    _require(actor, "add")
    name = _clean_text(name, "name", _("Name the project (the test the laboratory started)."))
    if started_on is None:
        raise ValidationError({"started_on": _("Give the day the project went live.")})
    if started_on > timezone.localdate(at):
        raise ValidationError({"started_on": _("A project is tracked from the day it went live, not before.")})
    if engineer is None:
        engineer = actor if actor.role in ENGINEER_ROLES else customer.responsible_engineer
    _check_engineer(engineer)
    if sales is None:
        sales = customer.responsible_sales
    duplicate = NewProject.objects.filter(
        customer=customer, name__iexact=name, state=ProjectState.TRACKING, is_active=True
    ).first()
    if duplicate is not None:
        raise ValidationError(
            {
                "name": _("This project of this customer is already tracked (since %(day)s).")
                % {"day": duplicate.started_on.isoformat()}
            }
        )
    return _create(
        actor=actor,
        customer=customer,
        name=name,
        started_on=started_on,
        engineer=engineer,
        item=item,
        instrument=instrument,
        sales=sales,
        note=(note or "").strip(),
        source=Source.MANUAL,
        work_order=None,
        at=at,
    )


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        line = line.strip(" \t-·•:：;；,，.。")
        if line:
            return line if len(line) <= 128 else line[:127] + "…"
    return ""


def project_name_from_order(order) -> str:
    """The project a new-project job set up, as best the order says it: the engineer's note on
    the checklist line "instrument and project list confirmed", else the application's work
    content, else the problem description. Staff correct it on the project page."""
    from apps.workorders.models import ChecklistItem, ServiceApplication

    checklist_note = (
        ChecklistItem.objects.filter(work_order=order, code="project_list").values_list("note", flat=True).first()
    )
    work_content = ServiceApplication.objects.filter(work_order=order).values_list("work_content", flat=True).first()
    for text in (checklist_note, work_content, order.description):
        line = _first_line(text or "")
        if line:
            return line
    with _in_default_language():
        return _("New project of %(number)s") % {"number": order.number}


def _reagent_named(name: str):
    """The catalogue reagent the project name points at, when exactly one fits."""
    from apps.catalog.choices import ItemKind
    from apps.catalog.models import CatalogItem

    if not name or len(name) > 32:
        return None
    matches = list(CatalogItem.objects.filter(kind=ItemKind.REAGENT, is_active=True, name__icontains=name)[:2])
    return matches[0] if len(matches) == 1 else None


@transaction.atomic
def project_track_from_work_order(*, order, actor, at=None) -> NewProject | None:
    """SPEC FU-6: a completed new-project job (APP_NEW_PROJECT) starts tracking its project.

    Called by apps.workorders.aftercare for every completed job: a no-op for other types and for
    a job not solved on site, and idempotent (one project per order however often it runs)."""
    from apps.workorders.choices import Outcome, WorkType

    if order.work_type != WorkType.APP_NEW_PROJECT:
        return None
    if order.outcome == Outcome.UNSOLVED:
        # The project did not go live (escalated, WO-14): tracking starts with the job that
        # finally sets it up, else the survival rate would count a project that never ran.
        return None
    existing = NewProject.objects.filter(work_order=order).first()
    if existing is not None:
        return existing
    at = _now(at)
    customer = order.customer
    engineer = order.engineer or customer.responsible_engineer or actor
    name = project_name_from_order(order)
    # What has changed since the order was registered (a sales person's new role, an instrument
    # moved to another customer) is left out rather than stop the job's completion.
    sales = next((u for u in (customer.responsible_sales, order.sales) if u is not None and u.role == Role.SALES), None)
    instrument = order.instrument
    if instrument is not None and instrument.customer_id != customer.pk:
        instrument = None
    try:
        # A savepoint: a twin call that won the race leaves the caller's transaction intact.
        with transaction.atomic():
            return _create(
                actor=actor,
                customer=customer,
                name=name,
                started_on=timezone.localdate(order.completed_at or at),
                engineer=engineer,
                item=_reagent_named(name),
                instrument=instrument,
                sales=sales,
                note="",
                source=Source.WORK_ORDER,
                work_order=order,
                at=at,
            )
    except IntegrityError:
        return NewProject.objects.get(work_order=order)


@transaction.atomic
def project_withdraw_for_work_order(*, order, actor, at=None, reason: str = "") -> NewProject | None:
    """A remotely solved new-project job was reopened (apps.workorders.aftercare.on_reopened):
    the project it started is not live after all. While no check is recorded its tracking stops
    with the reason (out of the survival figures, its calls withdrawn) and it lets go of the order,
    so the job's real completion tracks the project anew from that day."""
    project = NewProject.objects.filter(work_order=order, state=ProjectState.TRACKING).first()
    if project is None:
        return None
    at = _now(at)
    project = _lock(project)
    if project.state != ProjectState.TRACKING or project.checks.filter(recorded_at__isnull=False).exists():
        return project  # checks were recorded: the project is real, staff stop it by hand if need be
    with _in_default_language():
        why = _("Work order %(number)s was reopened: %(reason)s") % {"number": order.number, "reason": reason}
    _move(project, ProjectState.STOPPED)
    project.ended_on = timezone.localdate(at)
    project.stop_reason = why[:255]
    project.work_order = None
    _save(project, actor=actor, fields=["state", "ended_on", "stop_reason", "work_order"], reason="order reopened")
    _event(project, kind=EventKind.STOPPED, actor=actor, at=at, text=why, data={"work_order": order.pk})
    _withdraw_calls(list(project.checks.filter(recorded_at__isnull=True)), actor=actor, at=at, reason=why)
    return project


# --- correcting and stopping ---------------------------------------------------------------------


@transaction.atomic
def project_update(*, project: NewProject, actor, data: dict, expected_version: int | None, at=None) -> NewProject:
    """Staff correct a project (the name taken from the order, the reagent, the engineer …).

    A new start day re-dates the checks (only while none is recorded); a new engineer takes over
    the open calls. Both only while the project is tracked."""
    at = _now(at)
    _require(actor, "change")
    if expected_version is None:
        raise ConflictError(_("This form is out of date; reload the page and apply your changes again."))
    project = _lock(project, expected_version)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"__all__": _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(unknown)}})
    before = {name: getattr(project, name) for name in data}
    changed = [name for name, value in data.items() if before[name] != value]
    if not changed:
        return project
    if "name" in changed:
        data["name"] = _clean_text(data["name"], "name", _("Name the project (the test the laboratory started)."))
    replan = {"started_on", "engineer"} & set(changed)
    if replan and project.state != ProjectState.TRACKING:
        raise ValidationError(
            {sorted(replan)[0]: _("The start day and the engineer only change while the project is tracked.")}
        )
    if "engineer" in changed:
        _check_engineer(data["engineer"])
    if "started_on" in changed:
        started_on = data["started_on"]
        if started_on is None:
            raise ValidationError({"started_on": _("Give the day the project went live.")})
        if started_on > timezone.localdate(at):
            raise ValidationError({"started_on": _("A project is tracked from the day it went live, not before.")})
        if project.checks.filter(recorded_at__isnull=False).exists():
            raise ValidationError({"started_on": _("Checks are already recorded; the start day can no longer move.")})
    for name in changed:
        setattr(project, name, data[name])
    project.full_clean()
    _save(project, actor=actor, fields=changed, reason="corrected")
    with _in_default_language():
        labels = ", ".join(str(NewProject._meta.get_field(name).verbose_name) for name in changed)
        _event(project, kind=EventKind.EDITED, actor=actor, at=at, text=_("Corrected: %(fields)s") % {"fields": labels})
        if replan:
            open_checks = list(project.checks.filter(recorded_at__isnull=True).order_by("month"))
            why = (
                _("The project's start day changed: the check is planned again.")
                if "started_on" in changed
                else _("%(engineer)s is now responsible for the project.") % {"engineer": project.engineer}
            )
            _withdraw_calls(open_checks, actor=actor, at=at, reason=why)
            for check in open_checks:
                if "started_on" in changed:
                    check.due_on = add_months(project.started_on, check.month)
                    check._history_user = actor
                    check.save(update_fields=["due_on"])
                _schedule_call(check, project=project, actor=actor, at=at)
    return project


@transaction.atomic
def project_stop(*, project: NewProject, actor, reason: str, expected_version: int | None = None, at=None):
    """End tracking early, with the reason (the hospital dropped the test, entered by mistake …).
    The open calls are withdrawn; the report counts the project only for the months before."""
    at = _now(at)
    _require(actor, "stop")
    reason = _clean_text(reason, "reason", _("Say why tracking stops."))[:255]
    project = _lock(project, expected_version)
    _move(project, ProjectState.STOPPED)
    project.ended_on = timezone.localdate(at)
    project.stop_reason = reason
    _save(project, actor=actor, fields=["state", "ended_on", "stop_reason"], reason="stopped")
    _event(project, kind=EventKind.STOPPED, actor=actor, at=at, text=reason)
    open_checks = list(project.checks.filter(recorded_at__isnull=True))
    with _in_default_language():
        why = _("Tracking of the new project stopped: %(reason)s") % {"reason": reason}
    _withdraw_calls(open_checks, actor=actor, at=at, reason=why)
    return project


# --- the monthly check -----------------------------------------------------------------------------


def _summary(check: ProjectCheck) -> str:
    if check.in_use:
        text = _("In use")
        if check.usage is not None:
            text += f" · {check.usage} {check.get_usage_unit_display()}"
    else:
        text = _("Not in use")
        if check.reason_kind:
            text += f" · {check.get_reason_kind_display()}"
        text += f": {check.reason}"
    if check.shipment is not None:
        text += " · " + _("shipped %(kits)s kits") % {"kits": check.shipment}
    return f"{check.get_method_display()} · {text}"


def _tell_sales(project: NewProject, check: ProjectCheck, *, actor, at) -> None:
    """[S0 3.(一)二.3] a project not in use goes to the customer's sales person at once, with the
    reason and the engineer's advice."""
    from apps.notifications.services import notify_users

    sales = project.sales or project.customer.responsible_sales
    with _in_default_language():
        if sales is None:
            _event(
                project,
                kind=EventKind.SALES_NOTIFIED,
                actor=actor,
                at=at,
                month=check.month,
                text=_("No sales person is named for this customer: nobody was informed."),
            )
            return
        subject = _("%(customer)s: the new project “%(project)s” is not in use (month %(month)s)") % {
            "customer": project.customer.name,
            "project": project.name,
            "month": check.month,
        }
        lines = [
            _("Reason: %(reason)s") % {"reason": check.reason},
            _("Checked by %(who)s (%(method)s) on %(day)s")
            % {
                "who": check.recorded_by or "—",
                "method": check.get_method_display(),
                "day": timezone.localdate(check.recorded_at).isoformat(),
            },
        ]
        if check.reason_kind:
            lines.insert(0, str(check.get_reason_kind_display()))
        if check.suggestion:
            lines.append(_("Advice: %(text)s") % {"text": check.suggestion})
        notify_users(
            event_key=f"survival:check:{check.pk}:not_in_use:{check.version}",
            users=[sales],
            subject=subject,
            body="\n".join(str(line) for line in lines),
            link=project.get_absolute_url(),
        )
        _event(
            project,
            kind=EventKind.SALES_NOTIFIED,
            actor=actor,
            at=at,
            month=check.month,
            text=_("%(sales)s informed: not in use.") % {"sales": sales},
        )
    check.sales_notified_at = at
    check.save(update_fields=["sales_notified_at"])


def _clean_check(*, method, in_use, usage, usage_unit, shipment, reason_kind, reason) -> dict:
    errors = {}
    if method not in CheckMethod.values:
        errors["method"] = _("Say how the check was made: phone, on site or shipments.")
    if in_use is None:
        errors["in_use"] = _("Say whether the project is in use.")
    if usage_unit not in UsageUnit.values:
        errors["usage_unit"] = _("Choose tests or kits.")
    for field, value in (("usage", usage), ("shipment", shipment)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            errors[field] = _("Enter a whole number of zero or more.")
        elif value is not None and value > MAX_COUNT:
            errors[field] = _("Enter a number of at most %(max)s.") % {"max": MAX_COUNT}
    if method == CheckMethod.SHIPMENT and shipment is None:
        errors["shipment"] = _("Enter the shipment volume the commerce department reported.")
    reason = (reason or "").strip()
    if in_use is False and not reason:
        # SPEC FU-6: a project not in use records the reason, which goes to sales.
        errors["reason"] = _("Say why the project is not in use; the sales person needs to know.")
    if reason_kind and reason_kind not in NotInUseReason.values:
        errors["reason_kind"] = _("Unknown kind of reason.")
    if errors:
        raise ValidationError(errors)
    return {"reason": reason if in_use is False else "", "reason_kind": reason_kind if in_use is False else ""}


def _record(
    *,
    project: NewProject,
    actor,
    month: int,
    method: str,
    in_use: bool | None,
    usage: int | None,
    usage_unit: str,
    shipment: int | None,
    reason_kind: str,
    reason: str,
    suggestion: str,
    note: str,
    expected_version: int | None,
    at: dt.datetime,
    from_call: bool,
) -> ProjectCheck:
    project = _lock(project)
    if project.state == ProjectState.STOPPED:
        raise ConflictError(_("Tracking of this project was stopped; no more checks are recorded."))
    try:
        check = ProjectCheck.objects.select_for_update().get(project=project, month=month)
    except (ProjectCheck.DoesNotExist, ValueError, TypeError):
        raise ValidationError(
            {"month": _("Choose a month from 1 to %(n)s.") % {"n": project.tracking_months}}
        ) from None
    if check.recorded and expected_version is None:
        raise ConflictError(
            _("The month %(month)s check is already recorded; open it and correct it instead.") % {"month": check.month}
        )
    if expected_version is not None and check.version != expected_version:
        raise ConflictError()
    if (
        not from_call
        and not check.recorded
        and check.due_on - dt.timedelta(days=CHECK_EARLY_DAYS) > timezone.localdate(at)
    ):
        raise ValidationError(
            {
                "month": _("The month %(month)s check is due on %(day)s; record it nearer that day.")
                % {"month": check.month, "day": check.due_on.isoformat()}
            }
        )
    cleaned = _clean_check(
        method=method,
        in_use=in_use,
        usage=usage,
        usage_unit=usage_unit,
        shipment=shipment,
        reason_kind=reason_kind,
        reason=reason,
    )
    first = not check.recorded
    was = (check.in_use, check.reason)
    check.method = method
    check.in_use = in_use
    check.usage = usage
    check.usage_unit = usage_unit
    check.shipment = shipment
    check.reason = cleaned["reason"]
    check.reason_kind = cleaned["reason_kind"]
    check.suggestion = (suggestion or "").strip()
    check.note = (note or "").strip()
    check.recorded_by = actor
    check.recorded_at = at
    _save(
        check,
        actor=actor,
        fields=[
            "method",
            "in_use",
            "usage",
            "usage_unit",
            "shipment",
            "reason",
            "reason_kind",
            "suggestion",
            "note",
            "recorded_by",
            "recorded_at",
        ],
        reason="recorded" if first else "corrected",
    )
    with _in_default_language():
        _event(
            project,
            kind=EventKind.CHECK_RECORDED if first else EventKind.CHECK_CHANGED,
            actor=actor,
            at=at,
            month=check.month,
            text=_("Month %(month)s: %(summary)s") % {"month": check.month, "summary": _summary(check)},
        )
    if in_use is False and (first or was[0] is not False or was[1] != check.reason):
        _tell_sales(project, check, actor=actor, at=at)
    if project.state in ENDED_STATES:
        _settle(project, actor=actor, at=at)
    if not from_call:
        with _in_default_language():
            why = _("The month %(month)s check was recorded on the project page by %(who)s.") % {
                "month": check.month,
                "who": actor,
            }
        _withdraw_calls([check], actor=actor, at=at, reason=why)
    return check


@transaction.atomic
def project_check_record(
    *,
    project: NewProject,
    actor,
    month: int,
    method: str,
    in_use: bool | None,
    usage: int | None = None,
    usage_unit: str = UsageUnit.TESTS,
    shipment: int | None = None,
    reason_kind: str = "",
    reason: str = "",
    suggestion: str = "",
    note: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> ProjectCheck:
    """SPEC FU-6: record the month-`month` check. One check a month: recording a month already
    recorded is a correction and must name the check's `expected_version` (else 409)."""
    _require(actor, "record")
    return _record(
        project=project,
        actor=actor,
        month=month,
        method=method,
        in_use=in_use,
        usage=usage,
        usage_unit=usage_unit or UsageUnit.TESTS,
        shipment=shipment,
        reason_kind=reason_kind or "",
        reason=reason,
        suggestion=suggestion,
        note=note,
        expected_version=expected_version,
        at=_now(at),
        from_call=False,
    )


def _answer_number(value):
    if value in (None, ""):
        return None
    try:
        return int(float(str(value).replace(",", "")))
    except ValueError:
        return None


@transaction.atomic
def project_check_recorded(*, followup, answers: dict, actor, at=None) -> ProjectCheck | None:
    """The engineer answered the month's call on his call list (apps.followups, questionnaire
    "new_project"): the answers become the month's check. A month already recorded on the project
    page is corrected by the newer answer."""
    check = followup.source
    if not isinstance(check, ProjectCheck):
        return None
    project = check.project
    if project.state == ProjectState.STOPPED:
        return None
    answers = answers or {}
    in_use = answers.get("in_use")
    if isinstance(in_use, str):
        in_use = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}.get(in_use.lower())
    method = answers.get("method") or (CheckMethod.ON_SITE if followup.channel == "visit" else CheckMethod.PHONE)
    note = "\n".join(part for part in (getattr(followup, "record", ""), getattr(followup, "remarks", "")) if part)
    try:
        return _record(
            project=project,
            actor=actor,
            month=check.month,
            method=method,
            in_use=in_use,
            usage=_answer_number(answers.get("monthly_usage", answers.get("usage"))),
            usage_unit=answers.get("usage_unit") or UsageUnit.TESTS,
            shipment=_answer_number(answers.get("shipment")),
            reason_kind=answers.get("reason_kind") or "",
            reason=answers.get("reason_not_in_use") or answers.get("reason") or "",
            suggestion=answers.get("suggestion") or "",
            note=note,
            expected_version=check.version if check.recorded else None,
            at=_now(at),
            from_call=True,
        )
    except ValidationError as error:
        # The call's form knows the questions by their codes: name them so.
        if hasattr(error, "error_dict"):
            codes = {"reason": "reason_not_in_use", "usage": "monthly_usage"}
            raise ValidationError({codes.get(k, k): v for k, v in error.error_dict.items()}) from None
        raise


# --- the end of the period and the monthly report -----------------------------------------------


def _settle(project: NewProject, *, actor, at) -> None:
    """An ended project's state follows its latest recorded check (a late check may turn it)."""
    from apps.survival.selectors import latest_recorded_check

    latest = latest_recorded_check(project)
    wanted = ProjectState.IN_USE if latest is not None and latest.in_use else ProjectState.NOT_IN_USE
    if project.state == wanted:
        return
    before = project.get_state_display()
    _move(project, wanted)
    _save(project, actor=actor, fields=["state"], reason="latest check")
    with _in_default_language():
        _event(
            project,
            kind=EventKind.STATE,
            actor=actor,
            at=at,
            text=_("%(before)s → %(after)s after the month %(month)s check.")
            % {"before": before, "after": project.get_state_display(), "month": latest.month if latest else "—"},
        )


@transaction.atomic
def project_end(*, project: NewProject, actor=None, at=None) -> NewProject:
    """The tracking period is over: survived when the latest check found the project in use,
    lost otherwise (also when no check was recorded at all)."""
    from apps.survival.selectors import latest_recorded_check

    at = _now(at)
    project = _lock(project)
    if project.state != ProjectState.TRACKING:
        return project
    latest = latest_recorded_check(project)
    _move(project, ProjectState.IN_USE if latest is not None and latest.in_use else ProjectState.NOT_IN_USE)
    project.ended_on = project.ends_on
    _save(project, actor=actor, fields=["state", "ended_on"], reason="period over")
    with _in_default_language():
        if latest is None:
            text = _("%(state)s: no check was recorded in the tracking period.")
        else:
            text = _("%(state)s, from the month %(month)s check.")
        _event(
            project,
            kind=EventKind.ENDED,
            actor=actor,
            at=at,
            text=text % {"state": project.get_state_display(), "month": getattr(latest, "month", "")},
        )
    return project


def project_end_due(*, today: dt.date | None = None, actor=None) -> int:
    """The monthly run: every tracked project whose period ended before `today` ends."""
    today = today or timezone.localdate()
    candidates = NewProject.objects.filter(state=ProjectState.TRACKING, started_on__lte=add_months(today, -1)).only(
        "pk", "started_on", "tracking_months"
    )
    count = 0
    for project in candidates:
        if project.ends_on < today:
            project_end(project=project, actor=actor, at=timezone.now())
            count += 1
    return count


@transaction.atomic
def survival_summary_send(*, month: dt.date, at=None) -> list:
    """[S0 3.(一)二.1] 关注结果每月汇报至营销中心群: the month's survival figures — overall, per
    region and per engineer, and each project not in use with its reason — to the marketing-centre
    head(s) and, when configured, the marketing centre's group robot. Sent once a month."""
    from apps.accounts.models import User
    from apps.notifications.models import WebhookEndpoint
    from apps.notifications.services import notify_users, notify_webhooks
    from apps.survival.selectors import survival_report

    month = month.replace(day=1)
    report = survival_report(projects=NewProject.objects.all(), month=month)
    if not report.overall.tracked:
        return []  # nothing was tracked that month: no empty report
    with _in_default_language():
        subject, body = summary_text(report)
        link = f"{_report_path()}?month={month:%Y-%m}"
        key = f"survival:summary:{month:%Y-%m}"
        heads = User.objects.filter(role=Role.MARKETING_HEAD, is_active=True)
        messages = notify_users(event_key=key, users=heads, subject=subject, body=body, link=link)
        if policies.SUMMARY_WEBHOOK_NAME:
            robots = WebhookEndpoint.objects.filter(name=policies.SUMMARY_WEBHOOK_NAME, is_active=True)
            messages += notify_webhooks(event_key=key, subject=subject, body=body, link=link, endpoints=robots)
    return messages


def _report_path() -> str:
    from django.urls import reverse

    return reverse("survival:report")


def summary_text(report) -> tuple[str, str]:
    """Subject and body of the monthly message (in the language active when called)."""
    overall = report.overall
    subject = _("New-project survival %(month)s: %(in_use)s of %(tracked)s in use (%(rate)s)") % {
        "month": f"{report.month:%Y-%m}",
        "in_use": overall.in_use,
        "tracked": overall.tracked,
        "rate": overall.percent,
    }
    lines = [subject, ""]
    if report.regions:
        lines.append(_("By region:"))
        lines += [f"- {row.label}: {row.in_use}/{row.tracked} ({row.percent})" for row in report.regions]
    if report.engineers:
        lines.append(_("By engineer:"))
        lines += [f"- {row.label}: {row.in_use}/{row.tracked} ({row.percent})" for row in report.engineers]
    if report.lost:
        lines.append(_("Not in use:"))
        for item in report.lost[: policies.SUMMARY_MAX_LOST_LISTED]:
            lines.append(f"- {item.customer} · {item.project} ({item.engineer}): {item.reason}")
        hidden = len(report.lost) - policies.SUMMARY_MAX_LOST_LISTED
        if hidden > 0:
            lines.append(_("… and %(n)s more on the report page.") % {"n": hidden})
    if overall.unchecked:
        lines.append(
            ngettext(
                "%(n)s project has no check recorded yet.",
                "%(n)s projects have no check recorded yet.",
                overall.unchecked,
            )
            % {"n": overall.unchecked}
        )
    return subject, "\n".join(str(line) for line in lines)
