import factory

from apps.notifications.choices import Channel, MessageState, WebhookKind
from apps.notifications.models import Message, WebhookEndpoint


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    """A DingTalk robot; pass `url=http_endpoint.url()` to point it at the local test server."""

    class Meta:
        model = WebhookEndpoint

    name = factory.Sequence(lambda n: f"售后服务群机器人 {n}")
    kind = WebhookKind.DINGTALK
    url = "http://127.0.0.1:9/robot/send?access_token=unused"


class MessageFactory(factory.django.DjangoModelFactory):
    """An in-app notification already delivered; `recipient` is required."""

    class Meta:
        model = Message

    event_key = factory.Sequence(lambda n: f"test:event:{n}")
    channel = Channel.IN_APP
    recipient_key = factory.LazyAttribute(lambda o: f"user:{o.recipient.pk}" if o.recipient else f"x:{o.event_key}")
    subject = factory.Sequence(lambda n: f"工单 WO-{n:04d} 已派工")
    body = "请于明天上午联系客户。"
    state = MessageState.SENT
