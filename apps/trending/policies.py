"""The numbers of trending (SPEC CP-7) as named values, overridable in settings.TRENDING_POLICIES.
The thresholds themselves are the TrendThreshold table (seeded from SEED_THRESHOLDS below and
edited by the quality department)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_noop

from apps.complaints.choices import CauseCategory
from apps.workorders.choices import Status, WorkType

_OVERRIDES = getattr(settings, "TRENDING_POLICIES", {})

# Months are calendar months in the company's time zone: a complaint received at 23:30 on
# 31 March in Shanghai counts in March, whatever UTC says.
TIME_ZONE = str(_OVERRIDES.get("TIME_ZONE", "Asia/Shanghai"))
# The report shows this many months, ending with the current one, unless asked otherwise.
DEFAULT_MONTHS = int(_OVERRIDES.get("DEFAULT_MONTHS", 12))
# The longest range one report (page, export, API) may span.
MAX_MONTHS = int(_OVERRIDES.get("MAX_MONTHS", 36))
# The daily scan looks at the current and the previous month (late entries of last month still
# raise their signal in the first days of the new one).
SCAN_MONTHS = 2
# A threshold's count per month: at least 1, at most this.
MAX_THRESHOLD = 100_000
# Rows (values) per page of the report table; the Excel export has them all.
PAGE_SIZE = 50
# Signals per page of the list.
SIGNAL_PAGE_SIZE = 25
# A signal's page lists at most this many of the complaints / work orders behind the count.
RECORDS_SHOWN = 50

# A service fault: a repair job, or any job (application troubleshooting, maintenance …) on which
# the engineer recorded a fault cause — except "no fault found". Cancelled jobs (registered by
# mistake, duplicates) are not faults.
FAULT_WORK_TYPES = (WorkType.REPAIR,)
NOT_A_FAULT_CAUSES = (CauseCategory.NO_FAULT,)
EXCLUDED_WORK_ORDER_STATUSES = (Status.CANCELLED,)


@dataclass(frozen=True)
class ThresholdSeed:
    """One threshold as first installed. Texts are English, marked for translation; an unedited
    row reads in the user's language."""

    name: str
    source: str
    dimension: str
    count: int
    note: str
    cause: str = ""


SEED_THRESHOLDS: tuple[ThresholdSeed, ...] = (
    ThresholdSeed(
        name=gettext_noop("Complaints about one lot"),
        source="complaints",
        dimension="lot",
        count=3,
        note=gettext_noop(
            "Three complaints about the same lot in a month may mean a lot problem: check the retained samples."
        ),
    ),
    ThresholdSeed(
        name=gettext_noop("Service faults of one instrument model"),
        source="faults",
        dimension="model",
        count=5,
        note=gettext_noop("Five service faults of one model in a month may mean a design or production problem."),
    ),
    ThresholdSeed(
        name=gettext_noop("Replacements of one part"),
        source="faults",
        dimension="part",
        count=3,
        note=gettext_noop(
            "Three repairs needing the same part in a month may mean a bad batch of parts or a weak design."
        ),
    ),
    ThresholdSeed(
        name=gettext_noop("Reagent, calibrator or QC lot as the cause"),
        source="both",
        dimension="cause",
        cause=CauseCategory.REAGENT_LOT,
        count=3,
        note=gettext_noop("Three complaints or jobs traced to a reagent, calibrator or QC lot in a month."),
    ),
)
