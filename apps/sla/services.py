"""Writes of the SLA app (SPEC §3): the business calendar and its time limits (audited and
version-checked, apps.core.services), and the generic SLA clocks any subject runs.

Calendars: the calendars' own rules (working periods in order, one active entry per date and
calendar) are model invariants, checked by every write here. The rule across rows — exactly one
calendar is the default, and it stays active — lives here.

Clocks: a subject app (work orders now, complaints later) calls clock_start / clock_pause /
clock_resume / clock_stop / clock_replan (or the clocks_* conveniences for all clocks of a
subject) inside the transaction of its own event. Each one locks the clock row, and recomputes
the deadline with apps.sla.calendar.deadline_with_pauses over the clock's calendar and all its
pauses, so paused time is never lost. A move the clock's state does not allow raises
ClockStateError (a ConflictError: HTTP 409, a message on the page); bad input raises
ValidationError. check_clocks() is the periodic scan that warns and escalates (SLA-5).
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ConflictError
from apps.core.services import record_create, record_set_active, record_update
from apps.sla import calendar as cal
from apps.sla import policies
from apps.sla.choices import OPEN_CLOCK_STATES, ClockState, PauseKind
from apps.sla.durations import format_duration
from apps.sla.models import BusinessCalendar, DayOverride, SlaClock, SlaPause, SlaPolicy

logger = logging.getLogger(__name__)


def _take_over_default(*, actor, new_default: BusinessCalendar | None) -> None:
    """Unset the current default (audited) so that `new_default` can become the only one."""
    current = (
        BusinessCalendar.objects.select_for_update()
        .filter(is_default=True)
        .exclude(pk=getattr(new_default, "pk", None))
        .first()
    )
    if current is not None:
        current._change_reason = _("Another calendar was made the default.")
        current.is_default = False
        current.version += 1
        current._history_user = actor
        current.save(update_fields=["is_default", "version", "updated_at"])


@transaction.atomic
def calendar_create(*, actor, data, m2m=None) -> BusinessCalendar:
    data = dict(data)
    if data.get("is_default"):
        if data.get("is_active", True) is False:
            raise ValidationError({"is_default": _("An inactive calendar cannot be the default.")})
        _take_over_default(actor=actor, new_default=None)
    elif not BusinessCalendar.objects.filter(is_default=True).exists():
        # SPEC SLA-5: a clock without a named calendar needs one; the first calendar is it.
        data["is_default"] = True
    return record_create(model=BusinessCalendar, actor=actor, data=data, m2m=m2m)


@transaction.atomic
def calendar_update(*, actor, instance: BusinessCalendar, data, expected_version, m2m=None) -> BusinessCalendar:
    data = dict(data)
    locked = BusinessCalendar.objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()  # before the default moves, so a stale edit changes nothing
    if "is_default" in data:
        if locked.is_default and not data["is_default"]:
            raise ValidationError(
                {"is_default": _("There must always be a default calendar: make another one the default instead.")}
            )
        if data["is_default"] and not locked.is_default:
            if not locked.is_active:
                raise ValidationError({"is_default": _("An inactive calendar cannot be the default.")})
            _take_over_default(actor=actor, new_default=locked)
    return record_update(instance=locked, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


@transaction.atomic
def calendar_set_active(
    *, actor, instance: BusinessCalendar, active: bool, reason: str = "", expected_version: int | None = None
) -> BusinessCalendar:
    if not active and BusinessCalendar.objects.filter(pk=instance.pk, is_default=True).exists():
        raise ValidationError(_("The default calendar cannot be deactivated; make another calendar the default first."))
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )


def override_create(*, actor, data, m2m=None) -> DayOverride:
    return record_create(model=DayOverride, actor=actor, data=data, m2m=m2m)


def override_update(*, actor, instance: DayOverride, data, expected_version, m2m=None) -> DayOverride:
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


def override_set_active(
    *, actor, instance: DayOverride, active: bool, reason: str = "", expected_version: int | None = None
) -> DayOverride:
    # Reactivating a date that meanwhile got another active entry is refused by DayOverride.clean().
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )


# --- time limits (SlaPolicy) -----------------------------------------------------------------
# New time limits come with the code that starts their clocks (a migration); the page only
# tunes the numbers of existing ones and switches them off.


def policy_update(*, actor, instance: SlaPolicy, data, expected_version, m2m=None) -> SlaPolicy:
    """Running clocks keep the duration they started with (re-plan them to apply a new one)."""
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


def policy_set_active(
    *, actor, instance: SlaPolicy, active: bool, reason: str = "", expected_version: int | None = None
) -> SlaPolicy:
    """An inactive time limit starts no new clocks; the running ones run to their end."""
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )


# --- clocks ----------------------------------------------------------------------------------


class ClockStateError(ConflictError):
    """The clock cannot make this move in its present state (already paused, stopped …)."""


def _subject_key(subject) -> tuple[ContentType, int]:
    if subject is None or getattr(subject, "pk", None) is None:
        raise ValueError("An SLA clock needs a saved subject.")
    return ContentType.objects.get_for_model(subject), subject.pk


def _require_aware(value, field: str) -> None:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ValidationError({field: _("Give a date and time with a time zone.")})


def _require_not_before(value: dt.datetime, earliest: dt.datetime | None, field: str) -> None:
    if earliest is not None and value < earliest:
        raise ValidationError(
            {
                field: _("This time is before %(earliest)s, which the clock has already recorded.")
                % {"earliest": f"{timezone.localtime(earliest):%Y-%m-%d %H:%M}"}
            }
        )


def _resolve_calendar(policy: SlaPolicy) -> BusinessCalendar:
    """The policy's calendar, or the default one (also when the policy's was deactivated)."""
    from apps.sla.selectors import default_calendar

    if policy.calendar is not None:
        if policy.calendar.is_active:
            return policy.calendar
        logger.warning("SLA policy %s names inactive calendar %s; using the default", policy.code, policy.calendar)
    return default_calendar()


def _plan(clock: SlaClock, pauses: Sequence[SlaPause]) -> None:
    """Set due_at and warn_at from the clock's start, duration, calendar and every pause."""
    pairs = [(p.started_at, p.ended_at) for p in pauses]
    overrides = cal.overrides_for(clock.calendar)
    try:
        clock.due_at = cal.deadline_with_pauses(
            calendar=clock.calendar,
            start=clock.started_at,
            duration=clock.duration,
            pauses=pairs,
            overrides=overrides,
        )
        if cal.ZERO < clock.warn_before < clock.duration:
            clock.warn_at = cal.deadline_with_pauses(
                calendar=clock.calendar,
                start=clock.started_at,
                duration=clock.duration - clock.warn_before,
                pauses=pairs,
                overrides=overrides,
            )
        else:
            clock.warn_at = None
    except cal.CalendarError as error:
        raise ValidationError(str(error)) from error


def _time_left(clock: SlaClock, pauses: Sequence[SlaPause], at: dt.datetime) -> dt.timedelta:
    """Business time the clock still had at `at` (negative: overdue by that much)."""
    used = cal.business_time_running(
        calendar=clock.calendar, start=clock.started_at, end=at, pauses=[(p.started_at, p.ended_at) for p in pauses]
    )
    return clock.duration - used


def _save(clock: SlaClock, *, actor, reason: str = "") -> None:
    clock._history_user = actor
    if reason:
        clock._change_reason = reason[:100]
    clock.save()


def _lock(clock: SlaClock) -> SlaClock:
    return SlaClock.objects.select_for_update(of=("self",)).select_related("policy", "calendar").get(pk=clock.pk)


def _open_pause(clock: SlaClock, pauses: Sequence[SlaPause]) -> SlaPause | None:
    return next((p for p in pauses if p.ended_at is None), None)


def _latest_recorded(clock: SlaClock, pauses: Sequence[SlaPause]) -> dt.datetime:
    moments = [clock.started_at, *(p.started_at for p in pauses), *(p.ended_at for p in pauses if p.ended_at)]
    return max(moments)


@transaction.atomic
def clock_start(
    *,
    subject,
    policy_code: str,
    started_at: dt.datetime,
    owner=None,
    region=None,
    actor,
    note: str = "",
) -> SlaClock | None:
    """Start the clock of time limit `policy_code` for `subject` (any saved model instance).

    Idempotent: while a clock of this policy is open (running or paused) for the subject, that
    clock is returned unchanged. After it has stopped, a new start makes a new clock. An inactive
    policy starts nothing and returns None; an unknown code raises SlaPolicy.DoesNotExist.
    The duration and the warning time are copied from the policy; the calendar is resolved now.
    """
    policy = SlaPolicy.objects.select_related("calendar").get(code=policy_code)
    if not policy.is_active:
        return None
    content_type, object_id = _subject_key(subject)
    mine = SlaClock.objects.filter(
        content_type=content_type, object_id=object_id, policy=policy, state__in=OPEN_CLOCK_STATES
    )
    existing = mine.select_for_update(of=("self",)).first()
    if existing is not None:
        return existing
    _require_aware(started_at, "started_at")
    clock = SlaClock(
        content_type=content_type,
        object_id=object_id,
        policy=policy,
        calendar=_resolve_calendar(policy),
        started_at=started_at,
        duration=policy.duration,
        warn_before=policy.warn_before,
        owner=owner,
        region=region,
        note=note,
        started_by=actor,
    )
    _plan(clock, [])
    try:
        with transaction.atomic():  # a savepoint: losing the race to a twin start is not an error
            _save(clock, actor=actor)
    except IntegrityError:
        return mine.get()
    return clock


def _pause(locked: SlaClock, *, at: dt.datetime, reason: str, kind: str, actor) -> SlaClock:
    if locked.state == ClockState.PAUSED:
        raise ClockStateError(
            _("This clock is already paused (since %(since)s: %(reason)s); resume it first.")
            % {"since": f"{timezone.localtime(locked.paused_since):%Y-%m-%d %H:%M}", "reason": locked.pause_reason}
        )
    if not locked.is_open:
        raise ClockStateError(_("This clock has stopped; a stopped clock cannot be paused."))
    pauses = list(locked.pauses.all())
    _require_not_before(at, _latest_recorded(locked, pauses), "at")
    left = _time_left(locked, pauses, at)
    pause = SlaPause.objects.create(clock=locked, started_at=at, kind=kind, reason=reason, started_by=actor)
    pauses.append(pause)
    locked.state = ClockState.PAUSED
    locked.paused_since = at
    locked.pause_reason = reason
    locked.left_when_paused = left
    _plan(locked, pauses)
    _save(locked, actor=actor, reason=reason)
    return locked


def _clean_pause_input(reason: str, kind: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Say why the clock is paused.")})
    limit = SlaPause._meta.get_field("reason").max_length
    if len(reason) > limit:
        raise ValidationError({"reason": _("Keep the reason within %(limit)s characters.") % {"limit": limit}})
    if kind not in PauseKind.values:
        raise ValidationError({"kind": _("Choose why the clock waits: for the customer, for parts, or other.")})
    return reason


@transaction.atomic
def clock_pause(*, clock: SlaClock, at: dt.datetime, reason: str, kind: str = PauseKind.OTHER, actor) -> SlaClock:
    """Stop the clock while waiting for the customer or for parts, with the reason (SPEC SLA-5).

    The deadline is unknown (None) until the clock resumes — unless it had already run out
    before the pause: a pause cannot undo a breach. Returns the updated clock.
    """
    reason = _clean_pause_input(reason, kind)
    _require_aware(at, "at")
    return _pause(_lock(clock), at=at, reason=reason, kind=kind, actor=actor)


def _close_pause(locked: SlaClock, pauses: list[SlaPause], *, at: dt.datetime, actor) -> None:
    pause = _open_pause(locked, pauses)
    if pause is None:
        return
    _require_not_before(at, pause.started_at, "at")
    pause.ended_at = at
    pause.ended_by = actor
    pause.save(update_fields=["ended_at", "ended_by"])
    locked.paused_since = None
    locked.pause_reason = ""
    locked.left_when_paused = None


def _resume(locked: SlaClock, *, at: dt.datetime, actor) -> SlaClock:
    if locked.state == ClockState.RUNNING:
        raise ClockStateError(_("This clock is running; only a paused clock can be resumed."))
    if not locked.is_open:
        raise ClockStateError(_("This clock has stopped; a stopped clock cannot be resumed."))
    pauses = list(locked.pauses.all())
    _require_not_before(at, _latest_recorded(locked, pauses), "at")
    _close_pause(locked, pauses, at=at, actor=actor)
    locked.state = ClockState.RUNNING
    _plan(locked, pauses)
    _save(locked, actor=actor)
    return locked


@transaction.atomic
def clock_resume(*, clock: SlaClock, at: dt.datetime, actor) -> SlaClock:
    """Let a paused clock run again; the deadline moves out by exactly the business time paused."""
    _require_aware(at, "at")
    return _resume(_lock(clock), at=at, actor=actor)


def _require_open(locked: SlaClock) -> None:
    if locked.state == ClockState.STOPPED:
        raise ClockStateError(_("This clock has already stopped."))
    if locked.state == ClockState.CANCELLED:
        raise ClockStateError(_("This clock was cancelled."))


def _stop(locked: SlaClock, *, at: dt.datetime, actor) -> SlaClock:
    _require_open(locked)
    pauses = list(locked.pauses.all())
    _require_not_before(at, _latest_recorded(locked, pauses), "at")
    _close_pause(locked, pauses, at=at, actor=actor)
    _plan(locked, pauses)
    locked.state = ClockState.STOPPED
    locked.stopped_at = at
    locked.stopped_by = actor
    locked.met = at <= locked.due_at
    if not locked.met and locked.breached_at is None:
        locked.breached_at = locked.due_at  # stopped late before the scan noticed: no escalation now
    _save(locked, actor=actor)
    return locked


@transaction.atomic
def clock_stop(*, clock: SlaClock, at: dt.datetime, actor) -> SlaClock:
    """The awaited thing happened at `at`: stop the clock and record whether it was in time
    (`met`; a stop exactly at the deadline is in time). A paused clock is resumed at `at` first."""
    _require_aware(at, "at")
    return _stop(_lock(clock), at=at, actor=actor)


@transaction.atomic
def clock_replan(
    *,
    clock: SlaClock,
    started_at: dt.datetime | None = None,
    duration: dt.timedelta | None = None,
    actor,
    reason: str = "",
) -> SlaClock:
    """Move the start and/or change the duration of an open clock (e.g. the technical head
    grants a longer time limit, or the policy changed and should apply). Paused time is never
    lost: the deadline is recomputed over every pause. A re-planned clock whose new warning or
    deadline lies ahead may warn and escalate again (under a new event key)."""
    locked = _lock(clock)
    if not locked.is_open:
        raise ClockStateError(_("This clock has stopped; a stopped clock cannot be re-planned."))
    if started_at is not None:
        _require_aware(started_at, "started_at")
        locked.started_at = started_at
    if duration is not None:
        if duration <= cal.ZERO or duration > cal.MAX_DURATION:
            raise ValidationError({"duration": _("A time limit must be longer than zero and at most ten years.")})
        locked.duration = duration
    pauses = list(locked.pauses.all())
    _plan(locked, pauses)
    if locked.state == ClockState.PAUSED:
        open_pause = _open_pause(locked, pauses)
        closed = [p for p in pauses if p is not open_pause]
        locked.left_when_paused = _time_left(locked, closed, open_pause.started_at)
    now = timezone.now()
    locked.plan += 1
    if locked.due_at is None or locked.due_at > now:
        locked.breached_at = None
        locked.escalated_at = None
    if locked.warn_at is None or locked.warn_at > now:
        locked.warned_at = None
    _save(locked, actor=actor, reason=reason)
    return locked


# --- all clocks of one subject ---------------------------------------------------------------


def _open_clocks(subject, policy_codes: Iterable[str] | None = None) -> list[SlaClock]:
    content_type, object_id = _subject_key(subject)
    clocks = (
        SlaClock.objects.select_for_update(of=("self",))
        .select_related("policy", "calendar")
        .filter(content_type=content_type, object_id=object_id, state__in=OPEN_CLOCK_STATES)
    )
    if policy_codes is not None:
        clocks = clocks.filter(policy__code__in=list(policy_codes))
    return list(clocks.order_by("id"))


@transaction.atomic
def clocks_pause_all(*, subject, at: dt.datetime, reason: str, kind: str = PauseKind.OTHER, actor) -> list[SlaClock]:
    """Pause every running clock of the subject (those already paused stay as they are)."""
    reason = _clean_pause_input(reason, kind)
    _require_aware(at, "at")
    return [
        _pause(clock, at=at, reason=reason, kind=kind, actor=actor)
        for clock in _open_clocks(subject)
        if clock.state == ClockState.RUNNING
    ]


@transaction.atomic
def clocks_resume_all(*, subject, at: dt.datetime, actor) -> list[SlaClock]:
    """Resume every paused clock of the subject."""
    _require_aware(at, "at")
    return [_resume(clock, at=at, actor=actor) for clock in _open_clocks(subject) if clock.state == ClockState.PAUSED]


@transaction.atomic
def clocks_stop(*, subject, policy_codes: Iterable[str] | None, at: dt.datetime, actor) -> list[SlaClock]:
    """Stop the subject's open clocks of these policies (None: all of them, e.g. on cancel).
    Policies without an open clock are skipped: stopping what never started is no error."""
    _require_aware(at, "at")
    return [_stop(clock, at=at, actor=actor) for clock in _open_clocks(subject, policy_codes)]


def _cancel(locked: SlaClock, *, at: dt.datetime, actor, reason: str) -> SlaClock:
    _require_open(locked)
    pauses = list(locked.pauses.all())
    _require_not_before(at, _latest_recorded(locked, pauses), "at")
    _close_pause(locked, pauses, at=at, actor=actor)
    _plan(locked, pauses)
    locked.state = ClockState.CANCELLED
    locked.stopped_at = at
    locked.stopped_by = actor
    _save(locked, actor=actor, reason=reason)
    return locked


@transaction.atomic
def clocks_cancel(
    *, subject, at: dt.datetime, actor, reason: str = "", policy_codes: Iterable[str] | None = None
) -> list[SlaClock]:
    """The subject no longer needs its clocks (request cancelled, rejected, solved by phone): they
    end without a verdict — neither met nor late — and are never warned or escalated again."""
    _require_aware(at, "at")
    return [_cancel(clock, at=at, actor=actor, reason=reason) for clock in _open_clocks(subject, policy_codes)]


@transaction.atomic
def clocks_set_owner(*, subject, owner, actor, policy_codes: Iterable[str] | None = None) -> list[SlaClock]:
    """Hand the subject's open clocks to another responsible person (e.g. a re-dispatch)."""
    changed = []
    for clock in _open_clocks(subject, policy_codes):
        if clock.owner_id != getattr(owner, "pk", None):
            clock.owner = owner
            _save(clock, actor=actor)
            changed.append(clock)
    return changed


# --- the periodic scan (SPEC SLA-5: breaches and near-breaches escalate) ---------------------


def event_key(clock: SlaClock, kind: str) -> str:
    """The outbox event key: slaclock:42:warn, slaclock:42:breach; after a re-plan
    slaclock:42:plan2:breach (a new plan may warn and escalate again)."""
    if clock.plan <= 1:
        return f"slaclock:{clock.pk}:{kind}"
    return f"slaclock:{clock.pk}:plan{clock.plan}:{kind}"


def _covers(user, region_ids: set[int]) -> bool:
    mine = {r.pk for r in user.regions.all()} | {r.pk for r in user.managed_regions.all()}
    return bool(mine & region_ids)


def escalation_recipients(clock: SlaClock, people: Sequence) -> list:
    """Active people of the policy's escalation role who cover the clock's region (the region
    itself, or its province); when nobody of the role covers it, or the clock has no region,
    everyone of the role. Region-bound roles (apps.core.access.REGION_SCOPED) always cover a
    region this way; a supervisor or head given regions on his staff page covers those."""
    role = clock.policy.escalate_role
    of_role = [person for person in people if person.role == role and person.is_active]
    if clock.region_id is None:
        return of_role
    wanted = {clock.region_id, clock.region.parent_id} - {None}
    local = [person for person in of_role if _covers(person, wanted)]
    return local or of_role


def _subject_text(clock: SlaClock) -> tuple[str, str]:
    subject = clock.subject
    if subject is None:
        return f"{clock.content_type.name} #{clock.object_id}", ""
    link = ""
    if hasattr(subject, "get_absolute_url"):
        try:
            link = subject.get_absolute_url()
        except NoReverseMatch:
            link = ""
    return str(subject), link


def _local(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _message(clock: SlaClock, *, kind: str, now: dt.datetime, overrides) -> tuple[str, str, str]:
    subject_text, link = _subject_text(clock)
    names = {"policy": clock.policy.label, "subject": subject_text, "due": _local(clock.due_at)}
    if kind == "warn":
        left = cal.business_time_between(calendar=clock.calendar, start=now, end=clock.due_at, overrides=overrides)
        title = _("Due soon: %(policy)s — %(subject)s") % names
        lines = [
            _("%(policy)s for %(subject)s is due at %(due)s (%(left)s left).")
            % {**names, "left": format_duration(left)}
        ]
    else:
        title = _("Overdue: %(policy)s — %(subject)s") % names
        lines = [_("%(policy)s for %(subject)s was due at %(due)s and is not done.") % names]
    lines.append(_("Responsible: %(owner)s") % {"owner": clock.owner or _("nobody named")})
    if clock.region_id:
        lines.append(_("Region: %(region)s") % {"region": clock.region})
    if clock.note:
        lines.append(clock.note)
    return title, "\n".join(lines), link


def check_clocks(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic scan (every minute, apps.sla.tasks): open clocks past their deadline are
    marked breached and escalated to the responsible person and to the policy's escalation
    role; clocks with little time left warn the responsible person (or, with nobody named,
    the escalation role). Each clock is claimed with an atomic UPDATE … WHERE … IS NULL and
    notified in the same transaction, so two scans never send twice (and the outbox's event
    keys would refuse a repeat anyway). Returns {"warned": n, "breached": m}.
    """
    from apps.accounts.models import User
    from apps.notifications.services import notify_users

    now = now or timezone.now()
    batch = policies.CHECK_BATCH_SIZE
    base = (
        SlaClock.objects.filter(state__in=OPEN_CLOCK_STATES)
        .select_related("policy", "calendar", "owner", "region__parent", "content_type")
        .prefetch_related("subject")
    )
    breaching = list(base.filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at", "id")[:batch])
    warning = list(
        base.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now).order_by("warn_at", "id")[:batch]
    )
    roles = {clock.policy.escalate_role for clock in breaching}
    roles |= {clock.policy.escalate_role for clock in warning if clock.owner_id is None}
    people = (
        list(User.objects.filter(role__in=roles, is_active=True).prefetch_related("regions", "managed_regions"))
        if roles
        else []
    )
    overrides: dict[int, cal.OverrideMap] = {}
    counts = {"warned": 0, "breached": 0}

    def breach(clock: SlaClock) -> bool:
        claimed = SlaClock.objects.filter(
            pk=clock.pk, state__in=OPEN_CLOCK_STATES, breached_at__isnull=True, due_at=clock.due_at, plan=clock.plan
        ).update(breached_at=clock.due_at, escalated_at=now)
        if not claimed:
            return False
        title, body, link = _message(clock, kind="breach", now=now, overrides=None)
        recipients = [clock.owner, *escalation_recipients(clock, people)]
        notify_users(event_key=event_key(clock, "breach"), users=recipients, subject=title, body=body, link=link)
        return True

    def warn(clock: SlaClock) -> bool:
        claimed = SlaClock.objects.filter(
            pk=clock.pk, state__in=OPEN_CLOCK_STATES, warned_at__isnull=True, warn_at=clock.warn_at, plan=clock.plan
        ).update(warned_at=now)
        if not claimed:
            return False
        calendar_overrides = overrides.setdefault(clock.calendar_id, cal.overrides_for(clock.calendar))
        title, body, link = _message(clock, kind="warn", now=now, overrides=calendar_overrides)
        recipients = [clock.owner] if clock.owner_id else escalation_recipients(clock, people)
        notify_users(event_key=event_key(clock, "warn"), users=recipients, subject=title, body=body, link=link)
        return True

    for key, action, clocks in (("breached", breach, breaching), ("warned", warn, warning)):
        for clock in clocks:
            try:
                # The claim and its messages commit together: a failure leaves the clock for the next scan.
                with transaction.atomic():
                    if action(clock):
                        counts[key] += 1
            except Exception:  # one broken subject must not stop the scan of the others
                logger.exception("SLA scan: clock %s failed", clock.pk)

    if any(counts.values()):
        logger.info("SLA scan: %s", counts)
    return counts
