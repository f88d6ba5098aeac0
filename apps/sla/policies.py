"""The numbers of the business calendar and of the SLA clocks (SPEC §3) as named values,
overridable in settings."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# A clock that finds no working time for this long stops with a clear error instead of
# searching forever (e.g. a calendar whose overrides make every day a holiday).
MAX_SEARCH_YEARS: int = getattr(settings, "SLA_MAX_SEARCH_YEARS", 3)
MAX_SEARCH_DAYS: int = MAX_SEARCH_YEARS * 366

# The calendar page shows this many days from today.
PREVIEW_DAYS: int = getattr(settings, "SLA_CALENDAR_PREVIEW_DAYS", 60)

# The deadline calculator (page and API) accepts durations up to this many hours (about a
# year of office hours, well inside the search limit above).
CALCULATOR_MAX_HOURS: int = getattr(settings, "SLA_CALCULATOR_MAX_HOURS", 2_000)


# Statutory holidays on fixed Gregorian dates (全国年节及纪念日放假办法, as amended 2024):
# New Year's Day 1 Jan, Labour Day 1–2 May, National Day 1–3 Oct. Used only for years the
# chinesecalendar package does not know yet; overrides still win.
FIXED_STATUTORY_HOLIDAYS = {
    (1, 1): _("New Year's Day"),
    (5, 1): _("Labour Day"),
    (5, 2): _("Labour Day"),
    (10, 1): _("National Day"),
    (10, 2): _("National Day"),
    (10, 3): _("National Day"),
}


# --- SLA policies (SPEC §3 SLA-1…SLA-4, WO-2) ------------------------------------------------
# The numbers the data migration seeds the SlaPolicy table with. From then on the table is the
# truth (a technical head edits it on the "Time limits" page); a running clock keeps the duration
# it started with. The codes are what the subject apps call clock_start() with.

ROUND_THE_CLOCK_CALENDAR = "24x7"  # code of the seeded 24×7 calendar (migration 0002)

REPAIR_HANDOVER = "repair_handover"
REPAIR_FIRST_CONTACT = "repair_first_contact"
REPAIR_ON_SITE = "repair_on_site"
COMMISSION_NOTIFY = "commission_notify"
COMMISSION_PREREQUISITES = "commission_prerequisites"
CALLBACK_APPLICATION = "callback_application"
URGENT_ON_SITE = "urgent_on_site"
URGENT_ANSWER = "urgent_answer"

# SLA-1 [S3]: the information officer passes a repair to the local engineer within 10 minutes,
# the engineer contacts the customer within 30 minutes, on site generally within 48 hours.
REPAIR_HANDOVER_WITHIN = timedelta(minutes=10)
REPAIR_HANDOVER_WARN_BEFORE = timedelta(minutes=3)
REPAIR_FIRST_CONTACT_WITHIN = timedelta(minutes=30)
REPAIR_FIRST_CONTACT_WARN_BEFORE = timedelta(minutes=10)
REPAIR_ON_SITE_WITHIN = timedelta(hours=48)
REPAIR_ON_SITE_WARN_BEFORE = timedelta(hours=6)
# SLA-2 [S3]: commissioning — notify the local engineer within 1 hour; the engineer tells the
# customer the prerequisites within 4 hours.
COMMISSION_NOTIFY_WITHIN = timedelta(hours=1)
COMMISSION_NOTIFY_WARN_BEFORE = timedelta(minutes=15)
COMMISSION_PREREQUISITES_WITHIN = timedelta(hours=4)
COMMISSION_PREREQUISITES_WARN_BEFORE = timedelta(hours=1)
# WO-2 [S0 附件四 (7)]: application troubleshooting — call back within 1 hour.
CALLBACK_APPLICATION_WITHIN = timedelta(hours=1)
CALLBACK_APPLICATION_WARN_BEFORE = timedelta(minutes=15)
# SLA-3 [S4 5.3]: an urgent technical problem the phone did not solve — an engineer on site
# within 24 hours.
URGENT_ON_SITE_WITHIN = timedelta(hours=24)
URGENT_ON_SITE_WARN_BEFORE = timedelta(hours=4)
# SLA-4 [S0 附件三 (4)]: an urgent request the engineer has not answered within 1 hour goes to
# the supervisor.
URGENT_ANSWER_WITHIN = timedelta(hours=1)
URGENT_ANSWER_WARN_BEFORE = timedelta(minutes=15)


@dataclass(frozen=True)
class PolicySeed:
    """One row of the SlaPolicy table as first installed. Name and description are English and
    marked for translation: the pages show them through gettext, so an unedited seed row reads in
    the user's language and an edited one as typed."""

    code: str
    name: str
    description: str
    duration: timedelta
    warn_before: timedelta
    escalate_role: str  # an apps.accounts.choices.Role value
    calendar_code: str | None = None  # None: the default calendar


SEED_POLICIES: tuple[PolicySeed, ...] = (
    PolicySeed(
        code=REPAIR_HANDOVER,
        name=gettext_noop("Repair: hand over to the local engineer"),
        description=gettext_noop(
            "SPEC SLA-1: the hotline passes a repair request to the local engineer within 10 minutes. "
            "Office-hours calendar: the hotline works office hours, so a request that comes in at night, at a "
            "weekend or on a public holiday counts from the next working morning (urgent requests have their "
            "own round-the-clock clocks). Escalates to the technical head, who dispatches every job."
        ),
        duration=REPAIR_HANDOVER_WITHIN,
        warn_before=REPAIR_HANDOVER_WARN_BEFORE,
        escalate_role="tech_head",
    ),
    PolicySeed(
        code=REPAIR_FIRST_CONTACT,
        name=gettext_noop("Repair: engineer contacts the customer"),
        description=gettext_noop(
            "SPEC SLA-1: the engineer contacts the customer within 30 minutes of the hand-over. Office-hours "
            "calendar: the call is part of the day's desk work; a request handed over in the evening is called "
            "back the next working morning (urgent requests have their own round-the-clock clocks). Escalates "
            "to the region's customer manager."
        ),
        duration=REPAIR_FIRST_CONTACT_WITHIN,
        warn_before=REPAIR_FIRST_CONTACT_WARN_BEFORE,
        escalate_role="customer_manager",
    ),
    PolicySeed(
        code=REPAIR_ON_SITE,
        name=gettext_noop("Repair: engineer on site"),
        description=gettext_noop(
            "SPEC SLA-1 / WO-7: an engineer on site generally within 48 hours of the report. Round-the-clock "
            "(24×7) calendar: the customer is promised 48 hours of real time, laboratories also work at "
            "weekends and on holidays, and 48 office hours would be more than six working days. When the "
            "customer agrees a later visit, pause the clock (waiting for the customer) or re-plan it. "
            "Escalates to the region's customer manager, who may re-allocate engineers."
        ),
        duration=REPAIR_ON_SITE_WITHIN,
        warn_before=REPAIR_ON_SITE_WARN_BEFORE,
        escalate_role="customer_manager",
        calendar_code=ROUND_THE_CLOCK_CALENDAR,
    ),
    PolicySeed(
        code=COMMISSION_NOTIFY,
        name=gettext_noop("Commissioning: notify the local engineer"),
        description=gettext_noop(
            "SPEC SLA-2: the local engineer is notified of a commissioning request within 1 hour. Office-hours "
            "calendar: commissioning is planned work, handled by the office during working hours. Escalates "
            "to the technical head."
        ),
        duration=COMMISSION_NOTIFY_WITHIN,
        warn_before=COMMISSION_NOTIFY_WARN_BEFORE,
        escalate_role="tech_head",
    ),
    PolicySeed(
        code=COMMISSION_PREREQUISITES,
        name=gettext_noop("Commissioning: engineer tells the customer the prerequisites"),
        description=gettext_noop(
            "SPEC SLA-2 / WO-8: the engineer tells the customer the prerequisites (power, laboratory "
            "conditions, chemicals) within 4 hours. Office-hours calendar: planned work, and the customer's "
            "laboratory staff are reached in working hours. Escalates to the region's customer manager."
        ),
        duration=COMMISSION_PREREQUISITES_WITHIN,
        warn_before=COMMISSION_PREREQUISITES_WARN_BEFORE,
        escalate_role="customer_manager",
    ),
    PolicySeed(
        code=CALLBACK_APPLICATION,
        name=gettext_noop("Application troubleshooting: call the customer back"),
        description=gettext_noop(
            "SPEC WO-2: a call-back promised for application troubleshooting is made within 1 hour. "
            "Office-hours calendar: application specialists work office hours; a promise made late in the day "
            "is kept the next working morning. Escalates to the technical supervisor."
        ),
        duration=CALLBACK_APPLICATION_WITHIN,
        warn_before=CALLBACK_APPLICATION_WARN_BEFORE,
        escalate_role="supervisor",
    ),
    PolicySeed(
        code=URGENT_ON_SITE,
        name=gettext_noop("Urgent problem: engineer on site"),
        description=gettext_noop(
            "SPEC SLA-3: an urgent technical problem the phone could not solve gets an engineer on site within "
            "24 hours. Round-the-clock (24×7) calendar, public holidays included: a laboratory that cannot test "
            "patients' samples cannot wait for the next working day. Escalates to the technical head (WO-5: "
            "urgent reports go straight to him)."
        ),
        duration=URGENT_ON_SITE_WITHIN,
        warn_before=URGENT_ON_SITE_WARN_BEFORE,
        escalate_role="tech_head",
        calendar_code=ROUND_THE_CLOCK_CALENDAR,
    ),
    PolicySeed(
        code=URGENT_ANSWER,
        name=gettext_noop("Urgent request: engineer answers"),
        description=gettext_noop(
            "SPEC SLA-4: an urgent request the engineer has not answered within 1 hour goes to the technical "
            "supervisor. Round-the-clock (24×7) calendar, public holidays included: the customer may call the "
            "supervisor at any hour."
        ),
        duration=URGENT_ANSWER_WITHIN,
        warn_before=URGENT_ANSWER_WARN_BEFORE,
        escalate_role="supervisor",
        calendar_code=ROUND_THE_CLOCK_CALENDAR,
    ),
)

# The periodic scan (services.check_clocks) handles at most this many clocks of each kind
# (warnings, breaches) per run; the rest waits for the next minute.
CHECK_BATCH_SIZE: int = getattr(settings, "SLA_CHECK_BATCH_SIZE", 500)
