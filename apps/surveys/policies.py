"""The numbers and rules of SPEC §5 as named values (override them in settings.SURVEY_POLICIES)."""

from decimal import Decimal

from django.conf import settings

from apps.accounts.choices import Role
from apps.surveys.choices import Item, RaterGroup

_OVERRIDES = getattr(settings, "SURVEY_POLICIES", {})

# SQ-1: the customer's personal link works this many days after it was issued; a pending survey
# whose link ran out is marked expired by the daily task.
LINK_VALID_DAYS = int(_OVERRIDES.get("LINK_VALID_DAYS", 14))
# Salt of the signed token in the link (django.core.signing): a token of another purpose can
# never open a survey.
LINK_SALT = "apps.surveys.link"
# The customer's page speaks Chinese unless the customer switches (SPEC: Chinese is the users'
# working language); these are the languages it offers.
PUBLIC_LANGUAGE = _OVERRIDES.get("PUBLIC_LANGUAGE", "zh-hans")
PUBLIC_LANGUAGES = ("zh-hans", "en")

# SQ-1: scores 1–5, 5 = very satisfied; a score of 2 or less is "dissatisfied" (SQ-2).
SCORE_MIN = 1
SCORE_MAX = 5
DISSATISFIED_AT_MOST = int(_OVERRIDES.get("DISSATISFIED_AT_MOST", 2))
# Items that must carry a score (every other item may be "not applicable").
REQUIRED_ITEMS = frozenset({Item.OVERALL})
COMMENT_MAX = 1000

# SQ-2: who owns the case a dissatisfied score opens. Product quality goes to the quality
# department (verified at the customer, quality feedback form); everything else is the
# technical head's, who answers for the department [S0 3.(二)].
OWNER_ROLE_BY_ITEM: dict[str, str] = {
    Item.PRODUCT_QUALITY: Role.QUALITY,
    Item.TIMELY_ON_SITE: Role.TECH_HEAD,
    Item.TIMELY_SHIPPING: Role.TECH_HEAD,
    Item.TIMELY_INVOICE: Role.TECH_HEAD,
    Item.TIMELY_FOLLOWUP: Role.TECH_HEAD,
    Item.TIMELY_RESOLUTION: Role.TECH_HEAD,
    Item.PACKAGING: Role.TECH_HEAD,
    Item.LOGISTICS: Role.TECH_HEAD,
    Item.OTHER: Role.TECH_HEAD,
    Item.OVERALL: Role.TECH_HEAD,
    **_OVERRIDES.get("OWNER_ROLE_BY_ITEM", {}),
}
# The technical head hears of every case as the department's first contact for complaints.
CASE_ALSO_NOTIFIED = (Role.TECH_HEAD,)
# A case should have its answer to the customer within this many working days.
CASE_ANSWER_WORKING_DAYS = int(_OVERRIDES.get("CASE_ANSWER_WORKING_DAYS", 5))
# SQ-2: the quality feedback form goes to the marketing centre and the product centre (the
# quality department speaks for the product side).
QUALITY_FORM_RECIPIENTS = (Role.MARKETING_HEAD, Role.QUALITY)


def owner_role_for(item: str) -> str:
    return OWNER_ROLE_BY_ITEM.get(item, Role.TECH_HEAD)


# --- SQ-4: service quality per engineer -----------------------------------------------------

# Which rater group a role's rating counts in; other roles do not rate.
RATER_GROUP_BY_ROLE: dict[str, str] = {
    Role.TECH_HEAD: RaterGroup.TECH_HEAD,
    Role.ADMIN: RaterGroup.TECH_HEAD,
    Role.MARKETING_HEAD: RaterGroup.LEADER,
    Role.GENERAL_MANAGER: RaterGroup.LEADER,
    Role.SALES: RaterGroup.SALES,
}
# Sales rate only the engineers who served their customers.
SALES_RATE_ONLY_SERVED = bool(_OVERRIDES.get("SALES_RATE_ONLY_SERVED", True))
# A rating may be given for the current month or up to this many months back.
RATING_MONTHS_BACK = int(_OVERRIDES.get("RATING_MONTHS_BACK", 3))

# A dimension's value is the weighted mean of the rater groups' averages (groups without a
# rating that month drop out and the rest are re-weighted).
RATER_GROUP_WEIGHTS: dict[str, Decimal] = {
    RaterGroup.TECH_HEAD: Decimal("0.4"),
    RaterGroup.LEADER: Decimal("0.3"),
    RaterGroup.SALES: Decimal("0.3"),
}
# The monthly score: the three dimensions and the customers' average overall score (all 1–5),
# weighted (missing parts re-weighted), scaled to 100, less a penalty per survey with a
# dissatisfied score (capped).
COMPONENT_WEIGHTS: dict[str, Decimal] = {
    "attitude": Decimal("0.3"),
    "professional": Decimal("0.3"),
    "conduct": Decimal("0.2"),
    "customer": Decimal("0.2"),
}
DISSATISFIED_PENALTY_POINTS = Decimal(str(_OVERRIDES.get("DISSATISFIED_PENALTY_POINTS", "2")))
DISSATISFIED_PENALTY_CAP = Decimal(str(_OVERRIDES.get("DISSATISFIED_PENALTY_CAP", "20")))
