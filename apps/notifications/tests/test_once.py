"""Never twice, never without the event: one row per (event, channel, recipient), one worker
per row, and nothing at all when the caller's transaction rolls back."""

import pytest
from django.db import transaction
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.notifications import services
from apps.notifications.choices import Channel, MessageState
from apps.notifications.models import Message
from apps.notifications.tests.factories import WebhookEndpointFactory


@pytest.mark.django_db
def test_the_same_event_twice_is_one_message_and_one_delivery(http_endpoint, django_capture_on_commit_callbacks):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    fields = {"event_key": "workorder:21:dispatched", "channel": Channel.WEBHOOK, "endpoint": robot,
              "subject": "派工通知", "body": "WO-0021"}

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.notify(**fields)
        second = services.notify(**fields)

    assert second.pk == first.pk
    assert Message.objects.count() == 1
    assert len(callbacks) == 1
    assert len(http_endpoint.requests) == 1
    # Later, after it was sent: still the same row, still one request.
    with django_capture_on_commit_callbacks(execute=True):
        third = services.notify(**fields)
    assert third.pk == first.pk
    assert third.state == MessageState.SENT
    assert len(http_endpoint.requests) == 1


@pytest.mark.django_db
def test_the_same_event_goes_to_each_recipient_and_channel_once(smtp_server, django_capture_on_commit_callbacks):
    a, b = UserFactory(email="a@example.cn"), UserFactory(email="b@example.cn")

    with django_capture_on_commit_callbacks(execute=True):
        services.notify_users(event_key="wo:1:done", users=[a, b], subject="完成", body="")
        services.notify_users(event_key="wo:1:done", users=[a, b], subject="完成", body="")
        services.notify(event_key="wo:1:done", channel=Channel.EMAIL, email="A@Example.cn", subject="完成", body="")

    assert Message.objects.count() == 4
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == ["a@example.cn", "b@example.cn"]


@pytest.mark.django_db
def test_two_workers_delivering_the_same_row_send_it_once(http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    message = services.notify(event_key="wo:2", channel=Channel.WEBHOOK, endpoint=robot, subject="s", body="b")

    first = services.deliver(message.pk)
    second = services.deliver(message.pk)

    assert first.state == MessageState.SENT
    assert second is None
    assert len(http_endpoint.requests) == 1


@pytest.mark.django_db
def test_a_worker_finds_nothing_to_do_while_another_one_holds_the_row(http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    message = services.notify(event_key="wo:3", channel=Channel.WEBHOOK, endpoint=robot, subject="s", body="b")
    now = timezone.now()

    assert services._claim(message.pk, now=now) is True  # worker A holds it (state 'sending')
    assert services._claim(message.pk, now=now) is False
    assert services.deliver(message.pk) is None  # worker B
    assert services.deliver_due()["sent"] == 0  # the sweep leaves a fresh claim alone
    assert http_endpoint.requests == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_when_the_callers_transaction_rolls_back(smtp_server, http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    user = UserFactory(email="wang@example.cn")

    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify_users(event_key="wo:4:dispatched", users=[user], subject="派工", body="正文")
        services.notify(event_key="wo:4:dispatched", channel=Channel.WEBHOOK, endpoint=robot, subject="派工", body="")
        raise RuntimeError("the work order could not be saved")

    assert Message.objects.count() == 0
    assert smtp_server.envelopes == []
    assert http_endpoint.requests == []


@pytest.mark.django_db(transaction=True)
def test_messages_are_sent_only_after_the_callers_transaction_commits(smtp_server, http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    user = UserFactory(email="wang@example.cn")

    with transaction.atomic():
        services.notify_users(event_key="wo:5:dispatched", users=[user], subject="派工", body="正文")
        services.notify(event_key="wo:5:dispatched", channel=Channel.WEBHOOK, endpoint=robot, subject="派工", body="")
        assert smtp_server.envelopes == [] and http_endpoint.requests == []

    assert len(smtp_server.envelopes) == 1
    assert len(http_endpoint.requests) == 1
    assert set(Message.objects.values_list("state", flat=True)) == {MessageState.SENT}
