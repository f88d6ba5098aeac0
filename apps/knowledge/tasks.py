"""Background jobs of the case library; they only call services."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from apps.knowledge import services

logger = logging.getLogger(__name__)


@db_task()
def index_rebuild_task() -> int:
    """Rebuild the whole search index now (after a change of the dictionaries in dictionary/)."""
    count = services.index_rebuild()
    logger.info("case library: %s cases indexed", count)
    return count


# Huey's crontab runs in UTC: Sunday 19:00 UTC is Monday 03:00 in Shanghai, when nobody searches.
# Every write keeps the index current; the weekly rebuild recounts the totals and picks up
# dictionary changes deployed during the week.
@db_periodic_task(crontab(day_of_week="0", hour="19", minute="0"))
def index_rebuild_weekly() -> None:
    count = services.index_rebuild()
    logger.info("case library: weekly rebuild, %s cases indexed", count)
