"""Every write of the VIP programme (SPEC FU-5): one transaction, the row locked, the version
checked and bumped, the field history written with the actor, a timeline event a user reads,
notifications queued inside the same transaction (sent by the worker after commit).

The work-order side of a VIP visit goes through apps.workorders.services (the announcement
registers a VIP_VISIT order; completing that order calls `vip_visit_completed`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.services import record_create, record_set_active, record_update
from apps.customers.choices import CustomerTier
from apps.customers.services import record_at_customer_create, record_at_customer_update
from apps.vip import policies, selectors
from apps.vip.choices import OPEN_VISIT_STATES, VISIT_TRANSITIONS, EventKind, RetierChange, VisitState
from apps.vip.models import PurchaseVolume, VipEvent, VipMembership, VipTier, VipVisit

# --- helpers ---------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _in_default_language():
    return translation.override(settings.LANGUAGE_CODE)


def _money(amount) -> str:
    return f"{Decimal(amount):,.2f}"


def _event(membership, *, kind, actor, at, text="", visit=None, data=None) -> VipEvent:
    return VipEvent.objects.create(
        membership=membership, visit=visit, kind=kind, actor=actor, at=at, text=text, data=data or {}
    )


def _save(instance, *, actor, fields, reason: str = "") -> None:
    """Save the named fields with the version bumped and the history row by `actor`."""
    instance.version += 1
    instance._history_user = actor
    if reason:
        instance._change_reason = reason[:100]
    extra = ["updated_at"] if hasattr(instance, "updated_at") else []
    instance.save(update_fields=[*fields, "version", *extra])


def _lock_member(membership, expected_version: int | None = None) -> VipMembership:
    locked = (
        VipMembership.objects.select_for_update(of=("self",))
        .select_related("customer", "tier", "engineer")
        .get(pk=membership.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _lock_visit(visit, expected_version: int | None = None) -> VipVisit:
    locked = (
        VipVisit.objects.select_for_update(of=("self",))
        .select_related("membership__customer", "membership__tier", "engineer", "work_order")
        .get(pk=visit.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _notify(key: str, users, subject: str, body: str = "", link: str = "") -> None:
    from apps.notifications.services import notify_users

    notify_users(
        event_key=f"vip:{key}",
        users=[u for u in users if u is not None],
        subject=subject,
        body=body or subject,
        link=link,
    )


def _tech_heads():
    from apps.accounts.models import User

    return list(User.objects.filter(role=Role.TECH_HEAD, is_active=True))


def _require_role(actor, resource: str, action: str) -> None:
    if not can(actor, resource, action):
        raise PermissionDenied(_("Your role may not do this."))


# --- dates: the cycle and the planned day ----------------------------------------------------


def next_due(membership: VipMembership) -> dt.date:
    """SPEC FU-5 3: the next visit falls a cycle after the last one. A member never visited (or
    back after a long break) is first visited within FIRST_VISIT_WITHIN_DAYS of joining."""
    cycle = dt.timedelta(days=membership.visit_cycle_days)
    first = membership.since + dt.timedelta(days=min(membership.visit_cycle_days, policies.FIRST_VISIT_WITHIN_DAYS))
    if membership.last_visit_on is None:
        return first
    due = membership.last_visit_on + cycle
    return first if due < membership.since else due


def planned_day(due: dt.date, *, today: dt.date) -> dt.date:
    """The day a visit due on `due` is planned for: the last working day on or before it (the
    cycle is an "at least every N days" promise), never before today; a visit already late is
    planned for the first working day from today. Working days come from the business calendar."""
    if not policies.PLAN_ON_WORKING_DAYS:
        return max(due, today)
    from apps.sla import calendar as business
    from apps.sla.selectors import default_calendar

    try:
        calendar = default_calendar()
    except Exception:  # no calendar configured: plan on the due date itself
        return max(due, today)
    overrides = business.overrides_for(calendar)

    def working(day):
        return business.is_working_day(calendar=calendar, day=day, overrides=overrides)

    day = due
    for _i in range(31):
        if day < today or working(day):
            break
        day -= dt.timedelta(days=1)
    if day >= today and working(day):
        return day
    day = today
    for _i in range(31):
        if working(day):
            return day
        day += dt.timedelta(days=1)
    return today


def _replan(membership: VipMembership, *, actor, at, reason: str) -> list[str]:
    """Recompute the next due date; a planned (not yet announced) visit moves with it. Returns the
    membership fields changed (the caller saves them)."""
    fields = []
    due = next_due(membership)
    if membership.next_visit_due != due:
        membership.next_visit_due = due
        fields.append("next_visit_due")
    visit = VipVisit.objects.select_for_update().filter(membership=membership, state=VisitState.PLANNED).first()
    if visit is not None:
        day = planned_day(due, today=timezone.localdate(at))
        if visit.planned_on != day:
            visit.planned_on = day
            visit.overdue_notified_at = None
            _save(visit, actor=actor, fields=["planned_on", "overdue_notified_at"], reason=reason)
    return fields


# --- tiers (admin data) ----------------------------------------------------------------------

tier_create = partial(record_create, model=VipTier)
tier_set_active = record_set_active


@transaction.atomic
def tier_update(*, actor, instance, data, expected_version, m2m=None, at=None) -> VipTier:
    """Change a tier; a new visit cycle re-dates the next visit of every member on the tier
    that has no cycle of its own."""
    at = _now(at)
    before = instance.visit_cycle_days
    tier = record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)
    if tier.visit_cycle_days != before:
        reason = _("Visit cycle of %(tier)s: %(old)s → %(new)s days") % {
            "tier": tier.name,
            "old": before,
            "new": tier.visit_cycle_days,
        }
        members = VipMembership.objects.filter(tier=tier, is_active=True, cycle_override_days__isnull=True)
        for membership in members:
            membership = _lock_member(membership)
            fields = _replan(membership, actor=actor, at=at, reason=reason)
            if fields:
                _save(membership, actor=actor, fields=fields, reason=reason)
            _event(membership, kind=EventKind.CYCLE_CHANGED, actor=actor, at=at, text=reason)
    return tier


# --- purchase volumes (commerce) -------------------------------------------------------------

volume_create = partial(record_at_customer_create, model=PurchaseVolume)
volume_update = record_at_customer_update
volume_set_active = record_set_active


# --- the customer record's tier flag ---------------------------------------------------------


def _set_customer_tier(customer_id: int, tier: str, *, actor, reason: str) -> None:
    """Keep apps.customers' tier in step with membership: an audited save with the version bump
    (not a full re-validation of the customer, whose other data are not ours to judge)."""
    from apps.customers.models import Customer

    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if customer.tier == tier:
        return
    customer.tier = tier
    _save(customer, actor=actor, fields=["tier"], reason=reason)


# --- re-tiering (SPEC FU-5 1, 2) -------------------------------------------------------------


def _default_engineer(customer, previous=None):
    """The fixed engineer: the one the member had before (back in the programme), else the
    customer's responsible engineer — if still an active engineer or customer manager."""
    for user in (previous, customer.responsible_engineer):
        if user is not None and user.is_active and user.role in (Role.ENGINEER, Role.CUSTOMER_MANAGER):
            return user
    return None


@transaction.atomic
def vip_retier(*, year: int, actor, at: dt.datetime | None = None) -> selectors.RetierPlan:
    """Tier every customer by its purchase volume of `year` (apps.vip.selectors.retier_plan, the
    same plan the preview shows) and apply it: joiners become members with a fixed engineer,
    changed tiers re-date the next visit, leavers are taken out with their open visits
    cancelled and the reason shown. The customer's tier flag follows. Returns what was done."""
    _require_role(actor, "vip_member", "add")
    if not policies.FIRST_YEAR <= year <= policies.LAST_YEAR:
        raise ValidationError(
            {
                "year": _("Enter a year between %(first)s and %(last)s.")
                % {"first": policies.FIRST_YEAR, "last": policies.LAST_YEAR}
            }
        )
    at = _now(at)
    today = timezone.localdate(at)
    plan = selectors.retier_plan(year=year)
    with _in_default_language():
        for row in plan.rows:
            if row.change == RetierChange.JOIN:
                _join(row, year=year, actor=actor, at=at, today=today)
            elif row.change == RetierChange.CHANGE:
                _change_tier(row, year=year, actor=actor, at=at)
            else:
                _leave(row, year=year, actor=actor, at=at, today=today)
        for membership, amount in plan.kept:
            if membership.basis_year != year or membership.basis_amount != amount:
                membership = _lock_member(membership)
                membership.basis_year, membership.basis_amount = year, amount
                _save(membership, actor=actor, fields=["basis_year", "basis_amount"])
        reason = _("VIP re-tiering on the purchase volumes of %(year)s") % {"year": year}
        for customer_id, tier in plan.flags_to_fix:
            _set_customer_tier(customer_id, tier, actor=actor, reason=reason)
    return plan


def _volume_text(year, amount) -> str:
    return _("Purchase volume %(year)s: %(amount)s CNY") % {"year": year, "amount": _money(amount)}


def _join(row, *, year, actor, at, today) -> VipMembership:
    customer = row.customer
    membership = row.membership
    if membership is None:
        membership = VipMembership(
            customer=customer,
            tier=row.new_tier,
            engineer=_default_engineer(customer),
            since=today,
            basis_year=year,
            basis_amount=row.amount,
        )
        membership.next_visit_due = next_due(membership)
        membership._history_user = actor
        membership.full_clean()
        membership.save()
    else:  # back in the programme
        membership = _lock_member(membership)
        membership.is_active = True
        membership.tier = row.new_tier
        membership.engineer = _default_engineer(customer, previous=membership.engineer)
        membership.since, membership.left_on = today, None
        membership.basis_year, membership.basis_amount = year, row.amount
        membership.next_visit_due = next_due(membership)
        _save(
            membership,
            actor=actor,
            fields=[
                "is_active",
                "tier",
                "engineer",
                "since",
                "left_on",
                "basis_year",
                "basis_amount",
                "next_visit_due",
            ],
        )
    text = f"{_volume_text(year, row.amount)} → {row.new_tier.name}"
    _event(membership, kind=EventKind.JOINED, actor=actor, at=at, text=text, data={"tier": row.new_tier.code})
    _set_customer_tier(customer.pk, CustomerTier.VIP, actor=actor, reason=str(EventKind.JOINED.label))
    if membership.engineer is not None:
        _notify(
            f"member:{membership.pk}:joined:{membership.version}",
            [membership.engineer],
            _("%(customer)s is now a VIP customer (%(tier)s); you are its fixed engineer")
            % {"customer": customer.name, "tier": row.new_tier.name},
            link=membership.get_absolute_url(),
        )
    else:
        _notify(
            f"member:{membership.pk}:no-engineer:{membership.version}",
            _tech_heads(),
            _("VIP customer %(customer)s has no fixed engineer yet") % {"customer": customer.name},
            link=membership.get_absolute_url(),
        )
    return membership


def _change_tier(row, *, year, actor, at) -> VipMembership:
    membership = _lock_member(row.membership)
    old = membership.tier
    membership.tier = row.new_tier
    membership.basis_year, membership.basis_amount = year, row.amount
    text = f"{_volume_text(year, row.amount)}: {old.name} → {row.new_tier.name}"
    fields = ["tier", "basis_year", "basis_amount", *_replan(membership, actor=actor, at=at, reason=text)]
    _save(membership, actor=actor, fields=fields)
    _event(
        membership,
        kind=EventKind.TIER_CHANGED,
        actor=actor,
        at=at,
        text=text,
        data={"from": old.code, "to": row.new_tier.code},
    )
    # A record put back to normal by hand is a VIP again as long as it is a member.
    _set_customer_tier(membership.customer_id, CustomerTier.VIP, actor=actor, reason=text)
    return membership


def _leave(row, *, year, actor, at, today) -> VipMembership:
    membership = _lock_member(row.membership)
    if row.customer.is_active:
        why = _("%(volume)s, below every VIP tier") % {"volume": _volume_text(year, row.amount)}
    else:
        why = _("The customer was deactivated.")
    reason = _("Left the VIP programme: %(why)s") % {"why": why}
    membership.is_active = False
    membership.left_on = today
    membership.basis_year, membership.basis_amount = year, row.amount
    _save(membership, actor=actor, fields=["is_active", "left_on", "basis_year", "basis_amount"], reason=reason)
    notes = []
    # SPEC FU-5 / issue 4: re-tiering never drops a planned visit silently.
    for visit in VipVisit.objects.filter(membership=membership, state__in=OPEN_VISIT_STATES):
        notes.append(_close_open_visit_of_leaver(visit, actor=actor, at=at, reason=reason))
    _event(
        membership,
        kind=EventKind.REMOVED,
        actor=actor,
        at=at,
        text=" ".join([why, *notes]),
        data={"tier": row.old_tier.code if row.old_tier else None},
    )
    _set_customer_tier(membership.customer_id, CustomerTier.NORMAL, actor=actor, reason=reason)
    _notify(
        f"member:{membership.pk}:left:{membership.version}",
        [membership.engineer],
        _("%(customer)s is no longer a VIP customer") % {"customer": row.customer.name},
        why,
        link=membership.get_absolute_url(),
    )
    return membership


def _close_open_visit_of_leaver(visit, *, actor, at, reason) -> str:
    """Cancel the open visit of a member who leaves, with its work order while that can still
    be cancelled; a visit already under way (engineer on site) stays and completes normally."""
    visit = _lock_visit(visit)
    order = visit.work_order
    if order is not None and order.is_open:
        from apps.workorders import services as workorders
        from apps.workorders import transitions

        if "cancel" not in transitions.allowed_actions(order, actor):
            return _("The visit of %(day)s stays: its work order %(number)s is already under way.") % {
                "day": visit.due_on,
                "number": order.number,
            }
        workorders.workorder_cancel(order=order, actor=actor, reason=reason, at=at)
    _cancel(visit, actor=actor, at=at, reason=reason)
    return _("The visit planned for %(day)s was cancelled.") % {"day": visit.planned_on}


# --- the fixed engineer and the cycle (SPEC FU-5 2, 3) ---------------------------------------


def _check_engineer(engineer, customer) -> None:
    from apps.customers.models import Customer
    from apps.customers.selectors import customer_scope_q

    if engineer is None or not engineer.is_active or engineer.role not in (Role.ENGINEER, Role.CUSTOMER_MANAGER):
        raise ValidationError({"engineer": _("Choose an active engineer or customer manager.")})
    if not Customer.objects.filter(customer_scope_q(engineer), pk=customer.pk).exists():
        # He registers the visit's work order for this customer: it must be one he serves.
        raise ValidationError({"engineer": _("This engineer does not serve the customer's region.")})


@transaction.atomic
def vip_member_change_engineer(
    *, membership, actor, engineer, reason: str = "", expected_version: int | None = None, at=None
) -> VipMembership:
    """Give the VIP another fixed engineer; its open visits go with it."""
    _require_role(actor, "vip_member", "change")
    at = _now(at)
    membership = _lock_member(membership, expected_version)
    if not membership.is_active:
        raise ConflictError(_("This customer is no longer a VIP."))
    _check_engineer(engineer, membership.customer)
    if engineer.pk == membership.engineer_id:
        raise ValidationError({"engineer": _("This is already the fixed engineer.")})
    previous = membership.engineer
    membership.engineer = engineer
    _save(membership, actor=actor, fields=["engineer"], reason=reason)
    for visit in VipVisit.objects.select_for_update().filter(membership=membership, state__in=OPEN_VISIT_STATES):
        visit.engineer = engineer
        _save(visit, actor=actor, fields=["engineer"], reason=reason)
    text = f"{previous or '—'} → {engineer}" + (f" — {reason.strip()}" if reason.strip() else "")
    _event(
        membership,
        kind=EventKind.ENGINEER_CHANGED,
        actor=actor,
        at=at,
        text=text,
        data={"from": previous.pk if previous else None, "to": engineer.pk},
    )
    with _in_default_language():
        _notify(
            f"member:{membership.pk}:engineer:{membership.version}",
            [engineer],
            _("You are now the fixed engineer of VIP customer %(customer)s") % {"customer": membership.customer.name},
            link=membership.get_absolute_url(),
        )
        _notify(
            f"member:{membership.pk}:engineer-off:{membership.version}",
            [previous],
            _("VIP customer %(customer)s was handed to %(engineer)s")
            % {"customer": membership.customer.name, "engineer": engineer},
            link=membership.get_absolute_url(),
        )
    return membership


@transaction.atomic
def vip_member_change_cycle(
    *, membership, actor, cycle_days: int | None, reason: str, expected_version: int | None = None, at=None
) -> VipMembership:
    """SPEC FU-5 3: a customer's own visit cycle by company policy (with the reason), or back to
    the tier's (None). The next visit is re-dated."""
    _require_role(actor, "vip_member", "change")
    at = _now(at)
    membership = _lock_member(membership, expected_version)
    if not membership.is_active:
        raise ConflictError(_("This customer is no longer a VIP."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say which policy sets this cycle.")})
    if cycle_days is not None and not 1 <= cycle_days <= policies.MAX_VISIT_CYCLE_DAYS:
        raise ValidationError(
            {"cycle_days": _("Enter from 1 to %(max)s days.") % {"max": policies.MAX_VISIT_CYCLE_DAYS}}
        )
    if cycle_days == membership.cycle_override_days:
        raise ValidationError({"cycle_days": _("The cycle is already this.")})
    before = membership.visit_cycle_days
    membership.cycle_override_days = cycle_days
    membership.cycle_override_reason = reason[:255] if cycle_days else ""
    fields = ["cycle_override_days", "cycle_override_reason"]
    fields += _replan(membership, actor=actor, at=at, reason=reason)
    _save(membership, actor=actor, fields=fields, reason=reason)
    if cycle_days:
        text = _("%(old)s → %(new)s days: %(reason)s") % {"old": before, "new": cycle_days, "reason": reason}
    else:
        text = _("Back to the tier's cycle of %(days)s days: %(reason)s") % {
            "days": membership.visit_cycle_days,
            "reason": reason,
        }
    _event(
        membership,
        kind=EventKind.CYCLE_CHANGED,
        actor=actor,
        at=at,
        text=text,
        data={"from": before, "to": membership.visit_cycle_days, "own": bool(cycle_days)},
    )
    return membership


# --- visits (SPEC FU-5 4, 5) -----------------------------------------------------------------


def check_visit(visit, actor, action: str) -> None:
    refusal = selectors.visit_refusal(visit, actor, action)
    if refusal is None:
        return
    from_states = VISIT_TRANSITIONS[action][0]
    if visit.state not in from_states or (action == "announce" and not visit.membership.is_active):
        raise ConflictError(refusal)
    raise PermissionDenied(refusal)


@dataclass
class PlanResult:
    planned: int = 0
    overdue: int = 0
    released: int = 0
    completed: int = 0


def vip_plan_visits(*, today: dt.date, actor=None) -> PlanResult:
    """Daily (SPEC FU-5): plan the next visit of every active member due within
    PLAN_HORIZON_DAYS (one open visit per member at most), tell the fixed engineer; remind him
    once of a visit that is overdue. Visits whose work order ended without a visit (cancelled,
    rejected, solved by phone) are released with the reason, and planned again."""
    result = PlanResult()
    _settle_finished_orders(result, actor=actor)
    horizon = today + dt.timedelta(days=policies.PLAN_HORIZON_DAYS)
    due = (
        VipMembership.objects.filter(is_active=True, next_visit_due__lte=horizon)
        .exclude(visits__state__in=OPEN_VISIT_STATES)
        .order_by("next_visit_due", "id")
        .values_list("pk", flat=True)
    )
    for pk in list(due):
        with transaction.atomic():
            membership = _lock_member(VipMembership(pk=pk))
            if not membership.is_active or membership.visits.filter(state__in=OPEN_VISIT_STATES).exists():
                continue  # changed since the list was read
            _plan_one(membership, today=today, actor=actor)
            result.planned += 1
    result.overdue = _remind_overdue(today=today, actor=actor)
    return result


def _plan_one(membership, *, today, actor) -> VipVisit:
    at = timezone.now()
    day = planned_day(membership.next_visit_due, today=today)
    visit = VipVisit(membership=membership, engineer=membership.engineer, planned_on=day)
    visit._history_user = actor
    visit.save()
    _event(
        membership,
        kind=EventKind.VISIT_PLANNED,
        actor=actor,
        at=at,
        visit=visit,
        text=_("Planned for %(day)s (due %(due)s, every %(cycle)s days)")
        % {"day": day, "due": membership.next_visit_due, "cycle": membership.visit_cycle_days},
    )
    with _in_default_language():
        customer = membership.customer.name
        if membership.engineer is not None:
            _notify(
                f"visit:{visit.pk}:planned",
                [membership.engineer],
                _("VIP visit to %(customer)s planned for %(day)s: call the lab head to agree the time")
                % {"customer": customer, "day": day},
                membership.tier.service_content,
                link=visit.get_absolute_url(),
            )
        else:
            _notify(
                f"visit:{visit.pk}:planned",
                _tech_heads(),
                _("VIP visit to %(customer)s planned for %(day)s has no fixed engineer")
                % {"customer": customer, "day": day},
                link=visit.get_absolute_url(),
            )
    return visit


def _remind_overdue(*, today, actor) -> int:
    """Once per visit: the planned (or agreed) day has passed and the visit is still open."""
    late = VipVisit.objects.filter(selectors.overdue_visits_q(today), overdue_notified_at__isnull=True)
    count = 0
    for visit in late.select_related("membership__customer", "engineer").order_by("id"):
        with transaction.atomic():
            now = timezone.now()
            # Claim the reminder: of two workers, one sends it.
            if not VipVisit.objects.filter(pk=visit.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            ):
                continue
            _event(
                visit.membership,
                kind=EventKind.VISIT_OVERDUE,
                actor=actor,
                at=now,
                visit=visit,
                text=_("Due on %(day)s, not done yet") % {"day": visit.due_on},
            )
            with _in_default_language():
                _notify(
                    f"visit:{visit.pk}:overdue",
                    [visit.engineer] if visit.engineer else _tech_heads(),
                    _("VIP visit to %(customer)s is overdue (due %(day)s)")
                    % {"customer": visit.membership.customer.name, "day": visit.due_on},
                    link=visit.get_absolute_url(),
                )
            count += 1
    return count


def _settle_finished_orders(result: PlanResult, *, actor) -> None:
    """Announced visits whose work order is finished: completed ones are recorded as done (in
    case the completion hook missed them), the others released so the member is planned anew."""
    from apps.workorders.choices import Status

    finished = VipVisit.objects.filter(
        state=VisitState.ANNOUNCED,
        work_order__status__in=[
            Status.COMPLETED,
            Status.CLOSED,
            Status.CANCELLED,
            Status.REJECTED,
            Status.REMOTE_RESOLVED,
        ],
    ).select_related("work_order")
    for visit in finished:
        order = visit.work_order
        with transaction.atomic():
            if order.status in (Status.COMPLETED, Status.CLOSED) and order.completed_at:
                if vip_visit_completed(order=order, actor=actor, at=order.completed_at) is not None:
                    result.completed += 1
                continue
            locked = _lock_visit(visit)
            if locked.state != VisitState.ANNOUNCED:
                continue
            with _in_default_language():
                reason = _("Work order %(number)s ended without a visit (%(status)s).") % {
                    "number": order.number,
                    "status": order.get_status_display(),
                }
                _cancel(locked, actor=actor, at=timezone.now(), reason=reason)
                _notify(
                    f"visit:{locked.pk}:released",
                    [locked.engineer] if locked.engineer else _tech_heads(),
                    _("VIP visit to %(customer)s released: %(reason)s")
                    % {"customer": locked.membership.customer.name, "reason": reason},
                    link=locked.get_absolute_url(),
                )
            result.released += 1


@transaction.atomic
def vip_visit_announce(
    *,
    visit,
    actor,
    agreed_at: dt.datetime,
    content: str,
    contact=None,
    contact_name: str = "",
    special_requests: str = "",
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> VipVisit:
    """SPEC FU-5 4 (服务前和负责人联系，告知服务时间和内容，询问客户是否有特殊要求): record whom at
    the customer the engineer told, the agreed date and time, the content and the customer's
    special requests — and register the VIP_VISIT work order (channel: staff) through the
    work-order services, so the normal flow follows (the technical head dispatches, the
    engineer visits, the customer signs the service report)."""
    from apps.workorders import services as workorders
    from apps.workorders.choices import Channel, WorkType

    at = _now(at)
    visit = _lock_visit(visit, expected_version)
    check_visit(visit, actor, "announce")
    customer = visit.membership.customer
    errors = {}
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = _("This contact belongs to another customer.")
    name = contact_name.strip() or (contact.name if contact is not None else "")
    if not name:
        errors["contact_name"] = _("Whom at the customer did you tell (the lab head)?")
    if agreed_at is None:
        errors["agreed_at"] = _("Enter the agreed date and time.")
    elif agreed_at < at - dt.timedelta(hours=1):
        errors["agreed_at"] = _("The agreed time cannot be in the past.")
    content = content.strip()
    if not content:
        errors["content"] = _("Say what the visit will bring.")
    if errors:
        raise ValidationError(errors)
    special_requests = special_requests.strip()
    when = timezone.localtime(agreed_at).strftime("%Y-%m-%d %H:%M")
    with _in_default_language():
        description = "\n".join(
            [
                _("VIP visit agreed with %(who)s for %(time)s.") % {"who": name, "time": when},
                _("Service content: %(content)s") % {"content": content},
                _("Special requests: %(requests)s") % {"requests": special_requests or _("none")},
            ]
        )
    order = workorders.workorder_create(
        actor=actor,
        customer=customer,
        work_type=WorkType.VIP_VISIT,
        description=description,
        channel=Channel.STAFF,
        contact=contact,
        caller_name=name[:64],
        caller_phone=contact.mobile if contact is not None else "",
        at=at,
    )
    visit.state = VisitState.ANNOUNCED
    visit.contact, visit.contact_name = contact, name[:64]
    visit.agreed_at, visit.content, visit.special_requests = agreed_at, content, special_requests
    visit.announced_at, visit.announced_by = at, actor
    visit.work_order = order
    visit.overdue_notified_at = None
    _save(
        visit,
        actor=actor,
        fields=[
            "state",
            "contact",
            "contact_name",
            "agreed_at",
            "content",
            "special_requests",
            "announced_at",
            "announced_by",
            "work_order",
            "overdue_notified_at",
        ],
    )
    _event(
        visit.membership,
        kind=EventKind.VISIT_ANNOUNCED,
        actor=actor,
        at=at,
        visit=visit,
        text=_("%(who)s told: %(time)s; work order %(number)s") % {"who": name, "time": when, "number": order.number},
        data={"work_order": order.pk},
    )
    return visit


def _cancel(visit, *, actor, at, reason: str) -> VipVisit:
    visit.state = VisitState.CANCELLED
    visit.cancelled_at, visit.cancelled_by, visit.cancel_reason = at, actor, reason[:255]
    _save(visit, actor=actor, fields=["state", "cancelled_at", "cancelled_by", "cancel_reason"], reason=reason)
    _event(
        visit.membership,
        kind=EventKind.VISIT_CANCELLED,
        actor=actor,
        at=at,
        visit=visit,
        text=reason,
    )
    return visit


@transaction.atomic
def vip_visit_cancel(
    *, visit, actor, reason: str, expected_version: int | None = None, at: dt.datetime | None = None
) -> VipVisit:
    """Cancel an open visit with the reason. An announced visit's work order is cancelled with
    it (by whoever may cancel work orders); one already under way cannot be. The member's next
    visit is planned again by the daily job."""
    at = _now(at)
    visit = _lock_visit(visit, expected_version)
    check_visit(visit, actor, "cancel")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    order = visit.work_order
    if order is not None and order.is_open:
        from apps.workorders import services as workorders
        from apps.workorders import transitions

        if "cancel" not in transitions.allowed_actions(order, actor):
            raise ConflictError(
                _("Work order %(number)s is “%(status)s” and cannot be cancelled: the visit stays.")
                % {"number": order.number, "status": order.get_status_display()}
            )
        workorders.workorder_cancel(order=order, actor=actor, reason=reason, at=at)
    return _cancel(visit, actor=actor, at=at, reason=reason)


@transaction.atomic
def vip_visit_completed(*, order, actor, at: dt.datetime) -> VipVisit | None:
    """Called by apps.workorders.aftercare.on_completed for every completed job, inside its
    transaction. A no-op unless `order` is a VIP visit: the visit it belongs to — or, for a
    VIP_VISIT order registered by hand, the member's planned visit (else a new, unplanned one)
    — is marked done; the member's last visit becomes the completion day and the next one falls
    due a cycle later (SPEC FU-5 3). Idempotent: a second call changes nothing. Solved remotely
    is no visit: nothing happens."""
    from apps.workorders.choices import Status, WorkType

    if order.work_type != WorkType.VIP_VISIT or order.status == Status.REMOTE_RESOLVED:
        return None
    visit = VipVisit.objects.select_for_update(of=("self",)).filter(work_order=order).first()
    if visit is not None:
        if visit.state == VisitState.DONE:
            return visit
        if visit.state == VisitState.CANCELLED:
            if not visit.membership.is_active:
                return None  # the customer left the programme meanwhile
            # Released when its order was solved by phone; the order was reopened and the visit
            # took place after all: it is done (the member's next planned visit moves on a cycle).
            visit.cancelled_at, visit.cancelled_by, visit.cancel_reason = None, None, ""
            _save(visit, actor=actor, fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        return _record_done(visit, order=order, actor=actor, at=at)
    membership = VipMembership.objects.filter(customer_id=order.customer_id, is_active=True).first()
    if membership is None:
        return None
    membership = _lock_member(membership)
    visit = (
        VipVisit.objects.select_for_update()
        .filter(membership=membership, state=VisitState.PLANNED, work_order__isnull=True)
        .first()
    )
    if visit is None:
        # The member's open visit (if any) has its own work order: this one is extra.
        visit = VipVisit(
            membership=membership,
            engineer=order.engineer or membership.engineer,
            planned_on=timezone.localdate(at),
            state=VisitState.DONE,
            unplanned=True,
        )
    return _record_done(visit, order=order, actor=actor, at=at)


def _record_done(visit, *, order, actor, at) -> VipVisit:
    day = timezone.localdate(at)
    visit.state = VisitState.DONE
    visit.done_at = at
    visit.work_order = order
    if order.engineer_id:
        visit.engineer = order.engineer
    if visit.pk is None:
        visit._history_user = actor
        visit.save()
    else:
        _save(visit, actor=actor, fields=["state", "done_at", "work_order", "engineer"])
    membership = _lock_member(visit.membership)
    fields = []
    if membership.last_visit_on is None or day >= membership.last_visit_on:
        membership.last_visit_on = day
        fields.append("last_visit_on")
    fields += _replan(membership, actor=actor, at=at, reason=str(EventKind.VISIT_DONE.label))
    if fields:
        _save(membership, actor=actor, fields=fields)
    _event(
        membership,
        kind=EventKind.VISIT_DONE,
        actor=actor,
        at=at,
        visit=visit,
        text=_("Work order %(number)s completed on %(day)s; next visit due %(due)s")
        % {"number": order.number, "day": day, "due": membership.next_visit_due},
        data={"work_order": order.pk, "unplanned": visit.unplanned},
    )
    return visit
