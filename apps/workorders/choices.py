"""Enumerations of the work-order domain (SPEC §2) and its state machine as a plain table."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role as R
from apps.sla.choices import PauseKind as _SlaPauseKind


class WorkType(models.TextChoices):
    """Request types of SPEC §2."""

    INSTALLATION = "installation", _("Installation")
    COMMISSIONING = "commissioning", _("Commissioning")
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Preventive maintenance")
    UPGRADE = "upgrade", _("Upgrade")
    APP_NEW_PROJECT = "app_new_project", _("Application: new project")
    APP_TROUBLESHOOTING = "app_troubleshooting", _("Application: troubleshooting")
    PERFORMANCE_VERIFICATION = "performance_verification", _("Performance verification")
    TRAINING = "training", _("Training")
    VIP_VISIT = "vip_visit", _("VIP visit")
    REMOTE_SUPPORT = "remote_support", _("Remote technical support")


HARDWARE_TYPES = frozenset(
    {WorkType.INSTALLATION, WorkType.COMMISSIONING, WorkType.REPAIR, WorkType.MAINTENANCE, WorkType.UPGRADE}
)
APPLICATION_TYPES = frozenset(
    {WorkType.APP_NEW_PROJECT, WorkType.APP_TROUBLESHOOTING, WorkType.PERFORMANCE_VERIFICATION, WorkType.TRAINING}
)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    """SPEC WO-1: any channel creates a request."""

    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    QR = "qr", _("QR scan")
    API = "api", _("API")
    STAFF = "staff", _("Engineer / sales / dealer")


class Status(models.TextChoices):
    """SPEC WO-18."""

    NEW = "new", pgettext_lazy("work order status", "New")
    REMOTE_RESOLVED = "remote_resolved", _("Solved remotely")
    PENDING_APPROVAL = "pending_approval", _("Application filed")
    APPROVED = "approved", _("Approved")
    DISPATCHED = "dispatched", _("Dispatched")
    SCHEDULED = "scheduled", _("Scheduled")
    ON_SITE = "on_site", _("On site")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = frozenset(
    {
        Status.NEW,
        Status.PENDING_APPROVAL,
        Status.APPROVED,
        Status.DISPATCHED,
        Status.SCHEDULED,
        Status.ON_SITE,
    }
)
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED, Status.REJECTED, Status.REMOTE_RESOLVED})


class Billing(models.TextChoices):
    """SPEC WO-9 / WO-10."""

    UNDECIDED = "undecided", _("Not decided yet")
    WARRANTY = "warranty", _("In warranty (free)")
    FREE = "free", _("Free service")
    PAID = "paid", _("Paid service")


class ApplicationState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class ApprovalStep(models.TextChoices):
    """One step of an approval route (SPEC WO-9); who decides it is in APPROVERS."""

    TECH_HEAD = "tech_head", _("Technical head confirms")
    MARKETING_HEAD = "marketing_head", _("Marketing-centre head approves free service")
    GENERAL_MANAGER = "general_manager", _("General manager approves a repeat free service")
    QUOTE = "quote", _("Technical head quotes the price")
    CUSTOMER_AGREEMENT = "customer_agreement", _("Customer agrees and signs the contract")
    DEPOSIT = "deposit", _("Customer pays the deposit")
    DEPOSIT_CONFIRMED = "deposit_confirmed", _("Finance confirms the deposit")


# Who may decide each step (admin always may).
APPROVERS: dict[str, frozenset] = {
    ApprovalStep.TECH_HEAD: frozenset({R.TECH_HEAD}),
    ApprovalStep.MARKETING_HEAD: frozenset({R.MARKETING_HEAD}),
    ApprovalStep.GENERAL_MANAGER: frozenset({R.GENERAL_MANAGER}),
    ApprovalStep.QUOTE: frozenset({R.TECH_HEAD}),
    ApprovalStep.CUSTOMER_AGREEMENT: frozenset({R.SALES, R.TECH_HEAD}),
    ApprovalStep.DEPOSIT: frozenset({R.SALES, R.TECH_HEAD, R.FINANCE}),
    ApprovalStep.DEPOSIT_CONFIRMED: frozenset({R.FINANCE}),
}


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved")
    UNSOLVED = "unsolved", _("Not solved — escalate")


class ReportKind(models.TextChoices):
    """SPEC WO-12: the report type fits the job."""

    APPLICATION = "application", _("Application service report")
    HARDWARE = "hardware", _("Hardware service report")
    REPAIR = "repair", _("Repair record")
    ACCEPTANCE = "acceptance", _("Installation acceptance form")


REPORT_KIND_FOR_TYPE = {
    WorkType.INSTALLATION: ReportKind.ACCEPTANCE,
    WorkType.COMMISSIONING: ReportKind.HARDWARE,
    WorkType.REPAIR: ReportKind.REPAIR,
    WorkType.MAINTENANCE: ReportKind.HARDWARE,
    WorkType.UPGRADE: ReportKind.HARDWARE,
    WorkType.APP_NEW_PROJECT: ReportKind.APPLICATION,
    WorkType.APP_TROUBLESHOOTING: ReportKind.APPLICATION,
    WorkType.PERFORMANCE_VERIFICATION: ReportKind.APPLICATION,
    WorkType.TRAINING: ReportKind.APPLICATION,
    WorkType.VIP_VISIT: ReportKind.APPLICATION,
    WorkType.REMOTE_SUPPORT: ReportKind.APPLICATION,
}


class PartSupply(models.TextChoices):
    """SPEC WO-16: bought parts → customer buys; free-exchange or gift → company ships."""

    BOUGHT = "bought", _("Bought by the customer")
    FREE_EXCHANGE = "free_exchange", _("Free exchange (company ships)")
    GIFT = "gift", _("Gift (company ships)")


class EventKind(models.TextChoices):
    """Timeline entries a user reads (who, when, from → to, why)."""

    CREATED = "created", _("Registered")
    TRANSITION = "transition", _("Status changed")
    REMOTE = "remote", _("Remote attempt")
    APPLICATION = "application", _("Application")
    APPROVAL = "approval", _("Approval step")
    DISPATCH = "dispatch", _("Dispatch")
    REALLOCATION = "reallocation", _("Re-allocation")
    APPOINTMENT = "appointment", _("Appointment")
    DELAY = "delay", _("Appointment delayed")
    CHECKLIST = "checklist", _("Readiness checklist")
    CHECK_IN = "check_in", _("Check-in")
    CHECK_OUT = "check_out", _("Check-out")
    PART = "part", _("Part")
    REPORT = "report", _("Service report")
    PAYMENT = "payment", _("Payment")
    ESCALATION = "escalation", _("Escalation")
    PAUSE = "pause", _("Clock paused")
    RESUME = "resume", _("Clock resumed")
    ASSESSMENT = "assessment", _("Complaint assessment")
    ARREARS = "arrears", _("Arrears")
    NOTE = "note", _("Note")
    ATTACHMENT = "attachment", _("Attachment")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    FILE = "file", _("File")


# Why a job waits: the SLA clock engine's own reasons, so the clocks take them as they are.
PauseKind = _SlaPauseKind


# --- the state machine (SPEC WO-18) ----------------------------------------------------------
# action -> (from statuses, to status, roles allowed). Row-level rules (the assigned engineer
# only, the sales person of the customer only, the approver of the current step …) are checked
# by apps.workorders.transitions on top of this table.

S = Status
HOTLINE = frozenset({R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.ADMIN})
DISPATCHERS = frozenset({R.TECH_HEAD, R.ADMIN})
FIELD = frozenset({R.ENGINEER, R.TECH_HEAD, R.ADMIN})
APPROVER_ROLES = frozenset().union(*APPROVERS.values()) | {R.ADMIN}

TRANSITIONS: dict[str, tuple[frozenset, str, frozenset]] = {
    # WO-2: remote first — what the phone could solve closes without a visit.
    "resolve_remotely": (frozenset({S.NEW}), S.REMOTE_RESOLVED, HOTLINE | {R.ENGINEER}),
    "reopen": (frozenset({S.REMOTE_RESOLVED}), S.NEW, HOTLINE),
    # WO-3: sales files the application for on-site work.
    "file_application": (
        frozenset({S.NEW}),
        S.PENDING_APPROVAL,
        frozenset({R.SALES, R.TECH_HEAD, R.CUSTOMER_MANAGER, R.DEALER, R.ADMIN}),
    ),
    # WO-9: every step of the route decided; the last approval moves the order on.
    "approve": (frozenset({S.PENDING_APPROVAL}), S.APPROVED, APPROVER_ROLES),
    "reject": (frozenset({S.PENDING_APPROVAL}), S.REJECTED, APPROVER_ROLES),
    # WO-4 / WO-5: no dispatch, no work; the emergency path dispatches a new order at once.
    "dispatch": (frozenset({S.APPROVED}), S.DISPATCHED, DISPATCHERS),
    "emergency_dispatch": (frozenset({S.NEW, S.PENDING_APPROVAL}), S.DISPATCHED, DISPATCHERS),
    # WO-6: regional customer managers may re-allocate.
    "reallocate": (
        frozenset({S.DISPATCHED, S.SCHEDULED}),
        S.DISPATCHED,
        DISPATCHERS | {R.CUSTOMER_MANAGER},
    ),
    # WO-7 / WO-8: the engineer books the visit once the readiness checklist is complete.
    "schedule": (frozenset({S.DISPATCHED}), S.SCHEDULED, FIELD),
    "reschedule": (frozenset({S.SCHEDULED}), S.SCHEDULED, FIELD),
    # WO-11: the visit.
    "check_in": (frozenset({S.SCHEDULED}), S.ON_SITE, FIELD),
    # WO-12: the signed report completes the job.
    "complete": (frozenset({S.ON_SITE}), S.COMPLETED, FIELD),
    # WO-18: closed when billing is settled.
    "close": (frozenset({S.COMPLETED}), S.CLOSED, frozenset({R.TECH_HEAD, R.CLERK, R.SUPERVISOR, R.ADMIN})),
    "cancel": (
        frozenset({S.NEW, S.PENDING_APPROVAL, S.APPROVED, S.DISPATCHED, S.SCHEDULED}),
        S.CANCELLED,
        frozenset({R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.ADMIN}),
    ),
}


class Action(models.TextChoices):
    RESOLVE_REMOTELY = "resolve_remotely", _("Solved remotely")
    REOPEN = "reopen", _("Reopen")
    FILE_APPLICATION = "file_application", _("File service application")
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    DISPATCH = "dispatch", _("Dispatch")
    EMERGENCY_DISPATCH = "emergency_dispatch", _("Emergency dispatch")
    REALLOCATE = "reallocate", _("Re-allocate")
    SCHEDULE = "schedule", _("Book the visit")
    RESCHEDULE = "reschedule", _("Change the appointment")
    CHECK_IN = "check_in", _("Check in on site")
    COMPLETE = "complete", _("Complete with signed report")
    CLOSE = "close", _("Close")
    CANCEL = "cancel", _("Cancel")
