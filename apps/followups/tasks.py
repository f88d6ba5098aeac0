"""Background jobs of the follow-up domain; they only call services."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.followups import services

logger = logging.getLogger(__name__)


# Huey's crontab runs in UTC: 00:35 UTC is 08:35 in Shanghai, just after the working day starts.
@db_periodic_task(crontab(hour="0", minute="35"))
def remind_overdue_followups() -> None:
    """Daily (FU-3): each caller hears once how many of his follow-ups are overdue."""
    told = services.remind_overdue(today=timezone.localdate())
    if told:
        logger.info("overdue follow-up reminders sent: %s", told)
