"""SPEC FU-6: the survival rate of a month, overall, per region and per engineer, on a set of
projects whose figures were worked out by hand (report month March 2026).

| project | region | engineer        | went live  | checks due            | recorded                 | March       |
|---------|--------|-----------------|------------|-----------------------|--------------------------|-------------|
| A       | 广州   | engineer        | 2026-01-31 | 02-28, 03-31, 04-30   | m2 in use                | in use      |
| B       | 广州   | engineer        | 2026-02-10 | 03-10, 04-10, 05-10   | m1 not in use            | not in use  |
| C       | 广州   | engineer2       | 2026-01-15 | 02-15, 03-15, 04-15   | m1 in use                | in use (m1) |
| D       | 长沙   | engineer_hunan  | 2026-02-01 | 03-01, 04-01, 05-01   | —                        | not checked |
| E       | 长沙   | engineer_hunan  | 2025-12-05 | 01-05, 02-05, 03-05   | m3 in use                | in use      |
| F       | 广州   | engineer        | 2026-02-20 | 03-20 …               | stopped 03-01            | not counted |
| G       | 广州   | engineer        | 2025-10-10 | 11-10, 12-10, 01-10   | —                        | not counted |

March: 3 of 5 in use (60 %); 广州 2 of 3, 长沙 1 of 2; engineer 1 of 2, engineer2 1 of 1,
engineer_hunan 1 of 2. February: A (m1 02-28, nothing yet), C (m1 in use), E (m2, nothing yet) →
1 of 3. January: E (m1) and G (m3), neither recorded → 0 of 2.
"""

import datetime as dt

import pytest

from apps.survival import selectors, services
from apps.survival.models import NewProject
from apps.survival.tests._helpers import local, project, record, survival_world  # noqa: F401

pytestmark = pytest.mark.django_db

AT = local(2026, 4, 1)


@pytest.fixture
def hand_set(world):
    w = world
    a = project(w, name="A", started_on=dt.date(2026, 1, 31), at=AT)
    b = project(w, name="B", started_on=dt.date(2026, 2, 10), at=AT)
    c = project(w, name="C", started_on=dt.date(2026, 1, 15), engineer=w.engineer2, at=AT)
    d = project(w, name="D", started_on=dt.date(2026, 2, 1), customer=w.changsha, engineer=w.other_engineer, at=AT)
    e = project(w, name="E", started_on=dt.date(2025, 12, 5), customer=w.changsha, engineer=w.other_engineer, at=AT)
    f = project(w, name="F", started_on=dt.date(2026, 2, 20), at=local(2026, 2, 25))
    project(w, name="G", started_on=dt.date(2025, 10, 10), at=AT)
    record(w, a, 2, in_use=True, usage=150, at=AT)
    record(w, b, 1, in_use=False, reason="仪器通道不足，暂未开展", at=AT)
    record(w, c, 1, in_use=True, usage=60, at=AT)
    record(w, e, 3, in_use=True, usage=300, actor=w.other_engineer, at=AT)
    services.project_stop(project=f, actor=w.engineer, reason="录入错误", at=local(2026, 3, 1))
    assert d.checks.filter(recorded_at__isnull=False).count() == 0
    return w


def _figures(rate):
    return (rate.label, rate.tracked, rate.in_use, rate.not_in_use, rate.unchecked, rate.percent)


def test_the_march_rate_counts_projects_in_use_at_their_latest_check(hand_set):
    report = selectors.survival_report(projects=NewProject.objects.all(), month=dt.date(2026, 3, 17))
    assert report.month == dt.date(2026, 3, 1)
    assert _figures(report.overall) == ("2026-03", 5, 3, 1, 1, "60.0%")


def test_the_march_rate_per_region(hand_set):
    report = selectors.survival_report(projects=NewProject.objects.all(), month=dt.date(2026, 3, 1))
    assert [_figures(r) for r in report.regions] == [
        ("广东省 / 广州市", 3, 2, 1, 0, "66.7%"),
        ("湖南省 / 长沙市", 2, 1, 0, 1, "50.0%"),
    ]


def test_the_march_rate_per_engineer(hand_set):
    w = hand_set
    report = selectors.survival_report(projects=NewProject.objects.all(), month=dt.date(2026, 3, 1))
    by_engineer = {r.key: (r.tracked, r.in_use) for r in report.engineers}
    assert by_engineer == {w.engineer.pk: (2, 1), w.engineer2.pk: (1, 1), w.other_engineer.pk: (2, 1)}


def test_the_month_by_month_trend_and_the_lost_projects_with_their_reasons(hand_set):
    report = selectors.survival_report(projects=NewProject.objects.all(), month=dt.date(2026, 3, 1), trend_months=3)
    assert [_figures(r) for r in report.trend] == [
        ("2026-01", 2, 0, 0, 2, "0.0%"),  # E's month 1 and G's month 3, neither recorded
        ("2026-02", 3, 1, 0, 2, "33.3%"),
        ("2026-03", 5, 3, 1, 1, "60.0%"),
    ]
    assert [(item.project, item.reason) for item in report.lost] == [("B", "仪器通道不足，暂未开展")]


def test_a_scoped_report_only_counts_what_the_user_may_see(hand_set):
    w = hand_set
    mine = selectors.project_list(user=w.other_engineer)
    report = selectors.survival_report(projects=mine, month=dt.date(2026, 3, 1))
    assert _figures(report.overall) == ("2026-03", 2, 1, 0, 1, "50.0%")
    assert [r.label for r in report.regions] == ["湖南省 / 长沙市"]


def test_the_report_takes_the_same_number_of_queries_for_any_number_of_projects(
    hand_set, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        selectors.survival_report(projects=NewProject.objects.all(), month=dt.date(2026, 3, 1))
    for n in range(6):
        project(hand_set, name=f"more {n}", started_on=dt.date(2026, 2, 1 + n), at=AT)
    with django_assert_max_num_queries(len(few)):
        selectors.survival_report(projects=NewProject.objects.all(), month=dt.date(2026, 3, 1))
