"""The numbers and rules of SPEC §4 as named data.

The follow-up rules themselves are a table admins read and change (apps.followups.models.
FollowUpRule, page /follow-up-rules/); SEED_RULES below is what a new installation starts with
(seeded by migration 0001). Other numbers can be overridden in settings.FOLLOWUP_POLICIES.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from apps.followups.choices import AssigneeRole, Channel, Job, OffsetUnit, Questionnaire, Stage

_OVERRIDES = getattr(settings, "FOLLOWUP_POLICIES", {})

# FU-3: a customer not reached is called again; after this many attempts the supervisor is told
# (the follow-up stays on the list — it is never dropped).
RETRY_AFTER_HOURS = int(_OVERRIDES.get("RETRY_AFTER_HOURS", 4))
ATTEMPTS_BEFORE_SUPERVISOR = int(_OVERRIDES.get("ATTEMPTS_BEFORE_SUPERVISOR", 3))

# FU-7: engineers spend at most one working day in five on phone follow-ups [S3 6.6].
PHONE_FOLLOWUP_MINUTES = int(_OVERRIDES.get("PHONE_FOLLOWUP_MINUTES", 20))
WORKING_DAY_HOURS = int(_OVERRIDES.get("WORKING_DAY_HOURS", 8))
PHONE_SHARE_DAYS = (1, 5)  # one working day in five

# Due today counts until the end of the local day; the call list shows this many days ahead.
CALL_LIST_DAYS_AHEAD = int(_OVERRIDES.get("CALL_LIST_DAYS_AHEAD", 0))


@dataclass(frozen=True)
class SeedRule:
    job: str
    stage: str
    sequence: int
    offset: int
    unit: str
    channel: str
    assignee_role: str
    questionnaire: str
    note: str
    interval_days: int = 0
    horizon_days: int = 0


_E, _C, _CE = AssigneeRole.ENGINEER, AssigneeRole.CLERK, AssigneeRole.CUSTOMER_ENGINEER
_PHONE = Channel.PHONE
H, D, WD = OffsetUnit.HOURS, OffsetUnit.DAYS, OffsetUnit.WORKING_DAYS

# SPEC FU-1. "Then at least two a month" has no end in the seeds: it runs for HORIZON days after
# completion (an admin changes it per rule).
HORIZON = 90
SEED_RULES = (
    # S1 三.1 installation / upgrade / replacement
    SeedRule(Job.INSTALLATION, Stage.FIXED, 1, 24, H, _PHONE, _E, Questionnaire.INSTALLATION, "S1 三.1 +24 h"),
    SeedRule(Job.INSTALLATION, Stage.FIXED, 2, 48, H, _PHONE, _E, Questionnaire.INSTALLATION, "S1 三.1 +48 h"),
    SeedRule(
        Job.INSTALLATION,
        Stage.AFTER_GOOD,
        3,
        7,
        D,
        _PHONE,
        _E,
        Questionnaire.INSTALLATION,
        "S1 三.1 third within one week if all is well",
    ),
    SeedRule(
        Job.INSTALLATION,
        Stage.RECURRING,
        4,
        15,
        D,
        _PHONE,
        _CE,
        Questionnaire.INSTALLATION,
        "S1 三.1 then at least twice a month",
        interval_days=15,
        horizon_days=HORIZON,
    ),
    SeedRule(
        Job.INSTALLATION,
        Stage.POOR_DAILY,
        5,
        1,
        D,
        _PHONE,
        _E,
        Questionnaire.INSTALLATION,
        "S1 三.1 worse than usual: every next day until solved",
    ),
    # S1 三.2 repair / maintenance
    SeedRule(Job.REPAIR, Stage.FIXED, 1, 48, H, _PHONE, _E, Questionnaire.SERVICE, "S1 三.2 within 48 h"),
    SeedRule(Job.REPAIR, Stage.FIXED, 2, 7, D, _PHONE, _C, Questionnaire.SERVICE, "S1 三.2 again within one week"),
    # S1 三.3 technical support
    SeedRule(Job.TECHNICAL_SUPPORT, Stage.FIXED, 1, 24, H, _PHONE, _E, Questionnaire.SERVICE, "S1 三.3 +24 h"),
    SeedRule(Job.TECHNICAL_SUPPORT, Stage.FIXED, 2, 48, H, _PHONE, _E, Questionnaire.SERVICE, "S1 三.3 +48 h"),
    SeedRule(
        Job.TECHNICAL_SUPPORT,
        Stage.AFTER_GOOD,
        3,
        7,
        D,
        _PHONE,
        _E,
        Questionnaire.SERVICE,
        "S1 三.3 third within one week if good",
    ),
    SeedRule(
        Job.TECHNICAL_SUPPORT,
        Stage.RECURRING,
        4,
        15,
        D,
        _PHONE,
        _CE,
        Questionnaire.SERVICE,
        "S1 三.3 then at least twice a month",
        interval_days=15,
        horizon_days=HORIZON,
    ),
    SeedRule(
        Job.TECHNICAL_SUPPORT,
        Stage.POOR_DAILY,
        5,
        1,
        D,
        _PHONE,
        _E,
        Questionnaire.SERVICE,
        "S1 三.3 poor: every next day until solved",
    ),
    # S0 2.(三) note 3 paid hardware service; S1 三.2 still asks for the 48-hour check of a repair
    SeedRule(Job.PAID_HARDWARE, Stage.FIXED, 1, 48, H, _PHONE, _E, Questionnaire.SERVICE, "S1 三.2 within 48 h"),
    SeedRule(
        Job.PAID_HARDWARE,
        Stage.FIXED,
        2,
        7,
        D,
        _PHONE,
        _C,
        Questionnaire.SERVICE,
        "S0 2.(三) note 3 phone follow-up one week after",
    ),
    # S0 附件三 (7), 附件四 (7): application work — reagent use one week after
    SeedRule(
        Job.APPLICATION,
        Stage.FIXED,
        1,
        7,
        D,
        _PHONE,
        _E,
        Questionnaire.LAB_PHONE,
        "S0 附件三(7) reagent use one week after",
    ),
    # S0 3.(一)一.6: VIP on-site visit — phone follow-up the next day
    SeedRule(
        Job.VIP_VISIT,
        Stage.FIXED,
        1,
        1,
        WD,
        _PHONE,
        _C,
        Questionnaire.LAB_PHONE,
        "S0 3.(一)一.6 the next (working) day",
    ),
    # S4: complaint — follow-up within one month
    SeedRule(Job.COMPLAINT, Stage.FIXED, 1, 30, D, _PHONE, _C, Questionnaire.COMPLAINT, "S4 within one month"),
)


# --- FU-2: what each questionnaire asks (code, label, kind) ----------------------------------
# kind: "text" free answer, "yesno", "number".

QUESTIONS = {
    Questionnaire.INSTALLATION: (
        ("adoption", _("Department has started using it (if not, why?)"), "text"),
        ("device_use", _("How the device is being used"), "text"),
        ("output_quality", _("Quality of results / output"), "text"),
        ("operator_compliance", _("Operators follow the procedures"), "yesno"),
        ("specimens_reagents", _("Specimen types and reagent usage"), "text"),
        ("specimen_handling", _("Specimen processing time and temperature"), "text"),
        ("suggestions", _("Suggestions for our products"), "text"),
    ),
    Questionnaire.SERVICE: (
        ("device_status", _("Device running normally"), "yesno"),
        ("output_quality", _("Quality of results / output"), "text"),
        ("operator_compliance", _("Operators follow the procedures"), "yesno"),
        ("specimens_reagents", _("Specimen types and reagent usage"), "text"),
        ("specimen_handling", _("Specimen processing time and temperature"), "text"),
        ("suggestions", _("Suggestions for our products"), "text"),
    ),
    # S0 3.(一)三.4
    Questionnaire.LAB_PHONE: (
        ("results_fit_clinic", _("Do the new projects' results fit the clinic?"), "yesno"),
        ("suggestions", _("Any comments or suggestions on our products and service?"), "text"),
        ("projects_run", _("Which projects does the lab run?"), "text"),
        ("daily_samples", _("Daily sample volume"), "number"),
    ),
    Questionnaire.COMPLAINT: (
        ("resolved", _("Is the customer satisfied with how the complaint was handled?"), "yesno"),
        ("recurred", _("Has the problem come back?"), "yesno"),
        ("suggestions", _("Anything else the customer wants us to know"), "text"),
    ),
    Questionnaire.NEW_PROJECT: (
        ("in_use", _("Is the project in use?"), "yesno"),
        ("monthly_usage", _("Tests run this month"), "number"),
        ("reason_not_in_use", _("If not in use: why?"), "text"),
    ),
}

# Questionnaires whose answers ask "results as usual or worse?" (drives FU-1's daily tracking).
TREND_QUESTIONNAIRES = frozenset({Questionnaire.INSTALLATION, Questionnaire.SERVICE})

# The phone script of S0 3.(一)三.3 (the company and caller are filled in).
SCRIPT = _(
    "Hello, this is %(caller)s from the technical department of %(company)s. I am calling to follow up "
    "on our recent service — is now a good time?"
)


def job_for_order(order) -> str | None:
    """Which rule set a completed work order follows (FU-1); None = no follow-up plan."""
    from apps.workorders.choices import Billing, Status, WorkType

    if order.status == Status.REMOTE_RESOLVED:
        return Job.TECHNICAL_SUPPORT
    hardware = {WorkType.REPAIR, WorkType.MAINTENANCE}
    if order.work_type in hardware and order.billing == Billing.PAID:
        return Job.PAID_HARDWARE
    return {
        WorkType.INSTALLATION: Job.INSTALLATION,
        WorkType.UPGRADE: Job.INSTALLATION,
        WorkType.COMMISSIONING: Job.INSTALLATION,
        WorkType.REPAIR: Job.REPAIR,
        WorkType.MAINTENANCE: Job.REPAIR,
        WorkType.REMOTE_SUPPORT: Job.TECHNICAL_SUPPORT,
        WorkType.APP_NEW_PROJECT: Job.APPLICATION,
        WorkType.APP_TROUBLESHOOTING: Job.APPLICATION,
        WorkType.PERFORMANCE_VERIFICATION: Job.APPLICATION,
        WorkType.VIP_VISIT: Job.VIP_VISIT,
    }.get(order.work_type)
