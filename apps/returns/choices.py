"""Enumerations of returns and exchanges (SPEC CP-6, [S4] 医疗器械退换货售后服务管理制度) and their
state machine as a plain table.

[S4 退换货 3.1–3.4]: the customer applies within a certain time after purchase with the proof of
purchase, the device's data and the fault → we assess the cause and who is responsible → repair or
replacement → a return with refund only when repair or replacement cannot solve the problem.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role as R


class RequestedRemedy(models.TextChoices):
    """What the customer asks for."""

    RETURN = "return", _("Return for a refund")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR = "repair", _("Repair")


class Remedy(models.TextChoices):
    """What we decide [S4 3.3–3.4]."""

    REPAIR = "repair", pgettext_lazy("return remedy", "Repair")
    REPLACEMENT = "replacement", pgettext_lazy("return remedy", "Replacement")
    REFUND = "refund", pgettext_lazy("return remedy", "Return and refund")


class RefundBasis(models.TextChoices):
    """[S4 3.4] 如果修理或更换无法解决客户的问题，客户可以要求退货: why a refund rather than a repair or
    a replacement."""

    REPAIR_FAILED = "repair_failed", _("A repair did not solve the problem")
    REPLACEMENT_FAILED = "replacement_failed", _("A replacement did not solve the problem")
    IMPOSSIBLE = "impossible", _("Neither repair nor replacement is possible")


class Responsibility(models.TextChoices):
    """[S4 3.2] 确认故障原因和责任归属."""

    COMPANY = "company", _("Our company (product quality)")
    CUSTOMER = "customer", _("Customer (use, storage, human damage)")
    CARRIER = "carrier", _("Carrier (transport damage)")
    SUPPLIER = "supplier", _("Supplier (purchased component or goods)")


class ProductKind(models.TextChoices):
    """Which allowed-period rule applies (policies.allowed_period)."""

    INSTRUMENT = "instrument", _("Instrument")
    CONSUMABLE = "consumable", _("Reagent, calibrator or QC material")
    PART = "part", _("Spare part")


class PeriodRule(models.TextChoices):
    """How the end of the allowed period was found (policies.allowed_period)."""

    WARRANTY = "warranty", _("Instrument warranty from acceptance, as the contract says")
    INSTRUMENT_MONTHS = "instrument_months", _("Standard instrument warranty from purchase")
    LOT_EXPIRY = "lot_expiry", _("Until the lot's expiry date")
    CONSUMABLE_MONTHS = "consumable_months", _("Months from purchase (reagents without a known lot)")
    PART_MONTHS = "part_months", _("Spare-part warranty from purchase")


class Status(models.TextChoices):
    APPLIED = "applied", pgettext_lazy("return status", "Applied — to assess")
    ASSESSED = "assessed", pgettext_lazy("return status", "Assessed — remedy to decide")
    DECIDED = "decided", pgettext_lazy("return status", "Remedy decided")
    COMPLETED = "completed", pgettext_lazy("return status", "Completed")
    CLOSED = "closed", pgettext_lazy("return status", "Closed")
    REJECTED = "rejected", pgettext_lazy("return status", "Rejected")


FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED})
OPEN_STATUSES = frozenset(set(Status.values) - FINAL_STATUSES)


class AttachmentKind(models.TextChoices):
    PROOF = "proof", _("Proof of purchase")
    FAULT = "fault", _("Photo or record of the fault")
    OTHER = "other", pgettext_lazy("attachment", "Other")


class EventKind(models.TextChoices):
    CREATED = "created", _("Applied")
    TRANSITION = "transition", _("Status changed")
    ATTACHMENT = "attachment", _("File added")


# --- the state machine ------------------------------------------------------------------------
# [S4 3.2] the assessment by the quality department or the technical head; the remedy decided by
# them or the marketing centre; the work done by the technical side, quality or commerce (the
# replacement goods); a refund confirmed by finance alone (row rule in transitions.py).
ASSESSORS = frozenset({R.ADMIN, R.QUALITY, R.TECH_HEAD, R.SUPERVISOR})
DECIDERS = frozenset({R.ADMIN, R.QUALITY, R.TECH_HEAD, R.MARKETING_HEAD})
COMPLETERS = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.QUALITY, R.COMMERCE})
REFUND_CONFIRMERS = frozenset({R.ADMIN, R.FINANCE})
CLOSERS = frozenset({R.ADMIN, R.QUALITY, R.TECH_HEAD})
# An application outside the allowed period is refused unless one of these accepts it with a reason.
PERIOD_OVERRIDERS = frozenset({R.ADMIN, R.TECH_HEAD, R.QUALITY})

S = Status
# action -> (from statuses, to status, roles allowed)
TRANSITIONS: dict[str, tuple[frozenset, str, frozenset]] = {
    "assess": (frozenset({S.APPLIED}), S.ASSESSED, ASSESSORS),
    "decide": (frozenset({S.ASSESSED}), S.DECIDED, DECIDERS),
    "complete": (frozenset({S.DECIDED}), S.COMPLETED, COMPLETERS | REFUND_CONFIRMERS),
    "close": (frozenset({S.COMPLETED}), S.CLOSED, CLOSERS),
    "reject": (frozenset({S.APPLIED, S.ASSESSED}), S.REJECTED, ASSESSORS),
}


class Action(models.TextChoices):
    ASSESS = "assess", _("Record the assessment")
    DECIDE = "decide", _("Decide the remedy")
    COMPLETE = "complete", _("Record what was done")
    CLOSE = "close", pgettext_lazy("return action", "Close")
    REJECT = "reject", _("Reject")
