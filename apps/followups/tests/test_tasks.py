"""The daily reminder: each caller hears once a day how many of his follow-ups are overdue."""

import datetime as dt

import pytest

from apps.followups import services, tasks
from apps.followups.choices import Job, Problem, Questionnaire, Trend
from apps.workorders.tests._world import local, messages_for, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _call(w, *, due_at, assignee=None):
    return services.followup_schedule(
        source=w.customer,
        customer=w.customer,
        job=Job.REPAIR,
        questionnaire=Questionnaire.SERVICE,
        due_at=due_at,
        reason="电话回访",
        actor=w.tech_head,
        assignee=assignee,
        at=local(2026, 6, 1, 9, 0),
    )


def test_each_caller_hears_once_a_day_how_many_calls_are_overdue(world):
    _call(world, due_at=local(2026, 6, 8, 10, 0), assignee=world.engineer)
    _call(world, due_at=local(2026, 6, 9, 23, 59), assignee=world.engineer)
    _call(world, due_at=local(2026, 6, 10, 0, 0), assignee=world.engineer)  # due today: not yet overdue
    _call(world, due_at=local(2026, 6, 9, 10, 0), assignee=world.engineer2)
    done = _call(world, due_at=local(2026, 6, 8, 10, 0), assignee=world.engineer2)
    services.followup_record(
        followup=done, actor=world.engineer2, problem=Problem.NONE, trend=Trend.AS_USUAL, at=local(2026, 6, 8, 11)
    )
    _call(world, due_at=local(2026, 6, 9, 16, 0))  # the hotline pool

    assert services.remind_overdue(today=dt.date(2026, 6, 10)) == 3
    assert messages_for(world.engineer, contains="overdue") == ["2 follow-ups are overdue on your call list"]
    assert messages_for(world.engineer2, contains="overdue") == ["1 follow-up is overdue on your call list"]
    assert messages_for(world.clerk, contains="overdue") == ["1 follow-up is overdue on your call list"]
    assert messages_for(world.supervisor, contains="overdue") == []

    # The same day again: nobody hears twice.
    services.remind_overdue(today=dt.date(2026, 6, 10))
    assert len(messages_for(world.engineer, contains="overdue")) == 1
    # The next day: once more, with the day's count.
    services.remind_overdue(today=dt.date(2026, 6, 11))
    assert messages_for(world.engineer, contains="overdue") == [
        "2 follow-ups are overdue on your call list",
        "3 follow-ups are overdue on your call list",
    ]


def test_nobody_hears_anything_when_nothing_is_overdue(world):
    _call(world, due_at=local(2026, 6, 10, 9, 0), assignee=world.engineer)
    assert services.remind_overdue(today=dt.date(2026, 6, 10)) == 0
    assert messages_for(world.engineer) == []


def test_a_deactivated_caller_is_not_reminded(world):
    _call(world, due_at=local(2026, 6, 8, 9, 0), assignee=world.engineer2)
    world.engineer2.is_active = False
    world.engineer2.save(update_fields=["is_active"])
    assert services.remind_overdue(today=dt.date(2026, 6, 10)) == 0


def test_the_daily_task_reminds_for_the_local_day(world, monkeypatch):
    _call(world, due_at=local(2026, 6, 8, 9, 0), assignee=world.engineer)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 6, 9))
    tasks.remind_overdue_followups.call_local()
    assert messages_for(world.engineer, contains="overdue") == ["1 follow-up is overdue on your call list"]
    from apps.notifications.models import Message

    (message,) = Message.objects.filter(recipient=world.engineer, event_key__startswith="followup:overdue:")
    assert message.event_key.endswith(":20260609") and message.link == "/follow-ups/calls/"
