"""Reads of the follow-up domain shared by pages and API, scoped to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.accounts.choices import Role
from apps.core.access import sees_all
from apps.customers.selectors import customer_scope_q
from apps.followups import policies
from apps.followups.choices import LeaderState, State
from apps.followups.models import FollowUp, FollowUpRule, FollowUpSheet

_RELATED = ("customer", "work_order", "assignee", "done_by", "rule", "sheet")


def followup_scope_q(user) -> Q:
    """Heads, the hotline and back office see all; engineers their regions' customers and what is
    theirs; customer managers and sales their customers; dealers nothing."""
    if not user.is_authenticated or user.role == Role.DEALER:
        return Q(pk__in=[])
    if sees_all(user):
        return Q()
    q = customer_scope_q(user, "customer__")
    if user.role == Role.ENGINEER:
        q |= Q(assignee=user) | Q(done_by=user)
    return q


def followup_list(*, user) -> QuerySet[FollowUp]:
    scoped = FollowUp.objects.filter(followup_scope_q(user))
    if not sees_all(user):
        scoped = FollowUp.objects.filter(pk__in=scoped.values("pk"))
    return scoped.select_related(*_RELATED).order_by("due_at", "pk")


def followup_search(queryset: QuerySet[FollowUp], text: str) -> QuerySet[FollowUp]:
    text = text.strip()
    return queryset.filter(
        Q(number__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__name_initials__icontains=text.lower().replace(" ", ""))
        | Q(work_order__number__icontains=text)
        | Q(record__icontains=text)
    )


def followup_detail(*, user, pk) -> FollowUp:
    followup = followup_list(user=user).filter(pk=pk).first()
    if followup is None:
        raise Http404
    return followup


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())


def call_list(*, user, day: dt.date | None = None) -> QuerySet[FollowUp]:
    """FU-2: the caller's list for a day — his own open follow-ups and, for clerks, the hotline
    pool — due by the end of the day (overdue first)."""
    day = day or timezone.localdate()
    until = end_of_day(day + dt.timedelta(days=policies.CALL_LIST_DAYS_AHEAD))
    mine = Q(assignee=user)
    if user.role == Role.CLERK:
        mine |= Q(assignee__isnull=True)
    return (
        FollowUp.objects.filter(mine, state=State.PLANNED, due_at__lt=until)
        .select_related(*_RELATED)
        .order_by("due_at", "pk")
    )


def upcoming(*, user, day: dt.date | None = None, days: int = 7) -> QuerySet[FollowUp]:
    day = day or timezone.localdate()
    mine = Q(assignee=user) | (Q(assignee__isnull=True) if user.role == Role.CLERK else Q(pk__in=[]))
    return (
        FollowUp.objects.filter(
            mine, state=State.PLANNED, due_at__gte=end_of_day(day), due_at__lt=end_of_day(day + dt.timedelta(days=days))
        )
        .select_related(*_RELATED)
        .order_by("due_at", "pk")
    )


def waiting_on_caller(*, user) -> QuerySet[FollowUp]:
    """FU-3 for the caller: decided handling plans he has to tell the customer, and open questions
    he still has to answer (S0 3.(一)三.5)."""
    return (
        FollowUp.objects.filter(Q(done_by=user) | Q(assignee=user))
        .filter(
            Q(leader_state=LeaderState.DECIDED)
            | (~Q(open_questions="") & Q(questions_answered_at__isnull=True) & Q(state=State.DONE))
        )
        .select_related("customer")
        .order_by("done_at", "pk")
    )


def leader_queue(*, user) -> QuerySet[FollowUp]:
    """FU-3: problems waiting for a leader's handling plan, and decided plans not yet told."""
    return (
        followup_list(user=user)
        .filter(leader_state__in=(LeaderState.PENDING, LeaderState.DECIDED))
        .order_by("done_at", "pk")
    )


def chain_of(followup: FollowUp) -> QuerySet[FollowUp]:
    """Every follow-up of the same plan (same source and job), in order."""
    return (
        FollowUp.objects.filter(source_type_id=followup.source_type_id, source_id=followup.source_id, job=followup.job)
        .select_related("assignee", "done_by")
        .order_by("planned_for", "pk")
    )


def followups_for_source(source) -> QuerySet[FollowUp]:
    from django.contrib.contenttypes.models import ContentType

    return (
        FollowUp.objects.filter(source_type=ContentType.objects.get_for_model(source), source_id=source.pk)
        .select_related("assignee", "done_by")
        .order_by("planned_for", "pk")
    )


def rule_list(*, user) -> QuerySet[FollowUpRule]:
    return FollowUpRule.objects.all().order_by("job", "sequence", "pk")


def sheet_scope_q(user) -> Q:
    if user.role in (Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR):
        return Q()
    return Q(caller=user)


def sheet_list(*, user) -> QuerySet[FollowUpSheet]:
    return FollowUpSheet.objects.filter(sheet_scope_q(user)).select_related("caller", "reviewer", "signer")


def sheet_detail(*, user, pk) -> FollowUpSheet:
    sheet = sheet_list(user=user).filter(pk=pk).first()
    if sheet is None:
        raise Http404
    return sheet


def sheet_lines(sheet: FollowUpSheet) -> QuerySet[FollowUp]:
    return sheet.followups.select_related("customer", "done_by", "work_order").order_by("done_at", "pk")


def phone_loads(*, engineers, day: dt.date) -> list[dict]:
    """FU-7 for a list of engineers (one count query, one calendar read)."""
    from django.db.models import Count

    from apps.followups.choices import Channel
    from apps.followups.services import week_bounds, week_capacity

    if not engineers:
        return []
    start, end = week_bounds(day)
    counts = dict(
        FollowUp.objects.filter(assignee__in=engineers, channel=Channel.PHONE, due_at__gte=start, due_at__lt=end)
        .exclude(state__in=(State.SUPERSEDED, State.CANCELLED))
        .values("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    base = week_capacity(day)
    rows = []
    for engineer in engineers:
        count = counts.get(engineer.pk, 0)
        minutes = count * policies.PHONE_FOLLOWUP_MINUTES
        rows.append(
            {**base, "engineer": engineer, "count": count, "minutes": minutes, "over": minutes > base["limit_minutes"]}
        )
    return rows
