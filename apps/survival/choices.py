"""Enumerations of new-project survival (SPEC FU-6) and the project's state machine as a table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectState(models.TextChoices):
    """A project is tracked for its period, then survived (in use at its last check) or lost."""

    TRACKING = "tracking", pgettext_lazy("new project state", "Tracking")
    IN_USE = "in_use", pgettext_lazy("new project state", "Survived (in use)")
    NOT_IN_USE = "not_in_use", pgettext_lazy("new project state", "Lost (not in use)")
    STOPPED = "stopped", pgettext_lazy("new project state", "Tracking stopped")


# The states the end of the tracking period leads to; the latest check decides which.
ENDED_STATES = frozenset({ProjectState.IN_USE, ProjectState.NOT_IN_USE})

# state -> states it may move to. A check recorded after the period ended may still turn a
# survived project into a lost one (or back): the final state always follows the latest check.
TRANSITIONS: dict[str, frozenset] = {
    ProjectState.TRACKING: frozenset({ProjectState.IN_USE, ProjectState.NOT_IN_USE, ProjectState.STOPPED}),
    ProjectState.IN_USE: frozenset({ProjectState.NOT_IN_USE}),
    ProjectState.NOT_IN_USE: frozenset({ProjectState.IN_USE}),
    ProjectState.STOPPED: frozenset(),
}


class Source(models.TextChoices):
    WORK_ORDER = "work_order", _("Completed new-project job")
    MANUAL = "manual", _("Entered by staff")


class CheckMethod(models.TextChoices):
    """SPEC FU-6 / [S0 3.(一)二.1]: phone, on-site service, the commerce department's shipments."""

    PHONE = "phone", _("Phone call")
    ON_SITE = "on_site", _("On-site visit")
    SHIPMENT = "shipment", _("Shipment volume (commerce)")


class UsageUnit(models.TextChoices):
    TESTS = "tests", pgettext_lazy("usage unit", "tests")
    KITS = "kits", pgettext_lazy("usage unit", "kits")


class NotInUseReason(models.TextChoices):
    """Why a laboratory does not run a new project: the categories the monthly report counts;
    the free-text reason says the rest."""

    RESULTS = "results", _("Results do not fit the clinic")
    INSTRUMENT = "instrument", _("Instrument, channel or parameter problem")
    DEMAND = "demand", _("Too few samples / doctors do not order it")
    PRICE = "price", _("Price or charging approval")
    COMPETITOR = "competitor", _("Switched to another supplier")
    SUPPLY = "supply", _("Reagent supply or shipping")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    """Timeline entries of a project a user reads (who, when, what, why)."""

    CREATED = "created", _("Tracking started")
    CHECK_RECORDED = "check_recorded", _("Monthly check recorded")
    CHECK_CHANGED = "check_changed", _("Monthly check corrected")
    SALES_NOTIFIED = "sales_notified", _("Sales informed")
    EDITED = "edited", _("Project corrected")
    STOPPED = "stopped", _("Tracking stopped")
    ENDED = "ended", _("Tracking period ended")
    STATE = "state", _("Final state changed")
