"""Background jobs of the outbox; they only call services."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from apps.notifications import services


@db_task()
def deliver_message(message_id: int) -> None:
    """Queued after the commit of the transaction that wrote the message."""
    services.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_messages() -> None:
    """Every minute: retries that are due, and rows a dead worker left in 'sending'."""
    services.deliver_due()
