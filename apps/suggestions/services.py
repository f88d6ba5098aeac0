"""Every write of suggestions (SPEC CP-5, [S0 3.(四)二]).

Each function: keyword-only, one transaction, the suggestion row locked and its version checked,
the move checked against choices.TRANSITIONS (apps.suggestions.transitions), a timeline event,
messages queued in the same transaction (sent after commit by apps.notifications).

- `suggestion_create`: collected in writing with the technical head, who is told at once (and
  the customer's sales person, for a customer's suggestion);
- `suggestion_discuss`: a discussion with the departments, recorded as often as they meet;
- `suggestion_decide`: accepted, partly accepted, not adopted or deferred, with the conclusion;
- `suggestion_answer`: the thank-you letter, frozen as a PDF;
- `suggestion_withdraw`: with the reason.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.access import can
from apps.core.pdf import content_hash
from apps.core.writes import in_default_language, lock, notify, now, save, staff
from apps.suggestions import documents, policies, transitions
from apps.suggestions.choices import (
    LEADER_ROLES,
    TRANSITIONS,
    AnswerMethod,
    Category,
    Decision,
    Department,
    EventKind,
    Source,
    Status,
)
from apps.suggestions.models import Suggestion, SuggestionEvent

# What the intake form and the API may set.
INTAKE_FIELDS = (
    "source",
    "category",
    "customer",
    "submitter",
    "submitter_name",
    "submitter_contact",
    "received_on",
    "title",
    "content",
)


def _event(suggestion, kind, *, actor, at, text="", from_status="", to_status="", data=None) -> SuggestionEvent:
    return SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind=kind,
        actor=actor,
        at=at,
        text=str(text),
        from_status=from_status,
        to_status=to_status,
        data=data or {},
    )


def _text(value, field: str, message: str, *, limit: int = policies.TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _move(suggestion, action: str, *, actor, at, text="", fields=(), data=None) -> Suggestion:
    """Apply the (already checked) move `action` to the locked suggestion."""
    before = suggestion.status
    suggestion.status = TRANSITIONS[action][1]
    save(suggestion, actor=actor, fields=["status", *fields], reason=action)
    _event(
        suggestion,
        EventKind.TRANSITION if action != "discuss" else EventKind.DISCUSSION,
        actor=actor,
        at=at,
        text=text,
        from_status=before,
        to_status=suggestion.status,
        data={"action": action, **(data or {})},
    )
    return suggestion


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _people_to_tell(suggestion, *, actor) -> list:
    """The person who made it (one of us) and the customer's sales person, never the actor."""
    people = [suggestion.submitter, suggestion.sales]
    return [p for p in people if p is not None and p.pk != actor.pk]


# --- collecting ------------------------------------------------------------------------------


def _check_submitter(data: dict, *, actor) -> None:
    """A customer's suggestion names the customer (in the actor's scope) and the person; one of
    ours names the member of staff (by default the actor)."""
    from apps.customers.models import Customer
    from apps.customers.selectors import customer_scope_q

    source = data.get("source")
    if source not in Source.values:
        raise ValidationError({"source": _("Say who made the suggestion.")})
    if data.get("category") not in Category.values:
        raise ValidationError({"category": _("Choose what the suggestion is about.")})
    if source == Source.CUSTOMER:
        customer = data.get("customer")
        if customer is None:
            raise ValidationError({"customer": _("Name the customer who made the suggestion.")})
        if not Customer.objects.filter(customer_scope_q(actor), pk=customer.pk).exists():
            raise ValidationError({"customer": _("You cannot record a suggestion for this customer.")})
        data["submitter"] = None
        data["submitter_name"] = _text(
            data.get("submitter_name"), "submitter_name", _("Name the person at the customer."), limit=64
        )
        return
    if data.get("customer") is not None:
        raise ValidationError({"customer": _("Only a customer's suggestion names a customer.")})
    submitter = data.get("submitter")
    if submitter is None:
        # The recorder made it himself, when he is of the kind the source names.
        fits = {Source.STAFF: True, Source.SALES: actor.role == Role.SALES, Source.LEADER: actor.role in LEADER_ROLES}
        if not fits[source]:
            raise ValidationError({"submitter": _("Name the member of staff who made the suggestion.")})
        submitter = actor
    if not submitter.is_active or submitter.role == Role.DEALER:
        raise ValidationError({"submitter": _("Name an active member of staff.")})
    if source == Source.SALES and submitter.role != Role.SALES:
        raise ValidationError({"submitter": _("A suggestion from sales names a sales person.")})
    if source == Source.LEADER and submitter.role not in LEADER_ROLES:
        raise ValidationError({"submitter": _("A leader's suggestion names a centre head or the general manager.")})
    data["submitter"] = submitter
    data["submitter_name"] = (data.get("submitter_name") or "").strip()[:64] or str(submitter)


@transaction.atomic
def suggestion_create(*, actor, data: dict, at=None) -> Suggestion:
    """[S0 3.(四)二.1] a suggestion collected in writing; the technical head hears of it at once,
    the customer's sales person too when it is a customer's."""
    at = now(at)
    if not can(actor, "suggestion", "add"):
        raise PermissionDenied(_("Your role may not do this."))
    data = {key: value for key, value in data.items() if key in INTAKE_FIELDS}
    _check_submitter(data, actor=actor)
    data["title"] = _text(data.get("title"), "title", _("Say the suggestion in one line."), limit=200)
    data["content"] = _text(data.get("content"), "content", _("Write the suggestion down as it was made."))
    data["submitter_contact"] = (data.get("submitter_contact") or "").strip()[:128]
    received_on = data.get("received_on") or _local_day(at)
    if received_on > _local_day(at):
        raise ValidationError({"received_on": _("The day received cannot be in the future.")})
    data["received_on"] = received_on
    customer = data.get("customer")
    suggestion = Suggestion(
        status=Status.COLLECTED,
        received_by=actor,
        sales=customer.responsible_sales if customer is not None else None,
        **data,
    )
    suggestion._history_user = actor
    suggestion.save()
    suggestion.number = f"SG{received_on:%y%m%d}-{suggestion.pk:05d}"
    suggestion.save(update_fields=["number"])
    _event(suggestion, EventKind.CREATED, actor=actor, at=at, to_status=suggestion.status, text=suggestion.title)
    with in_default_language():
        subject = _("New suggestion %(number)s: %(title)s") % {"number": suggestion.number, "title": suggestion.title}
        body = "\n".join(
            [
                f"{suggestion.get_source_display()} · {suggestion.get_category_display()} · {suggestion.addressee}",
                suggestion.content,
            ]
        )
        link = suggestion.get_absolute_url()
        heads = [p for p in staff(Role.TECH_HEAD) if p.pk != actor.pk]
        notify(f"suggestion:{suggestion.pk}:new", heads, subject, link=link, body=body)
        if suggestion.sales is not None and suggestion.sales.pk != actor.pk:
            notify(
                f"suggestion:{suggestion.pk}:sales",
                [suggestion.sales],
                _("Your customer %(customer)s made a suggestion: %(title)s")
                % {"customer": customer.name, "title": suggestion.title},
                link=link,
                body=body,
            )
    return suggestion


# --- discussion and decision -----------------------------------------------------------------


@transaction.atomic
def suggestion_discuss(
    *, actor, suggestion: Suggestion, departments, record: str, expected_version=None, at=None
) -> Suggestion:
    """[S0 3.(四)二.1–2] who discussed it and what was said; recorded as often as they meet (the
    departments add up, the record grows)."""
    at = now(at)
    suggestion = lock(suggestion, expected_version)
    transitions.check(suggestion, actor, "discuss")
    departments = [code for code in dict.fromkeys(departments or []) if code]
    unknown = [code for code in departments if code not in Department.values]
    if unknown or not departments:
        raise ValidationError({"departments": _("Choose the departments that took part.")})
    record = _text(record, "record", _("Write down what was discussed."))
    labels = ", ".join(str(Department(code).label) for code in departments)
    stamp = f"[{timezone.localtime(at):%Y-%m-%d} {actor} · {labels}]"
    suggestion.departments = list(dict.fromkeys([*suggestion.departments, *departments]))
    suggestion.discussion = f"{suggestion.discussion}\n\n{stamp}\n{record}".strip()
    suggestion.discussed_at = at
    return _move(
        suggestion,
        "discuss",
        actor=actor,
        at=at,
        text=f"{labels}: {record}",
        fields=["departments", "discussion", "discussed_at"],
        data={"departments": departments},
    )


def decide_blocker(suggestion) -> str:
    """[S0 3.(四)二.2]: why a product suggestion may not be decided yet ('' when it may)."""
    if suggestion.category not in policies.DISCUSSED_WITH_DEPARTMENTS:
        return ""
    others = [code for code in suggestion.departments if code != policies.OWN_DEPARTMENT]
    if suggestion.status == Status.DISCUSSION and others:
        return ""
    return _(
        "A suggestion on our products is discussed with the heads of the departments concerned "
        "(R&D, production, quality …) before it is decided."
    )


@transaction.atomic
def suggestion_decide(
    *, actor, suggestion: Suggestion, decision: str, text: str, expected_version=None, at=None
) -> Suggestion:
    """Accepted, partly accepted, not adopted or deferred — with the conclusion the letter gives."""
    at = now(at)
    suggestion = lock(suggestion, expected_version)
    transitions.check(suggestion, actor, "decide")
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose the decision.")})
    text = _text(text, "text", _("Write the conclusion: what will be done, or why not."))
    blocker = decide_blocker(suggestion)
    if blocker:
        raise transitions.TransitionRefused(blocker)
    suggestion.decision = decision
    suggestion.decision_text = text
    suggestion.decided_by = actor
    suggestion.decided_at = at
    _move(
        suggestion,
        "decide",
        actor=actor,
        at=at,
        text=f"{Decision(decision).label}: {text}",
        fields=["decision", "decision_text", "decided_by", "decided_at"],
        data={"decision": decision},
    )
    with in_default_language():
        notify(
            f"suggestion:{suggestion.pk}:decided",
            _people_to_tell(suggestion, actor=actor),
            _("Suggestion %(number)s decided: %(decision)s")
            % {"number": suggestion.number, "decision": Decision(decision).label},
            link=suggestion.get_absolute_url(),
            body=f"{suggestion.title}\n\n{text}",
        )
    return suggestion


# --- the thank-you letter --------------------------------------------------------------------


def default_letter_text(suggestion) -> str:
    """A starting text for the letter, in the active language; the user edits it."""
    decision = suggestion.decision
    if decision == Decision.ACCEPTED:
        outcome = _("After careful discussion we have adopted it and will put it into practice.")
    elif decision == Decision.PARTLY:
        outcome = _("After careful discussion we have adopted part of it, as explained below.")
    elif decision == Decision.DEFERRED:
        outcome = _("We consider it valuable and will come back to it at a later stage, as explained below.")
    else:
        outcome = _("After careful discussion we cannot adopt it at present, for the reasons below.")
    return _(
        "Thank you very much for your suggestion of %(day)s. %(outcome)s We sincerely welcome your continued "
        "support and further advice."
    ) % {"day": suggestion.received_on.isoformat(), "outcome": outcome}


def _letter_number(suggestion, at) -> str:
    return f"TL{timezone.localtime(at):%y%m%d}-{suggestion.pk:05d}"


@transaction.atomic
def suggestion_answer(
    *,
    actor,
    suggestion: Suggestion,
    method: str,
    letter_text: str = "",
    letter_date: dt.date | None = None,
    expected_version=None,
    at=None,
) -> Suggestion:
    """[S0 3.(四)二.3] the thank-you letter naming the suggestion, the decision and thanks: rendered
    once as a PDF in the company's language, stored with its SHA-256; how and when it was sent."""
    at = now(at)
    suggestion = lock(suggestion, expected_version)
    transitions.check(suggestion, actor, "answer")
    if method not in AnswerMethod.values:
        raise ValidationError({"method": _("Say how the letter is sent.")})
    letter_date = letter_date or _local_day(at)
    if letter_date > _local_day(at) + dt.timedelta(days=30):
        raise ValidationError({"letter_date": _("Date the letter no more than a month ahead.")})
    if letter_date < suggestion.received_on:
        raise ValidationError({"letter_date": _("The letter cannot be dated before the suggestion was received.")})
    with in_default_language():
        letter_text = (letter_text or "").strip() or default_letter_text(suggestion)
    if len(letter_text) > policies.TEXT_MAX:
        raise ValidationError({"letter_text": _("At most %(n)s characters.") % {"n": policies.TEXT_MAX}})
    suggestion.letter_number = _letter_number(suggestion, at)
    suggestion.letter_date = letter_date
    suggestion.letter_text = letter_text
    suggestion.answer_method = method
    suggestion.answered_by = actor
    suggestion.answered_at = at
    pdf = documents.letter_pdf(suggestion)
    suggestion.letter_hash = content_hash(pdf)
    # An unguessable name: the file is only served through the scoped download view.
    suggestion.letter_pdf.save(f"{suggestion.letter_number}-{secrets.token_hex(8)}.pdf", ContentFile(pdf), save=False)
    try:
        _move(
            suggestion,
            "answer",
            actor=actor,
            at=at,
            text=_("Thank-you letter %(number)s, %(method)s")
            % {"number": suggestion.letter_number, "method": AnswerMethod(method).label},
            fields=[
                "letter_number",
                "letter_date",
                "letter_text",
                "answer_method",
                "answered_by",
                "answered_at",
                "letter_pdf",
                "letter_hash",
            ],
            data={"letter_hash": suggestion.letter_hash},
        )
        with in_default_language():
            notify(
                f"suggestion:{suggestion.pk}:answered",
                _people_to_tell(suggestion, actor=actor),
                _("Suggestion %(number)s answered with a thank-you letter") % {"number": suggestion.number},
                link=suggestion.get_absolute_url(),
                body=suggestion.title,
            )
    except BaseException:
        # The row rolls back with the transaction; do not leave its file behind.
        suggestion.letter_pdf.storage.delete(suggestion.letter_pdf.name)
        raise
    return suggestion


@transaction.atomic
def suggestion_withdraw(*, actor, suggestion: Suggestion, reason: str, expected_version=None, at=None) -> Suggestion:
    at = now(at)
    suggestion = lock(suggestion, expected_version)
    transitions.check(suggestion, actor, "withdraw")
    reason = _text(reason, "reason", _("Say why the suggestion is withdrawn."))
    suggestion.withdraw_reason = reason
    suggestion.withdrawn_by = actor
    suggestion.withdrawn_at = at
    return _move(
        suggestion,
        "withdraw",
        actor=actor,
        at=at,
        text=reason,
        fields=["withdraw_reason", "withdrawn_by", "withdrawn_at"],
    )


MOVES = {
    "discuss": suggestion_discuss,
    "decide": suggestion_decide,
    "answer": suggestion_answer,
    "withdraw": suggestion_withdraw,
}
