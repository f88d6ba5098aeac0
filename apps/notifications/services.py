"""The outbox: every notification is a row written in the caller's transaction and delivered
by the task worker after commit (healthchecks' Flip + sendalerts, Zulip's on_commit).

- `notify()` / `notify_users()`: called by the other apps' services inside their transaction.
  One row per (event, channel, recipient): calling twice for the same event returns the
  existing row and sends nothing more. Nothing is sent if the caller's transaction rolls back.
- `deliver()`: one worker claims the row with an atomic UPDATE … WHERE state='pending' (0 rows:
  somebody else has it, or it is done), sends it, then marks it sent, or pending again after a
  back-off, or failed once the attempts run out (apps.notifications.policies).
- `deliver_due()`: the periodic sweep (every minute) — due retries, and rows left in 'sending'
  by a worker that died.

Delivery is at least once: a worker that dies between sending and recording may cause one
repeat after `policies.stuck_after()`; the unique row guarantees it is never more than that.
"""

import base64
import hashlib
import hmac
import http.client
import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.exceptions import ConflictError
from apps.core.services import record_create, record_set_active, record_update
from apps.notifications import policies
from apps.notifications.choices import Channel, MessageState, WebhookKind
from apps.notifications.models import Message, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000
MAX_RESPONSE_BYTES = 64 * 1024


class DeliveryError(Exception):
    """One attempt failed; the message is tried again after a back-off."""


class PermanentDeliveryError(DeliveryError):
    """Trying again cannot help (no address, robot deactivated): the message fails at once."""


# --- writing messages ------------------------------------------------------------------------


def _recipient_key(*, channel: str, recipient, email: str, endpoint) -> str:
    if channel == Channel.WEBHOOK:
        return f"webhook:{endpoint.pk}"
    if channel == Channel.EMAIL:
        return f"email:{email.strip().lower()}"
    return f"user:{recipient.pk}"


def _one_line(text: str, limit: int) -> str:
    """Subjects become one line (no header injection in e-mails) and fit the column."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validated(*, channel, recipient, email, endpoint) -> str:
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if channel == Channel.IN_APP:
        if recipient is None:
            raise ValidationError(_("An in-app notification needs a recipient."))
        return ""
    if channel == Channel.EMAIL:
        address = (email or (recipient.email if recipient is not None else "") or "").strip()
        if not address:
            raise ValidationError(_("An e-mail needs an address."))
        validate_email(address)
        return address
    if endpoint is None:
        raise ValidationError(_("A webhook message needs a robot webhook."))
    return ""


def _create(
    *, event_key: str, channel: str, subject: str, body: str, recipient=None, email=None, endpoint=None,
    link: str = "", schedule: bool = True,
) -> tuple[Message, bool]:
    if not event_key or len(event_key) > Message._meta.get_field("event_key").max_length:
        raise ValueError("event_key must be 1–200 characters")
    address = _validated(channel=channel, recipient=recipient, email=email, endpoint=endpoint)
    key = _recipient_key(channel=channel, recipient=recipient, email=address, endpoint=endpoint)
    same = Message.objects.filter(event_key=event_key, channel=channel, recipient_key=key)
    existing = same.first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    in_app = channel == Channel.IN_APP
    message = Message(
        event_key=event_key,
        channel=channel,
        recipient_key=key,
        recipient=recipient,
        email=address,
        endpoint=endpoint if channel == Channel.WEBHOOK else None,
        subject=_one_line(subject, Message._meta.get_field("subject").max_length),
        body=body or "",
        link=(link or "")[: Message._meta.get_field("link").max_length],
        # In-app delivery is the row itself: it is in the inbox as soon as the caller commits.
        state=MessageState.SENT if in_app else MessageState.PENDING,
        sent_at=now if in_app else None,
        next_attempt_at=now,
        created_at=now,
    )
    try:
        # A savepoint, so that losing a race with a twin does not spoil the caller's transaction.
        with transaction.atomic():
            message.save()
    except IntegrityError:
        return same.get(), False
    if schedule and message.state == MessageState.PENDING:
        # robust: the row is committed whatever happens to the queue; the sweep will find it.
        transaction.on_commit(partial(_enqueue, message.pk), robust=True)
    return message, True


def _enqueue(message_id: int) -> None:
    from apps.notifications.tasks import deliver_message

    deliver_message(message_id)


def notify(
    *, event_key: str, channel: str, subject: str, body: str, recipient=None, email: str | None = None,
    endpoint: WebhookEndpoint | None = None, link: str = "",
) -> Message:
    """Queue one message; call it inside the transaction of the event it reports.

    `event_key` names the event (e.g. "workorder:42:dispatched"); the same key, channel and
    recipient again returns the existing row and sends nothing. E-mail goes to `email`, or to
    the recipient's address. `link` is a path in this application (made absolute with
    PUBLIC_BASE_URL in e-mails and robot messages).
    """
    message, _created = _create(
        event_key=event_key, channel=channel, subject=subject, body=body, recipient=recipient, email=email,
        endpoint=endpoint, link=link,
    )
    return message


def notify_users(
    *, event_key: str, users: Iterable, subject: str, body: str, link: str = "", email: bool = True
) -> list[Message]:
    """In-app notification for each active user, and an e-mail to each one with an address."""
    messages = []
    seen = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        common = {"event_key": event_key, "subject": subject, "body": body, "link": link, "recipient": user}
        messages.append(notify(channel=Channel.IN_APP, **common))
        if email and user.email:
            messages.append(notify(channel=Channel.EMAIL, email=user.email, **common))
    return messages


def notify_webhooks(
    *, event_key: str, subject: str, body: str, link: str = "", endpoints: Iterable | None = None
) -> list[Message]:
    """The same message to robot webhooks (by default every active one)."""
    if endpoints is None:
        endpoints = WebhookEndpoint.objects.filter(is_active=True)
    return [
        notify(event_key=event_key, channel=Channel.WEBHOOK, endpoint=e, subject=subject, body=body, link=link)
        for e in endpoints
    ]


# --- delivering ------------------------------------------------------------------------------


def _claim(message_id: int, *, now: datetime) -> bool:
    """Take the row for this worker: exactly one caller gets 1 row updated."""
    return (
        Message.objects.filter(pk=message_id, state=MessageState.PENDING, next_attempt_at__lte=now).update(
            state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )


def deliver(message_id: int, *, now: datetime | None = None, final: bool = False) -> Message | None:
    """Send one due message (the task worker's job). Returns the row, or None when it was not
    this worker's to send (already claimed, sent, failed or not yet due).

    `final`: a failure is not retried (the "send test message" button).
    """
    now = now or timezone.now()
    if not _claim(message_id, now=now):
        return None
    message = Message.objects.select_related("recipient", "endpoint").get(pk=message_id)
    ours = Message.objects.filter(pk=message_id, state=MessageState.SENDING, claimed_at=now)
    try:
        SENDERS[message.channel](message, now=now)
    except Exception as error:  # any failure of one attempt is recorded, never raised to the queue
        if isinstance(error, DeliveryError):
            logger.warning("notification %s attempt %s failed: %s", message_id, message.attempts, error)
        else:
            logger.exception("notification %s attempt %s failed", message_id, message.attempts)
        text = _describe(error)
        if final or isinstance(error, PermanentDeliveryError) or message.attempts >= policies.max_attempts():
            ours.update(state=MessageState.FAILED, last_error=text, claimed_at=None)
        else:
            ours.update(
                state=MessageState.PENDING,
                last_error=text,
                claimed_at=None,
                next_attempt_at=now + policies.backoff(message.attempts),
            )
    else:
        ours.update(state=MessageState.SENT, sent_at=max(now, timezone.now()), claimed_at=None)
    message.refresh_from_db()
    return message


def deliver_due(*, now: datetime | None = None) -> dict[str, int]:
    """The periodic sweep: hand back rows stuck in 'sending', then deliver every due row."""
    fixed_now = now
    now = now or timezone.now()
    stale = Message.objects.filter(state=MessageState.SENDING, claimed_at__lt=now - policies.stuck_after())
    gave_up = stale.filter(attempts__gte=policies.max_attempts()).update(
        state=MessageState.FAILED,
        claimed_at=None,
        last_error=_("The worker stopped while sending; no attempts left."),
    )
    released = stale.update(state=MessageState.PENDING, claimed_at=None, next_attempt_at=now)
    due = list(
        Message.objects.filter(state=MessageState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[: policies.due_batch_size()]
    )
    counts = {"released": released, "gave_up": gave_up, "sent": 0, "retry": 0, "failed": 0}
    for pk in due:
        message = deliver(pk, now=fixed_now)
        if message is None:
            continue
        key = {MessageState.SENT: "sent", MessageState.FAILED: "failed"}.get(message.state, "retry")
        counts[key] += 1
    if any(counts.values()):
        logger.info("outbox sweep: %s", counts)
    return counts


def _describe(error: Exception) -> str:
    if isinstance(error, DeliveryError):
        text = str(error)
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:MAX_ERROR_LENGTH]


def _absolute(link: str) -> str:
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    if link and base and link.startswith("/"):
        return base + link
    return link


def _send_in_app(message: Message, *, now: datetime) -> None:
    """Nothing to transmit: the row is the notification."""
    if message.recipient_id is None:
        raise PermanentDeliveryError(_("An in-app notification needs a recipient."))


def _send_email(message: Message, *, now: datetime) -> None:
    if not message.email:
        raise PermanentDeliveryError(_("An e-mail needs an address."))
    text = message.body
    link = _absolute(message.link)
    if link:
        text = f"{text}\n\n{link}" if text else link
    timeout = getattr(settings, "EMAIL_TIMEOUT", None) or policies.send_timeout_seconds()
    email = EmailMessage(
        subject=message.subject,
        body=text,
        to=[message.email],
        connection=get_connection(timeout=timeout),
        headers={"X-Outbox-Message": str(message.pk), "X-Outbox-Event": message.event_key},
    )
    email.send(fail_silently=False)


# --- robot webhooks --------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot that answers with a redirect did not take the message (a 3xx is a failure)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _truncate_bytes(text: str, limit: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's "加签": base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>"))."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _with_query(url: str, params: dict) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{urlencode(params)}"


def _markdown_lines(text: str) -> str:
    # A single newline is not a line break in the robots' markdown; two trailing spaces are.
    return "  \n".join(text.splitlines())


def webhook_request(endpoint: WebhookEndpoint, message: Message, *, now: datetime) -> tuple[str, bytes, dict]:
    """(url, body, headers) of the call for this robot; pure, so tests can look at it."""
    link = _absolute(message.link)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "aftersales-outbox/1"}
    url = endpoint.url
    if endpoint.kind == WebhookKind.DINGTALK:
        text = f"#### {message.subject}\n\n{_markdown_lines(message.body)}"
        if link.startswith(("http://", "https://")):
            text += f"\n\n[{_('Open in the service system')}]({link})"
        payload = {
            "msgtype": "markdown",
            "markdown": {"title": message.subject, "text": _truncate_bytes(text, policies.DINGTALK_MAX_BYTES)},
        }
        if endpoint.secret:
            timestamp = int(now.timestamp() * 1000)
            url = _with_query(url, {"timestamp": timestamp, "sign": dingtalk_sign(endpoint.secret, timestamp)})
    elif endpoint.kind == WebhookKind.WECOM:
        content = f"**{message.subject}**\n{_markdown_lines(message.body)}"
        if link.startswith(("http://", "https://")):
            content += f"\n[{_('Open in the service system')}]({link})"
        payload = {"msgtype": "markdown", "markdown": {"content": _truncate_bytes(content, policies.WECOM_MAX_BYTES)}}
    else:
        payload = {"event": message.event_key, "subject": message.subject, "body": message.body, "link": link}
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    if endpoint.kind == WebhookKind.GENERIC and endpoint.secret:
        signature = hmac.new(endpoint.secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers["X-Signature"] = f"sha256={signature}"
    return url, body, headers


def _post(url: str, body: bytes, headers: dict) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise PermanentDeliveryError(_("Only http and https addresses can be called."))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=policies.send_timeout_seconds()) as response:
            return response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as error:
        detail = error.read(500).decode("utf-8", "replace").strip() if error.fp else ""
        raise DeliveryError(f"HTTP {error.code} {error.reason}: {detail}".rstrip(": ")) from error
    except urllib.error.URLError as error:
        raise DeliveryError(f"{type(error.reason).__name__}: {error.reason}") from error
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}") from error


def _send_webhook(message: Message, *, now: datetime) -> None:
    endpoint = message.endpoint
    if endpoint is None or not endpoint.is_active:
        raise PermanentDeliveryError(_("The robot webhook is deactivated."))
    url, body, headers = webhook_request(endpoint, message, now=now)
    answer = _post(url, body, headers)
    if endpoint.kind in (WebhookKind.DINGTALK, WebhookKind.WECOM):
        # Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; anything else is a refusal
        # (e.g. DingTalk 310000: bad signature or keyword, 130101: rate limit).
        try:
            data = json.loads(answer.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            text = answer[:200].decode("utf-8", "replace")
            raise DeliveryError(_("The robot's answer is not JSON: %(text)s") % {"text": text}) from None
        code = data.get("errcode", 0) if isinstance(data, dict) else 0
        if code not in (0, "0"):
            raise DeliveryError(f"errcode {code}: {data.get('errmsg', '')}")


SENDERS = {
    Channel.IN_APP: _send_in_app,
    Channel.EMAIL: _send_email,
    Channel.WEBHOOK: _send_webhook,
}


# --- actions of people -----------------------------------------------------------------------


def retry(*, actor, message: Message) -> Message:
    """"Retry now" on the outbox board: one more attempt, as soon as the worker gets to it."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if locked.state not in (MessageState.FAILED, MessageState.PENDING):
            raise ConflictError(_("Only a failed or waiting message can be retried."))
        now = timezone.now()
        locked.state = MessageState.PENDING
        locked.next_attempt_at = now
        locked.retried_by = actor
        locked.retried_at = now
        locked.save(update_fields=["state", "next_attempt_at", "retried_by", "retried_at"])
        transaction.on_commit(partial(_enqueue, locked.pk), robust=True)
    return locked


def mark_read(*, user, message: Message) -> bool:
    """Mark one of the user's own notifications read; False if it already was."""
    if message.recipient_id != user.pk or message.channel != Channel.IN_APP:
        raise ValidationError(_("This notification is not yours."))
    return bool(
        Message.objects.filter(pk=message.pk, recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    )


def mark_all_read(*, user) -> int:
    return Message.objects.filter(recipient=user, channel=Channel.IN_APP, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- robot webhooks (master data) ------------------------------------------------------------


def webhook_create(*, actor, data, m2m=None) -> WebhookEndpoint:
    return record_create(model=WebhookEndpoint, actor=actor, data=data, m2m=m2m)


webhook_update = record_update
set_active = record_set_active


def webhook_send_test(*, actor, endpoint: WebhookEndpoint) -> Message:
    """Send a test message to the robot now and report how it went (one attempt, no retries).

    Not to be called inside a transaction: it waits for the robot's answer.
    """
    if not endpoint.is_active:
        raise ConflictError(_("Reactivate the robot webhook before testing it."))
    message, _created = _create(
        event_key=f"webhook.test:{endpoint.pk}:{uuid.uuid4().hex}",
        channel=Channel.WEBHOOK,
        endpoint=endpoint,
        subject=_("Test message from the after-sales service system"),
        body=_("%(user)s checked that this robot receives our notifications.") % {"user": actor},
        schedule=False,
    )
    return deliver(message.pk, final=True) or message
