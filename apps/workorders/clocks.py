"""Which SLA clocks a work-order event starts and stops (SPEC SLA-1 … SLA-5, WO-2).

The clock engine (apps.sla) is generic; this module is the work-order side of it: a table of
event → clocks to start / stop, read from policies.py, so the rules stay data.
"""

from __future__ import annotations

from apps.sla import services as sla
from apps.workorders.choices import PauseKind, Urgency, WorkType

# event -> {work type or "urgent" or "*": (start codes, stop codes)}
START = {
    "created": {
        WorkType.REPAIR: ("repair_handover", "repair_on_site"),
        WorkType.COMMISSIONING: ("commission_notify",),
        WorkType.APP_TROUBLESHOOTING: ("callback_application",),
        "urgent": ("urgent_answer", "urgent_on_site"),
    },
    "dispatched": {
        WorkType.REPAIR: ("repair_first_contact",),
        WorkType.COMMISSIONING: ("commission_prerequisites",),
    },
}
STOP = {
    # A remote attempt recorded with the customer = the call-back / first answer happened.
    "contacted": ("callback_application", "urgent_answer", "repair_first_contact", "commission_prerequisites"),
    "dispatched": ("repair_handover", "commission_notify"),
    "scheduled": ("repair_first_contact", "commission_prerequisites", "urgent_answer", "callback_application"),
    "on_site": (
        "repair_on_site",
        "urgent_on_site",
        "repair_first_contact",
        "commission_prerequisites",
        "urgent_answer",
        "callback_application",
        "repair_handover",
        "commission_notify",
    ),
}

# The person who must act on each clock.
OWNER_IS_ENGINEER = frozenset({"repair_first_contact", "commission_prerequisites", "repair_on_site", "urgent_on_site"})


def _codes_to_start(order, event: str) -> list[str]:
    table = START.get(event, {})
    codes = list(table.get(order.work_type, ()))
    if order.urgency == Urgency.URGENT:
        codes += [c for c in table.get("urgent", ()) if c not in codes]
    return codes


def on_event(order, event: str, *, actor, at) -> None:
    """Stop what the event satisfies, then start what it opens. "finished" (the job is done)
    stops every clock with its verdict (met / late); "cancelled" (cancelled, rejected, solved by
    phone) ends the rest without a verdict, so they do not count as met or missed."""
    if event == "finished":
        sla.clocks_stop(subject=order, policy_codes=None, at=at, actor=actor)
        return
    if event == "cancelled":
        sla.clocks_cancel(subject=order, at=at, actor=actor)
        return
    stop = STOP.get(event, ())
    if stop:
        sla.clocks_stop(subject=order, policy_codes=stop, at=at, actor=actor)
    for code in _codes_to_start(order, event):
        sla.clock_start(
            subject=order,
            policy_code=code,
            started_at=at,
            actor=actor,
            region=order.region,
            owner=order.engineer if code in OWNER_IS_ENGINEER else None,
        )
    if event == "dispatched" and order.engineer_id:
        sla.clocks_set_owner(subject=order, policy_codes=tuple(OWNER_IS_ENGINEER), owner=order.engineer, actor=actor)
    if order.on_hold:
        # A clock started while the order waits (e.g. dispatched while waiting for the customer)
        # waits too; paused time is never charged to the engineer.
        sla.clocks_pause_all(subject=order, at=at, reason=order.hold_reason or "-", kind=PauseKind.OTHER, actor=actor)


def due_at(order, code: str):
    """The deadline of the order's open clock of that policy (None without one)."""
    from apps.sla.selectors import clocks_for

    for clock in clocks_for([order], open_only=True).get(order.pk, ()):
        if clock.policy.code == code:
            return clock.due_at
    return None


def pause(order, *, actor, at, kind: str, reason: str) -> None:
    sla.clocks_pause_all(subject=order, at=at, reason=reason, kind=kind, actor=actor)


def resume(order, *, actor, at) -> None:
    sla.clocks_resume_all(subject=order, at=at, actor=actor)
