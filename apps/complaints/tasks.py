"""Background jobs of complaints; they only call services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.complaints import services


@db_periodic_task(crontab(minute="*/5"))
def check_regulatory_reports() -> None:
    """Every 5 minutes (issue 5): warn before a regulatory report is due, escalate when overdue."""
    services.check_regulatory_reports()
