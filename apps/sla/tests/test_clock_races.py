"""Two workers at once (PostgreSQL only: SQLite serialises every write anyway): a clock is
started once, and a breach is escalated once."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.customers.tests.factories import CustomerFactory
from apps.notifications.models import Message
from apps.sla import policies, services
from apps.sla.models import SlaClock

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]

SH = ZoneInfo("Asia/Shanghai")


def twice(work) -> list:
    """Run `work` in two threads released together; each has its own database connection."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_two_simultaneous_starts_make_one_clock():
    hospital, clerk = CustomerFactory(), UserFactory(role=Role.CLERK)
    clocks = twice(
        lambda: services.clock_start(
            subject=hospital,
            policy_code=policies.URGENT_ANSWER,
            started_at=dt.datetime(2026, 10, 2, 10, tzinfo=SH),
            actor=clerk,
        )
    )
    assert clocks[0].pk == clocks[1].pk
    assert SlaClock.objects.count() == 1


def test_two_simultaneous_scans_escalate_a_breach_once():
    engineer = UserFactory(role=Role.ENGINEER, email="zhang@example.cn")
    UserFactory(role=Role.SUPERVISOR)
    clock = services.clock_start(
        subject=CustomerFactory(),
        policy_code=policies.URGENT_ANSWER,
        started_at=dt.datetime(2026, 10, 2, 10, tzinfo=SH),
        owner=engineer,
        actor=engineer,
    )
    counts = twice(lambda: services.check_clocks(now=dt.datetime(2026, 10, 2, 11, 5, tzinfo=SH)))
    assert sorted(c["breached"] for c in counts) == [0, 1]
    # In-app and e-mail to the engineer, in-app to the supervisor (who has no address).
    assert Message.objects.filter(event_key=f"slaclock:{clock.pk}:breach").count() == 3
