"""Background jobs of new-project survival; they only call services."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.core.dates import add_months
from apps.survival import services

logger = logging.getLogger(__name__)


# Huey's crontab runs in UTC: 00:30 UTC on the 1st is 08:30 in Shanghai, the start of the month's
# first working morning (or of a holiday: the message waits in the inbox).
@db_periodic_task(crontab(day="1", hour="0", minute="30"))
def monthly_survival_run() -> None:
    """[S0 3.(一)二.1] Monthly: tracking periods that are over end (survived / lost from the last
    check), then last month's figures go to the marketing centre."""
    today = timezone.localdate()
    ended = services.project_end_due(today=today)
    services.survival_summary_send(month=add_months(today.replace(day=1), -1))
    logger.info("new-project survival: %s tracking periods ended, summary sent", ended)
