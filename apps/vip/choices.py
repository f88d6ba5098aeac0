"""Enumerations of the VIP programme (SPEC FU-5) and the visit's state machine as a plain table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role as R


class VisitState(models.TextChoices):
    """A VIP visit: planned by the daily job, announced to the lab head (which registers the work
    order), done when that order is completed — or cancelled, always with a reason."""

    PLANNED = "planned", pgettext_lazy("VIP visit state", "Planned")
    ANNOUNCED = "announced", pgettext_lazy("VIP visit state", "Announced")
    DONE = "done", pgettext_lazy("VIP visit state", "Done")
    CANCELLED = "cancelled", pgettext_lazy("VIP visit state", "Cancelled")


OPEN_VISIT_STATES = frozenset({VisitState.PLANNED, VisitState.ANNOUNCED})


class EventKind(models.TextChoices):
    """Timeline entries of a membership a user reads (who, when, what, why)."""

    JOINED = "joined", _("Joined the VIP programme")
    TIER_CHANGED = "tier_changed", _("Tier changed")
    REMOVED = "removed", _("Left the VIP programme")
    ENGINEER_CHANGED = "engineer_changed", _("Fixed engineer changed")
    CYCLE_CHANGED = "cycle_changed", _("Visit cycle changed")
    VISIT_PLANNED = "visit_planned", _("Visit planned")
    VISIT_ANNOUNCED = "visit_announced", _("Visit announced")
    VISIT_DONE = "visit_done", _("Visit done")
    VISIT_CANCELLED = "visit_cancelled", _("Visit cancelled")
    VISIT_OVERDUE = "visit_overdue", _("Visit overdue")


class RetierChange(models.TextChoices):
    """What re-tiering does to one customer (the preview and the result use the same words)."""

    JOIN = "join", _("Joins")
    CHANGE = "change", _("Changes tier")
    LEAVE = "leave", _("Leaves")


# --- the visit's state machine ---------------------------------------------------------------
# action -> (from states, to state, roles allowed). Row rule on top (apps.vip.selectors.visit_allows):
# an engineer acts only on the visits he is the fixed engineer of. "complete" is not a user's
# move: the completed VIP_VISIT work order does it (apps.vip.services.vip_visit_completed).

S = VisitState
VISIT_TRANSITIONS: dict[str, tuple[frozenset, str, frozenset]] = {
    # SPEC FU-5 4: before the visit the engineer tells the lab head time and content and asks
    # for special requests; that registers the VIP_VISIT work order.
    "announce": (frozenset({S.PLANNED}), S.ANNOUNCED, frozenset({R.ENGINEER, R.TECH_HEAD, R.ADMIN})),
    "complete": (frozenset({S.PLANNED, S.ANNOUNCED}), S.DONE, frozenset()),
    # An engineer may drop a visit he has not announced yet; once a work order exists the
    # technical head decides (he may cancel the order as well).
    "cancel": (frozenset({S.PLANNED, S.ANNOUNCED}), S.CANCELLED, frozenset({R.ENGINEER, R.TECH_HEAD, R.ADMIN})),
}
