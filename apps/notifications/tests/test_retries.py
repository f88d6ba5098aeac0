"""A failing robot is retried with a doubling back-off and given up after the last attempt;
the periodic sweep picks up due and stuck rows; "retry now" tries a failed row once more."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.exceptions import ConflictError
from apps.notifications import policies, services
from apps.notifications.choices import Channel, MessageState, WebhookKind
from apps.notifications.models import Message
from apps.notifications.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_robot(http_endpoint):
    http_endpoint.default = (500, b"robot down")
    return WebhookEndpointFactory(kind=WebhookKind.DINGTALK, url=http_endpoint.url())


def _queue(endpoint, key="workorder:3:dispatched"):
    # Outside django_capture_on_commit_callbacks the on-commit delivery never runs, so each
    # attempt below happens exactly when the test says.
    return services.notify(event_key=key, channel=Channel.WEBHOOK, endpoint=endpoint, subject="派工通知", body="正文")


def test_a_failing_endpoint_is_retried_with_a_doubling_back_off_then_given_up(failing_robot, http_endpoint):
    message = _queue(failing_robot)
    waits = []
    now = message.next_attempt_at
    for _attempt in range(policies.MAX_ATTEMPTS):
        message = services.deliver(message.pk, now=now)
        if message.state == MessageState.PENDING:
            waits.append((message.next_attempt_at - now).total_seconds())
            now = message.next_attempt_at

    assert waits == [60, 120, 240, 480, 960]
    assert message.state == MessageState.FAILED
    assert message.attempts == 6
    assert message.last_error.startswith("HTTP 500")
    assert "robot down" in message.last_error
    assert len(http_endpoint.requests) == 6
    # Given up means given up: nothing picks it up again.
    assert services.deliver(message.pk, now=now + timedelta(days=1)) is None
    assert services.deliver_due(now=now + timedelta(days=1))["sent"] == 0
    assert len(http_endpoint.requests) == 6


def test_the_back_off_is_capped_at_one_hour(settings):
    settings.NOTIFY_MAX_ATTEMPTS = 20
    assert policies.backoff(1) == timedelta(seconds=60)
    assert policies.backoff(6) == timedelta(seconds=1920)
    assert policies.backoff(7) == timedelta(hours=1)
    assert policies.backoff(15) == timedelta(hours=1)


def test_the_numbers_come_from_settings_when_set(settings, failing_robot):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    settings.NOTIFY_BACKOFF_BASE_SECONDS = 10
    message = _queue(failing_robot)
    now = message.next_attempt_at

    message = services.deliver(message.pk, now=now)
    assert (message.next_attempt_at - now) == timedelta(seconds=10)
    message = services.deliver(message.pk, now=message.next_attempt_at)
    assert message.state == MessageState.FAILED


def test_a_message_is_not_tried_before_its_next_attempt_is_due(failing_robot, http_endpoint):
    message = _queue(failing_robot)
    first = message.next_attempt_at
    services.deliver(message.pk, now=first)

    assert services.deliver(message.pk, now=first + timedelta(seconds=59)) is None
    assert len(http_endpoint.requests) == 1
    assert services.deliver(message.pk, now=first + timedelta(seconds=60)) is not None
    assert len(http_endpoint.requests) == 2


def test_the_sweep_delivers_due_messages_once_the_robot_is_back(failing_robot, http_endpoint):
    message = _queue(failing_robot)
    now = message.next_attempt_at
    services.deliver(message.pk, now=now)
    http_endpoint.default = (200, {"errcode": 0, "errmsg": "ok"})

    assert services.deliver_due(now=now + timedelta(seconds=30))["sent"] == 0
    counts = services.deliver_due(now=now + timedelta(seconds=61))

    assert counts["sent"] == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 2
    assert len(http_endpoint.requests) == 2


def test_a_row_left_sending_by_a_dead_worker_is_handed_out_again(http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    message = _queue(robot)
    claimed = timezone.now() - timedelta(minutes=policies.STUCK_AFTER_MINUTES + 1)
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENDING, claimed_at=claimed, attempts=1)
    recent = _queue(robot, key="workorder:4:dispatched")
    Message.objects.filter(pk=recent.pk).update(state=MessageState.SENDING, claimed_at=timezone.now(), attempts=1)

    counts = services.deliver_due()

    assert counts["released"] == 1
    assert counts["sent"] == 1
    message.refresh_from_db()
    recent.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 2
    assert recent.state == MessageState.SENDING  # its worker may still be at it
    assert len(http_endpoint.requests) == 1


def test_retry_now_gives_a_failed_message_one_more_attempt(
    failing_robot, http_endpoint, django_capture_on_commit_callbacks
):
    message = _queue(failing_robot)
    Message.objects.filter(pk=message.pk).update(state=MessageState.FAILED, attempts=6, last_error="HTTP 500")
    http_endpoint.default = (200, {"errcode": 0, "errmsg": "ok"})
    admin = _admin()

    with django_capture_on_commit_callbacks(execute=True):
        services.retry(actor=admin, message=message)

    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 7
    assert message.retried_by == admin
    assert len(http_endpoint.requests) == 1


def test_a_retried_message_that_fails_again_is_failed_again(failing_robot, django_capture_on_commit_callbacks):
    message = _queue(failing_robot)
    Message.objects.filter(pk=message.pk).update(state=MessageState.FAILED, attempts=6)

    with django_capture_on_commit_callbacks(execute=True):
        services.retry(actor=_admin(), message=message)

    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.attempts == 7


def test_a_sent_message_cannot_be_retried(http_endpoint):
    message = _queue(WebhookEndpointFactory(url=http_endpoint.url()))
    services.deliver(message.pk)

    with pytest.raises(ConflictError):
        services.retry(actor=_admin(), message=message)


def _admin():
    from apps.accounts.choices import Role
    from apps.accounts.tests.factories import UserFactory

    return UserFactory(role=Role.ADMIN)
