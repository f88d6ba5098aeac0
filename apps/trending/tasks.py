"""Background jobs of trending; they only call services."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.trending import services

logger = logging.getLogger(__name__)


# Huey's crontab runs in UTC: 22:40 UTC is 06:40 in Shanghai, so the quality department finds the
# night's signals when the working day starts (and on the 1st, last month is complete).
@db_periodic_task(crontab(hour="22", minute="40"))
def trend_scan_daily() -> None:
    """Daily (CP-7): the current and the previous month against every active threshold."""
    raised = services.trend_scan()
    if raised:
        logger.info("trend signals raised: %s", len(raised))
