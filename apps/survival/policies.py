"""The numbers of SPEC FU-6 as named values, overridable in settings.SURVIVAL_POLICIES."""

from django.conf import settings

_OVERRIDES = getattr(settings, "SURVIVAL_POLICIES", {})

# [S0 3.(一)二.1] 新上客户以三个月为期: a new project is tracked for three months, one check a month.
TRACKING_MONTHS = int(_OVERRIDES.get("TRACKING_MONTHS", 3))
MAX_TRACKING_MONTHS = 12
# The monthly call is due at this local hour of its day (the engineer's call list sorts by it).
CHECK_HOUR = int(_OVERRIDES.get("CHECK_HOUR", 10))
# The follow-up job and questionnaire the monthly calls are planned with (apps.followups).
FOLLOWUP_JOB = "new_project"
FOLLOWUP_QUESTIONNAIRE = "new_project"
# [S0 3.(一)二.1] 关注结果每月汇报至营销中心群: the name of the marketing centre's group robot
# (apps.notifications WebhookEndpoint) that also receives the monthly summary; empty: only the
# marketing-centre head(s) by in-app message and e-mail.
SUMMARY_WEBHOOK_NAME = str(_OVERRIDES.get("SUMMARY_WEBHOOK_NAME", ""))
# How many months the survival-rate trend shows, ending with the report month.
TREND_MONTHS = int(_OVERRIDES.get("TREND_MONTHS", 12))
# How many not-in-use projects the monthly message lists by name (the page has them all).
SUMMARY_MAX_LOST_LISTED = 30
# Rows per page of the project list and the report table.
PAGE_SIZE = 50
