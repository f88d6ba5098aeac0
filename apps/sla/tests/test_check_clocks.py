"""The periodic scan (SPEC SLA-5): near-breaches warn the responsible engineer, breaches escalate
to him and to the policy's role in the clock's region — each exactly once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.customers.tests.factories import CustomerFactory
from apps.notifications.choices import Channel
from apps.notifications.models import Message
from apps.sla import policies, services, tasks
from apps.sla.choices import PauseKind
from apps.sla.models import SlaClock

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def province_a():
    return ProvinceFactory(name="广东省")


@pytest.fixture
def city_a(province_a):
    return CityFactory(name="广州市", parent=province_a)


@pytest.fixture
def supervisor_a(province_a):
    return UserFactory(role=Role.SUPERVISOR, name="黄志强", email="huang@example.cn", regions=[province_a])


@pytest.fixture
def supervisor_b():
    return UserFactory(role=Role.SUPERVISOR, name="赵卫东", regions=[ProvinceFactory(name="湖南省")])


@pytest.fixture
def engineer(province_a):
    return UserFactory(role=Role.ENGINEER, name="张伟", regions=[province_a])


@pytest.fixture
def hospital(city_a):
    return CustomerFactory(name="广州市第一人民医院", city=city_a)


@pytest.fixture
def urgent(hospital, engineer, city_a):
    """SLA-4: an urgent request on Golden Week's second day (24×7): due 11:00, warning at 10:45."""
    return services.clock_start(
        subject=hospital,
        policy_code=policies.URGENT_ANSWER,
        started_at=at(2026, 10, 2, 10),
        owner=engineer,
        region=city_a,
        actor=UserFactory(role=Role.CLERK),
    )


def in_app(event_key: str) -> set:
    return set(Message.objects.filter(event_key=event_key, channel=Channel.IN_APP).values_list("recipient", flat=True))


def test_a_clock_in_its_warning_time_warns_its_engineer_once(urgent, engineer, supervisor_a):
    assert services.check_clocks(now=at(2026, 10, 2, 10, 44)) == {"warned": 0, "breached": 0}
    assert services.check_clocks(now=at(2026, 10, 2, 10, 50)) == {"warned": 1, "breached": 0}
    assert services.check_clocks(now=at(2026, 10, 2, 10, 51)) == {"warned": 0, "breached": 0}
    assert in_app(f"slaclock:{urgent.pk}:warn") == {engineer.pk}
    message = Message.objects.get(event_key=f"slaclock:{urgent.pk}:warn")
    assert message.subject == "Due soon: Urgent request: engineer answers — 广州市第一人民医院"
    assert "due at 2026-10-02 11:00 (10 min left)" in message.body
    assert message.link == urgent.subject.get_absolute_url()
    urgent.refresh_from_db()
    assert urgent.warned_at == at(2026, 10, 2, 10, 50)


def test_a_breach_escalates_once_to_the_engineer_and_the_supervisor_of_the_clocks_region(
    urgent, engineer, supervisor_a, supervisor_b
):
    assert services.check_clocks(now=at(2026, 10, 2, 11, 1)) == {"warned": 0, "breached": 1}
    messages = Message.objects.count()
    assert services.check_clocks(now=at(2026, 10, 2, 11, 2)) == {"warned": 0, "breached": 0}
    assert Message.objects.count() == messages  # run twice: nothing sent twice

    key = f"slaclock:{urgent.pk}:breach"
    assert in_app(key) == {engineer.pk, supervisor_a.pk}
    assert Message.objects.filter(event_key=key, channel=Channel.EMAIL, email="huang@example.cn").count() == 1
    message = Message.objects.filter(event_key=key).first()
    assert message.subject == "Overdue: Urgent request: engineer answers — 广州市第一人民医院"
    assert "was due at 2026-10-02 11:00" in message.body and "Responsible: 张伟" in message.body
    urgent.refresh_from_db()
    assert urgent.breached_at == at(2026, 10, 2, 11)
    assert urgent.escalated_at == at(2026, 10, 2, 11, 1)
    # Missed the warning window entirely: a breach, not a late warning on top.
    assert urgent.warned_at is None


def test_a_breach_in_a_region_without_a_supervisor_goes_to_every_supervisor(hospital, engineer, supervisor_b):
    other = UserFactory(role=Role.SUPERVISOR)  # no region: covers none in particular
    inactive = UserFactory(role=Role.SUPERVISOR, is_active=False)
    clock = services.clock_start(
        subject=hospital,
        policy_code=policies.URGENT_ANSWER,
        started_at=at(2026, 10, 2, 10),
        owner=engineer,
        region=CityFactory(),
        actor=engineer,
    )
    services.check_clocks(now=at(2026, 10, 2, 12))
    assert in_app(f"slaclock:{clock.pk}:breach") == {engineer.pk, supervisor_b.pk, other.pk}
    assert inactive.pk not in in_app(f"slaclock:{clock.pk}:breach")


def test_a_region_bound_role_hears_of_breaches_in_its_cities_only(hospital, city_a, province_a, engineer):
    manager_a = UserFactory(role=Role.CUSTOMER_MANAGER, regions=[city_a])
    manager_b = UserFactory(role=Role.CUSTOMER_MANAGER, regions=[ProvinceFactory()])
    clock = services.clock_start(
        subject=hospital,
        policy_code=policies.REPAIR_ON_SITE,
        started_at=at(2026, 10, 2, 10),
        owner=engineer,
        region=city_a,
        actor=engineer,
    )
    services.check_clocks(now=at(2026, 10, 4, 10, 1))
    assert in_app(f"slaclock:{clock.pk}:breach") == {engineer.pk, manager_a.pk}
    assert manager_b.pk not in in_app(f"slaclock:{clock.pk}:breach")


def test_a_clock_without_an_engineer_warns_the_escalation_role(hospital, city_a, supervisor_a):
    clock = services.clock_start(
        subject=hospital,
        policy_code=policies.URGENT_ANSWER,
        started_at=at(2026, 10, 2, 10),
        region=city_a,
        actor=supervisor_a,
    )
    services.check_clocks(now=at(2026, 10, 2, 10, 50))
    assert in_app(f"slaclock:{clock.pk}:warn") == {supervisor_a.pk}


def test_paused_and_stopped_clocks_are_neither_warned_nor_escalated(hospital, engineer, supervisor_a):
    paused = services.clock_start(
        subject=hospital,
        policy_code=policies.URGENT_ANSWER,
        started_at=at(2026, 10, 2, 10),
        owner=engineer,
        actor=engineer,
    )
    services.clock_pause(
        clock=paused,
        at=at(2026, 10, 2, 10, 30),
        reason="客户要求下午再联系",
        kind=PauseKind.WAITING_CUSTOMER,
        actor=engineer,
    )
    stopped = services.clock_start(
        subject=hospital,
        policy_code=policies.URGENT_ON_SITE,
        started_at=at(2026, 10, 2, 10),
        owner=engineer,
        actor=engineer,
    )
    services.clock_stop(clock=stopped, at=at(2026, 10, 2, 10, 30), actor=engineer)
    assert services.check_clocks(now=at(2026, 10, 9, 12)) == {"warned": 0, "breached": 0}
    assert not Message.objects.exists()


def test_a_re_planned_clock_escalates_again_under_a_new_event_key(urgent, engineer, supervisor_a):
    services.check_clocks(now=at(2026, 10, 2, 11, 1))
    clock = services.clock_replan(clock=urgent, started_at=dt.datetime.now(SH), actor=supervisor_a, reason="客户改约")
    assert clock.breached_at is None and clock.plan == 2
    services.check_clocks(now=clock.due_at + dt.timedelta(minutes=1))
    assert in_app(f"slaclock:{urgent.pk}:plan2:breach") == {engineer.pk, supervisor_a.pk}


def test_the_scan_reads_policies_calendars_subjects_and_people_once_for_all_clocks(engineer, supervisor_a, city_a):
    for _i in range(6):
        services.clock_start(
            subject=CustomerFactory(city=city_a),
            policy_code=policies.URGENT_ANSWER,
            started_at=at(2026, 10, 2, 10),
            owner=engineer,
            region=city_a,
            actor=engineer,
        )
    with CaptureQueriesContext(connection) as queries:
        assert services.check_clocks(now=at(2026, 10, 2, 11, 1)) == {"warned": 0, "breached": 6}
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len([sql for sql in reads if 'FROM "sla_slaclock"' in sql]) == 2  # breaches, warnings
    assert len([sql for sql in reads if 'FROM "customers_customer"' in sql]) == 1
    assert len([sql for sql in reads if 'FROM "accounts_user"' in sql]) == 1
    assert not [sql for sql in reads if 'FROM "sla_slapolicy"' in sql or 'FROM "sla_businesscalendar"' in sql]
    # Per clock only its claim; the rest are the outbox's own rows.
    assert len([q for q in queries.captured_queries if q["sql"].startswith('UPDATE "sla_slaclock"')]) == 6


def test_the_minute_task_runs_the_scan(urgent):
    tasks.check_sla_clocks.call_local()
    assert SlaClock.objects.get(pk=urgent.pk).breached_at == at(2026, 10, 2, 11)
