"""Background jobs of field safety notices; they only call services."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.trace import policies, services

logger = logging.getLogger(__name__)


# Huey's crontab runs in UTC: 00:45 UTC is 08:45 in Shanghai, the start of the working day.
@db_periodic_task(crontab(hour=str(policies.REMINDER_HOUR_UTC), minute=str(policies.REMINDER_MINUTE)))
def remind_field_notices() -> None:
    """Daily: recipients past their deadline and not told, or not acknowledged after it — the
    quality department and the responsible people hear of them, once a day per notice."""
    reminded = services.notice_remind_due()
    logger.info("field safety notices: %s reminded", reminded)
