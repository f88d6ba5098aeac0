"""Every write of the trace and of field safety notices (issue 5): one transaction, the row
locked and its version checked, a timeline event written, notifications queued in the same
transaction (the outbox sends them after commit).

- deliveries: the generic record layer (created, corrected, deactivated; never deleted);
- `notice_create` / `notice_update`: the quality department drafts a notice;
- `notice_issue`: the recipients are computed (exactly the customers that received one of the
  lots or parts, or have one of the instruments), each due to be told by issue + 1 / 3 / 7 days
  (class I / II / III); their contacts with an e-mail address get the notice with a personal
  acknowledgement link, the responsible sales person and engineer are told to inform them;
- `notice_add_recipients`: an issued notice reaches the customers found since (later deliveries);
- `recipient_notify` / `recipient_acknowledge`: staff record "told by phone / visit" and the
  customer's acknowledgement; `recipient_acknowledge_by_link`: the customer through the link;
- `notice_close`: every recipient acknowledged, or the reason why not;
- `notice_remind_due`: the daily reminder of recipients past due (not told, not acknowledged).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from apps.accounts.choices import Role
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.services import record_set_active, set_m2m
from apps.core.writes import in_default_language, lock, notify, now, save, staff
from apps.customers.services import record_at_customer_create, record_at_customer_update
from apps.trace import policies, selectors
from apps.trace.choices import TRANSITIONS, AckChannel, EventKind, NoticeState, NotifyChannel
from apps.trace.models import Delivery, FieldNotice, NoticeEvent, NoticeRecipient, split_serials

# --- deliveries --------------------------------------------------------------------------------

delivery_create = partial(record_at_customer_create, model=Delivery)
delivery_update = record_at_customer_update
delivery_set_active = record_set_active


# --- helpers ------------------------------------------------------------------------------------

NOTICE_FIELDS = ("number", "title", "notice_class", "reason", "action_required", "serial_numbers")
# How many customer names one message lists (the board has them all).
NAMES_LISTED = 20


def _require(actor, action: str) -> None:
    if not can(actor, "field_notice", action):
        raise PermissionDenied(_("Your role may not do this."))


def _event(notice, *, kind, actor, at, text="", recipient=None, data=None) -> NoticeEvent:
    return NoticeEvent.objects.create(
        notice=notice, recipient=recipient, kind=kind, actor=actor, at=at, text=str(text), data=data or {}
    )


def _move(notice: FieldNotice, to_state: str) -> None:
    if to_state not in TRANSITIONS[notice.state]:
        raise ConflictError(
            _("A notice that is “%(state)s” cannot become “%(to)s”.")
            % {"state": notice.get_state_display(), "to": NoticeState(to_state).label}
        )
    notice.state = to_state


def _names(customers) -> str:
    names = [c.name for c in customers]
    text = "、".join(names[:NAMES_LISTED])
    if len(names) > NAMES_LISTED:
        text += " " + _("and %(n)s more") % {"n": len(names) - NAMES_LISTED}
    return text


def _local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def due_for(notice_class: str, issued_at: dt.datetime) -> dt.datetime:
    """Issue 5: customers are told within 1 / 3 / 7 calendar days (class I / II / III)."""
    return issued_at + dt.timedelta(days=policies.NOTIFY_WITHIN_DAYS[notice_class])


def _check_serials(text: str) -> str:
    serials = split_serials(text)
    if len(serials) > policies.MAX_SERIAL_NUMBERS:
        raise ValidationError(
            {"serial_numbers": _("At most %(n)s serial numbers per notice.") % {"n": policies.MAX_SERIAL_NUMBERS}}
        )
    too_long = [s for s in serials if len(s) > 64]
    if too_long:
        raise ValidationError({"serial_numbers": _("“%(serial)s” is not a serial number.") % {"serial": too_long[0]}})
    return "\n".join(serials)


def _check_recipient_scope(actor, recipient: NoticeRecipient) -> None:
    """Staff record only for the customers they serve (quality and the heads: all)."""
    if not NoticeRecipient.objects.filter(selectors.recipient_scope_q(actor), pk=recipient.pk).exists():
        raise PermissionDenied(_("This customer is not one you serve."))


# --- drafting ------------------------------------------------------------------------------------


@transaction.atomic
def notice_create(*, actor, data, m2m=None, at=None) -> FieldNotice:
    """A draft notice; its number is FSN<year>-<id> unless one is given."""
    _require(actor, "add")
    at = now(at)
    values = {k: v for k, v in dict(data).items() if k in NOTICE_FIELDS}
    number = (values.pop("number", "") or "").strip()
    values["serial_numbers"] = _check_serials(values.get("serial_numbers", ""))
    notice = FieldNotice(
        **values, number=number or f"tmp-{uuid.uuid4().hex[:24]}", state=NoticeState.DRAFT, created_by=actor
    )
    notice._history_user = actor
    notice.full_clean()
    notice.save()
    # The draft's date is when it was written (`at`; auto_now_add would say "now" for a draft
    # recorded afterwards), its number FSN<year>-<id> unless one is given.
    notice.created_at = at
    notice.number = number or f"FSN{timezone.localtime(at):%Y}-{notice.pk:04d}"
    FieldNotice.objects.filter(pk=notice.pk).update(created_at=at, number=notice.number)
    if m2m:
        set_m2m(notice, m2m, audit_each=False)
        notice._history_user = actor
        notice.save()
    _event(notice, kind=EventKind.CREATED, actor=actor, at=at, text=notice.title)
    return notice


@transaction.atomic
def notice_update(*, actor, instance, data, expected_version=None, m2m=None, at=None) -> FieldNotice:
    """Correct a draft (an issued notice is what the customers received: it stays as it is)."""
    _require(actor, "add")
    at = now(at)
    notice = lock(instance, expected_version)
    if notice.state != NoticeState.DRAFT:
        raise ConflictError(_("Only a draft can be changed; this notice has been issued."))
    values = {k: v for k, v in dict(data).items() if k in NOTICE_FIELDS}
    if "number" in values:
        values["number"] = (values["number"] or "").strip() or notice.number
    if "serial_numbers" in values:
        values["serial_numbers"] = _check_serials(values["serial_numbers"])
    for name, value in values.items():
        setattr(notice, name, value)
    notice.full_clean()
    if m2m:
        set_m2m(notice, m2m, audit_each=False)
    save(notice, actor=actor, fields=list(values))
    _event(notice, kind=EventKind.CHANGED, actor=actor, at=at)
    return notice


def notice_reach(notice: FieldNotice) -> dict[int, list[str]]:
    """Who the notice would reach now (the draft page shows the count before issuing)."""
    return selectors.affected_customers(
        lots=list(notice.lots.values_list("pk", flat=True)),
        instruments=list(notice.instruments.values_list("pk", flat=True)),
        serial_numbers=notice.serial_numbers,
    )


def notice_new_reach_count(notice: FieldNotice) -> int:
    """How many customers the issued notice would reach now that are not its recipients yet."""
    known = set(notice.recipients.values_list("customer_id", flat=True))
    return len(set(notice_reach(notice)) - known)


# --- issuing ---------------------------------------------------------------------------------------


def ack_link(recipient: NoticeRecipient, base_url: str = "") -> str:
    """The customer's personal link: a path when PUBLIC_BASE_URL is set (the outbox makes it
    absolute), else absolute with the scheme and host of the request that issued the notice."""
    path = reverse("trace:public_ack", args=[selectors.link_token(recipient)])
    if getattr(settings, "PUBLIC_BASE_URL", ""):
        return path
    return (base_url or "").rstrip("/") + path


def _valid_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _reach(notice, reach: dict[int, list[str]], *, actor, at, due_at, base_url: str, key: str) -> list[NoticeRecipient]:
    """One recipient per customer of `reach` (none of them a recipient yet), due by `due_at`: its
    contacts with an e-mail get the notice with their acknowledgement link, each responsible
    sales person and engineer one message naming his customers. Returns the new recipients."""
    from apps.customers.models import Contact, Customer
    from apps.notifications.choices import Channel
    from apps.notifications.services import notify as outbox

    customers = list(
        Customer.objects.filter(pk__in=list(reach))
        .select_related("responsible_sales", "responsible_engineer")
        .order_by("code")
    )
    addresses: dict[int, list[str]] = {}
    for contact in (
        Contact.objects.filter(customer_id__in=list(reach), is_active=True)
        .exclude(email="")
        .order_by("customer_id", "-is_primary", "name")
    ):
        email = contact.email.strip()
        if _valid_email(email) and email.lower() not in {a.lower() for a in addresses.get(contact.customer_id, [])}:
            addresses.setdefault(contact.customer_id, []).append(email)
    rows = []
    for customer in customers:
        emails = addresses.get(customer.pk, [])
        rows.append(
            NoticeRecipient(
                notice=notice,
                customer=customer,
                affected="\n".join(reach[customer.pk]),
                due_at=due_at,
                link_nonce=secrets.token_urlsafe(12),
                emailed_to=", ".join(emails),
                # The e-mail with the link is the notification (the outbox retries it).
                notified_at=at if emails else None,
                notified_by=actor if emails else None,
                notify_channel=NotifyChannel.EMAIL if emails else "",
                created_at=at,
            )
        )
    bulk_create_with_history(rows, NoticeRecipient, default_user=actor)
    recipients = list(
        notice.recipients.filter(customer_id__in=list(reach))
        .select_related("customer")
        .order_by("customer__code", "id")
    )

    with in_default_language():
        company = getattr(settings, "COMPANY_NAME", "") or _("After-sales service")
        subject = _("%(company)s field safety notice %(number)s (%(cls)s): %(title)s") % {
            "company": company,
            "number": notice.number,
            "cls": notice.get_notice_class_display(),
            "title": notice.title,
        }
        for recipient in recipients:
            for email in addresses.get(recipient.customer_id, []):
                body = _(
                    "Dear customer (%(customer)s),\n\nwe issue field safety notice %(number)s: %(title)s.\n\n"
                    "Products concerned at your site:\n%(affected)s\n\nReason:\n%(reason)s\n\n"
                    "What we ask you to do:\n%(action)s\n\n"
                    "Please confirm that you received this notice with the link below (name and position)."
                ) % {
                    "customer": recipient.customer.name,
                    "number": notice.number,
                    "title": notice.title,
                    "affected": recipient.affected,
                    "reason": notice.reason,
                    "action": notice.action_required,
                }
                outbox(
                    event_key=f"fieldnotice:{notice.pk}:ack:{recipient.pk}",
                    channel=Channel.EMAIL,
                    email=email,
                    subject=subject,
                    body=body,
                    link=ack_link(recipient, base_url),
                )
        # Each responsible person: one message naming his customers to inform by the deadline.
        by_person: dict[int, tuple] = {}
        for customer in customers:
            for person in (customer.responsible_sales, customer.responsible_engineer):
                if person is not None:
                    by_person.setdefault(person.pk, (person, []))[1].append(customer)
        for person, theirs in by_person.values():
            notify(
                f"fieldnotice:{notice.pk}:{key}",
                [person],
                _("Field safety notice %(number)s (%(cls)s): inform your customers by %(due)s")
                % {"number": notice.number, "cls": notice.get_notice_class_display(), "due": _local(due_at)},
                link=notice.get_absolute_url(),
                body=_(
                    "%(title)s. Tell these customers and record it on the notice page (by phone or visit), "
                    "with who acknowledged it: %(customers)s"
                )
                % {"title": notice.title, "customers": _names(theirs)},
            )
    return recipients


@transaction.atomic
def notice_issue(*, actor, notice: FieldNotice, expected_version=None, base_url: str = "", at=None) -> FieldNotice:
    """Issue the notice: fix its recipients and their deadline, e-mail the customers' contacts
    their acknowledgement link, tell each responsible sales person and engineer whom to inform."""
    _require(actor, "add")
    at = now(at)
    notice = lock(notice, expected_version)
    _move(notice, NoticeState.ISSUED)
    if not (notice.lots.exists() or notice.instruments.exists() or notice.serial_list):
        raise ValidationError(_("Name the lots, instruments or serial numbers the notice concerns."))
    reach = notice_reach(notice)
    if not reach:
        raise ValidationError(
            _(
                "No customer received these lots or parts, or has these instruments, according to the "
                "deliveries and the installed base: nobody to notify. Check the lots and serial numbers."
            )
        )
    notice.issued_at = at
    notice.issued_by = actor
    notice.due_at = due_for(notice.notice_class, at)
    save(notice, actor=actor, fields=["state", "issued_at", "issued_by", "due_at"])

    recipients = _reach(notice, reach, actor=actor, at=at, due_at=notice.due_at, base_url=base_url, key="inform")
    with in_default_language():
        emailed = sum(1 for r in recipients if r.emailed_to)
        text = ngettext(
            "%(n)s customer to be told by %(due)s (%(emailed)s by e-mail).",
            "%(n)s customers to be told by %(due)s (%(emailed)s by e-mail).",
            len(recipients),
        ) % {"n": len(recipients), "due": _local(notice.due_at), "emailed": emailed}
    _event(notice, kind=EventKind.ISSUED, actor=actor, at=at, text=text, data={"recipients": len(recipients)})
    return notice


@transaction.atomic
def notice_add_recipients(
    *, actor, notice: FieldNotice, expected_version=None, base_url: str = "", at=None
) -> list[NoticeRecipient]:
    """An issued notice reaches the customers found since it was issued (deliveries recorded
    later, an instrument moved): each becomes a recipient, due within the notice class's days
    from now, and is told as at issue. Those already on the notice are left as they are."""
    _require(actor, "add")
    at = now(at)
    notice = lock(notice, expected_version)
    if notice.state != NoticeState.ISSUED:
        raise ValidationError(_("Only an issued notice that is not closed can reach more customers."))
    known = set(notice.recipients.values_list("customer_id", flat=True))
    reach = {pk: what for pk, what in notice_reach(notice).items() if pk not in known}
    if not reach:
        raise ValidationError(
            _("No customer has received these lots or parts, or got these instruments, since the notice was issued.")
        )
    due_at = due_for(notice.notice_class, at)
    key = f"inform:added:{int(at.timestamp())}"
    recipients = _reach(notice, reach, actor=actor, at=at, due_at=due_at, base_url=base_url, key=key)
    save(notice, actor=actor, fields=[])
    with in_default_language():
        text = ngettext(
            "%(n)s customer found since issue, to be told by %(due)s: %(names)s",
            "%(n)s customers found since issue, to be told by %(due)s: %(names)s",
            len(recipients),
        ) % {"n": len(recipients), "due": _local(due_at), "names": _names([r.customer for r in recipients])}
    _event(notice, kind=EventKind.EXTENDED, actor=actor, at=at, text=text, data={"recipients": len(recipients)})
    return recipients


# --- telling and acknowledgement ----------------------------------------------------------------------


def _lock_recipient(recipient: NoticeRecipient, expected_version=None) -> NoticeRecipient:
    locked = (
        NoticeRecipient.objects.select_for_update(of=("self",))
        .select_related("notice", "customer")
        .get(pk=recipient.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _save_recipient(recipient: NoticeRecipient, *, actor, fields) -> None:
    recipient.version += 1
    recipient._history_user = actor
    recipient.save(update_fields=[*fields, "version"])


def _require_issued(recipient: NoticeRecipient) -> None:
    if recipient.notice.state != NoticeState.ISSUED:
        raise ConflictError(
            _("The notice is “%(state)s”: nothing more is recorded on it.")
            % {"state": recipient.notice.get_state_display()}
        )


@transaction.atomic
def recipient_notify(
    *, actor, recipient: NoticeRecipient, channel: str, note: str = "", expected_version=None, at=None
) -> NoticeRecipient:
    """Staff told the customer (by phone, on a visit, by letter …). The first time told is what
    the deadline is measured by; later tellings are added to the timeline."""
    _require(actor, "change")
    _check_recipient_scope(actor, recipient)
    at = now(at)
    if channel not in NotifyChannel.values:
        raise ValidationError({"channel": _("Choose how the customer was told.")})
    recipient = _lock_recipient(recipient, expected_version)
    _require_issued(recipient)
    note = (note or "").strip()[:255]
    fields = []
    if recipient.notified_at is None:
        recipient.notified_at, recipient.notified_by, recipient.notify_channel = at, actor, channel
        recipient.notify_note = note
        fields = ["notified_at", "notified_by", "notify_channel", "notify_note"]
    if fields:
        _save_recipient(recipient, actor=actor, fields=fields)
    text = _("%(customer)s told (%(channel)s)") % {
        "customer": recipient.customer.name,
        "channel": NotifyChannel(channel).label,
    }
    _event(
        recipient.notice,
        kind=EventKind.NOTIFIED,
        actor=actor,
        at=at,
        recipient=recipient,
        text=f"{text}: {note}" if note else text,
    )
    return recipient


def _acknowledge(recipient, *, actor, name, position, note, channel, at) -> NoticeRecipient:
    _require_issued(recipient)
    if recipient.acknowledged_at is not None:
        raise ConflictError(
            _("Already acknowledged on %(when)s by %(name)s.")
            % {"when": _local(recipient.acknowledged_at), "name": recipient.acknowledged_by}
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the name of the person who acknowledged the notice.")})
    if len(name) > 64:
        raise ValidationError({"name": _("At most 64 characters.")})
    position = (position or "").strip()
    if len(position) > 64:
        raise ValidationError({"position": _("At most 64 characters.")})
    recipient.acknowledged_at = at
    recipient.acknowledged_by = name
    recipient.acknowledged_position = position
    recipient.ack_note = (note or "").strip()[:500]
    recipient.ack_channel = channel
    recipient.ack_recorded_by = actor
    fields = ["acknowledged_at", "acknowledged_by", "acknowledged_position", "ack_note", "ack_channel"]
    fields.append("ack_recorded_by")
    if recipient.notified_at is None:
        # Whoever acknowledged was evidently told.
        recipient.notified_at, recipient.notified_by = at, actor
        recipient.notify_channel = NotifyChannel.OTHER
        fields += ["notified_at", "notified_by", "notify_channel"]
    _save_recipient(recipient, actor=actor, fields=fields)
    who = f"{name} ({position})" if position else name
    _event(
        recipient.notice,
        kind=EventKind.ACKNOWLEDGED,
        actor=actor,
        at=at,
        recipient=recipient,
        text=_("%(customer)s acknowledged: %(who)s (%(channel)s)")
        % {"customer": recipient.customer.name, "who": who, "channel": AckChannel(channel).label},
    )
    return recipient


@transaction.atomic
def recipient_acknowledge(
    *,
    actor,
    recipient: NoticeRecipient,
    name: str,
    position: str = "",
    note: str = "",
    expected_version=None,
    at=None,
) -> NoticeRecipient:
    """Staff record the customer's acknowledgement (signed slip, phone, visit)."""
    _require(actor, "change")
    _check_recipient_scope(actor, recipient)
    recipient = _lock_recipient(recipient, expected_version)
    return _acknowledge(
        recipient, actor=actor, name=name, position=position, note=note, channel=AckChannel.STAFF, at=now(at)
    )


@transaction.atomic
def recipient_acknowledge_by_link(
    *, recipient: NoticeRecipient, name: str, position: str = "", note: str = "", at=None
) -> NoticeRecipient:
    """The customer acknowledges through the personal link (no login: the token is the key)."""
    recipient = _lock_recipient(recipient)
    return _acknowledge(
        recipient, actor=None, name=name, position=position, note=note, channel=AckChannel.LINK, at=now(at)
    )


# --- closing -----------------------------------------------------------------------------------------------


@transaction.atomic
def notice_close(*, actor, notice: FieldNotice, reason: str = "", expected_version=None, at=None) -> FieldNotice:
    """Close an issued notice: every recipient acknowledged, or the reason why not."""
    _require(actor, "add")
    at = now(at)
    notice = lock(notice, expected_version)
    _move(notice, NoticeState.CLOSED)
    pending = notice.recipients.filter(acknowledged_at__isnull=True).count()
    reason = (reason or "").strip()
    if pending and not reason:
        raise ValidationError(
            {
                "reason": ngettext(
                    "%(n)s customer has not acknowledged: give the reason for closing anyway.",
                    "%(n)s customers have not acknowledged: give the reason for closing anyway.",
                    pending,
                )
                % {"n": pending}
            }
        )
    notice.closed_at, notice.closed_by, notice.close_reason = at, actor, reason
    save(notice, actor=actor, fields=["state", "closed_at", "closed_by", "close_reason"])
    _event(notice, kind=EventKind.CLOSED, actor=actor, at=at, text=reason)
    return notice


# --- the daily reminder ---------------------------------------------------------------------------------


def notice_remind_due(*, at=None) -> int:
    """Once a day per notice: the quality department and the responsible sales people and
    engineers hear of the recipients past their deadline that were not told, and of those not
    acknowledged after it. Returns how many notices reminded."""
    at = now(at)
    reminded = 0
    for notice in selectors.open_notices().filter(due_at__lt=at):
        if _remind_one(notice, at=at):
            reminded += 1
    return reminded


@transaction.atomic
def _remind_one(notice: FieldNotice, *, at) -> bool:
    today = timezone.localdate(at)
    notice = lock(notice)
    if notice.state != NoticeState.ISSUED or notice.reminded_on == today:
        return False
    late = list(
        notice.recipients.filter(acknowledged_at__isnull=True, due_at__lt=at)
        .select_related("customer__responsible_sales", "customer__responsible_engineer")
        .order_by("customer__code")
    )
    if not late:
        return False
    untold = [r for r in late if r.notified_at is None]
    unacknowledged = [r for r in late if r.notified_at is not None]
    # Book-keeping, not a change of the notice: no new version (an open close form stays valid).
    FieldNotice.objects.filter(pk=notice.pk).update(reminded_on=today)
    key = f"fieldnotice:{notice.pk}:reminder:{today:%Y%m%d}"
    with in_default_language():
        counts = _("%(untold)s not told by the deadline, %(unacked)s told but not acknowledged") % {
            "untold": len(untold),
            "unacked": len(unacknowledged),
        }
        subject = _("Field safety notice %(number)s: %(counts)s") % {"number": notice.number, "counts": counts}

        def body(rows) -> str:
            lines = []
            told = [r.customer for r in rows if r.notified_at is None]
            waiting = [r.customer for r in rows if r.notified_at is not None]
            if told:
                lines.append(_("Not told yet (overdue): %(names)s") % {"names": _names(told)})
            if waiting:
                lines.append(_("Not acknowledged yet: %(names)s") % {"names": _names(waiting)})
            return "\n".join(lines)

        link = notice.get_absolute_url() + "?pending=1"
        notify(key, staff(Role.QUALITY), subject, link=link, body=body(late))
        by_person: dict[int, tuple] = {}
        for recipient in late:
            for person in (recipient.customer.responsible_sales, recipient.customer.responsible_engineer):
                if person is not None:
                    by_person.setdefault(person.pk, (person, []))[1].append(recipient)
        for person, theirs in by_person.values():
            notify(key, [person], subject, link=link, body=body(theirs))
    _event(notice, kind=EventKind.REMINDED, actor=None, at=at, text=counts)
    return True
