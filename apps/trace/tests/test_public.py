"""The customer's acknowledgement page /fsn/<token>/: no login, Chinese by default, big buttons;
acknowledged once with name and position; a second visit says so; a forged token is a 404."""

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.trace import selectors
from apps.trace.choices import AckChannel
from apps.trace.tests._helpers import complaint_world, deliver, issue_for_lot, trace_world_fixture  # noqa: F401


@pytest.fixture
def recipient(tw):
    deliver(tw, tw.customer)
    return issue_for_lot(tw).recipients.get()


def link(recipient) -> str:
    return reverse("trace:public_ack", args=[selectors.link_token(recipient)])


def test_the_link_shows_the_notice_in_chinese_without_a_login(client, recipient):
    page = client.get(link(recipient))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'lang="zh-hans"' in text
    assert "广州市第一人民医院" in text
    assert "请停止使用该批号并联系销售更换。" in text
    assert page["Cache-Control"] == "no-store"


def test_the_customer_acknowledges_with_name_and_position(client, recipient):
    done = client.post(link(recipient), {"name": "张主任", "position": "检验科主任", "note": "已停用"})
    assert done.status_code == 302
    recipient.refresh_from_db()
    assert recipient.acknowledged_by == "张主任"
    assert recipient.acknowledged_position == "检验科主任"
    assert recipient.ack_channel == AckChannel.LINK
    assert recipient.ack_recorded_by is None
    thanks = client.get(done["Location"] + "&lang=en")
    assert thanks.status_code == 200
    assert "Thank you: your acknowledgement is recorded." in thanks.content.decode()
    assert 'name="name"' not in thanks.content.decode()  # no form any more


def test_a_second_visit_says_already_acknowledged_and_changes_nothing(client, recipient):
    client.post(link(recipient), {"name": "张主任", "position": "检验科主任"})
    with override_settings(LANGUAGE_CODE="en"):
        again = client.get(link(recipient) + "?lang=en")
    assert "This notice has already been acknowledged." in again.content.decode()
    twice = client.post(link(recipient), {"name": "李四", "position": "护士"})
    assert twice.status_code == 409
    recipient.refresh_from_db()
    assert recipient.acknowledged_by == "张主任"


def test_the_position_is_asked_for(client, recipient):
    page = client.post(link(recipient) + "?lang=en", {"name": "张主任", "position": ""})
    assert page.status_code == 400
    recipient.refresh_from_db()
    assert recipient.acknowledged_at is None
    assert "张主任" in page.content.decode()  # kept


@pytest.mark.parametrize("token", ["nonsense", "1.abc:forged", ""])
def test_a_forged_token_is_a_plain_404(client, recipient, token):
    url = link(recipient).replace(selectors.link_token(recipient), token) if token else "/fsn/x/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "x", "position": "y"}).status_code == 404


def test_a_token_for_another_recipient_id_is_refused(client, recipient):
    from django.core import signing

    from apps.trace import policies

    forged = signing.Signer(salt=policies.ACK_LINK_SALT).sign(f"{recipient.pk}.wrong-nonce")
    assert client.get(reverse("trace:public_ack", args=[forged])).status_code == 404


def test_the_customer_downloads_the_letter(client, recipient):
    response = client.get(reverse("trace:public_letter", args=[selectors.link_token(recipient)]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
