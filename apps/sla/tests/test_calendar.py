"""The SLA clock arithmetic on real 2026 dates (SPEC SLA-5).

Business hours of the "office" calendar: 08:30–12:00 (3.5 h) and 13:30–17:30 (4 h), 7.5 h a day.
Facts of the 2026 official schedule, as the pinned chinesecalendar 1.11.0 has them (checked):

- Spring Festival: off Sun 15 – Mon 23 Feb; make-up working days Sat 14 Feb and Sat 28 Feb.
- Mid-autumn Festival: off Fri 25 – Sun 27 Sep.
- National Day: off Thu 1 – Wed 7 Oct; make-up working days Sun 20 Sep and Sat 10 Oct.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from apps.sla import calendar as cal
from apps.sla.choices import CalendarMode, DayKind, DaySource
from apps.sla.models import BusinessCalendar
from apps.sla.selectors import default_calendar
from apps.sla.tests.factories import BusinessCalendarFactory, DayOverrideFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
NO_OVERRIDES: dict = {}


def at(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


@pytest.fixture
def office() -> BusinessCalendar:
    """Unsaved, so the pure functions run without a database."""
    return BusinessCalendar(
        code="office",
        mode=CalendarMode.BUSINESS_HOURS,
        morning_start=dt.time(8, 30),
        morning_end=dt.time(12, 0),
        afternoon_start=dt.time(13, 30),
        afternoon_end=dt.time(17, 30),
    )


@pytest.fixture
def round_the_clock() -> BusinessCalendar:
    return BusinessCalendar(code="24x7", mode=CalendarMode.ROUND_THE_CLOCK)


def deadline(calendar, start, duration, overrides=NO_OVERRIDES):
    return cal.add_business_time(calendar=calendar, start=start, duration=duration, overrides=overrides)


def between(calendar, start, end, overrides=NO_OVERRIDES):
    return cal.business_time_between(calendar=calendar, start=start, end=end, overrides=overrides)


# --- which days are working days -----------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 2, 13), True),  # Friday before the Spring Festival
        (dt.date(2026, 2, 14), True),  # Saturday, make-up working day
        (dt.date(2026, 2, 15), False),  # Spring Festival begins
        (dt.date(2026, 2, 23), False),  # Monday, still Spring Festival
        (dt.date(2026, 2, 24), True),
        (dt.date(2026, 2, 28), True),  # Saturday, make-up working day
        (dt.date(2026, 9, 19), False),  # an ordinary Saturday
        (dt.date(2026, 9, 20), True),  # Sunday, make-up working day for National Day
        (dt.date(2026, 9, 25), False),  # Friday, Mid-autumn Festival
        (dt.date(2026, 10, 1), False),
        (dt.date(2026, 10, 7), False),  # Wednesday, last day of National Day
        (dt.date(2026, 10, 8), True),
        (dt.date(2026, 10, 10), True),  # Saturday, make-up working day
        (dt.date(2026, 10, 11), False),
    ],
)
def test_the_2026_official_schedule_decides_working_days(office, day, working):
    assert cal.is_working_day(calendar=office, day=day, overrides=NO_OVERRIDES) is working


def test_a_make_up_saturday_is_marked_as_such_with_its_source(office):
    status = cal.day_status(calendar=office, day=dt.date(2026, 10, 10), overrides=NO_OVERRIDES)
    assert status.is_working and status.is_makeup_workday and not status.is_holiday
    assert status.source == DaySource.PACKAGE
    with translation.override("en"):
        assert cal.day_status(calendar=office, day=dt.date(2026, 10, 1), overrides=NO_OVERRIDES).name == "National Day"
    with translation.override("zh-hans"):
        assert cal.day_status(calendar=office, day=dt.date(2026, 10, 1), overrides=NO_OVERRIDES).name == "国庆节"


def test_a_holiday_has_no_working_periods_and_a_make_up_day_has_both(office):
    assert cal.working_periods(calendar=office, day=dt.date(2026, 10, 1), overrides=NO_OVERRIDES) == []
    assert cal.working_periods(calendar=office, day=dt.date(2026, 10, 10), overrides=NO_OVERRIDES) == [
        (at(2026, 10, 10, 8, 30), at(2026, 10, 10, 12)),
        (at(2026, 10, 10, 13, 30), at(2026, 10, 10, 17, 30)),
    ]


def test_a_24x7_calendar_runs_on_holidays_too(round_the_clock):
    assert cal.is_working_day(calendar=round_the_clock, day=dt.date(2026, 10, 1), overrides=NO_OVERRIDES)
    assert cal.working_periods(calendar=round_the_clock, day=dt.date(2026, 10, 1), overrides=NO_OVERRIDES) == [
        (at(2026, 10, 1), at(2026, 10, 2))
    ]


def test_a_year_the_package_does_not_know_uses_monday_to_friday_without_crashing(office):
    friday = cal.day_status(calendar=office, day=dt.date(2027, 1, 8), overrides=NO_OVERRIDES)
    saturday = cal.day_status(calendar=office, day=dt.date(2027, 1, 9), overrides=NO_OVERRIDES)
    assert friday.is_working and friday.source == DaySource.WEEKDAY_RULE
    assert not saturday.is_working and saturday.source == DaySource.WEEKDAY_RULE
    # 2027-01-01 is a Friday, but New Year's Day is a statutory holiday on a fixed date.
    assert not cal.is_working_day(calendar=office, day=dt.date(2027, 1, 1), overrides=NO_OVERRIDES)
    # Lunar holidays (Spring Festival 2027) are unknown until entered: Mon 8 Feb 2027 counts.
    assert cal.is_working_day(calendar=office, day=dt.date(2027, 2, 8), overrides=NO_OVERRIDES)
    for day in (dt.date(2027, 5, 1), dt.date(2027, 5, 2), dt.date(2027, 10, 1), dt.date(2027, 10, 3)):
        assert not cal.is_working_day(calendar=office, day=day, overrides=NO_OVERRIDES)
    assert cal.is_working_day(calendar=office, day=dt.date(2003, 6, 2), overrides=NO_OVERRIDES)


def test_an_override_comes_before_the_package(office):
    overrides = {dt.date(2026, 10, 10): DayKind.HOLIDAY, dt.date(2026, 10, 11): DayKind.WORKDAY}
    assert not cal.is_working_day(calendar=office, day=dt.date(2026, 10, 10), overrides=overrides)
    assert cal.is_working_day(calendar=office, day=dt.date(2026, 10, 11), overrides=overrides)
    assert cal.day_status(calendar=office, day=dt.date(2026, 10, 11), overrides=overrides).source == DaySource.OVERRIDE


# --- deadlines on the office calendar -------------------------------------------------------


def test_a_report_on_the_friday_before_the_make_up_sunday_lands_on_that_sunday(office):
    # Fri 18 Sep 16:00–17:30 = 1.5 h; Sat 19 off; Sun 20 Sep is a make-up working day:
    # 08:30–12:00 = 3.5 h (5 h so far), 13:30 + 3 h = 16:30.
    assert deadline(office, at(2026, 9, 18, 16), hours(8)) == at(2026, 9, 20, 16, 30)


def test_a_report_on_the_mid_autumn_friday_waits_until_monday(office):
    # Fri 25 Sep is the Mid-autumn Festival (off Fri 25 – Sun 27; Sun 20 Sep is the make-up day,
    # already past). The clock starts Mon 28 Sep 08:30: 7.5 h that day, 0.5 h left → Tue 29 Sep 09:00.
    assert deadline(office, at(2026, 9, 25, 16), hours(8)) == at(2026, 9, 29, 9, 0)


def test_a_report_on_the_wednesday_before_national_day_runs_on_after_the_holiday(office):
    # Wed 30 Sep 16:00–17:30 = 1.5 h; Thu 1 – Wed 7 Oct off; Thu 8 Oct 08:30 + 2.5 h = 11:00.
    assert deadline(office, at(2026, 9, 30, 16), hours(4)) == at(2026, 10, 8, 11, 0)


def test_a_report_on_friday_evening_runs_on_the_make_up_saturday(office):
    # Fri 9 Oct 17:00–17:30 = 0.5 h; Sat 10 Oct is a make-up working day: 08:30 + 1.5 h = 10:00.
    assert deadline(office, at(2026, 10, 9, 17), hours(2)) == at(2026, 10, 10, 10, 0)


def test_spring_festival_make_up_days_count_and_the_holiday_does_not(office):
    # Fri 13 Feb 16:00–17:30 = 1.5 h; Sat 14 Feb (make-up) 08:30–12:00 = 3.5 h, 13:30 + 3 h = 16:30.
    assert deadline(office, at(2026, 2, 13, 16), hours(8)) == at(2026, 2, 14, 16, 30)
    # Sat 14 Feb 17:00–17:30 = 0.5 h; 15–23 Feb off; Tue 24 Feb 08:30–12:00 = 3 h used → 12:00.
    assert deadline(office, at(2026, 2, 14, 17), hours(4)) == at(2026, 2, 24, 12, 0)
    # Fri 27 Feb 17:00–17:30 = 0.5 h; Sat 28 Feb (make-up) 08:30 + 0.5 h = 09:00.
    assert deadline(office, at(2026, 2, 27, 17), hours(1)) == at(2026, 2, 28, 9, 0)


def test_a_clock_started_outside_business_hours_starts_at_the_next_period(office):
    assert deadline(office, at(2026, 9, 29, 7, 0), hours(1)) == at(2026, 9, 29, 9, 30)
    assert deadline(office, at(2026, 9, 29, 12, 30), hours(1)) == at(2026, 9, 29, 14, 30)
    assert deadline(office, at(2026, 9, 29, 20, 0), hours(1)) == at(2026, 9, 30, 9, 30)


def test_a_deadline_at_the_end_of_a_period_stays_there(office):
    assert deadline(office, at(2026, 9, 29, 10), hours(2)) == at(2026, 9, 29, 12, 0)
    assert deadline(office, at(2026, 9, 29, 8, 30), hours(7.5)) == at(2026, 9, 29, 17, 30)
    # Started at a period's end, the clock waits for the next one.
    assert deadline(office, at(2026, 9, 29, 17, 30), hours(1)) == at(2026, 9, 30, 9, 30)


def test_a_calendar_with_one_period_a_day(office):
    office.afternoon_start = office.afternoon_end = None
    assert deadline(office, at(2026, 9, 29, 11), hours(2)) == at(2026, 9, 30, 9, 30)


def test_times_are_read_in_shanghai_whatever_zone_they_come_in(office):
    start_utc = dt.datetime(2026, 9, 30, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    result = deadline(office, start_utc, hours(4))
    assert result == at(2026, 10, 8, 11, 0)
    assert result.utcoffset() == hours(8)
    assert result.astimezone(UTC) == dt.datetime(2026, 10, 8, 3, 0, tzinfo=UTC)


def test_a_naive_start_or_a_negative_duration_is_refused(office):
    with pytest.raises(cal.CalendarError):
        deadline(office, dt.datetime(2026, 9, 30, 16), hours(1))
    with pytest.raises(cal.CalendarError):
        deadline(office, at(2026, 9, 30, 16), hours(-1))


def test_a_zero_duration_is_due_at_once(office):
    assert deadline(office, at(2026, 10, 3, 10), dt.timedelta(0)) == at(2026, 10, 3, 10)


def test_a_24x7_clock_is_plain_arithmetic_over_a_holiday(round_the_clock):
    assert deadline(round_the_clock, at(2026, 9, 30, 16), hours(48)) == at(2026, 10, 2, 16)
    assert between(round_the_clock, at(2026, 9, 30, 16), at(2026, 10, 2, 16)) == hours(48)


def test_a_2027_deadline_uses_monday_to_friday(office):
    # Fri 8 Jan 2027 17:00–17:30 = 0.5 h; the weekend is off; Mon 11 Jan 08:30 + 0.5 h = 09:00.
    assert deadline(office, at(2027, 1, 8, 17), hours(1)) == at(2027, 1, 11, 9, 0)
    # From the last days of 2026 into 2027: Fri 1 Jan 2027 is New Year's Day, then the weekend.
    assert deadline(office, at(2026, 12, 31, 17), hours(1)) == at(2027, 1, 4, 9, 0)


def test_a_clock_that_finds_no_working_time_for_years_stops_with_a_clear_error(office):
    class EveryDayOff(dict):
        def get(self, key, default=None):
            return DayKind.HOLIDAY

    with pytest.raises(cal.CalendarError, match="no working time left within 3 years"):
        deadline(office, at(2026, 9, 30, 16), hours(1), overrides=EveryDayOff())


# --- business time between two instants ----------------------------------------------------


def test_business_time_between_counts_only_working_periods(office):
    assert between(office, at(2026, 9, 30, 16), at(2026, 10, 8, 11)) == hours(4)
    assert between(office, at(2026, 9, 29, 12), at(2026, 9, 29, 13, 30)) == dt.timedelta(0)
    assert between(office, at(2026, 10, 8, 11), at(2026, 9, 30, 16)) == dt.timedelta(0)


def test_business_time_between_is_the_inverse_of_add_business_time(office):
    rng = random.Random(20261001)
    year_start = at(2026, 1, 1)
    for _ in range(300):
        start = year_start + dt.timedelta(minutes=rng.randrange(365 * 24 * 60))
        duration = dt.timedelta(minutes=rng.randrange(1, 80 * 60))
        end = deadline(office, start, duration)
        assert end > start
        assert between(office, start, end) == duration, (start, duration, end)
        # The deadline is always inside (or at the end of) a working period of a working day.
        periods = cal.working_periods(calendar=office, day=end.date(), overrides=NO_OVERRIDES)
        assert any(period_start < end <= period_end for period_start, period_end in periods), end


# --- pauses ---------------------------------------------------------------------------------


def with_pauses(calendar, start, duration, pauses, overrides=NO_OVERRIDES):
    return cal.deadline_with_pauses(
        calendar=calendar, start=start, duration=duration, pauses=pauses, overrides=overrides
    )


def test_without_pauses_the_deadline_is_the_plain_one(office):
    assert with_pauses(office, at(2026, 9, 29, 9), hours(4), []) == at(2026, 9, 29, 14, 30)


def test_two_paused_business_hours_push_the_deadline_out_by_two_business_hours(office):
    # Without the pause: 09:00–12:00 = 3 h, 13:30 + 1 h = 14:30. Paused 10:00–12:00 → 16:30.
    paused = [(at(2026, 9, 29, 10), at(2026, 9, 29, 12))]
    assert with_pauses(office, at(2026, 9, 29, 9), hours(4), paused) == at(2026, 9, 29, 16, 30)


def test_a_pause_over_the_night_costs_only_its_business_time(office):
    # Plain: Tue 15:00–17:30 = 2.5 h, Wed 08:30 + 1.5 h = 10:00. Paused Tue 17:00 → Wed 09:30
    # (0.5 h + 1 h of business time): ran 15:00–17:00 = 2 h, then Wed 09:30 + 2 h = 11:30.
    paused = [(at(2026, 9, 29, 17), at(2026, 9, 30, 9, 30))]
    assert deadline(office, at(2026, 9, 29, 15), hours(4)) == at(2026, 9, 30, 10, 0)
    assert with_pauses(office, at(2026, 9, 29, 15), hours(4), paused) == at(2026, 9, 30, 11, 30)


def test_a_pause_over_national_day_costs_only_the_business_time_around_it(office):
    # Plain: Oct 8 11:00. Paused Wed 30 Sep 17:00 → Thu 8 Oct 09:00: 0.5 h + 0.5 h → Oct 8 12:00.
    paused = [(at(2026, 9, 30, 17), at(2026, 10, 8, 9))]
    assert with_pauses(office, at(2026, 9, 30, 16), hours(4), paused) == at(2026, 10, 8, 12, 0)


def test_an_open_pause_means_no_deadline_yet(office):
    assert with_pauses(office, at(2026, 9, 29, 9), hours(4), [(at(2026, 9, 29, 10), None)]) is None


def test_a_pause_after_the_time_ran_out_does_not_undo_the_breach(office):
    late = [(at(2026, 9, 29, 15), at(2026, 9, 30, 12))]
    assert with_pauses(office, at(2026, 9, 29, 9), hours(4), late) == at(2026, 9, 29, 14, 30)
    still_open = [(at(2026, 9, 29, 15), None)]
    assert with_pauses(office, at(2026, 9, 29, 9), hours(4), still_open) == at(2026, 9, 29, 14, 30)


def test_overlapping_pauses_are_not_counted_twice(office):
    paused = [(at(2026, 9, 29, 10), at(2026, 9, 29, 11)), (at(2026, 9, 29, 10, 30), at(2026, 9, 29, 12))]
    assert with_pauses(office, at(2026, 9, 29, 9), hours(4), paused) == at(2026, 9, 29, 16, 30)


def test_a_pause_that_ends_before_it_starts_is_refused(office):
    with pytest.raises(cal.CalendarError):
        with_pauses(office, at(2026, 9, 29, 9), hours(4), [(at(2026, 9, 29, 12), at(2026, 9, 29, 10))])


def test_replanning_a_clock_keeps_the_paused_time(office):
    # The same clock re-planned from scratch after each pause gives the same deadline as
    # applying all pauses at once: paused time is never lost.
    # 12 h from Wed 30 Sep 09:00, paused 10:00–11:00 (1 h) and Thu 8 Oct 14:00 → Fri 9 Oct 09:00
    # (3.5 h + 0.5 h): ran 6 h on 30 Sep, 4 h on 8 Oct; 2 h left from Fri 09:00 → 11:00.
    start, duration = at(2026, 9, 30, 9), hours(12)
    both = [(at(2026, 9, 30, 10), at(2026, 9, 30, 11)), (at(2026, 10, 8, 14), at(2026, 10, 9, 9))]
    once = with_pauses(office, start, duration, both)
    assert once == at(2026, 10, 9, 11, 0)
    assert once == deadline(office, start, duration + hours(1) + hours(3.5 + 0.5))
    used = cal.business_time_running(
        calendar=office, start=start, end=at(2026, 10, 9, 9), pauses=both, overrides=NO_OVERRIDES
    )
    assert used == hours(10)
    assert deadline(office, at(2026, 10, 9, 9), duration - used) == once


def test_running_time_leaves_out_paused_time(office):
    start = at(2026, 9, 29, 9)
    pauses = [(at(2026, 9, 29, 10), at(2026, 9, 29, 12)), (at(2026, 9, 29, 15), None)]
    # 09:00–10:00 and 13:30–15:00 ran; the open pause lasts until "now".
    assert cal.business_time_running(
        calendar=office, start=start, end=at(2026, 9, 29, 17), pauses=pauses, overrides=NO_OVERRIDES
    ) == hours(2.5)


def test_pauses_on_a_24x7_clock(round_the_clock):
    paused = [(at(2026, 10, 1, 0), at(2026, 10, 1, 12))]
    assert with_pauses(round_the_clock, at(2026, 9, 30, 16), hours(48), paused) == at(2026, 10, 3, 4)


# --- overrides from the database ------------------------------------------------------------


@pytest.mark.django_db
def test_an_override_on_new_years_day_2027_wins_over_the_statutory_rule():
    office = BusinessCalendar.objects.get(code="office")
    # Thu 31 Dec 17:00–17:30 = 0.5 h; Fri 1 Jan 2027 is New Year's Day (statutory, fixed date)
    # even before the 2027 schedule is published; Mon 4 Jan 08:30 + 0.5 h = 09:00.
    assert cal.add_business_time(calendar=office, start=at(2026, 12, 31, 17), duration=hours(1)) == at(2027, 1, 4, 9)
    DayOverrideFactory(date=dt.date(2027, 1, 1), kind=DayKind.WORKDAY, name="(hypothetical) 调休上班")
    assert cal.add_business_time(calendar=office, start=at(2026, 12, 31, 17), duration=hours(1)) == at(2027, 1, 1, 9)


@pytest.mark.django_db
def test_an_override_workday_on_a_saturday_is_respected():
    calendar = BusinessCalendarFactory()
    DayOverrideFactory(calendar=calendar, date=dt.date(2026, 11, 28), kind=DayKind.WORKDAY, name="调休上班")
    # Fri 27 Nov 17:00–17:30 = 0.5 h; Sat 28 Nov is worked: 08:30 + 0.5 h = 09:00.
    assert cal.add_business_time(calendar=calendar, start=at(2026, 11, 27, 17), duration=hours(1)) == at(
        2026, 11, 28, 9
    )
    # Another calendar is not affected.
    other = BusinessCalendarFactory()
    assert cal.add_business_time(calendar=other, start=at(2026, 11, 27, 17), duration=hours(1)) == at(2026, 11, 30, 9)


@pytest.mark.django_db
def test_a_calendars_own_override_beats_one_for_every_calendar_and_inactive_ones_do_not_count():
    calendar = BusinessCalendarFactory()
    DayOverrideFactory(calendar=None, date=dt.date(2027, 1, 2), kind=DayKind.WORKDAY, name="调休上班")
    DayOverrideFactory(calendar=calendar, date=dt.date(2027, 1, 2), kind=DayKind.HOLIDAY, name="本公司放假")
    DayOverrideFactory(calendar=None, date=dt.date(2027, 1, 4), kind=DayKind.HOLIDAY, name="旧", is_active=False)
    overrides = cal.overrides_for(calendar)
    assert not cal.is_working_day(calendar=calendar, day=dt.date(2027, 1, 2), overrides=overrides)
    assert cal.day_status(calendar=calendar, day=dt.date(2027, 1, 2), overrides=overrides).name == "本公司放假"
    assert cal.is_working_day(calendar=calendar, day=dt.date(2027, 1, 4), overrides=overrides)
    office = BusinessCalendar.objects.get(code="office")
    assert cal.is_working_day(calendar=office, day=dt.date(2027, 1, 2))


@pytest.mark.django_db
def test_a_deadline_30_days_out_costs_at_most_three_queries(django_assert_max_num_queries):
    DayOverrideFactory(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY)
    # 30 working days of 7.5 h from mid-December 2026 crosses into 2027: one query per year.
    with django_assert_max_num_queries(3):
        calendar = default_calendar()
        result = cal.add_business_time(calendar=calendar, start=at(2026, 12, 15, 9), duration=hours(30 * 7.5))
    assert result.date() > dt.date(2027, 1, 20)


@pytest.mark.django_db
def test_the_migration_creates_the_office_default_and_the_24x7_calendars():
    office = BusinessCalendar.objects.get(code="office")
    assert office.is_default and office.mode == CalendarMode.BUSINESS_HOURS
    assert office.hours_display == "08:30–12:00, 13:30–17:30"
    assert BusinessCalendar.objects.get(code="24x7").is_round_the_clock
    assert default_calendar() == office
