"""Background jobs of the surveys; they only call services."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.surveys import services

logger = logging.getLogger(__name__)


# Huey's crontab runs in UTC: 16:10 UTC is 00:10 in Shanghai, just after the day turned.
@db_periodic_task(crontab(hour="16", minute="10"))
def expire_surveys() -> None:
    """Daily (SPEC SQ-1): pending surveys whose customer link ran out are marked expired."""
    count = services.surveys_expire()
    if count:
        logger.info("surveys expired: %s", count)
