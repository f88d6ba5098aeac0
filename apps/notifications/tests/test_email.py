"""E-mail goes out over a real SMTP conversation (aiosmtpd on 127.0.0.1)."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.notifications import services
from apps.notifications.choices import Channel, MessageState

pytestmark = pytest.mark.django_db


def test_an_email_in_chinese_arrives_with_its_subject_and_body(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://service.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify(
            event_key="workorder:7:dispatched",
            channel=Channel.EMAIL,
            email="zhang.wei@example.cn",
            subject="工单 WO-0007 已派工：糖化血红蛋白分析仪",
            body="请于 2026-10-09 上午联系检验科王主任。",
            link="/work-orders/7/",
        )

    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["zhang.wei@example.cn"]
    assert envelope.mail_from == "service@example.cn"
    mail = smtp_server.messages[0]
    # (Django folds the encoded subject onto a continuation line; readers drop the fold's space.)
    assert mail["Subject"].strip() == "工单 WO-0007 已派工：糖化血红蛋白分析仪"
    text = mail.get_content()
    assert "请于 2026-10-09 上午联系检验科王主任。" in text
    assert "https://service.example.cn/work-orders/7/" in text
    assert mail["X-Outbox-Event"] == "workorder:7:dispatched"
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.last_error == ""


def test_notify_users_sends_in_app_to_everyone_and_email_to_those_with_an_address(
    smtp_server, django_capture_on_commit_callbacks
):
    with_address = UserFactory(role=Role.ENGINEER, email="li.na@example.cn")
    without_address = UserFactory(role=Role.ENGINEER, email="")
    gone = UserFactory(role=Role.ENGINEER, email="gone@example.cn", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        messages = services.notify_users(
            event_key="workorder:9:assigned", users=[with_address, without_address, gone, with_address],
            subject="新工单已指派给您", body="客户：某市人民医院",
        )

    assert sorted((m.channel, m.recipient_id) for m in messages) == sorted(
        [(Channel.IN_APP, with_address.pk), (Channel.EMAIL, with_address.pk), (Channel.IN_APP, without_address.pk)]
    )
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["li.na@example.cn"]]
    # In-app notifications need no worker: they are delivered as soon as the caller commits.
    assert all(m.state == MessageState.SENT for m in messages if m.channel == Channel.IN_APP)


def test_an_unreachable_smtp_server_leaves_the_mail_pending_with_the_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, the connection is refused
    settings.EMAIL_TIMEOUT = 2
    message = services.notify(
        event_key="x:1", channel=Channel.EMAIL, email="a@example.cn", subject="测试", body="正文"
    )

    message = services.deliver(message.pk)

    assert message.state == MessageState.PENDING
    assert message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()


def test_an_email_without_any_address_is_refused_at_once():
    user = UserFactory(email="")
    with pytest.raises(Exception, match="address"):
        services.notify(event_key="x:2", channel=Channel.EMAIL, recipient=user, subject="s", body="b")
