"""Every seeded regulatory reporting rule on concrete 2026 dates, each computed by hand in the
comment beside it (issue 5: China's adverse-event rules, US MDR), plus what must not move a
deadline: editing the rule afterwards, the time zone of the person looking, a late intake."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.complaints import deadlines, services
from apps.complaints.choices import Status
from apps.complaints.models import ReportingRule
from apps.complaints.tests._world import local, messages_for, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _fmt(value) -> str | None:
    return None if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


SEEDED = [
    # code, aware at (Asia/Shanghai), due, warn
    # Death: 7 days; aware Mon 03-02 → day 1 is 03-03, day 7 is 03-09, end of that day.
    # Warn 2 days before: 03-07 23:59:59.
    ("cn-death", local(2026, 3, 2, 10), "2026-03-09 23:59:59", "2026-03-07 23:59:59"),
    # Serious injury: 20 days; day 1 03-03 … day 20 03-22 (March has 31 days). Warn 5 days before.
    ("cn-serious-injury", local(2026, 3, 2, 10), "2026-03-22 23:59:59", "2026-03-17 23:59:59"),
    # Group event, by phone or fax: 12 hours from the moment of awareness, 15:30 → 03:30 next day,
    # over the Labour Day holiday (hours run on holidays too). Warn 3 h before: 00:30.
    ("cn-group-phone", local(2026, 4, 30, 15, 30), "2026-05-01 03:30:00", "2026-05-01 00:30:00"),
    # Group event, individual reports: 24 hours → 05-01 15:30. Warn 6 h before: 09:30.
    ("cn-group-individual", local(2026, 4, 30, 15, 30), "2026-05-01 15:30:00", "2026-05-01 09:30:00"),
    # Group event, the holder's investigation: 7 calendar days, holidays counted: day 1 05-01 …
    # day 7 05-07. Warn 2 days before: 05-05 23:59:59.
    ("cn-group-investigation", local(2026, 4, 30, 15, 30), "2026-05-07 23:59:59", "2026-05-05 23:59:59"),
    # Overseas serious event: 30 days; aware 01-15 → day 16 is 01-31, day 30 is 02-14. Warn 5 days before.
    ("cn-overseas", local(2026, 1, 15, 8), "2026-02-14 23:59:59", "2026-02-09 23:59:59"),
    # US MDR: 30 calendar days; aware 02-10 → day 18 is 02-28 (2026 is no leap year), day 30 is
    # 03-12; the Spring Festival holiday (02-15 … 02-23) does not stop calendar days.
    ("us-mdr-30", local(2026, 2, 10, 14), "2026-03-12 23:59:59", "2026-03-07 23:59:59"),
    # US 5-day report: working days after Wed 04-29: Thu 04-30 (1); 05-01 … 05-05 Labour Day
    # holiday; Wed 05-06 (2), Thu 05-07 (3), Fri 05-08 (4), Sat 05-09 make-up working day (5).
    # Warn 1 day before: 05-08 23:59:59.
    ("us-mdr-5day", local(2026, 4, 29, 11), "2026-05-09 23:59:59", "2026-05-08 23:59:59"),
]


def test_the_seeded_table_is_exactly_the_rules_tested_here():
    assert sorted(ReportingRule.objects.values_list("code", flat=True)) == sorted(row[0] for row in SEEDED)


@pytest.mark.parametrize("code, aware_at, due, warn", SEEDED, ids=[row[0] for row in SEEDED])
def test_each_seeded_rule_on_a_concrete_date(code, aware_at, due, warn):
    rule = ReportingRule.objects.get(code=code)
    due_at = deadlines.due_at(aware_at=aware_at, amount=rule.amount, unit=rule.unit)
    warn_at = deadlines.warn_at(due=due_at, warn_before=rule.warn_before, aware_at=aware_at)
    assert (_fmt(due_at), _fmt(warn_at)) == (due, warn)


@pytest.mark.parametrize(
    "aware_at, due",
    [
        # Thu 02-12: Fri 02-13 (1), Sat 02-14 make-up day (2), 02-15 … 02-23 Spring Festival,
        # Tue 02-24 (3), Wed 02-25 (4), Thu 02-26 (5).
        (local(2026, 2, 12, 16), "2026-02-26 23:59:59"),
        # An ordinary week: Fri 06-05 → Mon 06-08 (1) … Fri 06-12 (5); the weekend does not count.
        (local(2026, 6, 5, 9), "2026-06-12 23:59:59"),
        # Late on the eve of the holiday still counts from that day: Thu 04-30 23:50 → 05-06 (1) …
        # 05-09 (4), Mon 05-11 (5).
        (local(2026, 4, 30, 23, 50), "2026-05-11 23:59:59"),
    ],
)
def test_the_us_five_working_days_follow_the_chinese_business_calendar(aware_at, due):
    assert _fmt(deadlines.due_at(aware_at=aware_at, amount=5, unit="working_days")) == due


def test_a_day_counts_on_the_companys_clock_whoever_looks(settings):
    # Aware at 10:00 on 03-02 in Shanghai, which is 21:00 on 03-01 in New York: day 0 is 03-02
    # for the law that sets the deadline, whatever time zone the request runs in.
    aware_at = local(2026, 3, 2, 10)
    with timezone.override("America/New_York"):
        due_at = deadlines.due_at(aware_at=aware_at, amount=7, unit="calendar_days")
        working = deadlines.due_at(aware_at=aware_at, amount=1, unit="working_days")
    assert _fmt(due_at) == "2026-03-09 23:59:59"
    assert _fmt(working) == "2026-03-03 23:59:59"


def test_aware_just_after_midnight_counts_from_that_day():
    # 00:10 on 03-03 in Shanghai is still 03-02 in UTC: the day of awareness is 03-03.
    assert _fmt(deadlines.due_at(aware_at=local(2026, 3, 3, 0, 10), amount=7, unit="calendar_days")) == (
        "2026-03-10 23:59:59"
    )


def test_no_warning_without_a_warning_time_or_before_awareness():
    aware_at = local(2026, 3, 2, 10)
    due_at = deadlines.due_at(aware_at=aware_at, amount=12, unit="hours")
    assert deadlines.warn_at(due=due_at, warn_before=dt.timedelta(0), aware_at=aware_at) is None
    assert deadlines.warn_at(due=due_at, warn_before=dt.timedelta(hours=12), aware_at=aware_at) is None
    assert _fmt(deadlines.warn_at(due=due_at, warn_before=dt.timedelta(hours=11), aware_at=aware_at)) == (
        "2026-03-02 11:00:00"
    )


def test_an_unknown_unit_is_an_error():
    with pytest.raises(ValueError):
        deadlines.due_at(aware_at=local(2026, 3, 2), amount=1, unit="fortnights")


# --- through the services ------------------------------------------------------------------------


def test_awareness_before_receipt_counts_from_awareness(world):
    # The sales person heard of the death on Sat 02-28 at a dinner; the hotline registered it Mon 03-02.
    complaint = register(world, at=local(2026, 3, 2, 10), aware_at=local(2026, 2, 28, 20))
    walk(world, complaint, Status.INVESTIGATION, events=["death"])
    report = complaint.reports.get()
    # Day 1 is 03-01, day 7 is 03-07 (not 03-09 as from the date received).
    assert (_fmt(report.aware_at), _fmt(report.due_at), _fmt(report.warn_at)) == (
        "2026-02-28 20:00:00",
        "2026-03-07 23:59:59",
        "2026-03-05 23:59:59",
    )


def test_an_edited_rule_does_not_move_an_existing_reports_deadline(world):
    first = register(world, at=local(2026, 3, 2, 10))
    walk(world, first, Status.INVESTIGATION, events=["serious_injury"])
    rule = ReportingRule.objects.get(code="cn-serious-injury")
    services.rule_update(
        actor=world.quality,
        instance=rule,
        data={"amount": 15, "warn_before": dt.timedelta(days=3)},
        expected_version=rule.version,
    )
    report = first.reports.get()
    assert (report.amount, _fmt(report.due_at), _fmt(report.warn_at)) == (
        20,
        "2026-03-22 23:59:59",
        "2026-03-17 23:59:59",
    )
    # A decision taken after the edit runs under the new terms: 15 days from 03-02 → 03-17.
    second = register(world, at=local(2026, 3, 2, 11))
    walk(world, second, Status.INVESTIGATION, events=["serious_injury"])
    assert (second.reports.get().amount, _fmt(second.reports.get().due_at)) == (15, "2026-03-17 23:59:59")


def test_an_inactive_rule_starts_no_report(world):
    rule = ReportingRule.objects.get(code="cn-group-phone")
    services.rule_set_active(actor=world.quality, instance=rule, active=False, reason="测试", expected_version=1)
    complaint = walk(
        world, register(world, at=local(2026, 4, 30, 15, 30)), Status.INVESTIGATION, events=["group_event"]
    )
    assert sorted(complaint.reports.values_list("rule__code", flat=True)) == [
        "cn-group-individual",
        "cn-group-investigation",
    ]


def test_the_awareness_date_never_moves_later_once_clocks_run(world):
    from django.core.exceptions import ValidationError

    complaint = register(world, at=local(2026, 3, 2, 10), aware_at=local(2026, 2, 28, 20))
    walk(world, complaint, Status.INVESTIGATION, events=["death"])
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            actor=world.quality, complaint=complaint, data={"aware_at": local(2026, 3, 1, 9)}, at=local(2026, 3, 3)
        )
    assert "earlier moment" in refused.value.message_dict["aware_at"][0]
    complaint.refresh_from_db()
    assert _fmt(complaint.aware_at) == "2026-02-28 20:00:00"
    assert _fmt(complaint.reports.get().due_at) == "2026-03-07 23:59:59"


def test_quality_corrects_the_awareness_date_earlier_and_the_pending_deadlines_follow(world):
    # Registered Mon 03-02 10:00; the investigation finds the sales person heard of the death on
    # Sun 03-01 at 09:00: day 1 is 03-02, day 7 is 03-08 — a day earlier than first computed.
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    services.complaint_update(
        actor=world.quality, complaint=complaint, data={"aware_at": local(2026, 3, 1, 9)}, at=local(2026, 3, 3)
    )
    report = complaint.reports.get()
    assert (_fmt(report.aware_at), _fmt(report.due_at), _fmt(report.warn_at)) == (
        "2026-03-01 09:00:00",
        "2026-03-08 23:59:59",
        "2026-03-06 23:59:59",
    )
    assert complaint.events.filter(text__contains="now due 2026-03-08 23:59 (awareness date corrected)").exists()
    assert messages_for(world.quality, contains="report deadlines moved earlier") == [
        f"{complaint.number}: awareness date corrected, report deadlines moved earlier"
    ]


def test_only_the_quality_department_corrects_a_running_awareness_date(world):
    from django.core.exceptions import ValidationError

    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    with pytest.raises(ValidationError) as refused:
        services.complaint_update(
            actor=world.clerk, complaint=complaint, data={"aware_at": local(2026, 3, 1, 9)}, at=local(2026, 3, 3)
        )
    assert "aware_at" in refused.value.message_dict
    assert _fmt(complaint.reports.get().due_at) == "2026-03-09 23:59:59"


def test_the_same_minute_sent_back_by_the_edit_page_is_no_change_of_the_awareness_date(world):
    # Registered by the API at 10:00:30 (the page shows and sends back 10:00): correcting the phone
    # number must not count as moving the awareness date.
    at = local(2026, 3, 2, 10) + dt.timedelta(seconds=30)
    complaint = walk(world, register(world, at=at), Status.INVESTIGATION, events=["death"])
    services.complaint_update(
        actor=world.clerk,
        complaint=complaint,
        data={"received_at": local(2026, 3, 2, 10), "aware_at": local(2026, 3, 2, 10), "complainant_phone": "139"},
        expected_version=complaint.version,
        at=local(2026, 3, 3),
    )
    complaint.refresh_from_db()
    assert complaint.complainant_phone == "139"
    assert (complaint.received_at, complaint.aware_at) == (at, at)
    assert complaint.events.filter(text="Changed: phone").exists()
