"""Background jobs of the SLA clocks; they only call services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from apps.sla import services


@db_periodic_task(crontab(minute="*"))
def check_sla_clocks() -> None:
    """Every minute (SPEC SLA-5): warn before deadlines, escalate breaches."""
    services.check_clocks()
