"""The numbers of the VIP programme (SPEC FU-5) as named values.

Override any of them in settings.VIP_POLICIES; the tiers themselves (thresholds, cycles,
service content) are data an administrator edits on the tiers page.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

_OVERRIDES = getattr(settings, "VIP_POLICIES", {})

# The daily job plans a member's next visit once it falls due within this many days, so that
# the engineer has time to call the lab head and the technical head time to dispatch.
PLAN_HORIZON_DAYS = int(_OVERRIDES.get("PLAN_HORIZON_DAYS", 14))
# A new member (never visited) is first visited within this many days of joining, or within
# the tier's cycle when that is shorter.
FIRST_VISIT_WITHIN_DAYS = int(_OVERRIDES.get("FIRST_VISIT_WITHIN_DAYS", 30))
# A visit is planned on the last working day on or before the due date (the cycle is a
# "visit at least every N days" promise, so a due Sunday is visited on the Friday before).
PLAN_ON_WORKING_DAYS = bool(_OVERRIDES.get("PLAN_ON_WORKING_DAYS", True))
# Limits of what an administrator can enter.
MAX_VISIT_CYCLE_DAYS = int(_OVERRIDES.get("MAX_VISIT_CYCLE_DAYS", 730))
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class TierSeed:
    code: str
    name: str
    min_annual_volume: Decimal
    visit_cycle_days: int
    service_content: str
    position: int


# SPEC FU-5 / [S0 3.(一)一]: tiers by purchase volume, a visit cycle and service content by
# sales volume and company policy. Every installation starts with these; admins change them.
DEFAULT_TIERS: tuple[TierSeed, ...] = (
    TierSeed(
        code="VIP-A",
        name="VIP A",
        min_annual_volume=Decimal("1000000.00"),
        visit_cycle_days=60,
        service_content="仪器全面保养与性能检查；室内质控与室间质评回顾；新项目开展与应用培训；科室负责人工作汇报",
        position=1,
    ),
    TierSeed(
        code="VIP-B",
        name="VIP B",
        min_annual_volume=Decimal("500000.00"),
        visit_cycle_days=90,
        service_content="仪器保养与性能检查；质控数据回顾；操作人员答疑与培训",
        position=2,
    ),
    TierSeed(
        code="VIP-C",
        name="VIP C",
        min_annual_volume=Decimal("200000.00"),
        visit_cycle_days=180,
        service_content="仪器巡检与保养；质控数据回顾",
        position=3,
    ),
)
