"""Issue 5 'done means', checked by hand on concrete dates."""

import datetime as dt

import pytest

from apps.complaints import services
from apps.complaints.choices import Kind, ReportState, Status
from apps.complaints.tests._world import (
    local,
    register,
    walk,
    world_fixture,  # noqa: F401
)
from apps.core.exceptions import ConflictError


def _due(report):
    from django.utils import timezone

    return timezone.localtime(report.due_at).strftime("%Y-%m-%d %H:%M")


def test_a_serious_injury_runs_a_20_day_clock_from_the_awareness_date(world):
    # Received on Monday 2026-03-02, but the company knew on Friday 2026-02-27 (the sales person heard it).
    complaint = register(world, at=local(2026, 3, 2, 10), aware_at=local(2026, 2, 27, 16))
    walk(world, complaint, Status.INVESTIGATION, events=["serious_injury"])
    [report] = complaint.reports.all()
    # Day 1 is 02-28; the 20th day is 2026-03-19 (2026 is not a leap year).
    assert _due(report) == "2026-03-19 23:59"
    assert report.state == ReportState.PENDING


def test_a_complaint_with_its_report_missing_refuses_to_close(world):
    complaint = register(world, at=local(2026, 3, 2, 10))
    complaint = walk(world, complaint, Status.REVIEW, events=["serious_injury"])
    with pytest.raises(ConflictError) as refused:
        services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=local(2026, 3, 5, 9))
    assert "Regulatory report not submitted yet" in str(refused.value)
    complaint.refresh_from_db()
    assert complaint.status == Status.REVIEW
    report = complaint.reports.get()
    services.report_submit(actor=world.quality, report=report, report_number="MDAE-2026-0001", at=local(2026, 3, 5, 9))
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=local(2026, 3, 5, 10))
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    # Five years after closure, later than two years after the lot's expiry (2027-08-31 → 2029-08-31).
    assert complaint.retain_until == dt.date(2031, 3, 5)


def test_a_group_event_shows_the_12_and_24_hour_clocks_and_the_7_day_investigation(world):
    complaint = register(world, at=local(2026, 4, 30, 15, 30))
    walk(world, complaint, Status.INVESTIGATION, events=["group_event"])
    due = sorted((r.amount, r.unit, _due(r)) for r in complaint.reports.all())
    assert due == [
        (7, "calendar_days", "2026-05-07 23:59"),
        (12, "hours", "2026-05-01 03:30"),
        (24, "hours", "2026-05-01 15:30"),
    ]


def test_the_us_five_day_report_counts_working_days_over_the_may_day_holiday(world):
    # Aware Wed 2026-04-29; 05-01…05-05 are the Labour Day holiday, Sat 05-09 a make-up working day.
    complaint = register(world, at=local(2026, 4, 29, 11))
    walk(world, complaint, Status.INVESTIGATION, events=["us_remedial"])
    [report] = complaint.reports.all()
    # Working days after 04-29: 04-30 (1), 05-06 (2), 05-07 (3), 05-08 (4), 05-09 make-up (5).
    assert _due(report) == "2026-05-09 23:59"


def test_an_overdue_report_escalates_once_and_a_near_one_warns(world):
    complaint = register(world, at=local(2026, 3, 2, 10))
    walk(world, complaint, Status.INVESTIGATION, events=["death"])
    report = complaint.reports.get()
    assert _due(report) == "2026-03-09 23:59"
    assert services.check_regulatory_reports(now_at=local(2026, 3, 6, 9)) == {"warned": 0, "escalated": 0}
    assert services.check_regulatory_reports(now_at=local(2026, 3, 8, 9)) == {"warned": 1, "escalated": 0}
    assert services.check_regulatory_reports(now_at=local(2026, 3, 10, 0, 5)) == {"warned": 0, "escalated": 1}
    assert services.check_regulatory_reports(now_at=local(2026, 3, 10, 0, 10)) == {"warned": 0, "escalated": 0}
    from apps.notifications.models import Message

    assert Message.objects.filter(recipient=world.general_manager, subject__contains="OVERDUE").count() == 1


def test_a_second_service_complaint_against_the_same_engineer_raises_a_review(world):
    first = register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10))
    walk(world, first, Status.REPORTABILITY)
    second = register(world, kind=Kind.SERVICE, at=local(2026, 6, 2, 10))
    walk(world, second, Status.REPORTABILITY)
    from apps.complaints.models import ReassignmentReview

    review = ReassignmentReview.objects.get()
    assert (review.engineer, review.complaint, review.earlier) == (world.engineer, second, first)
