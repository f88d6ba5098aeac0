"""Every write on surveys, their cases and the engineers' ratings (SPEC §5): keyword-only, one
transaction, the row locked, the version checked, a timeline row written, notifications queued
in the outbox inside the same transaction (sent after commit).

Refusals: ConflictError (a stale version, or a move the state does not allow: HTTP 409),
PermissionDenied (not this user's to do: 403), ValidationError (bad or missing input, keyed by
field: 400 / the form shows it under the field).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.exceptions import ConflictError
from apps.surveys import policies
from apps.surveys.choices import (
    CASE_ACTIONS,
    JOB_ENGINEER,
    OWNER,
    STAFF_CHANNELS,
    SUGGESTION_ITEMS,
    SURVEY_ACTIONS,
    AnswerMethod,
    CaseKind,
    CaseState,
    EventKind,
    ForwardTarget,
    Item,
    LetterKind,
    RaterGroup,
    SurveyChannel,
    SurveyState,
)
from apps.surveys.models import (
    CaseLetter,
    EngineerRating,
    QualityFeedbackForm,
    Survey,
    SurveyAnswer,
    SurveyCase,
    SurveyEvent,
)

# --- helpers ---------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _role(user) -> str | None:
    if user is None:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return getattr(user, "role", None)


def _local_day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _stamp(prefix: str, at: dt.datetime, pk: int) -> str:
    return f"{prefix}{timezone.localtime(at):%y%m%d}-{pk:05d}"


def _event(survey, *, kind, actor, at, case=None, text="", data=None) -> SurveyEvent:
    return SurveyEvent.objects.create(
        survey=survey, case=case, kind=kind, actor=actor, at=at, text=text, data=data or {}
    )


def _save(obj, *, actor, fields) -> None:
    obj.version += 1
    obj._history_user = actor
    obj.save(update_fields=[*fields, "version", "updated_at"])


def _lock_survey(survey: Survey, expected_version: int | None = None) -> Survey:
    locked = Survey.objects.select_for_update(of=("self",)).select_related("work_order", "customer").get(pk=survey.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _lock_case(case: SurveyCase, expected_version: int | None = None) -> SurveyCase:
    locked = SurveyCase.objects.select_for_update(of=("self",)).select_related("survey__customer").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def _staff(*roles: str) -> list:
    from apps.accounts.models import User

    return list(User.objects.filter(role__in=roles, is_active=True).order_by("id"))


def _notify(event_key: str, users, subject: str, body: str, link: str) -> None:
    from apps.notifications.services import notify_users

    notify_users(event_key=event_key, users=users, subject=subject, body=body, link=link)


def _in_default_language():
    return translation.override(settings.LANGUAGE_CODE)


def _required(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _new_nonce() -> str:
    return secrets.token_urlsafe(9)


def _state_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- who may do what --------------------------------------------------------------------------


def survey_refusal(survey: Survey, user, action: str) -> Exception | None:
    """Why `user` may not do `action` on this survey now (None: he may). The pages ask before
    showing a button; the services ask again under the row lock."""
    states, roles = SURVEY_ACTIONS[action]
    role = _role(user)
    allowed = role in roles or (JOB_ENGINEER in roles and user is not None and survey.engineer_id == user.pk)
    if role == Role.ENGINEER and JOB_ENGINEER in roles and survey.engineer_id != getattr(user, "pk", None):
        allowed = False  # an engineer acts only on the surveys of his own jobs
    if not allowed:
        return PermissionDenied(_("Your role may not do this on this survey."))
    if survey.state not in states:
        return ConflictError(
            _("Not possible: the survey is “%(state)s”.") % {"state": _state_label(SurveyState, survey.state)}
        )
    return None


def survey_may(survey: Survey, user, action: str) -> bool:
    return survey_refusal(survey, user, action) is None


def _check_survey(survey: Survey, user, action: str) -> None:
    refusal = survey_refusal(survey, user, action)
    if refusal is not None:
        raise refusal


def staff_channels(user, survey: Survey | None = None) -> list[str]:
    """The channels this user fills a survey through (SQ-1)."""
    role = _role(user)
    channels = set(STAFF_CHANNELS.get(role, ()))
    if survey is not None and role not in STAFF_CHANNELS and survey.engineer_id == getattr(user, "pk", None):
        channels = {SurveyChannel.ON_SITE}
    return [c for c in SurveyChannel.values if c in channels]


def _case_applies(case: SurveyCase, action: str) -> str | None:
    """A reason the action does not fit this kind of case, or None."""
    if action == "cause" and case.kind != CaseKind.DISSATISFIED:
        return _("A suggestion has no cause to find: forward it to production / R&D.")
    if action in ("verify", "quality_form") and not case.is_product_quality:
        return _("Only product-quality cases are verified at the customer and reported on a quality feedback form.")
    if action in ("forward", "letter") and not case.is_suggestion_item:
        return _("Only packaging, logistics and other suggestions go to production / R&D and get a letter.")
    return None


def case_refusal(case: SurveyCase, user, action: str) -> Exception | None:
    states, roles = CASE_ACTIONS[action]
    role = _role(user)
    allowed = role in roles
    if not allowed and OWNER in roles and role == case.owner_role:
        allowed = True
    if not allowed and JOB_ENGINEER in roles and user is not None and case.survey.engineer_id == user.pk:
        allowed = True
    if not allowed:
        return PermissionDenied(_("Your role may not do this on this case."))
    reason = _case_applies(case, action)
    if reason:
        return ConflictError(reason)
    if case.state not in states:
        if case.state == CaseState.OPEN and action in ("answer", "letter"):
            if case.kind == CaseKind.DISSATISFIED:
                return ConflictError(_("Find and record the cause first."))
            return ConflictError(_("Forward the suggestion to production / R&D first."))
        return ConflictError(
            _("Not possible: the case is “%(state)s”.") % {"state": _state_label(CaseState, case.state)}
        )
    return None


def case_may(case: SurveyCase, user, action: str) -> bool:
    return case_refusal(case, user, action) is None


def _check_case(case: SurveyCase, user, action: str) -> None:
    refusal = case_refusal(case, user, action)
    if refusal is not None:
        raise refusal


# --- the survey of a completed job (SQ-1) ------------------------------------------------------


@transaction.atomic
def survey_create_for_work_order(*, order, actor, at: dt.datetime | None = None) -> Survey:
    """The survey of a completed (or remotely solved) job; called by
    apps.workorders.aftercare.on_completed inside the completing transaction.

    Idempotent: one survey per work order. Calling it again returns the existing survey; one
    cancelled when its job was reopened becomes pending again with a fresh link.
    """
    at = _now(at)
    existing = Survey.objects.select_for_update(of=("self",)).filter(work_order=order).first()
    if existing is not None:
        if existing.state == SurveyState.CANCELLED and not existing.answered_at:
            existing.state = SurveyState.PENDING
            existing.cancel_reason = ""
            existing.engineer_id = order.engineer_id
            existing.job_completed_at = order.completed_at or at
            _new_link(existing, at)
            _save(
                existing,
                actor=actor,
                fields=["state", "cancel_reason", "engineer", "job_completed_at", *LINK_FIELDS],
            )
            _event(existing, kind=EventKind.CREATED, actor=actor, at=at, text=_("The job was completed again."))
        return existing
    survey = Survey(
        work_order=order,
        customer_id=order.customer_id,
        contact_id=order.contact_id,
        engineer_id=order.engineer_id,
        job_completed_at=order.completed_at or at,
        created_by=actor,
    )
    _new_link(survey, at)
    survey._history_user = actor
    try:
        with transaction.atomic():  # a twin call that lost the race returns the winner's survey
            survey.save()
    except IntegrityError:
        return Survey.objects.get(work_order=order)
    survey.number = _stamp("SV", at, survey.pk)
    survey.created_at = at  # auto_now_add stamped the insert; the survey started with the job's end
    survey.save(update_fields=["number", "created_at"])
    _event(
        survey,
        kind=EventKind.CREATED,
        actor=actor,
        at=at,
        text=_("Survey of %(number)s") % {"number": order.number},
        data={"work_order": order.pk},
    )
    return survey


LINK_FIELDS = ("link_nonce", "link_issued_at", "link_expires_at", "link_sent_to", "link_sent_at")


def _new_link(survey: Survey, at: dt.datetime) -> None:
    survey.link_nonce = _new_nonce()
    survey.link_issued_at = at
    survey.link_expires_at = at + dt.timedelta(days=policies.LINK_VALID_DAYS)
    survey.link_sent_to = ""
    survey.link_sent_at = None


@transaction.atomic
def survey_cancel_for_work_order(*, order, actor, at: dt.datetime | None = None, reason: str = "") -> Survey | None:
    """The job was reopened: its pending survey no longer applies (cancelled, never deleted;
    survey_create_for_work_order revives it when the job completes again)."""
    survey = Survey.objects.filter(work_order=order, state__in=[SurveyState.PENDING, SurveyState.EXPIRED]).first()
    if survey is None:
        return None
    survey = _lock_survey(survey)
    if survey.state not in (SurveyState.PENDING, SurveyState.EXPIRED):
        return survey  # answered (or cancelled) meanwhile: the customer's answer stands
    return _cancel(survey, actor=actor, at=_now(at), reason=reason or _("The job was reopened."))


def link_token(survey: Survey) -> str:
    """The signed token of the customer's link: the survey's id and its current nonce, stamped
    with the time the link was issued (django.core.signing.TimestampSigner's format, salted for
    this purpose only). The same link every time it is shown, until it is re-issued."""
    from django.core import signing

    signer = signing.TimestampSigner(salt=policies.LINK_SALT)
    stamped = f"{survey.pk}.{survey.link_nonce}{signer.sep}{signing.b62_encode(int(survey.link_issued_at.timestamp()))}"
    # Signer.sign (not TimestampSigner.sign, which would stamp "now"): the issue time is the stamp.
    return signing.Signer.sign(signer, stamped)


def link_path(survey: Survey) -> str:
    from django.urls import reverse

    return reverse("surveys:public", args=[link_token(survey)])


@transaction.atomic
def survey_reissue_link(*, survey: Survey, actor, expected_version: int | None = None, at=None) -> Survey:
    """A new link (new nonce, new expiry): the old link is dead from now on. An expired survey
    is pending again."""
    at = _now(at)
    survey = _lock_survey(survey, expected_version)
    _check_survey(survey, actor, "reissue_link")
    was_expired = survey.state == SurveyState.EXPIRED
    survey.state = SurveyState.PENDING
    _new_link(survey, at)
    _save(survey, actor=actor, fields=["state", *LINK_FIELDS])
    text = _("New link, valid until %(day)s; the old link no longer works.") % {
        "day": timezone.localtime(survey.link_expires_at).strftime("%Y-%m-%d %H:%M")
    }
    if was_expired:
        text += " " + _("The survey is open again.")
    _event(survey, kind=EventKind.LINK_ISSUED, actor=actor, at=at, text=text)
    return survey


@transaction.atomic
def survey_send_link(
    *, survey: Survey, actor, email: str = "", base_url: str = "", expected_version: int | None = None, at=None
) -> Survey:
    """E-mail the customer's personal link (through the notifications outbox). The page always
    shows the link too, to copy into an SMS or WeChat. `base_url` (scheme and host of the
    request) makes the link absolute when settings.PUBLIC_BASE_URL does not."""
    from apps.notifications.choices import Channel
    from apps.notifications.services import notify

    at = _now(at)
    survey = _lock_survey(survey, expected_version)
    _check_survey(survey, actor, "send_link")
    if at > survey.link_expires_at:
        raise ConflictError(_("The link has expired: re-issue it first."))
    address = (email or (survey.contact.email if survey.contact_id else "") or "").strip()
    if not address:
        raise ValidationError(
            {"email": _("No e-mail address: enter one, or copy the link and send it by SMS or WeChat.")}
        )
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    survey.link_sent_to = address
    survey.link_sent_at = at
    _save(survey, actor=actor, fields=["link_sent_to", "link_sent_at"])
    with _in_default_language():
        company = getattr(settings, "COMPANY_NAME", "") or _("After-sales service")
        subject = _("%(company)s: how satisfied are you with our service (%(number)s)?") % {
            "company": company,
            "number": survey.work_order.number,
        }
        body = _(
            "Dear customer, thank you for choosing us. Please take two minutes to score our service "
            "for %(number)s; the link below works until %(day)s."
        ) % {
            "number": survey.work_order.number,
            "day": timezone.localtime(survey.link_expires_at).strftime("%Y-%m-%d"),
        }
    notify(
        # One message per sending (the version changes with each): sending again really sends.
        event_key=f"survey:{survey.pk}:link:{survey.version}",
        channel=Channel.EMAIL,
        email=address,
        subject=subject,
        body=body,
        link=_absolute_link(survey, base_url),
    )
    from apps.core.access import mask_email

    _event(
        survey,
        kind=EventKind.LINK_SENT,
        actor=actor,
        at=at,
        text=_("Link e-mailed to %(address)s") % {"address": mask_email(address)},
    )
    return survey


def _absolute_link(survey: Survey, base_url: str) -> str:
    path = link_path(survey)
    if getattr(settings, "PUBLIC_BASE_URL", ""):
        return path  # the outbox prefixes PUBLIC_BASE_URL
    return (base_url or "").rstrip("/") + path


def _cancel(survey: Survey, *, actor, at, reason: str) -> Survey:
    survey.state = SurveyState.CANCELLED
    survey.cancel_reason = reason[:255]
    _save(survey, actor=actor, fields=["state", "cancel_reason"])
    _event(survey, kind=EventKind.CANCELLED, actor=actor, at=at, text=reason)
    return survey


@transaction.atomic
def survey_cancel(*, survey: Survey, actor, reason: str, expected_version: int | None = None, at=None) -> Survey:
    at = _now(at)
    reason = _required(reason, "reason", _("Say why the survey is cancelled."))
    survey = _lock_survey(survey, expected_version)
    _check_survey(survey, actor, "cancel")
    return _cancel(survey, actor=actor, at=at, reason=reason)


def surveys_expire(*, at: dt.datetime | None = None) -> int:
    """Daily: pending surveys whose link ran out are marked expired (one transaction each)."""
    at = _now(at)
    count = 0
    for pk in Survey.objects.filter(state=SurveyState.PENDING, link_expires_at__lt=at).values_list("pk", flat=True):
        with transaction.atomic():
            survey = Survey.objects.select_for_update(of=("self",)).get(pk=pk)
            if survey.state != SurveyState.PENDING or survey.link_expires_at >= at:
                continue  # answered or re-issued meanwhile
            survey.state = SurveyState.EXPIRED
            _save(survey, actor=None, fields=["state"])
            _event(survey, kind=EventKind.EXPIRED, actor=None, at=at, text=_("The customer's link ran out."))
            count += 1
    return count


# --- answering (SQ-1) and the cases it opens (SQ-2, SQ-3) ---------------------------------------


def clean_answers(answers: Mapping[str, Mapping]) -> list[SurveyAnswer]:
    """{item: {"score": 1–5 | None, "not_applicable": bool, "comment": str}} → unsaved answers,
    one per item, or a ValidationError naming every item that is missing or wrong."""
    errors: dict[str, list[str]] = {}
    rows = []
    for item in Item.values:
        given = answers.get(item) or {}
        score = given.get("score")
        not_applicable = bool(given.get("not_applicable"))
        comment = str(given.get("comment") or "").strip()
        if score in ("", None):
            score = None
        else:
            try:
                score = int(score)
            except (TypeError, ValueError):
                score = -1
            if isinstance(given.get("score"), bool) or not policies.SCORE_MIN <= score <= policies.SCORE_MAX:
                errors[item] = [
                    _("Choose a score from %(low)s to %(high)s.")
                    % {"low": policies.SCORE_MIN, "high": policies.SCORE_MAX}
                ]
                continue
        if score is not None and not_applicable:
            errors[item] = [_("Either a score or “not applicable”, not both.")]
            continue
        if score is None and not not_applicable:
            errors[item] = [_("Choose a score, or “not applicable”.")]
            continue
        if score is None and item in policies.REQUIRED_ITEMS:
            errors[item] = [_("This item needs a score.")]
            continue
        if len(comment) > policies.COMMENT_MAX:
            errors[item] = [_("At most %(n)s characters.") % {"n": policies.COMMENT_MAX}]
            continue
        rows.append(SurveyAnswer(item=item, score=score, not_applicable=score is None, comment=comment))
    unknown = set(answers) - set(Item.values)
    if unknown:
        errors["answers"] = [_("Unknown items: %(items)s") % {"items": ", ".join(sorted(unknown))}]
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    actor,
    channel: str,
    answers: Mapping[str, Mapping],
    respondent_name: str,
    respondent_position: str = "",
    suggestion: str = "",
    expected_version: int | None = None,
    link_nonce: str | None = None,
    at: dt.datetime | None = None,
) -> Survey:
    """Record the customer's answers (SQ-1): on the engineer's phone (on_site), by the clerk
    during a call (phone), or by the customer through the link (link: no actor, the token's
    nonce instead). One answer per survey: a second one is refused and changes nothing. Every
    dissatisfied score opens a case at once (SQ-2); a comment on packaging, logistics or other
    opens a suggestion case (SQ-3)."""
    at = _now(at)
    survey = _lock_survey(survey, expected_version)
    if survey.state == SurveyState.ANSWERED:
        raise ConflictError(_("This survey has already been answered."))
    if channel == SurveyChannel.LINK:
        if actor is not None and link_nonce is None:
            raise PermissionDenied(_("Staff fill the survey in on site or by phone."))
        if link_nonce is None or not secrets.compare_digest(str(link_nonce), survey.link_nonce):
            raise ConflictError(_("This link is no longer valid."))
        if survey.state != SurveyState.PENDING or at > survey.link_expires_at:
            raise ConflictError(_("This link has expired."))
    else:
        if channel not in SurveyChannel.values:
            raise ValidationError({"channel": _("Choose how the survey was filled in.")})
        _check_survey(survey, actor, "answer")
        if channel not in staff_channels(actor, survey):
            raise PermissionDenied(_("Your role does not fill surveys in through this channel."))
    name = (respondent_name or "").strip()
    errors = {}
    if not name:
        errors["respondent_name"] = [_("Please give the name of the person answering.")]
    try:
        rows = clean_answers(answers)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    for row in rows:
        row.survey = survey
    SurveyAnswer.objects.bulk_create(rows)
    dissatisfied = [row for row in rows if row.dissatisfied]
    survey.state = SurveyState.ANSWERED
    survey.channel = channel
    survey.answered_at = at
    survey.answered_by = actor
    survey.respondent_name = name[:64]
    survey.respondent_position = (respondent_position or "").strip()[:64]
    survey.suggestion = (suggestion or "").strip()
    survey.overall_score = next((row.score for row in rows if row.item == Item.OVERALL), None)
    survey.dissatisfied_count = len(dissatisfied)
    _save(
        survey,
        actor=actor,
        fields=[
            "state",
            "channel",
            "answered_at",
            "answered_by",
            "respondent_name",
            "respondent_position",
            "suggestion",
            "overall_score",
            "dissatisfied_count",
        ],
    )
    _event(
        survey,
        kind=EventKind.ANSWERED,
        actor=actor,
        at=at,
        text=_("%(who)s answered (%(channel)s); overall %(overall)s, %(n)s dissatisfied")
        % {
            "who": survey.respondent_name,
            "channel": _state_label(SurveyChannel, channel),
            "overall": survey.overall_score if survey.overall_score is not None else "—",
            "n": len(dissatisfied),
        },
        data={"scores": {row.item: row.score for row in rows}},
    )
    for row in rows:
        if row.dissatisfied:
            _open_case(survey, kind=CaseKind.DISSATISFIED, answer=row, actor=actor, at=at)
        elif row.item in SUGGESTION_ITEMS and row.comment:
            _open_case(survey, kind=CaseKind.SUGGESTION, answer=row, actor=actor, at=at)
    return survey


def _open_case(survey: Survey, *, kind: str, answer: SurveyAnswer, actor, at) -> SurveyCase:
    from apps.workorders.services import add_working_days

    owner_role = policies.owner_role_for(answer.item)
    case = SurveyCase(
        survey=survey,
        kind=kind,
        item=answer.item,
        score=answer.score,
        customer_comment=answer.comment,
        owner_role=owner_role,
        opened_at=at,
        answer_due_on=add_working_days(_local_day(at), policies.CASE_ANSWER_WORKING_DAYS),
    )
    case._history_user = actor
    case.save()
    case.number = _stamp("SC", at, case.pk)
    case.save(update_fields=["number"])
    item_label = _state_label(Item, answer.item)
    if kind == CaseKind.DISSATISFIED:
        text = _("%(item)s scored %(score)s") % {"item": item_label, "score": answer.score}
    else:
        text = _("Suggestion on %(item)s") % {"item": item_label}
    if answer.comment:
        text += f": {answer.comment[:500]}"
    _event(survey, case=case, kind=EventKind.CASE_OPENED, actor=actor, at=at, text=text)
    with _in_default_language():
        if kind == CaseKind.DISSATISFIED:
            subject = _("Dissatisfied customer: %(customer)s, %(item)s scored %(score)s (%(number)s)") % {
                "customer": survey.customer.name,
                "item": _state_label(Item, answer.item),
                "score": answer.score,
                "number": case.number,
            }
        else:
            subject = _("Customer suggestion on %(item)s: %(customer)s (%(number)s)") % {
                "customer": survey.customer.name,
                "item": _state_label(Item, answer.item),
                "number": case.number,
            }
        _notify(
            f"surveycase:{case.pk}:opened",
            _staff(owner_role, *policies.CASE_ALSO_NOTIFIED),
            subject,
            answer.comment or subject,
            case.get_absolute_url(),
        )
    return case


# --- working a case (SQ-2, SQ-3) -----------------------------------------------------------------


def _case_event(case: SurveyCase, *, kind, actor, at, text="", data=None) -> SurveyEvent:
    return _event(case.survey, case=case, kind=kind, actor=actor, at=at, text=text, data=data)


@transaction.atomic
def case_record_cause(*, case: SurveyCase, actor, cause: str, expected_version: int | None = None, at=None):
    """SQ-2: the cause of the dissatisfaction was found."""
    at = _now(at)
    cause = _required(cause, "cause", _("Describe the cause."))
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "cause")
    case.cause = cause
    case.cause_recorded_at = at
    case.cause_recorded_by = actor
    case.state = CaseState.CAUSE_FOUND
    _save(case, actor=actor, fields=["cause", "cause_recorded_at", "cause_recorded_by", "state"])
    _case_event(case, kind=EventKind.CAUSE, actor=actor, at=at, text=cause)
    return case


@transaction.atomic
def case_record_verification(*, case: SurveyCase, actor, note: str, expected_version: int | None = None, at=None):
    """SQ-2: a product-quality problem is first verified at the customer (a preliminary test at
    the site) before the quality feedback form goes out."""
    at = _now(at)
    note = _required(note, "note", _("Describe how the problem was verified at the customer and what was found."))
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "verify")
    case.verification_note = note
    case.verified_at = at
    case.verified_by = actor
    _save(case, actor=actor, fields=["verification_note", "verified_at", "verified_by"])
    _case_event(case, kind=EventKind.VERIFIED, actor=actor, at=at, text=note)
    return case


@transaction.atomic
def case_issue_quality_form(
    *,
    case: SurveyCase,
    actor,
    product: str,
    problem: str,
    verification_result: str,
    requested_action: str,
    model: str = "",
    lot_no: str = "",
    issued_on: dt.date | None = None,
    expected_version: int | None = None,
    at=None,
) -> QualityFeedbackForm:
    """质量反馈表 (SQ-2): issued once the problem was verified at the customer; the marketing
    centre head and the quality department (product centre) are notified at once."""
    at = _now(at)
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "quality_form")
    if not case.verified_at:
        message = _("Verify the problem at the customer first, then issue the quality feedback form.")
        raise ValidationError({"verification_result": message})
    if QualityFeedbackForm.objects.filter(case=case).exists():
        raise ConflictError(_("The quality feedback form of this case has already been issued."))
    errors = {}
    for field, value, message in (
        ("product", product, _("Name the product.")),
        ("problem", problem, _("Describe the problem.")),
        ("verification_result", verification_result, _("Give the result of the verification.")),
        ("requested_action", requested_action, _("Say what is asked of the product centre.")),
    ):
        if not (value or "").strip():
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)
    form = QualityFeedbackForm.objects.create(
        case=case,
        issued_on=issued_on or _local_day(at),
        customer_name=case.survey.customer.name,
        product=product.strip(),
        model=(model or "").strip(),
        lot_no=(lot_no or "").strip(),
        problem=problem.strip(),
        verification_result=verification_result.strip(),
        requested_action=requested_action.strip(),
        issued_by=actor,
        issued_at=at,
    )
    form.number = _stamp("QF", at, form.pk)
    form.save(update_fields=["number"])
    _save(case, actor=actor, fields=[])
    _case_event(
        case,
        kind=EventKind.QUALITY_FORM,
        actor=actor,
        at=at,
        text=_("Quality feedback form %(number)s sent to the marketing and product centres") % {"number": form.number},
        data={"form": form.pk},
    )
    with _in_default_language():
        _notify(
            f"surveycase:{case.pk}:quality_form",
            _staff(*policies.QUALITY_FORM_RECIPIENTS),
            _("Quality feedback form %(number)s: %(customer)s, %(product)s")
            % {"number": form.number, "customer": form.customer_name, "product": form.product},
            f"{form.problem}\n\n{form.verification_result}\n\n{form.requested_action}",
            case.get_absolute_url(),
        )
    return form


@transaction.atomic
def case_forward(
    *,
    case: SurveyCase,
    actor,
    forwarded_to: str,
    note: str,
    forwarded_on: dt.date | None = None,
    expected_version: int | None = None,
    at=None,
) -> SurveyCase:
    """SQ-3: a packaging / logistics / other suggestion goes to production and R&D."""
    at = _now(at)
    if forwarded_to not in ForwardTarget.values:
        raise ValidationError({"forwarded_to": _("Choose where the suggestion goes.")})
    note = _required(note, "note", _("Say what was forwarded and how."))
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "forward")
    case.forwarded_to = forwarded_to
    case.forwarded_on = forwarded_on or _local_day(at)
    case.forward_note = note
    case.forwarded_by = actor
    fields = ["forwarded_to", "forwarded_on", "forward_note", "forwarded_by"]
    if case.state == CaseState.OPEN and case.kind == CaseKind.SUGGESTION:
        case.state = CaseState.FORWARDED
        fields.append("state")
    _save(case, actor=actor, fields=fields)
    _case_event(
        case,
        kind=EventKind.FORWARDED,
        actor=actor,
        at=at,
        text=f"{_state_label(ForwardTarget, forwarded_to)} · {case.forwarded_on:%Y-%m-%d}: {note}",
    )
    return case


def default_letter_body(case: SurveyCase, kind: str) -> str:
    """A starting text for the letter, in the active language; the user edits it."""
    item = _state_label(Item, case.item)
    if kind == LetterKind.THANKS:
        return _(
            "Thank you for your valuable suggestion on %(item)s in our satisfaction survey. We have passed it on "
            "to our production and R&D centres, who have discussed it carefully. We will keep improving our "
            "products and services and look forward to your continued support."
        ) % {"item": item}
    return _(
        "Thank you for your feedback on %(item)s in our satisfaction survey. We have passed it on to our "
        "production and R&D centres. Our answer: %(answer)s"
    ) % {"item": item, "answer": case.improvement or case.forward_note}


@transaction.atomic
def case_issue_letter(
    *,
    case: SurveyCase,
    actor,
    kind: str,
    body: str,
    letter_date: dt.date | None = None,
    expected_version: int | None = None,
    at=None,
) -> CaseLetter:
    """SQ-3: the company's thank-you or reply letter, once the suggestion went to production /
    R&D. Printable as PDF with the company name."""
    at = _now(at)
    if kind not in LetterKind.values:
        raise ValidationError({"kind": _("Choose a thank-you or a reply letter.")})
    body = _required(body, "body", _("Write the letter."))
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "letter")
    if not case.forwarded_on:
        raise ValidationError({"kind": _("Forward the suggestion to production / R&D first.")})
    letter = CaseLetter.objects.create(
        case=case,
        kind=kind,
        letter_date=letter_date or _local_day(at),
        addressee=case.survey.customer.name,
        body=body,
        issued_by=actor,
        issued_at=at,
    )
    letter.number = _stamp("LT", at, letter.pk)
    letter.save(update_fields=["number"])
    _save(case, actor=actor, fields=[])
    _case_event(
        case,
        kind=EventKind.LETTER,
        actor=actor,
        at=at,
        text=f"{_state_label(LetterKind, kind)} {letter.number}",
        data={"letter": letter.pk},
    )
    return letter


@transaction.atomic
def case_record_answer(
    *,
    case: SurveyCase,
    actor,
    answer: str,
    method: str,
    answered_on: dt.date | None = None,
    expected_version: int | None = None,
    at=None,
) -> SurveyCase:
    """SQ-2: what the customer was told, when and how."""
    at = _now(at)
    answer = _required(answer, "answer", _("Write what the customer was told."))
    if method not in AnswerMethod.values:
        raise ValidationError({"method": _("Choose how the customer was answered.")})
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "answer")
    if case.is_product_quality and not QualityFeedbackForm.objects.filter(case=case).exists():
        raise ValidationError({"answer": _("Issue the quality feedback form first; then answer the customer.")})
    day = answered_on or _local_day(at)
    if day > _local_day(at):
        raise ValidationError({"answered_on": _("The answer date cannot be in the future.")})
    case.answer = answer
    case.answer_method = method
    case.answered_on = day
    case.answer_recorded_by = actor
    case.state = CaseState.ANSWERED
    _save(case, actor=actor, fields=["answer", "answer_method", "answered_on", "answer_recorded_by", "state"])
    _case_event(
        case,
        kind=EventKind.ANSWER,
        actor=actor,
        at=at,
        text=f"{_state_label(AnswerMethod, method)} · {day:%Y-%m-%d}: {answer}",
    )
    return case


def close_blockers(case: SurveyCase) -> dict[str, str]:
    """What is missing before the case may close, by field (empty: it may)."""
    missing = {}
    if case.kind == CaseKind.DISSATISFIED and not case.cause.strip():
        missing["cause"] = _("The cause has not been recorded.")
    if case.kind == CaseKind.SUGGESTION and not case.forwarded_on:
        missing["forward"] = _("The suggestion has not been forwarded to production / R&D.")
    if case.is_product_quality:
        if not case.verified_at:
            missing["verify"] = _("The problem has not been verified at the customer.")
        elif not QualityFeedbackForm.objects.filter(case=case).exists():
            missing["quality_form"] = _("The quality feedback form has not been issued.")
    if not case.answer.strip():
        missing["answer"] = _("The customer has not been answered.")
    return missing


@transaction.atomic
def case_close(*, case: SurveyCase, actor, improvement: str, expected_version: int | None = None, at=None):
    """SQ-2: closed once the cause is found, the customer answered and the improvement recorded
    (a suggestion: forwarded, answered, the outcome recorded). Refused otherwise, naming what is
    missing; nothing changes."""
    at = _now(at)
    case = _lock_case(case, expected_version)
    _check_case(case, actor, "close")
    errors = {}
    missing = close_blockers(case)
    if missing:
        errors["__all__"] = [_("The case cannot be closed yet:")] + list(missing.values())
    improvement = (improvement or "").strip() or case.improvement.strip()
    if not improvement:
        errors["improvement"] = [_("Record the improvement (what changes so that it does not happen again).")]
    if errors:
        raise ValidationError(errors)
    case.improvement = improvement
    case.state = CaseState.CLOSED
    case.closed_at = at
    case.closed_by = actor
    _save(case, actor=actor, fields=["improvement", "state", "closed_at", "closed_by"])
    _case_event(case, kind=EventKind.CLOSED, actor=actor, at=at, text=improvement)
    return case


# --- service quality per engineer (SQ-4) --------------------------------------------------------


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def rater_group_for(user) -> str | None:
    return policies.RATER_GROUP_BY_ROLE.get(_role(user))


def may_rate(user) -> bool:
    return rater_group_for(user) is not None


def _served_customers_of(sales, engineer) -> bool:
    from django.db.models import Q

    from apps.workorders.models import WorkOrder

    return WorkOrder.objects.filter(Q(sales=sales) | Q(customer__responsible_sales=sales), engineer=engineer).exists()


@transaction.atomic
def rating_save(
    *,
    actor,
    engineer,
    month: dt.date,
    attitude: int,
    professional: int,
    conduct: int,
    comment: str = "",
    expected_version: int | None = None,
    at=None,
) -> EngineerRating:
    """SQ-4: the rater's scores of one engineer for one month — created the first time, changed
    (naming the version read) afterwards. One rating per rater, engineer and month."""
    at = _now(at)
    group = rater_group_for(actor)
    if group is None:
        raise PermissionDenied(_("Your role does not rate engineers."))
    errors: dict[str, list] = {}
    if engineer is None or engineer.role != Role.ENGINEER or not engineer.is_active:
        errors["engineer"] = [_("Choose an active field engineer.")]
    elif engineer.pk == actor.pk:
        errors["engineer"] = [_("Nobody rates himself.")]
    elif group == RaterGroup.SALES and policies.SALES_RATE_ONLY_SERVED:
        if not _served_customers_of(actor, engineer):
            errors["engineer"] = [_("Sales rate the engineers who served their customers.")]
    month = first_of_month(month) if month else None
    this_month = first_of_month(_local_day(at))
    if month is None:
        errors["month"] = [_("Choose the month.")]
    elif month > this_month:
        errors["month"] = [_("A month that has not begun cannot be rated.")]
    else:
        from apps.core.dates import add_months

        if month < add_months(this_month, -policies.RATING_MONTHS_BACK):
            errors["month"] = [
                _("Ratings are given for the current month or up to %(n)s months back.")
                % {"n": policies.RATING_MONTHS_BACK}
            ]
    for field, value in (("attitude", attitude), ("professional", professional), ("conduct", conduct)):
        in_range = isinstance(value, int) and policies.SCORE_MIN <= value <= policies.SCORE_MAX
        if isinstance(value, bool) or not in_range:
            errors[field] = [
                _("Choose a score from %(low)s to %(high)s.") % {"low": policies.SCORE_MIN, "high": policies.SCORE_MAX}
            ]
    if errors:
        raise ValidationError(errors)
    comment = (comment or "").strip()
    existing = EngineerRating.objects.select_for_update().filter(engineer=engineer, month=month, rater=actor).first()
    if existing is None:
        rating = EngineerRating(
            engineer=engineer,
            month=month,
            rater=actor,
            rater_group=group,
            attitude=attitude,
            professional=professional,
            conduct=conduct,
            comment=comment,
        )
        rating._history_user = actor
        try:
            with transaction.atomic():
                rating.save()
        except IntegrityError:
            raise ConflictError(_("You have already rated this engineer for this month.")) from None
        return rating
    if expected_version is None or existing.version != expected_version:
        raise ConflictError(
            _("You have already rated this engineer for this month; open that rating to change it.")
            if expected_version is None
            else None
        )
    values = {"attitude": attitude, "professional": professional, "conduct": conduct, "comment": comment}
    if all(getattr(existing, k) == v for k, v in values.items()) and existing.rater_group == group:
        return existing
    for key, value in values.items():
        setattr(existing, key, value)
    existing.rater_group = group
    _save(existing, actor=actor, fields=[*values, "rater_group"])
    return existing
