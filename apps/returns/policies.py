"""The rules of returns and exchanges (SPEC CP-6) taken from S4, as named values overridable in
settings.RETURNS_POLICIES.

What S4 says (seeds/004, 医疗器械退换货售后服务管理制度 and 医疗器械售后服务管理操作规程):

- 3.1 客户需要在购买医疗器械后的一定时间内向我司提出售后服务申请。客户应提供购买凭证、医疗器械信息、
  故障描述等相关资料: the customer applies within a certain time after the purchase, with the proof
  of purchase, the device's data and the description of the fault;
- 3.2 我司将对收到的售后服务申请进行评估，确认故障原因和责任归属: we assess the cause and who is
  responsible, and tell the customer the result;
- 3.3 基于售后评估结果，我司将为客户提供相应的修理或更换服务: repair or replacement;
- 3.4 如果修理或更换无法解决客户的问题，客户可以要求退货。我司将确认退货条件，并协助客户进行退款流程:
  a return with refund only when repair or replacement cannot solve the problem;
- 5.2 / 操作规程 四.1 保修期内：自产品验收合格之日起严格按照双方签订的协议书上所承诺保修期限…产品质量
  一律实行保修、保换、保退服务。硬件保修范围不含人为或不可抗力的原因…我司将提供最低成本价有偿服务: the
  "certain time" of an instrument is its warranty, from acceptance for the contract's period; human
  damage and force majeure are excluded and served at the lowest cost, paid.

S4 gives no number for reagents and parts; the defaults below are what an IVD company's
after-sales manager would expect and are meant to be set per company.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from apps.core.dates import add_months
from apps.returns.choices import PeriodRule, ProductKind, Responsibility

_OVERRIDES = getattr(settings, "RETURNS_POLICIES", {})

# An instrument without a recorded acceptance date: the standard warranty counted from purchase
# (instruments.Instrument.warranty_months defaults to the same 12 months).
INSTRUMENT_FALLBACK_MONTHS = int(_OVERRIDES.get("INSTRUMENT_FALLBACK_MONTHS", 12))
# Reagents, calibrators and QC material: taken back for a quality problem until the lot expires;
# a reagent past its expiry is not. Without a known lot: this many months from purchase.
CONSUMABLE_FALLBACK_MONTHS = int(_OVERRIDES.get("CONSUMABLE_FALLBACK_MONTHS", 6))
# Spare parts: SPEC WO-9, new original parts carry a 6-month warranty.
PART_MONTHS = int(_OVERRIDES.get("PART_MONTHS", 6))

# [S4 操作规程 四.1] damage by the customer (or force majeure) is outside the warranty: the repair or
# replacement is charged at the lowest cost, and there is no refund.
CHARGEABLE_RESPONSIBILITIES = frozenset({Responsibility.CUSTOMER})
NO_REFUND_RESPONSIBILITIES = frozenset(_OVERRIDES.get("NO_REFUND_RESPONSIBILITIES", {Responsibility.CUSTOMER}))

# Files: the proof of purchase and photos of the fault (as a work order's attachments, SPEC WO-1).
ATTACHMENT_MAX_BYTES = int(_OVERRIDES.get("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
ATTACHMENT_EXTENSIONS = frozenset(
    {"jpg", "jpeg", "png", "heic", "webp", "gif", "mp4", "mov", "pdf", "doc", "docx", "xls", "xlsx", "ofd", "zip"}
)
MAX_FILES = 10
# The largest quantity one application names (kits, bottles, parts); an instrument is one unit.
MAX_QUANTITY = 100_000
# The largest refund one application records (yuan).
MAX_REFUND = 10_000_000
TEXT_MAX = 5000
PAGE_SIZE = 50
EXPORT_MAX_ROWS = int(_OVERRIDES.get("EXPORT_MAX_ROWS", 20_000))


@dataclass(frozen=True)
class Period:
    ends_on: dt.date
    rule: str  # PeriodRule


def allowed_period(*, product_kind: str, purchased_on: dt.date, instrument=None, lot=None) -> Period:
    """The last day an application for this product is accepted without a manager's override."""
    if product_kind == ProductKind.INSTRUMENT:
        if instrument is not None and instrument.warranty_end:
            return Period(instrument.warranty_end, PeriodRule.WARRANTY)
        return Period(
            add_months(purchased_on, INSTRUMENT_FALLBACK_MONTHS) - dt.timedelta(days=1), PeriodRule.INSTRUMENT_MONTHS
        )
    if product_kind == ProductKind.CONSUMABLE:
        if lot is not None and lot.expires_on:
            return Period(lot.expires_on, PeriodRule.LOT_EXPIRY)
        return Period(
            add_months(purchased_on, CONSUMABLE_FALLBACK_MONTHS) - dt.timedelta(days=1), PeriodRule.CONSUMABLE_MONTHS
        )
    return Period(add_months(purchased_on, PART_MONTHS) - dt.timedelta(days=1), PeriodRule.PART_MONTHS)
