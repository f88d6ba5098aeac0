"""Background jobs of the work-order domain; they only call services."""

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from apps.notifications import policies as outbox_policies
from apps.workorders import reports, services

logger = logging.getLogger(__name__)


# Retried like the notification outbox: the same number of attempts, the back-off doubling
# from the same first wait (60 s, 120 s, 240 s …).
@db_task(
    retries=outbox_policies.max_attempts() - 1,
    retry_delay=outbox_policies.backoff_base_seconds(),
    retry_backoff=2,
    context=True,
)
def email_report(report_id: int, address: str, task=None) -> None:
    """SPEC WO-12: the signed PDF goes to the customer; queued after the signing commits."""
    try:
        reports.send_report_email(report_id=report_id, address=address, final_attempt=not (task and task.retries))
    except reports.ReportEmailError:
        return  # recorded in the timeline; another attempt cannot help


# Huey's crontab runs in UTC: 00:30 UTC is 08:30 in Shanghai, the start of the working day.
@db_periodic_task(crontab(hour="0", minute="30"))
def remind_part_arrivals() -> None:
    """Daily (SPEC WO-16): parts whose arrival is not confirmed after ten days → the engineer calls."""
    count = services.remind_part_arrivals()
    if count:
        logger.info("part-arrival reminders sent: %s", count)
