import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.notifications.choices import Channel, MessageState, WebhookKind
from apps.notifications.models import Message, WebhookEndpoint
from apps.notifications.tests.factories import MessageFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def login(client, role=Role.ENGINEER):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


def failed_message(**kwargs):
    endpoint = kwargs.pop("endpoint", None) or WebhookEndpointFactory()
    fields = {"channel": Channel.WEBHOOK, "endpoint": endpoint, "recipient": None,
              "recipient_key": f"webhook:{endpoint.pk}", "state": MessageState.FAILED, "attempts": 6,
              "last_error": "HTTP 500 Internal Server Error: robot down", "subject": "派工通知"}
    fields.update(kwargs)
    return MessageFactory(**fields)


# --- the inbox ---------------------------------------------------------------------------------


def test_the_inbox_shows_the_users_own_notifications_newest_first_unread_highlighted(client):
    user = login(client)
    older = MessageFactory(recipient=user, subject="旧的通知", created_at=timezone.now() - timezone.timedelta(days=1),
                           read_at=timezone.now())
    MessageFactory(recipient=user, subject="新的通知")
    MessageFactory(recipient=UserFactory(), subject="别人的通知")

    page = text(client.get(reverse("notifications:inbox")))

    assert page.index("新的通知") < page.index("旧的通知")
    assert "别人的通知" not in page
    assert 'class="unread"' in page
    assert f'id="notification-{older.pk}" class="read"' in page
    assert "1 unread notification" in page


def test_marking_a_notification_read(client):
    user = login(client)
    notification = MessageFactory(recipient=user)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_read_with_htmx_returns_the_updated_row(client):
    user = login(client)
    notification = MessageFactory(recipient=user)

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'id="notification-{notification.pk}" class="read"' in text(response)
    assert response["HX-Trigger"] == "notifications-changed"


def test_opening_a_notification_marks_it_read_and_follows_its_link(client):
    user = login(client)
    notification = MessageFactory(recipient=user, link="/instruments/3/")

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), {"open": "1"})

    assert response["Location"] == "/instruments/3/"
    notification.refresh_from_db()
    assert notification.is_read


def test_an_outside_link_is_not_followed(client):
    user = login(client)
    notification = MessageFactory(recipient=user, link="https://evil.example.com/")

    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), {"open": "1"})

    assert response["Location"] == reverse("notifications:inbox")


def test_another_users_notification_is_404_and_stays_unread(client):
    login(client)
    someone_elses = MessageFactory(recipient=UserFactory())

    response = client.post(reverse("notifications:mark_read", args=[someone_elses.pk]))

    assert response.status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.read_at is None


def test_mark_all_read_marks_only_the_users_own(client):
    user = login(client)
    mine = [MessageFactory(recipient=user) for _ in range(3)]
    theirs = MessageFactory(recipient=UserFactory())

    client.post(reverse("notifications:mark_all_read"))

    assert all(Message.objects.get(pk=m.pk).read_at for m in mine)
    assert Message.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_refuses_get(client):
    user = login(client)
    notification = MessageFactory(recipient=user)
    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405


def test_the_unread_count_fragment(client):
    user = login(client)
    MessageFactory(recipient=user)
    MessageFactory(recipient=user)
    MessageFactory(recipient=user, read_at=timezone.now())
    MessageFactory(recipient=UserFactory())

    response = client.get(reverse("notifications:unread_count"))

    assert response.status_code == 200
    assert ">2</span>" in text(response)


def test_an_email_to_the_user_is_not_in_the_inbox(client):
    user = login(client)
    MessageFactory(recipient=user, channel=Channel.EMAIL, email="x@example.cn", recipient_key="email:x@example.cn",
                   subject="只是邮件")
    assert "只是邮件" not in text(client.get(reverse("notifications:inbox")))


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_inbox_takes_a_fixed_number_of_queries(client):
    user = login(client)
    MessageFactory(recipient=user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:inbox"))
    for _ in range(15):
        MessageFactory(recipient=user)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:inbox"))
    assert len(many) == len(few)


# --- the outbox board --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [(Role.ENGINEER, 403), (Role.CLERK, 403), (Role.SALES, 403), (Role.TECH_HEAD, 200), (Role.SUPERVISOR, 200),
     (Role.ADMIN, 200)],
)
def test_the_outbox_board_is_for_admins_tech_heads_and_supervisors(client, role, status):
    message = failed_message()
    login(client, role)
    assert client.get(reverse("notifications:outbox_list")).status_code == status
    assert client.get(reverse("notifications:outbox_detail", args=[message.pk])).status_code == status


def test_the_outbox_board_shows_attempts_last_error_and_filters_by_state_and_channel(client):
    login(client, Role.TECH_HEAD)
    failed_message(subject="失败的机器人消息")
    MessageFactory(recipient=UserFactory(), subject="站内已送达")
    url = reverse("notifications:outbox_list")

    page = text(client.get(url))
    assert "失败的机器人消息" in page and "站内已送达" in page
    assert "robot down" in page
    assert "Retry now" in page

    failed_only = text(client.get(url, {"state": "failed"}))
    assert "失败的机器人消息" in failed_only and "站内已送达" not in failed_only
    in_app_only = text(client.get(url, {"channel": "in_app"}))
    assert "失败的机器人消息" not in in_app_only and "站内已送达" in in_app_only
    today = timezone.localdate().isoformat()
    assert "站内已送达" in text(client.get(url, {"created_from": today, "created_to": today}))
    assert "站内已送达" not in text(client.get(url, {"created_to": "2020-01-01"}))


def test_a_supervisor_sees_the_board_but_may_not_retry(client):
    message = failed_message()
    login(client, Role.SUPERVISOR)

    assert "Retry now" not in text(client.get(reverse("notifications:outbox_list")))
    assert client.post(reverse("notifications:outbox_retry", args=[message.pk])).status_code == 403
    message.refresh_from_db()
    assert message.state == MessageState.FAILED


def test_a_tech_head_retries_a_failed_message_from_the_board(client, http_endpoint, django_capture_on_commit_callbacks):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    message = failed_message(endpoint=robot)
    head = login(client, Role.TECH_HEAD)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:outbox_retry", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.retried_by == head
    assert len(http_endpoint.requests) == 1


def test_retrying_a_sent_message_says_why_not(client):
    message = MessageFactory(recipient=UserFactory())
    login(client, Role.ADMIN)
    response = client.post(reverse("notifications:outbox_retry", args=[message.pk]), follow=True)
    assert "Only a failed or waiting message can be retried." in text(response)


def test_the_outbox_board_takes_a_fixed_number_of_queries(client):
    login(client, Role.ADMIN)
    failed_message()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:outbox_list"))
    robot = WebhookEndpointFactory()
    for i in range(10):
        failed_message(endpoint=robot, event_key=f"e:{i}")
        MessageFactory(recipient=UserFactory())
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:outbox_list"))
    assert len(many) == len(few)


# --- robot webhooks ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TECH_HEAD, Role.SUPERVISOR, Role.ENGINEER])
def test_only_an_admin_manages_robot_webhooks(client, role):
    robot = WebhookEndpointFactory()
    login(client, role)
    assert client.get(reverse("notifications:webhook_list")).status_code == 403
    assert client.get(reverse("notifications:webhook_detail", args=[robot.pk])).status_code == 403
    assert client.post(reverse("notifications:webhook_add"), {"name": "x"}).status_code == 403
    assert client.post(reverse("notifications:webhook_test", args=[robot.pk])).status_code == 403


def test_an_admin_adds_a_dingtalk_robot_with_a_secret(client):
    login(client, Role.ADMIN)
    response = client.post(
        reverse("notifications:webhook_add"),
        {"name": "华南服务群", "kind": WebhookKind.DINGTALK,
         "url": "https://oapi.dingtalk.com/robot/send?access_token=abc", "secret": "SECabc"},
    )
    robot = WebhookEndpoint.objects.get(name="华南服务群")
    assert response["Location"] == robot.get_absolute_url()
    assert robot.secret == "SECabc"
    page = text(client.get(robot.get_absolute_url()))
    assert "SECabc" not in page
    assert "Send test message" in page


def test_editing_a_robot_keeps_its_secret_unless_told_to_remove_it(client):
    robot = WebhookEndpointFactory(secret="SECkeep")
    login(client, Role.ADMIN)
    url = reverse("notifications:webhook_edit", args=[robot.pk])
    assert "SECkeep" not in text(client.get(url))

    client.post(url, {"name": "新名字", "kind": robot.kind, "url": robot.url, "secret": "", "expected_version": 1})
    robot.refresh_from_db()
    assert (robot.name, robot.secret) == ("新名字", "SECkeep")

    client.post(url, {"name": "新名字", "kind": robot.kind, "url": robot.url, "secret": "", "clear_secret": "on",
                      "expected_version": 2})
    robot.refresh_from_db()
    assert robot.secret == ""
    history = text(client.get(robot.get_absolute_url()))
    assert "SECkeep" not in history
    assert "••••••" in history


def test_a_wecom_robot_with_a_secret_is_refused_with_a_message(client):
    login(client, Role.ADMIN)
    response = client.post(
        reverse("notifications:webhook_add"),
        {"name": "企业微信群", "kind": WebhookKind.WECOM, "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
         "secret": "x"},
    )
    assert response.status_code == 200
    assert "WeCom group robots do not sign messages" in text(response)
    assert not WebhookEndpoint.objects.exists()


def test_an_admin_deactivates_and_reactivates_a_robot(client):
    robot = WebhookEndpointFactory()
    login(client, Role.ADMIN)
    client.post(
        reverse("notifications:webhook_deactivate", args=[robot.pk]), {"reason": "群已解散", "expected_version": 1}
    )
    robot.refresh_from_db()
    assert not robot.is_active
    client.post(reverse("notifications:webhook_reactivate", args=[robot.pk]), {"reason": "恢复", "expected_version": 2})
    robot.refresh_from_db()
    assert robot.is_active


def test_the_test_button_reports_that_the_robot_took_the_message(client, http_endpoint):
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    login(client, Role.ADMIN)

    response = client.post(reverse("notifications:webhook_test", args=[robot.pk]), follow=True)

    assert "The robot accepted the test message." in text(response)
    assert len(http_endpoint.requests) == 1
    assert http_endpoint.requests[0].json["msgtype"] == "markdown"
    assert Message.objects.get(endpoint=robot).state == MessageState.SENT


def test_the_test_button_shows_the_robots_refusal_and_does_not_retry(client, http_endpoint):
    http_endpoint.default = (200, {"errcode": 310000, "errmsg": "keywords not in content"})
    robot = WebhookEndpointFactory(url=http_endpoint.url())
    login(client, Role.ADMIN)

    response = client.post(reverse("notifications:webhook_test", args=[robot.pk]), follow=True)

    assert "errcode 310000: keywords not in content" in text(response)
    assert Message.objects.get(endpoint=robot).state == MessageState.FAILED
