"""Every read of surveys, cases and service quality, scoped to what the user may see (the same
scope for pages, API and PDFs). Surveys are scoped like their work orders."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core import signing
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.choices import Role
from apps.core.access import sees_all
from apps.core.dates import add_months
from apps.core.ids import parse_id
from apps.surveys import policies
from apps.surveys.choices import ITEM_GROUPS, Item, RaterGroup, SurveyState
from apps.surveys.models import EngineerRating, Survey, SurveyCase, SurveyEvent

# --- surveys -----------------------------------------------------------------------------------


def survey_scope_q(user) -> Q:
    """A survey is visible to whoever may see its work order (SPEC §0 scoping)."""
    if sees_all(user):
        return Q()
    from apps.workorders.models import WorkOrder
    from apps.workorders.selectors import workorder_scope_q

    return Q(work_order__in=WorkOrder.objects.filter(workorder_scope_q(user)).values("pk"))


def survey_list(*, user) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(survey_scope_q(user))
        .select_related("work_order", "customer", "engineer")
        .order_by("-created_at", "-id")
    )


def survey_search(queryset: QuerySet[Survey], text: str) -> QuerySet[Survey]:
    text = text.strip()
    lowered = text.lower().replace(" ", "")
    return queryset.filter(
        Q(number__icontains=text)
        | Q(work_order__number__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__name_initials__icontains=lowered)
        | Q(respondent_name__icontains=text)
    )


def survey_detail(*, user, pk) -> Survey:
    """One survey the user may see, with its answers, cases and timeline (DoesNotExist else)."""
    pk = parse_id(pk)
    if pk is None:
        raise Survey.DoesNotExist
    return (
        survey_list(user=user)
        .select_related("contact", "answered_by", "created_by", "work_order__instrument")
        .prefetch_related(
            "answers",
            Prefetch("cases", queryset=SurveyCase.objects.order_by("id")),
            Prefetch("events", queryset=SurveyEvent.objects.select_related("actor", "case").order_by("at", "id")),
        )
        .get(pk=pk)
    )


def survey_for_work_order(*, user, order) -> Survey | None:
    return survey_list(user=user).filter(work_order=order).first()


@dataclass
class AnswerRow:
    item: str
    label: str
    score: int | None = None
    not_applicable: bool = False
    comment: str = ""

    @property
    def dissatisfied(self) -> bool:
        return self.score is not None and self.score <= policies.DISSATISFIED_AT_MOST


def answer_sheet(survey: Survey) -> list[tuple[str, list[AnswerRow]]]:
    """The answers in the order of the form, grouped by section (uses the prefetched answers)."""
    given = {a.item: a for a in survey.answers.all()}
    sheet = []
    for title, items in ITEM_GROUPS:
        rows = []
        for item in items:
            answer = given.get(item)
            rows.append(
                AnswerRow(
                    item=item,
                    label=str(Item(item).label),
                    score=answer.score if answer else None,
                    not_applicable=answer.not_applicable if answer else False,
                    comment=answer.comment if answer else "",
                )
            )
        sheet.append((str(title), rows))
    return sheet


@dataclass
class LinkLookup:
    """What the customer's link leads to: the survey, and why it cannot be answered (or "")."""

    survey: Survey
    problem: str = ""  # "" | "replaced" | "expired" | "answered" | "cancelled"


def survey_from_token(token: str, *, at: dt.datetime | None = None) -> LinkLookup:
    """The survey of a signed link token. A token that is not ours (tampered, made up) raises
    Survey.DoesNotExist — the page answers 404 and says nothing more."""
    at = at or timezone.now()
    try:
        value = signing.TimestampSigner(salt=policies.LINK_SALT).unsign(token or "")
    except signing.BadSignature:
        raise Survey.DoesNotExist from None
    raw_pk, _sep, nonce = value.partition(".")
    pk = parse_id(raw_pk)
    if pk is None or not nonce:
        raise Survey.DoesNotExist
    survey = Survey.objects.select_related("work_order", "customer", "engineer").get(pk=pk)
    if not secrets.compare_digest(nonce, survey.link_nonce):
        return LinkLookup(survey, "replaced")
    if survey.state == SurveyState.ANSWERED:
        return LinkLookup(survey, "answered")
    if survey.state == SurveyState.CANCELLED:
        return LinkLookup(survey, "cancelled")
    if survey.state == SurveyState.EXPIRED or at > survey.link_expires_at:
        return LinkLookup(survey, "expired")
    return LinkLookup(survey)


# --- cases -------------------------------------------------------------------------------------


def case_list(*, user) -> QuerySet[SurveyCase]:
    scope = Q() if sees_all(user) else Q(survey__in=Survey.objects.filter(survey_scope_q(user)).values("pk"))
    return (
        SurveyCase.objects.filter(scope)
        .select_related("survey__customer", "survey__work_order", "survey__engineer")
        .order_by("-opened_at", "-id")
    )


def case_detail(*, user, pk) -> SurveyCase:
    pk = parse_id(pk)
    if pk is None:
        raise SurveyCase.DoesNotExist
    return (
        case_list(user=user)
        .select_related(
            "survey__contact",
            "survey__work_order__instrument__model",
            "survey__work_order__instrument_model",
            "cause_recorded_by",
            "verified_by",
            "forwarded_by",
            "answer_recorded_by",
            "closed_by",
        )
        .prefetch_related(
            Prefetch("events", queryset=SurveyEvent.objects.select_related("actor").order_by("at", "id")),
            "letters__issued_by",
        )
        .get(pk=pk)
    )


def quality_form_of(case: SurveyCase):
    from apps.surveys.models import QualityFeedbackForm

    return QualityFeedbackForm.objects.filter(case=case).select_related("issued_by").first()


# --- service quality per engineer (SQ-4) -----------------------------------------------------------

ALL_ENGINEERS_VIEWERS = frozenset(
    {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR, Role.MARKETING_HEAD, Role.GENERAL_MANAGER}
)


def rating_list(*, user) -> QuerySet[EngineerRating]:
    """The technical head, supervisors and leaders read every rating; a rater his own."""
    qs = EngineerRating.objects.filter(is_active=True).select_related("engineer", "rater")
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in ALL_ENGINEERS_VIEWERS:
        qs = qs.filter(rater=user)
    return qs.order_by("-month", "engineer__name", "rater_group", "id")


def engineers_for_rating(*, user) -> QuerySet:
    """Engineers this user may rate (sales: those who served their customers)."""
    from apps.accounts.models import User
    from apps.workorders.models import WorkOrder

    qs = User.objects.filter(role=Role.ENGINEER, is_active=True).exclude(pk=user.pk)
    if (Role.ADMIN if user.is_superuser else user.role) == Role.SALES and policies.SALES_RATE_ONLY_SERVED:
        served = WorkOrder.objects.filter(
            Q(sales=user) | Q(customer__responsible_sales=user), engineer__isnull=False
        ).values("engineer")
        qs = qs.filter(pk__in=served)
    return qs.order_by("name", "username")


MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None) -> dt.date | None:
    """'2026-06' → 2026-06-01, or None when malformed or implausible."""
    match = MONTH_PATTERN.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1980 <= year <= 2100 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def current_month(at: dt.datetime | None = None) -> dt.date:
    return timezone.localdate(at or timezone.now()).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as aware datetimes [start, end) in the users' time zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=zone)
    following = add_months(month, 1)
    return start, dt.datetime(following.year, following.month, 1, tzinfo=zone)


TWO_PLACES = Decimal("0.01")


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _mean(total, count) -> Decimal | None:
    return Decimal(total) / Decimal(count) if count else None


def _weighted(values: dict[str, Decimal | None], weights: dict[str, Decimal]) -> Decimal | None:
    """The weighted mean of the values present (missing ones drop out, the rest re-weighted)."""
    present = {key: value for key, value in values.items() if value is not None and weights.get(key)}
    if not present:
        return None
    total_weight = sum(weights[key] for key in present)
    return sum(weights[key] * value for key, value in present.items()) / total_weight


DIMENSIONS = ("attitude", "professional", "conduct")


@dataclass
class GroupScores:
    group: str
    label: str
    count: int = 0
    attitude: Decimal | None = None
    professional: Decimal | None = None
    conduct: Decimal | None = None


@dataclass
class EngineerQuality:
    """One engineer's service-quality record of one month (SQ-4)."""

    engineer: object
    month: dt.date
    groups: list[GroupScores] = field(default_factory=list)
    ratings: int = 0
    attitude: Decimal | None = None
    professional: Decimal | None = None
    conduct: Decimal | None = None
    answered: int = 0
    average_overall: Decimal | None = None
    dissatisfied: int = 0
    penalty: Decimal = Decimal("0")
    score: Decimal | None = None


SORT_KEYS = (
    "engineer",
    "score",
    "attitude",
    "professional",
    "conduct",
    "average_overall",
    "answered",
    "dissatisfied",
    "ratings",
)


def quality_engineers(*, user, month: dt.date) -> QuerySet:
    """The engineers whose record this user may read: an engineer only himself; the technical
    head, supervisors and leaders everyone (active ones, and any with data that month)."""
    from apps.accounts.models import User

    role = Role.ADMIN if user.is_superuser else user.role
    if role == Role.ENGINEER:
        return User.objects.filter(pk=user.pk)
    if role not in ALL_ENGINEERS_VIEWERS:
        return User.objects.none()
    start, end = month_bounds(month)
    rated = EngineerRating.objects.filter(month=month, is_active=True).values("engineer")
    surveyed = Survey.objects.filter(answered_at__gte=start, answered_at__lt=end).values("engineer")
    return User.objects.filter(Q(role=Role.ENGINEER, is_active=True) | Q(pk__in=rated) | Q(pk__in=surveyed))


def engineer_quality(
    *, user, month: dt.date, engineer_id: int | None = None, sort: str = "engineer"
) -> list[EngineerQuality]:
    """The monthly service-quality record of each engineer the user may read (SQ-4): the
    ratings' averages per dimension and per rater group, the surveys of his jobs answered that
    month (count, average overall score, surveys with a dissatisfied score), and the combined
    score of policies.COMPONENT_WEIGHTS. Three queries, however many engineers."""
    engineers = quality_engineers(user=user, month=month)
    if engineer_id is not None:
        engineers = engineers.filter(pk=engineer_id)
    engineers = list(engineers.order_by("name", "username"))
    ids = [e.pk for e in engineers]
    if not ids:
        return []
    ratings = (
        EngineerRating.objects.filter(month=month, engineer__in=ids, is_active=True)
        .values("engineer", "rater_group")
        .annotate(n=Count("id"), attitude=Sum("attitude"), professional=Sum("professional"), conduct=Sum("conduct"))
        .order_by()
    )
    start, end = month_bounds(month)
    surveys = (
        Survey.objects.filter(engineer__in=ids, state=SurveyState.ANSWERED, answered_at__gte=start, answered_at__lt=end)
        .values("engineer")
        .annotate(
            n=Count("id"),
            scored=Count("overall_score"),
            overall=Sum("overall_score"),
            dissatisfied=Count("id", filter=Q(dissatisfied_count__gt=0)),
        )
        .order_by()
    )
    by_group: dict[int, dict[str, dict]] = {}
    for row in ratings:
        by_group.setdefault(row["engineer"], {})[row["rater_group"]] = row
    by_engineer = {row["engineer"]: row for row in surveys}
    records = []
    for engineer in engineers:
        record = EngineerQuality(engineer=engineer, month=month)
        groups = by_group.get(engineer.pk, {})
        means: dict[str, dict[str, Decimal | None]] = {d: {} for d in DIMENSIONS}
        for group in RaterGroup.values:
            row = groups.get(group)
            scores = GroupScores(group=group, label=str(RaterGroup(group).label))
            if row:
                scores.count = row["n"]
                record.ratings += row["n"]
                for dimension in DIMENSIONS:
                    value = _mean(row[dimension], row["n"])
                    setattr(scores, dimension, _round(value))
                    means[dimension][group] = value
            record.groups.append(scores)
        exact = {d: _weighted(means[d], policies.RATER_GROUP_WEIGHTS) for d in DIMENSIONS}
        for dimension in DIMENSIONS:
            setattr(record, dimension, _round(exact[dimension]))
        survey_row = by_engineer.get(engineer.pk)
        customer = None
        if survey_row:
            record.answered = survey_row["n"]
            record.dissatisfied = survey_row["dissatisfied"]
            customer = _mean(survey_row["overall"] or 0, survey_row["scored"])
            record.average_overall = _round(customer)
        combined = _weighted({**exact, "customer": customer}, policies.COMPONENT_WEIGHTS)
        if combined is not None:
            record.penalty = min(
                policies.DISSATISFIED_PENALTY_POINTS * record.dissatisfied, policies.DISSATISFIED_PENALTY_CAP
            )
            hundred = combined * Decimal(100) / Decimal(policies.SCORE_MAX)
            record.score = _round(max(hundred - record.penalty, Decimal(0)))
        records.append(record)
    return sort_records(records, sort)


def sort_records(records: list[EngineerQuality], sort: str) -> list[EngineerQuality]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORT_KEYS:
        key, descending = "engineer", False
    if key == "engineer":
        return sorted(records, key=lambda r: (str(r.engineer), r.engineer.pk), reverse=descending)
    present = [r for r in records if getattr(r, key) is not None]
    missing = [r for r in records if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), str(r.engineer)), reverse=descending)
    return present + sorted(missing, key=lambda r: str(r.engineer))  # no data: always last
