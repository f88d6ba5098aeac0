"""Enumerations of complaints (SPEC §6, CP-1 … CP-4; ISO 13485:2016 8.2.2, 21 CFR 820.198) and
their state machine as a plain table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role as R


class Kind(models.TextChoices):
    """CP-2 / CP-3: who handles it — the technical head (service) or the quality department
    (product); a complaint about both goes to both."""

    PRODUCT = "product", _("Product complaint")
    SERVICE = "service", _("Service complaint")
    BOTH = "both", _("Product and service complaint")


class Channel(models.TextChoices):
    """How it reached us. Oral complaints are recorded when received (21 CFR 820.198(a))."""

    PHONE = "phone", _("Phone (oral)")
    VISIT = "visit", _("In person (oral)")
    LETTER = "letter", _("Letter / fax")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web / portal")
    WORK_ORDER = "work_order", _("Service record")
    SURVEY = "survey", _("Satisfaction survey")
    FOLLOWUP = "followup", _("Follow-up call")
    OTHER = "other", pgettext_lazy("complaint channel", "Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class Harm(models.TextChoices):
    """The device's relation to any harm (21 CFR 820.198(e)(6); China's adverse-event rules)."""

    NONE = "none", _("No harm")
    MALFUNCTION = "malfunction", _("Malfunction that could cause harm if it recurred")
    INJURY = "injury", _("Injury or adverse reaction")
    SERIOUS_INJURY = "serious_injury", _("Serious injury")
    DEATH = "death", _("Death")


class Status(models.TextChoices):
    """Where the complaint waits (issue 5 workflow). Each move is a timeline event."""

    RECEIVED = "received", pgettext_lazy("complaint status", "Received — to evaluate")
    REPORTABILITY = "reportability", _("Reportability decision")
    INVESTIGATION = "investigation", _("Investigation")
    DISPOSITION = "disposition", _("Product disposition")
    CORRECTION = "correction", _("Correction / CAPA")
    REPLY = "reply", _("Reply to the complainant")
    REVIEW = "review", _("Quality review")
    CLOSED = "closed", pgettext_lazy("complaint status", "Closed")
    NOT_COMPLAINT = "not_complaint", _("Closed: not a complaint")


FINAL_STATUSES = frozenset({Status.CLOSED, Status.NOT_COMPLAINT})
OPEN_STATUSES = frozenset(set(Status.values) - FINAL_STATUSES)


class Disposition(models.TextChoices):
    """What happened to the product concerned (CP-3: no defect → lot released)."""

    LOT_RELEASED = "lot_released", _("No defect found: lot / serial released")
    LOT_HELD = "lot_held", _("Lot held (quarantined)")
    UNIT_RETURNED = "unit_returned", _("Unit returned for examination")
    UNIT_REPAIRED = "unit_repaired", _("Unit repaired or replaced")
    NOT_APPLICABLE = "not_applicable", _("Not applicable (service complaint)")


class CauseCategory(models.TextChoices):
    """Cause of a complaint or a service fault, for trending (CP-7)."""

    DESIGN = "design", _("Design")
    MANUFACTURING = "manufacturing", _("Manufacturing / material")
    REAGENT_LOT = "reagent_lot", _("Reagent, calibrator or QC lot")
    PART_FAILURE = "part_failure", _("Part failure")
    SOFTWARE = "software", _("Software")
    TRANSPORT = "transport", _("Transport / storage")
    OPERATION = "operation", _("Operation by the user")
    ENVIRONMENT = "environment", _("Site environment (power, water, temperature)")
    SERVICE = "service", _("Service quality")
    NO_FAULT = "no_fault", _("No fault found")
    OTHER = "other", pgettext_lazy("cause", "Other")


class ReplyKind(models.TextChoices):
    """CP-4: reply within 24 h, plan within 48 h, resolved within 72 h (SLA-3)."""

    ACKNOWLEDGEMENT = "acknowledgement", _("First reply")
    PLAN = "plan", _("Solution plan")
    RESOLUTION = "resolution", _("Resolution")
    OTHER = "other", pgettext_lazy("reply kind", "Other")


class ReplyMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    MESSAGE = "message", _("Message (WeChat / SMS)")


class Jurisdiction(models.TextChoices):
    CN = "cn", _("China (NMPA)")
    US = "us", _("United States (FDA)")
    OTHER = "other", pgettext_lazy("jurisdiction", "Other")


class EventCategory(models.TextChoices):
    """What the reportability decision found; the rules table says what each one requires."""

    DEATH = "death", _("Death")
    SERIOUS_INJURY = "serious_injury", _("Serious injury, or may lead to serious injury or death")
    GROUP_EVENT = "group_event", _("Group adverse event")
    OVERSEAS_SERIOUS = "overseas_serious", _("Serious event overseas (device also sold in China)")
    US_MDR = "us_mdr", _("US: death, serious injury or reportable malfunction (MDR)")
    US_REMEDIAL = "us_remedial", _("US: event needing remedial action to prevent a public-health risk")


class DeadlineUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class ReportState(models.TextChoices):
    PENDING = "pending", _("To submit")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CapaState(models.TextChoices):
    OPEN = "open", pgettext_lazy("CAPA state", "Open")
    CLOSED = "closed", pgettext_lazy("CAPA state", "Closed")


class ReviewState(models.TextChoices):
    """CP-3: a second complaint against the same engineer flags him for reassignment review."""

    OPEN = "open", _("To decide")
    DECIDED = "decided", _("Decided")


class EventKind(models.TextChoices):
    CREATED = "created", _("Registered")
    TRANSITION = "transition", _("Status changed")
    REPLY = "reply", _("Reply to the complainant")
    REPORT = "report", _("Regulatory report")
    CAPA = "capa", _("CAPA")
    SERVICE = "service", _("Service complaint step")
    NOTE = "note", _("Note")
    ESCALATION = "escalation", _("Escalation")


# Who handles a complaint of each kind (CP-2): the technical head's side, the quality side.
SERVICE_HANDLERS = frozenset({R.TECH_HEAD, R.SUPERVISOR})
PRODUCT_HANDLERS = frozenset({R.QUALITY, R.SUPERVISOR})
HANDLERS_BY_KIND = {
    Kind.SERVICE: SERVICE_HANDLERS,
    Kind.PRODUCT: PRODUCT_HANDLERS,
    Kind.BOTH: SERVICE_HANDLERS | PRODUCT_HANDLERS,
}
# Everyone who may register a complaint: anybody who hears one (21 CFR 820.198(a)).
RECEIVERS = frozenset(
    {
        R.ADMIN,
        R.CLERK,
        R.TECH_HEAD,
        R.SUPERVISOR,
        R.CUSTOMER_MANAGER,
        R.ENGINEER,
        R.SALES,
        R.DEALER,
        R.MARKETING_HEAD,
        R.QUALITY,
    }
)
QUALITY = frozenset({R.QUALITY, R.ADMIN})
ALL_HANDLERS = SERVICE_HANDLERS | PRODUCT_HANDLERS | {R.ADMIN}

# --- the state machine ------------------------------------------------------------------------
# action -> (from statuses, to status, roles allowed). apps.complaints.transitions adds the row
# rule "a handler of this complaint's kind" on top of it.
S = Status
TRANSITIONS: dict[str, tuple[frozenset, str, frozenset]] = {
    # ISO 13485 8.2.2 a/b: is it a complaint at all? No → closed with the rationale.
    "evaluate": (frozenset({S.RECEIVED}), S.REPORTABILITY, ALL_HANDLERS),
    "reject_as_not_complaint": (frozenset({S.RECEIVED}), S.NOT_COMPLAINT, ALL_HANDLERS),
    # 8.2.3 / China's adverse-event rules: reportable? Which events? Clocks start here.
    "decide_reportability": (frozenset({S.REPORTABILITY}), S.INVESTIGATION, ALL_HANDLERS),
    # 820.198(b)/(c): investigate, or record why not, who decided, and the earlier case.
    "complete_investigation": (frozenset({S.INVESTIGATION}), S.DISPOSITION, ALL_HANDLERS),
    "waive_investigation": (frozenset({S.INVESTIGATION}), S.DISPOSITION, ALL_HANDLERS),
    # CP-3: lot released or held, unit returned.
    "record_disposition": (frozenset({S.DISPOSITION}), S.CORRECTION, ALL_HANDLERS),
    # 8.2.2 e / 8.5.2: correction and the CAPA link (or why none is needed).
    "record_correction": (frozenset({S.CORRECTION}), S.REPLY, ALL_HANDLERS),
    # 820.198(e)(8): the reply to the complainant; the resolution reply moves it on.
    "send_resolution": (frozenset({S.REPLY}), S.REVIEW, ALL_HANDLERS | {R.CLERK}),
    # The quality department reviews and closes; it may send it back.
    "close": (frozenset({S.REVIEW}), S.CLOSED, QUALITY),
    "return_for_rework": (frozenset({S.REVIEW}), S.INVESTIGATION, QUALITY),
}


class Action(models.TextChoices):
    EVALUATE = "evaluate", _("It is a complaint")
    REJECT_AS_NOT_COMPLAINT = "reject_as_not_complaint", _("Not a complaint")
    DECIDE_REPORTABILITY = "decide_reportability", _("Decide reportability")
    COMPLETE_INVESTIGATION = "complete_investigation", _("Record the investigation")
    WAIVE_INVESTIGATION = "waive_investigation", _("No investigation needed")
    RECORD_DISPOSITION = "record_disposition", _("Record the product disposition")
    RECORD_CORRECTION = "record_correction", _("Record correction / CAPA")
    SEND_RESOLUTION = "send_resolution", _("Send the resolution reply")
    CLOSE = "close", pgettext_lazy("complaint action", "Close")
    RETURN_FOR_REWORK = "return_for_rework", _("Send back for rework")


# Activities that are not moves of the state machine: (allowed in statuses, roles).
ACTIVITIES: dict[str, tuple[frozenset, frozenset]] = {
    "edit": (OPEN_STATUSES, ALL_HANDLERS | {R.CLERK}),
    "reply": (OPEN_STATUSES - {S.RECEIVED}, ALL_HANDLERS | {R.CLERK}),
    "revise_reportability": (OPEN_STATUSES - {S.RECEIVED, S.REPORTABILITY}, QUALITY),
    "submit_report": (frozenset(Status.values), QUALITY),
    "link_capa": (OPEN_STATUSES, ALL_HANDLERS),
    # CP-3 steps of a service complaint.
    "apologise": (OPEN_STATUSES - {S.RECEIVED}, frozenset({R.TECH_HEAD, R.ADMIN})),
    "talk_with_engineer": (OPEN_STATUSES - {S.RECEIVED}, frozenset({R.TECH_HEAD, R.SUPERVISOR, R.ADMIN})),
    "self_assessment": (OPEN_STATUSES - {S.RECEIVED}, frozenset({R.ENGINEER})),
    "note": (frozenset(Status.values), ALL_HANDLERS | {R.CLERK}),
}
