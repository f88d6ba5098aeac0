"""Robot webhooks are called over real HTTP (a local server on 127.0.0.1 that records requests)."""

import base64
import hashlib
import hmac
import time

import pytest

from apps.notifications import services
from apps.notifications.choices import Channel, MessageState, WebhookKind
from apps.notifications.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def _send(endpoint, django_capture_on_commit_callbacks, **kwargs):
    fields = {
        "event_key": "workorder:12:escalated",
        "subject": "工单 WO-0012 超时升级",
        "body": "客户：某县医院\n已超过 4 小时",
    }
    fields.update(kwargs)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify(channel=Channel.WEBHOOK, endpoint=endpoint, **fields)
    message.refresh_from_db()
    return message


def test_a_dingtalk_robot_receives_a_markdown_message(http_endpoint, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_URL = "https://service.example.cn"
    robot = WebhookEndpointFactory(kind=WebhookKind.DINGTALK, url=http_endpoint.url())

    message = _send(robot, django_capture_on_commit_callbacks, link="/work-orders/12/")

    assert message.state == MessageState.SENT
    [request] = http_endpoint.requests
    assert request.path == "/robot/send"
    assert request.query == {"access_token": ["test-token"]}  # no signing without a secret
    assert request.headers["Content-Type"].startswith("application/json")
    payload = request.json
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "工单 WO-0012 超时升级"
    assert "工单 WO-0012 超时升级" in payload["markdown"]["text"]
    assert "客户：某县医院  \n已超过 4 小时" in payload["markdown"]["text"]
    assert "(https://service.example.cn/work-orders/12/)" in payload["markdown"]["text"]


def test_a_dingtalk_robot_with_a_secret_gets_a_valid_timestamp_and_sign(
    http_endpoint, django_capture_on_commit_callbacks
):
    secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"
    robot = WebhookEndpointFactory(kind=WebhookKind.DINGTALK, url=http_endpoint.url(), secret=secret)

    message = _send(robot, django_capture_on_commit_callbacks)

    assert message.state == MessageState.SENT
    [request] = http_endpoint.requests
    assert request.query["access_token"] == ["test-token"]
    [timestamp] = request.query["timestamp"]
    [sign] = request.query["sign"]
    # DingTalk refuses a timestamp more than an hour away from its clock.
    assert abs(int(timestamp) - time.time() * 1000) < 60_000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected


def test_a_wecom_robot_receives_markdown_content(http_endpoint, django_capture_on_commit_callbacks):
    robot = WebhookEndpointFactory(kind=WebhookKind.WECOM, url=http_endpoint.url("/cgi-bin/webhook/send?key=k"))

    message = _send(robot, django_capture_on_commit_callbacks)

    assert message.state == MessageState.SENT
    payload = http_endpoint.requests[0].json
    content = "**工单 WO-0012 超时升级**\n客户：某县医院  \n已超过 4 小时"
    assert payload == {"msgtype": "markdown", "markdown": {"content": content}}


def test_a_generic_endpoint_receives_the_event_as_json_signed_with_its_secret(
    http_endpoint, django_capture_on_commit_callbacks
):
    hook = WebhookEndpointFactory(kind=WebhookKind.GENERIC, url=http_endpoint.url("/hooks/service"), secret="s3cret")

    _send(hook, django_capture_on_commit_callbacks, link="/work-orders/12/")

    [request] = http_endpoint.requests
    assert request.json == {
        "event": "workorder:12:escalated", "subject": "工单 WO-0012 超时升级", "body": "客户：某县医院\n已超过 4 小时",
        "link": "/work-orders/12/",
    }
    expected = hmac.new(b"s3cret", request.raw, hashlib.sha256).hexdigest()
    assert request.headers["X-Signature"] == f"sha256={expected}"


def test_a_dingtalk_refusal_in_the_json_answer_counts_as_a_failure(http_endpoint, django_capture_on_commit_callbacks):
    http_endpoint.answer_next((200, {"errcode": 310000, "errmsg": "sign not match"}))
    robot = WebhookEndpointFactory(kind=WebhookKind.DINGTALK, url=http_endpoint.url(), secret="SECwrong")

    message = _send(robot, django_capture_on_commit_callbacks)

    assert message.state == MessageState.PENDING
    assert message.attempts == 1
    assert message.last_error == "errcode 310000: sign not match"


def test_an_http_error_status_counts_as_a_failure(http_endpoint, django_capture_on_commit_callbacks):
    http_endpoint.answer_next((500, b"internal error"))
    hook = WebhookEndpointFactory(kind=WebhookKind.GENERIC, url=http_endpoint.url("/hooks/service"))

    message = _send(hook, django_capture_on_commit_callbacks)

    assert message.state == MessageState.PENDING
    assert message.last_error.startswith("HTTP 500")
    assert "internal error" in message.last_error


def test_a_redirect_counts_as_a_failure(http_endpoint, django_capture_on_commit_callbacks):
    http_endpoint.answer_next((302, b""))
    hook = WebhookEndpointFactory(kind=WebhookKind.GENERIC, url=http_endpoint.url("/hooks/service"))

    message = _send(hook, django_capture_on_commit_callbacks)

    assert message.state == MessageState.PENDING
    assert message.last_error.startswith("HTTP 302")


def test_a_deactivated_robot_fails_the_message_without_calling_it(http_endpoint, django_capture_on_commit_callbacks):
    robot = WebhookEndpointFactory(url=http_endpoint.url(), is_active=False)

    message = _send(robot, django_capture_on_commit_callbacks)

    assert message.state == MessageState.FAILED
    assert http_endpoint.requests == []
    assert "deactivated" in message.last_error


def test_notify_webhooks_reaches_every_active_robot(http_endpoint, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(url=http_endpoint.url("/a?access_token=1"))
    WebhookEndpointFactory(kind=WebhookKind.WECOM, url=http_endpoint.url("/b?key=2"))
    WebhookEndpointFactory(url=http_endpoint.url("/c?access_token=3"), is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        messages = services.notify_webhooks(event_key="sla:5:breached", subject="SLA 超时", body="工单 WO-0005")

    assert len(messages) == 2
    assert sorted(r.path for r in http_endpoint.requests) == ["/a", "/b"]


def test_a_wecom_robot_may_not_have_a_secret():
    from django.core.exceptions import ValidationError

    robot = WebhookEndpointFactory.build(kind=WebhookKind.WECOM, url="https://qyapi.weixin.qq.com/x", secret="abc")
    with pytest.raises(ValidationError) as error:
        robot.full_clean()
    assert "secret" in error.value.message_dict
