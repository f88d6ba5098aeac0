"""Reads of new-project survival (SPEC FU-6), scoped to what the user may see — the same scope
for the list, the project page, the report, its Excel export and the API.

The survival rate of a month M: the projects *tracked in M* are those with a check due in M
(each project has one check due in each month of its period; a project stopped before that
check was due and never checked that month is not counted). A tracked project *survives* M when
its latest recorded check due by M found it in use; a project with no check recorded yet counts
as not surviving (shown apart as "not checked"). Rate = surviving ÷ tracked, per region (the
customer's city) and per responsible engineer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.access import sees_all
from apps.core.dates import add_months
from apps.customers.selectors import customer_scope_q
from apps.survival import policies
from apps.survival.choices import ProjectState
from apps.survival.models import NewProject, ProjectCheck, ProjectEvent


def project_scope_q(user) -> Q:
    """SPEC §0 / FU-6: heads and the marketing centre see every project; engineers their regions'
    customers and the projects they are responsible for; customer managers their regions'; sales
    their customers' and the projects they are named on."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if sees_all(user):
        return Q()
    if user.role == Role.ENGINEER:
        return Q(engineer=user) | customer_scope_q(user, "customer__")
    if user.role == Role.CUSTOMER_MANAGER:
        return customer_scope_q(user, "customer__") | Q(region__customer_manager=user)
    if user.role == Role.SALES:
        return Q(sales=user) | customer_scope_q(user, "customer__")
    return Q(pk__in=[])


def project_list(*, user) -> QuerySet[NewProject]:
    """The projects the user may see, with what a row shows: the latest recorded check's answer
    and the next open check's due day as annotations (no query per row)."""
    scoped = NewProject.objects.filter(project_scope_q(user))
    if not sees_all(user):
        # OR across joins can repeat rows; a sub-select keeps the list distinct.
        scoped = NewProject.objects.filter(pk__in=scoped.values("pk"))
    recorded = ProjectCheck.objects.filter(project=OuterRef("pk"), recorded_at__isnull=False).order_by("-month")
    open_checks = ProjectCheck.objects.filter(project=OuterRef("pk"), recorded_at__isnull=True).order_by("month")
    return (
        scoped.select_related("customer", "item", "instrument__model", "engineer", "sales", "region__parent")
        .annotate(
            latest_in_use=Subquery(recorded.values("in_use")[:1]),
            latest_month=Subquery(recorded.values("month")[:1]),
            next_due_on=Subquery(open_checks.values("due_on")[:1]),
        )
        .order_by("-started_on", "-id")
    )


def project_search(queryset: QuerySet[NewProject], text: str) -> QuerySet[NewProject]:
    text = text.strip()
    lowered = text.lower().replace(" ", "")
    return queryset.filter(
        Q(name__icontains=text)
        | Q(customer__name__icontains=text)
        | Q(customer__name_initials__icontains=lowered)
        | Q(item__name__icontains=text)
        | Q(item__code__iexact=text)
    )


def project_detail(*, user, pk) -> NewProject:
    """One project the user may see, with its checks and timeline (raises DoesNotExist)."""
    return (
        project_list(user=user)
        .select_related("work_order", "created_by", "customer__responsible_sales")
        .prefetch_related(
            Prefetch("checks", queryset=ProjectCheck.objects.select_related("recorded_by").order_by("month")),
            Prefetch("events", queryset=ProjectEvent.objects.select_related("actor").order_by("at", "id")),
        )
        .get(pk=pk)
    )


def calls_for_checks(checks) -> dict[int, list]:
    """The follow-up calls planned for each check ({check id: [FollowUp, …]}), in one query."""
    from django.contrib.contenttypes.models import ContentType

    from apps.followups.models import FollowUp

    ids = [check.pk for check in checks]
    calls: dict[int, list] = defaultdict(list)
    if not ids:
        return calls
    for call in (
        FollowUp.objects.filter(source_type=ContentType.objects.get_for_model(ProjectCheck), source_id__in=ids)
        .select_related("assignee")
        .order_by("planned_for", "pk")
    ):
        calls[call.source_id].append(call)
    return calls


def latest_recorded_check(project: NewProject, *, up_to_month: int | None = None) -> ProjectCheck | None:
    checks = ProjectCheck.objects.filter(project=project, recorded_at__isnull=False)
    if up_to_month is not None:
        checks = checks.filter(month__lte=up_to_month)
    return checks.order_by("-month").first()


def month_columns(projects) -> int:
    """How many month columns the report table needs (the policy's, or more for a project that
    is tracked longer)."""
    return max([policies.TRACKING_MONTHS, *(p.tracking_months for p in projects)])


def with_month_cells(projects, months: int) -> list:
    """Each project with `cells`: its check of month 1 … `months` (None where there is none).
    The projects must come with their checks prefetched."""
    rows = list(projects)
    for project in rows:
        by_month = {check.month: check for check in project.checks.all()}
        project.cells = [by_month.get(n) for n in range(1, months + 1)]
    return rows


def report_projects(queryset: QuerySet[NewProject]) -> QuerySet[NewProject]:
    """The report table's rows: the projects with their checks (two queries for any number)."""
    return queryset.prefetch_related(Prefetch("checks", queryset=ProjectCheck.objects.order_by("month")))


# --- survival rates ------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return add_months(month_start(day), 1) - dt.timedelta(days=1)


@dataclass
class Rate:
    """The survival figures of one group (a month, a region, an engineer)."""

    key: object
    label: str
    tracked: int = 0
    in_use: int = 0
    not_in_use: int = 0
    unchecked: int = 0
    checked_this_month: int = 0

    @property
    def rate(self) -> float | None:
        return self.in_use / self.tracked if self.tracked else None

    @property
    def percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    def add(self, status: str, checked_this_month: bool) -> None:
        self.tracked += 1
        if status == "in_use":
            self.in_use += 1
        elif status == "not_in_use":
            self.not_in_use += 1
        else:
            self.unchecked += 1
        if checked_this_month:
            self.checked_this_month += 1


@dataclass
class Lost:
    """A project not in use in the report month, with the reason sales was given."""

    project_id: int
    customer: str
    project: str
    engineer: str
    sales: str
    month: int
    reason: str
    reason_kind: str


@dataclass
class SurvivalReport:
    month: dt.date
    overall: Rate
    regions: list[Rate] = field(default_factory=list)
    engineers: list[Rate] = field(default_factory=list)
    trend: list[Rate] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)


def _status(latest: dict | None) -> str:
    if latest is None:
        return "unchecked"
    return "in_use" if latest["in_use"] else "not_in_use"


def survival_report(
    *, projects: QuerySet[NewProject], month: dt.date, trend_months: int | None = None
) -> SurvivalReport:
    """The survival rate of `month` overall, per region and per engineer, the not-in-use projects
    of that month, and the rate of each of the `trend_months` months up to it.

    `projects` is the caller's scoped (and filtered) queryset. Three queries, whatever the count."""
    trend_months = trend_months or policies.TREND_MONTHS
    first = month_start(month)
    start = add_months(first, -(trend_months - 1))
    end = month_end(first)
    due_in_range = ProjectCheck.objects.filter(due_on__gte=start, due_on__lte=end).values("project_id")
    rows = {
        p.pk: p
        for p in NewProject.objects.filter(pk__in=projects.filter(pk__in=due_in_range).values("pk")).select_related(
            "customer", "engineer", "sales", "region__parent"
        )
    }
    checks_by_project: dict[int, list[dict]] = defaultdict(list)
    for check in (
        ProjectCheck.objects.filter(project_id__in=list(rows), due_on__lte=end)
        .values("project_id", "month", "due_on", "in_use", "recorded_at", "reason", "reason_kind")
        .order_by("project_id", "month")
    ):
        checks_by_project[check["project_id"]].append(check)

    trend = {
        add_months(start, i): Rate(key=add_months(start, i), label=f"{add_months(start, i):%Y-%m}")
        for i in range(trend_months)
    }
    overall = trend[first]
    regions: dict[object, Rate] = {}
    engineers: dict[object, Rate] = {}
    lost: list[Lost] = []
    for project_id, checks in checks_by_project.items():
        project = rows[project_id]
        for check in checks:
            due_month = month_start(check["due_on"])
            if due_month < start:
                continue
            recorded = check["recorded_at"] is not None
            stopped_before = (
                project.state == ProjectState.STOPPED
                and project.ended_on is not None
                and project.ended_on <= check["due_on"]
            )
            if stopped_before and not recorded:
                continue
            done = [c for c in checks if c["month"] <= check["month"] and c["recorded_at"] is not None]
            latest = done[-1] if done else None
            status = _status(latest)
            trend[due_month].add(status, recorded)
            if due_month != first:
                continue
            region_key = project.region_id
            if region_key not in regions:
                regions[region_key] = Rate(
                    key=region_key, label=str(project.region) if project.region else _("No region")
                )
            regions[region_key].add(status, recorded)
            if project.engineer_id not in engineers:
                engineers[project.engineer_id] = Rate(key=project.engineer_id, label=str(project.engineer))
            engineers[project.engineer_id].add(status, recorded)
            if status == "not_in_use":
                lost.append(
                    Lost(
                        project_id=project.pk,
                        customer=project.customer.name,
                        project=project.name,
                        engineer=str(project.engineer),
                        sales=str(project.sales or ""),
                        month=latest["month"],
                        reason=latest["reason"],
                        reason_kind=latest["reason_kind"],
                    )
                )
    return SurvivalReport(
        month=first,
        overall=overall,
        regions=sorted(regions.values(), key=lambda r: r.label),
        engineers=sorted(engineers.values(), key=lambda r: r.label),
        trend=list(trend.values()),
        lost=sorted(lost, key=lambda item: (item.customer, item.project)),
    )


def parse_month(text: str | None) -> dt.date | None:
    """ "2026-03" → 2026-03-01; None when malformed or implausible — never an exception."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        day = dt.date(year, month, 1)
    except ValueError:
        return None
    return day if dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 1) else None


def staff_on_projects(*, user, role_field: str) -> QuerySet:
    """People named as `role_field` (engineer / sales) on projects the user may see — the choices a
    filter may offer without revealing anyone else."""
    from apps.accounts.models import User

    visible = NewProject.objects.filter(project_scope_q(user)).values(role_field)
    return User.objects.filter(pk__in=visible).order_by(F("name").asc(), "username")
