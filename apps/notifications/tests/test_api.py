import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.notifications.choices import Channel, MessageState
from apps.notifications.models import Message, WebhookEndpoint
from apps.notifications.tests.factories import MessageFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def as_role(api_client, role=Role.ENGINEER):
    user = UserFactory(role=role)
    api_client.force_authenticate(user)
    return user


def failed_webhook_message(endpoint):
    return MessageFactory(channel=Channel.WEBHOOK, endpoint=endpoint, recipient=None,
                          recipient_key=f"webhook:{endpoint.pk}", state=MessageState.FAILED, attempts=6,
                          last_error="HTTP 500")


# --- /api/v1/notifications/ ------------------------------------------------------------------


def test_the_inbox_api_lists_only_the_users_own_notifications(api_client):
    user = as_role(api_client)
    mine = MessageFactory(recipient=user, subject="我的通知")
    MessageFactory(recipient=UserFactory())

    data = api_client.get("/api/v1/notifications/").json()

    assert [row["id"] for row in data["results"]] == [mine.pk]
    assert data["results"][0]["subject"] == "我的通知"
    assert data["results"][0]["is_read"] is False


def test_the_inbox_api_filters_unread_and_counts_them(api_client):
    user = as_role(api_client)
    unread = MessageFactory(recipient=user)
    MessageFactory(recipient=user, read_at=timezone.now())

    data = api_client.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert [row["id"] for row in data["results"]] == [unread.pk]
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}


def test_marking_read_through_the_api(api_client):
    user = as_role(api_client)
    notification = MessageFactory(recipient=user)

    response = api_client.post(f"/api/v1/notifications/{notification.pk}/read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert api_client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_another_users_notification_is_404_through_the_api(api_client):
    as_role(api_client)
    theirs = MessageFactory(recipient=UserFactory())
    assert api_client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_api_is_read_only(api_client):
    user = as_role(api_client)
    notification = MessageFactory(recipient=user)
    assert api_client.post("/api/v1/notifications/", {"subject": "x"}, format="json").status_code == 405
    assert api_client.delete(f"/api/v1/notifications/{notification.pk}/").status_code == 405


def test_nobody_anonymous_reads_notifications(api_client):
    assert api_client.get("/api/v1/notifications/").status_code in (401, 403)


# --- /api/v1/outbox/ -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status", [(Role.ENGINEER, 403), (Role.DEALER, 403), (Role.SUPERVISOR, 200), (Role.TECH_HEAD, 200)]
)
def test_the_outbox_api_is_for_the_outbox_roles(api_client, role, status):
    MessageFactory(recipient=UserFactory())
    as_role(api_client, role)
    assert api_client.get("/api/v1/outbox/").status_code == status


def test_the_outbox_api_filters_by_state_and_channel(api_client):
    as_role(api_client, Role.TECH_HEAD)
    failed = failed_webhook_message(WebhookEndpointFactory())
    MessageFactory(recipient=UserFactory())

    rows = api_client.get("/api/v1/outbox/", {"state": "failed"}).json()["results"]
    assert [(r["id"], r["attempts"], r["last_error"]) for r in rows] == [(failed.pk, 6, "HTTP 500")]
    rows = api_client.get("/api/v1/outbox/", {"channel": "in_app"}).json()["results"]
    assert [r["channel"] for r in rows] == ["in_app"]


def test_a_tech_head_retries_through_the_api(api_client, http_endpoint, django_capture_on_commit_callbacks):
    message = failed_webhook_message(WebhookEndpointFactory(url=http_endpoint.url()))
    as_role(api_client, Role.TECH_HEAD)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/api/v1/outbox/{message.pk}/retry/")

    assert response.status_code == 200
    assert response.json()["state"] == "pending"  # as answered; the worker then sent it
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert len(http_endpoint.requests) == 1


def test_a_supervisor_may_not_retry_and_a_sent_message_is_a_conflict(api_client):
    message = failed_webhook_message(WebhookEndpointFactory())
    as_role(api_client, Role.SUPERVISOR)
    assert api_client.post(f"/api/v1/outbox/{message.pk}/retry/").status_code == 403

    as_role(api_client, Role.ADMIN)
    sent = MessageFactory(recipient=UserFactory())
    assert api_client.post(f"/api/v1/outbox/{sent.pk}/retry/").status_code == 409


def test_the_outbox_api_takes_a_fixed_number_of_queries(api_client):
    as_role(api_client, Role.ADMIN)
    robot = WebhookEndpointFactory()
    failed_webhook_message(robot)
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/outbox/")
    for i in range(10):
        MessageFactory(recipient=UserFactory(), event_key=f"k{i}")
    with CaptureQueriesContext(connection) as many:
        api_client.get("/api/v1/outbox/")
    assert len(many) == len(few)


# --- /api/v1/webhooks/ -----------------------------------------------------------------------


def test_an_admin_creates_a_robot_and_never_reads_its_secret_back(api_client):
    as_role(api_client, Role.ADMIN)
    response = api_client.post(
        "/api/v1/webhooks/",
        {"name": "华东服务群", "kind": "dingtalk", "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
         "secret": "SECxyz"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "secret" not in body
    assert body["has_secret"] is True
    assert WebhookEndpoint.objects.get(pk=body["id"]).secret == "SECxyz"
    history = api_client.get(f"/api/v1/webhooks/{body['id']}/history/").json()
    assert "SECxyz" not in str(history)


@pytest.mark.parametrize("role", [Role.TECH_HEAD, Role.SUPERVISOR, Role.ENGINEER])
def test_only_an_admin_reaches_the_webhooks_api(api_client, role):
    WebhookEndpointFactory()
    as_role(api_client, role)
    assert api_client.get("/api/v1/webhooks/").status_code == 403


def test_the_webhooks_api_sends_a_test_message(api_client, http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    as_role(api_client, Role.ADMIN)

    response = api_client.post(f"/api/v1/webhooks/{robot.pk}/test/")

    assert response.status_code == 200
    assert response.json()["state"] == "sent"
    assert len(http_endpoint.requests) == 1
    assert Message.objects.filter(endpoint=robot).count() == 1


def test_testing_an_inactive_robot_is_a_conflict(api_client, http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url(), is_active=False)
    as_role(api_client, Role.ADMIN)
    assert api_client.post(f"/api/v1/webhooks/{robot.pk}/test/").status_code == 409
    assert http_endpoint.requests == []
