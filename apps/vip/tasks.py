"""Background jobs of the VIP programme; they only call services."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.vip import services

logger = logging.getLogger(__name__)


# Huey's crontab runs in UTC: 00:40 UTC is 08:40 in Shanghai, the start of the working day.
@db_periodic_task(crontab(hour="0", minute="40"))
def plan_vip_visits() -> None:
    """Daily (SPEC FU-5): plan the visits falling due, remind the engineers of overdue ones."""
    result = services.vip_plan_visits(today=timezone.localdate())
    if result.planned or result.overdue or result.released or result.completed:
        logger.info(
            "VIP visits: %s planned, %s overdue reminders, %s released, %s recorded done",
            result.planned,
            result.overdue,
            result.released,
            result.completed,
        )
