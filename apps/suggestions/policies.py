"""The numbers and fixed rules of suggestions (SPEC CP-5) as named values, overridable in
settings.SUGGESTION_POLICIES."""

from django.conf import settings

from apps.suggestions.choices import Category, Department

_OVERRIDES = getattr(settings, "SUGGESTION_POLICIES", {})

# [S0 3.(四)二.2] 如有对公司产品提出好的建议的，技术部负责人应和各个部门负责人进行讨论: a suggestion
# in these categories is discussed with at least one department besides the technical department
# before it is decided.
DISCUSSED_WITH_DEPARTMENTS = frozenset(_OVERRIDES.get("DISCUSSED_WITH_DEPARTMENTS", {Category.PRODUCT}))
OWN_DEPARTMENT = Department.TECHNICAL
# Rows per page of the list; the Excel export takes at most this many rows.
PAGE_SIZE = 50
EXPORT_MAX_ROWS = int(_OVERRIDES.get("EXPORT_MAX_ROWS", 20_000))
# Longest texts accepted (a written suggestion, a discussion record, a letter).
TEXT_MAX = 5000
