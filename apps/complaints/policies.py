"""The numbers of SPEC §6 as named values; the regulatory deadlines themselves are the
ReportingRule table (seeded from SEED_RULES below, edited by the quality department)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_noop

from apps.accounts.choices import Role

# CP-4 / SLA-3 [S4]: reply within 24 h, a solution within 48 h, resolved within 72 h — SLA
# clocks on the round-the-clock calendar, started at intake (apps.sla; seeded by migration 0002).
CLOCK_REPLY = "complaint-reply"
CLOCK_PLAN = "complaint-plan"
CLOCK_RESOLVED = "complaint-resolved"
CLOCK_CODES = (CLOCK_REPLY, CLOCK_PLAN, CLOCK_RESOLVED)
REPLY_WITHIN = timedelta(hours=24)
PLAN_WITHIN = timedelta(hours=48)
RESOLVED_WITHIN = timedelta(hours=72)

# Record retention (ISO 13485 4.2.5; China's adverse-event rules: records kept at least two
# years after the device's expiry date, and at least five years where it has none). The closed
# complaint carries the later of the two dates.
RETENTION_YEARS = getattr(settings, "COMPLAINT_RETENTION_YEARS", 5)
RETENTION_AFTER_EXPIRY_YEARS = getattr(settings, "COMPLAINT_RETENTION_AFTER_EXPIRY_YEARS", 2)

# CP-3 [S0 3.(四)]: a second service complaint against the same engineer within this many days
# flags him for a reassignment review by the technical head.
REPEAT_COMPLAINT_WINDOW_DAYS = getattr(settings, "COMPLAINT_REPEAT_WINDOW_DAYS", 365)

# How many pending regulatory reports one scan handles (tasks.check_regulatory_reports).
CHECK_BATCH_SIZE = 500


@dataclass(frozen=True)
class RuleSeed:
    """One row of the reporting-rules table as first installed. Texts are English, marked for
    translation; an unedited row reads in the user's language."""

    code: str
    jurisdiction: str
    event: str
    sequence: int
    name: str
    recipient: str
    amount: int
    unit: str
    warn_before: timedelta
    escalate_role: str
    source: str


SEED_RULES: tuple[RuleSeed, ...] = (
    # 《医疗器械不良事件监测和再评价管理办法》(2018) 第二十五条: death — within 7 days of becoming aware.
    RuleSeed(
        code="cn-death",
        jurisdiction="cn",
        event="death",
        sequence=1,
        name=gettext_noop("Individual adverse-event report (death)"),
        recipient=gettext_noop("National medical device adverse event monitoring system"),
        amount=7,
        unit="calendar_days",
        warn_before=timedelta(days=2),
        escalate_role=Role.GENERAL_MANAGER,
        source=gettext_noop("China, adverse-event rules art. 25: death — within 7 days of awareness"),
    ),
    # 同上: serious injury, or may lead to serious injury or death — within 20 days.
    RuleSeed(
        code="cn-serious-injury",
        jurisdiction="cn",
        event="serious_injury",
        sequence=1,
        name=gettext_noop("Individual adverse-event report (serious injury)"),
        recipient=gettext_noop("National medical device adverse event monitoring system"),
        amount=20,
        unit="calendar_days",
        warn_before=timedelta(days=5),
        escalate_role=Role.GENERAL_MANAGER,
        source=gettext_noop(
            "China, adverse-event rules art. 25: serious injury or a risk of serious injury or death — "
            "within 20 days of awareness"
        ),
    ),
    # 第二十七条: group adverse event — 12 h by phone or fax; individual reports within 24 h;
    # the holder's investigation within 7 days.
    RuleSeed(
        code="cn-group-phone",
        jurisdiction="cn",
        event="group_event",
        sequence=1,
        name=gettext_noop("Group event: report by phone or fax"),
        recipient=gettext_noop("Provincial drug administration and health authority"),
        amount=12,
        unit="hours",
        warn_before=timedelta(hours=3),
        escalate_role=Role.GENERAL_MANAGER,
        source=gettext_noop("China, adverse-event rules art. 27: group event — within 12 hours by phone or fax"),
    ),
    RuleSeed(
        code="cn-group-individual",
        jurisdiction="cn",
        event="group_event",
        sequence=2,
        name=gettext_noop("Group event: individual report of each case"),
        recipient=gettext_noop("National medical device adverse event monitoring system"),
        amount=24,
        unit="hours",
        warn_before=timedelta(hours=6),
        escalate_role=Role.GENERAL_MANAGER,
        source=gettext_noop("China, adverse-event rules art. 27: group event — individual reports within 24 hours"),
    ),
    RuleSeed(
        code="cn-group-investigation",
        jurisdiction="cn",
        event="group_event",
        sequence=3,
        name=gettext_noop("Group event: holder's investigation report"),
        recipient=gettext_noop("Provincial drug administration"),
        amount=7,
        unit="calendar_days",
        warn_before=timedelta(days=2),
        escalate_role=Role.GENERAL_MANAGER,
        source=gettext_noop("China, adverse-event rules art. 28: group event — investigation report within 7 days"),
    ),
    # 第二十六条: serious events overseas of a device also marketed in China — within 30 days.
    RuleSeed(
        code="cn-overseas",
        jurisdiction="cn",
        event="overseas_serious",
        sequence=1,
        name=gettext_noop("Overseas serious adverse event report"),
        recipient=gettext_noop("National medical device adverse event monitoring system"),
        amount=30,
        unit="calendar_days",
        warn_before=timedelta(days=5),
        escalate_role=Role.QUALITY,
        source=gettext_noop("China, adverse-event rules art. 26: serious events overseas — within 30 days"),
    ),
    # 21 CFR 803.50: MDR within 30 calendar days; 803.53: 5 work days when remedial action is needed.
    RuleSeed(
        code="us-mdr-30",
        jurisdiction="us",
        event="us_mdr",
        sequence=1,
        name=gettext_noop("MDR (FDA 3500A)"),
        recipient=gettext_noop("US FDA (eMDR)"),
        amount=30,
        unit="calendar_days",
        warn_before=timedelta(days=5),
        escalate_role=Role.QUALITY,
        source=gettext_noop("21 CFR 803.50: within 30 calendar days of becoming aware"),
    ),
    RuleSeed(
        code="us-mdr-5day",
        jurisdiction="us",
        event="us_remedial",
        sequence=1,
        name=gettext_noop("5-day MDR report"),
        recipient=gettext_noop("US FDA (eMDR)"),
        amount=5,
        unit="working_days",
        warn_before=timedelta(days=1),
        escalate_role=Role.GENERAL_MANAGER,
        source=gettext_noop("21 CFR 803.53: within 5 work days when remedial action is needed"),
    ),
)


def clock_seeds():
    """CP-4 / SLA-3 time limits as rows of the SLA policy table (round the clock: a complainant
    waits on weekends too)."""
    from apps.sla.policies import ROUND_THE_CLOCK_CALENDAR, PolicySeed

    return (
        PolicySeed(
            code=CLOCK_REPLY,
            name=gettext_noop("Complaint: first reply"),
            description=gettext_noop("SPEC SLA-3 / CP-4: reply to the complainant within 24 hours."),
            duration=REPLY_WITHIN,
            warn_before=timedelta(hours=4),
            escalate_role=Role.TECH_HEAD,
            calendar_code=ROUND_THE_CLOCK_CALENDAR,
        ),
        PolicySeed(
            code=CLOCK_PLAN,
            name=gettext_noop("Complaint: solution plan"),
            description=gettext_noop("SPEC SLA-3 / CP-4: a solution within 48 hours."),
            duration=PLAN_WITHIN,
            warn_before=timedelta(hours=8),
            escalate_role=Role.TECH_HEAD,
            calendar_code=ROUND_THE_CLOCK_CALENDAR,
        ),
        PolicySeed(
            code=CLOCK_RESOLVED,
            name=gettext_noop("Complaint: resolved"),
            description=gettext_noop("SPEC SLA-3 / CP-4: resolved within 72 hours, except special cases."),
            duration=RESOLVED_WITHIN,
            warn_before=timedelta(hours=12),
            escalate_role=Role.MARKETING_HEAD,
            calendar_code=ROUND_THE_CLOCK_CALENDAR,
        ),
    )
