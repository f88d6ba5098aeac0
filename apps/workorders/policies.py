"""The numbers and rules of SPEC §2 as named data, not code paths scattered around.

Change a value here (or override it in settings.WORKORDER_POLICIES) and every service, screen
and API follows.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.customers.choices import ProductLineUsage
from apps.workorders.choices import ApprovalStep, Billing, WorkType

_OVERRIDES = getattr(settings, "WORKORDER_POLICIES", {})

# SPEC WO-9 paid service: 50 % deposit before dispatch, balance within 3 working days of
# completion, new original parts fitted carry a 6-month warranty.
DEPOSIT_SHARE = Decimal(str(_OVERRIDES.get("DEPOSIT_SHARE", "0.50")))
BALANCE_DUE_WORKING_DAYS = int(_OVERRIDES.get("BALANCE_DUE_WORKING_DAYS", 3))
PAID_PARTS_WARRANTY_MONTHS = int(_OVERRIDES.get("PAID_PARTS_WARRANTY_MONTHS", 6))
# SPEC WO-16: arrival of shipped parts not confirmed within 10 days → the engineer calls.
PART_ARRIVAL_REMINDER_DAYS = int(_OVERRIDES.get("PART_ARRIVAL_REMINDER_DAYS", 10))
# How many earlier jobs on the instrument the intake screen shows.
RECENT_JOBS_SHOWN = 5
# Attachments (SPEC WO-1: photos, video, files).
ATTACHMENT_MAX_BYTES = int(_OVERRIDES.get("ATTACHMENT_MAX_BYTES", 50 * 1024 * 1024))
ATTACHMENT_EXTENSIONS = {
    "photo": {"jpg", "jpeg", "png", "heic", "webp", "gif"},
    "video": {"mp4", "mov", "3gp", "webm", "m4v"},
    "file": {"pdf", "doc", "docx", "xls", "xlsx", "txt", "csv", "zip"},
}


# --- SPEC WO-9 / WO-10: which approval route an application takes ---------------------------


@dataclass(frozen=True)
class Route:
    billing: str
    steps: tuple[str, ...]
    explanation: str


def approval_route(*, work_type: str, in_warranty: bool, usage: str, billing: str, repeat_free_prospect: bool) -> Route:
    """The approval path for one application.

    - application work, training, VIP visits: the technical head confirms (WO-3);
    - hardware in warranty: free, the technical head confirms (WO-10);
    - hardware, paid: quote → customer agreement & contract → 50 % deposit → finance confirms (WO-9);
    - hardware, free, full-line user: the marketing-centre head approves (WO-9);
    - hardware, free, partial user or prospect: the marketing-centre head approves; a repeat
      free request for a prospect who did not convert goes on to the general manager (WO-9).
    """
    if work_type not in HARDWARE_FOR_APPROVAL:
        return Route(Billing.FREE, (ApprovalStep.TECH_HEAD,), str(_("Application work: the technical head confirms.")))
    if in_warranty and billing != Billing.PAID:
        return Route(
            Billing.WARRANTY,
            (ApprovalStep.TECH_HEAD,),
            str(_("In warranty: free repair, the technical head confirms.")),
        )
    if billing == Billing.PAID:
        return Route(
            Billing.PAID,
            (ApprovalStep.QUOTE, ApprovalStep.CUSTOMER_AGREEMENT, ApprovalStep.DEPOSIT, ApprovalStep.DEPOSIT_CONFIRMED),
            str(_("Paid service: quote, customer agreement and contract, deposit confirmed by finance.")),
        )
    if usage == ProductLineUsage.FULL:
        return Route(
            Billing.FREE,
            (ApprovalStep.MARKETING_HEAD,),
            str(_("Full-line user: free service, the marketing-centre head approves.")),
        )
    if usage == ProductLineUsage.PROSPECT and repeat_free_prospect:
        return Route(
            Billing.FREE,
            (ApprovalStep.MARKETING_HEAD, ApprovalStep.GENERAL_MANAGER),
            str(_("Repeat free service for a prospect who did not convert: the general manager decides.")),
        )
    return Route(
        Billing.FREE,
        (ApprovalStep.MARKETING_HEAD,),
        str(_("Partial user or prospect: the sales leader checks, the marketing-centre head approves.")),
    )


HARDWARE_FOR_APPROVAL = frozenset(
    {WorkType.REPAIR, WorkType.MAINTENANCE, WorkType.UPGRADE, WorkType.COMMISSIONING, WorkType.INSTALLATION}
)

# SPEC WO-9: free service never includes parts.
PARTS_ALLOWED_BILLING = frozenset({Billing.PAID, Billing.WARRANTY})


# --- SPEC WO-8: readiness checklists per work type -------------------------------------------

_INSTALLATION = (
    ("site_space", _("Installation site: space is ready")),
    ("water", _("Water supply / pure water is ready")),
    ("power", _("Power supply is ready (voltage, grounding, UPS)")),
    ("environment", _("Environment: temperature, humidity, ventilation")),
    ("instrument_arrived", _("The instrument has arrived")),
    ("calibrators_arrived", _("Calibrators and QC have arrived")),
)
_APPLICATION = (
    ("reagents_arrived", _("Reagents have arrived")),
    ("calibrators_qc_arrived", _("Calibrators and QC have arrived")),
    ("contact_confirmed", _("Contact person confirmed")),
    ("project_list", _("Instrument and project list confirmed")),
    ("pack_sizes", _("Pack sizes match the instrument model")),
    ("reagent_bottles", _("Reagent bottles available")),
    ("reagent_positions", _("Reagent positions free on the analyser")),
    ("instrument_stable", _("Instrument is running stably")),
)
_COMMISSIONING = (
    ("power", _("Power supply is ready (voltage, grounding, UPS)")),
    ("lab_conditions", _("Laboratory conditions meet the requirements")),
    ("chemicals", _("Chemicals and consumables are ready")),
)
_HARDWARE = (
    ("fault_confirmed", _("Fault described and confirmed by phone")),
    ("parts_prepared", _("Likely parts and tools prepared")),
    ("customer_available", _("Customer can stop the instrument at the visit time")),
)
_PERFORMANCE = (
    ("plan_agreed", _("Plan and metrics agreed with the customer")),
    ("report_template", _("Report template prepared")),
    ("materials_shipped", _("Materials shipped to the customer and arrived")),
) + _APPLICATION[4:7]

READINESS_CHECKLISTS: dict[str, tuple] = {
    WorkType.INSTALLATION: _INSTALLATION,
    WorkType.COMMISSIONING: _COMMISSIONING,
    WorkType.REPAIR: _HARDWARE,
    WorkType.MAINTENANCE: _HARDWARE,
    WorkType.UPGRADE: _HARDWARE,
    WorkType.APP_NEW_PROJECT: _APPLICATION,
    WorkType.APP_TROUBLESHOOTING: _APPLICATION,
    WorkType.PERFORMANCE_VERIFICATION: _PERFORMANCE,
    WorkType.TRAINING: (
        ("participants", _("Participants and time agreed")),
        ("materials", _("Training materials ready")),
    ),
    WorkType.VIP_VISIT: (("agenda", _("Visit agenda agreed with the customer")),),
    WorkType.REMOTE_SUPPORT: (),
}


def checklist_for(work_type: str) -> tuple:
    return READINESS_CHECKLISTS.get(work_type, ())


# --- SPEC WO-6: skill groups that fit a work type (dispatch suggestions) ---------------------

SKILLS_FOR_TYPE: dict[str, tuple[str, ...]] = {
    WorkType.INSTALLATION: ("hw_biochem_maint", "hw_biochem_repair", "hw_hba1c", "hw_poct"),
    WorkType.COMMISSIONING: ("hw_biochem_maint", "hw_biochem_repair", "hw_hba1c", "hw_poct"),
    WorkType.REPAIR: ("hw_biochem_repair", "hw_hba1c", "hw_poct"),
    WorkType.MAINTENANCE: ("hw_biochem_maint", "hw_hba1c", "hw_poct"),
    WorkType.UPGRADE: ("hw_biochem_repair", "hw_biochem_maint", "hw_hba1c", "hw_poct"),
    WorkType.APP_NEW_PROJECT: ("app_reagent",),
    WorkType.APP_TROUBLESHOOTING: ("app_reagent", "app_qc"),
    WorkType.PERFORMANCE_VERIFICATION: ("app_verification",),
    WorkType.TRAINING: ("app_reagent", "app_qc", "app_verification"),
    WorkType.VIP_VISIT: ("app_reagent", "app_qc", "hw_biochem_maint"),
    WorkType.REMOTE_SUPPORT: ("app_reagent", "app_qc", "hw_biochem_repair"),
}

# Hardware skills depend on the instrument family too: a POCT specialist is no match for a
# biochemistry analyser repair.
HARDWARE_SKILL_BY_FAMILY: dict[str, frozenset[str]] = {
    "hba1c": frozenset({"hw_hba1c"}),
    "poct": frozenset({"hw_poct"}),
    "biochem": frozenset({"hw_biochem_maint", "hw_biochem_repair"}),
}


def skills_for(work_type: str, family: str | None = None) -> tuple[str, ...]:
    """Skill groups that fit a job (SPEC WO-6): by work type, narrowed by the instrument family
    for hardware work when the family is known."""
    wanted = SKILLS_FOR_TYPE.get(work_type, ())
    family_skills = HARDWARE_SKILL_BY_FAMILY.get(family or "")
    if family_skills is None:
        return wanted
    narrowed = tuple(code for code in wanted if not code.startswith("hw_") or code in family_skills)
    return narrowed or wanted


# Ranking weights of a dispatch suggestion (higher is better); each scored factor is shown to
# the technical head with its reason.
RANK_RESIDENT = 40
RANK_SKILL = 25
RANK_QUALIFIED = 20
RANK_LOAD_PENALTY = 5  # per open job already assigned
RANK_DISTANCE_PENALTY_PER_100KM = 4
