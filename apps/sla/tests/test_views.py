import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.sla.choices import DayKind
from apps.sla.models import BusinessCalendar, DayOverride
from apps.sla.tests.factories import BusinessCalendarFactory, DayOverrideFactory

pytestmark = pytest.mark.django_db


def login(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def office():
    return BusinessCalendar.objects.get(code="office")


def cell(page: str, day: str) -> str:
    """The <td> of one day in the calendar grid."""
    match = re.search(r'<td class="day ([^"]*)"[^>]*data-date="' + day + r'" data-source="(\w+)"', page)
    assert match, day
    return f"{match.group(1)} {match.group(2)}"


# --- who may do what -------------------------------------------------------------------------


def test_a_technical_head_creates_a_calendar(client):
    login(client, Role.TECH_HEAD)
    response = client.post(
        reverse("sla:calendar_add"),
        {
            "code": "lab",
            "name": "实验室",
            "mode": "business_hours",
            "morning_start": "09:00",
            "morning_end": "12:00",
            "afternoon_start": "13:00",
            "afternoon_end": "17:00",
        },
    )
    calendar = BusinessCalendar.objects.get(code="lab")
    assert response.status_code == 302
    assert response["Location"] == calendar.get_absolute_url()
    assert calendar.hours_display == "09:00–12:00, 13:00–17:00"


def test_hours_that_make_no_sense_are_refused_on_the_field(client):
    login(client, Role.ADMIN)
    response = client.post(
        reverse("sla:calendar_add"),
        {"code": "lab", "name": "实验室", "mode": "business_hours", "morning_start": "12:00", "morning_end": "09:00"},
    )
    assert response.status_code == 200
    assert "A period must end after it starts." in text(response)
    assert not BusinessCalendar.objects.filter(code="lab").exists()


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.CLERK, Role.SALES])
def test_staff_read_the_calendars_without_edit_buttons(client, role, office):
    login(client, role)
    listing = text(client.get(reverse("sla:calendar_list")))
    assert "24x7" in listing and "office" in listing
    assert reverse("sla:calendar_add") not in listing
    detail = client.get(office.get_absolute_url())
    assert detail.status_code == 200
    assert reverse("sla:calendar_edit", args=[office.pk]) not in text(detail)
    assert client.get(reverse("sla:override_list")).status_code == 200
    assert client.get(reverse("sla:override_add")).status_code == 403


def test_a_dealer_may_not_see_the_calendar(client, office):
    login(client, Role.DEALER)
    assert client.get(reverse("sla:calendar_list")).status_code == 403
    assert client.get(office.get_absolute_url()).status_code == 403


def test_an_engineer_may_not_add_an_override(client):
    login(client, Role.ENGINEER)
    response = client.post(reverse("sla:override_add"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 403
    assert not DayOverride.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("sla:calendar_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- the calendar page -----------------------------------------------------------------------


def test_the_calendar_page_marks_holidays_make_up_days_and_weekends_with_their_source(client, office):
    login(client, Role.ENGINEER)
    DayOverrideFactory(calendar=office, date=dt.date(2026, 10, 9), kind=DayKind.HOLIDAY, name="公司活动")
    page = text(client.get(office.get_absolute_url(), {"from": "2026-09-15"}))
    assert "08:30–12:00, 13:30–17:30" in page
    assert cell(page, "2026-09-19") == "weekend package"
    assert cell(page, "2026-09-20") == "makeup package"
    assert cell(page, "2026-10-01") == "holiday package"
    assert cell(page, "2026-10-08") == "workday package"
    assert cell(page, "2026-10-09") == "holiday override"
    assert cell(page, "2026-10-10") == "makeup package"
    assert "公司活动" in page
    # 60 days from 15 Sep: 13 Nov is shown, 14 Nov is not.
    assert 'data-date="2026-11-13"' in page
    assert 'data-date="2026-11-14"' not in page


def test_a_year_the_package_does_not_know_shows_the_weekday_rule_and_entered_days(client, office):
    login(client, Role.ENGINEER)
    DayOverrideFactory(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    page = text(client.get(office.get_absolute_url(), {"from": "2026-12-20"}))
    assert cell(page, "2026-12-31") == "workday package"
    assert cell(page, "2027-01-01") == "holiday override"
    assert cell(page, "2027-01-02") == "weekend weekday"
    assert cell(page, "2027-01-04") == "workday weekday"


def test_the_calendar_page_costs_the_same_queries_however_many_overrides(client, office, django_assert_max_num_queries):
    login(client, Role.ENGINEER)
    url = office.get_absolute_url() + "?from=2026-12-01"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for day in range(1, 28):
        DayOverrideFactory(date=dt.date(2027, 1, day), kind=DayKind.HOLIDAY, name=f"假{day}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_deadline_calculator_shows_the_deadline(client, office):
    login(client, Role.TECH_HEAD)
    page = text(client.get(office.get_absolute_url(), {"start": "2026-09-30T16:00", "hours": "4"}))
    assert 'class="deadline">2026-10-08 11:00' in page
    page = text(client.get(office.get_absolute_url(), {"start": "2026-10-09T17:00", "hours": "2"}))
    assert 'class="deadline">2026-10-10 10:00' in page


def test_the_deadline_calculator_on_a_24x7_calendar(client):
    login(client, Role.CLERK)
    hotline = BusinessCalendar.objects.get(code="24x7")
    page = text(client.get(hotline.get_absolute_url(), {"start": "2026-09-30T16:00", "hours": "48"}))
    assert 'class="deadline">2026-10-02 16:00' in page


def test_the_deadline_calculator_explains_bad_input(client, office):
    login(client, Role.TECH_HEAD)
    page = text(client.get(office.get_absolute_url(), {"start": "next week", "hours": "-1"}))
    assert "Enter a valid date/time." in page
    assert "Ensure this value is greater than or equal to 0.01." in page
    assert 'class="deadline"' not in page


# --- editing calendars -----------------------------------------------------------------------


def test_making_a_calendar_the_default_moves_the_flag(client, office):
    login(client, Role.ADMIN)
    calendar = BusinessCalendarFactory()
    response = client.post(
        reverse("sla:calendar_edit", args=[calendar.pk]),
        {
            "code": calendar.code,
            "name": calendar.name,
            "mode": "business_hours",
            "morning_start": "08:30",
            "morning_end": "12:00",
            "afternoon_start": "13:30",
            "afternoon_end": "17:30",
            "is_default": "on",
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    assert list(BusinessCalendar.objects.filter(is_default=True)) == [calendar]


def test_deactivating_the_default_calendar_is_refused_with_a_message(client, office):
    login(client, Role.ADMIN)
    response = client.post(
        reverse("sla:calendar_deactivate", args=[office.pk]), {"reason": "不用", "expected_version": 1}, follow=True
    )
    assert "The default calendar cannot be deactivated" in text(response)
    office.refresh_from_db()
    assert office.is_active


# --- overrides -------------------------------------------------------------------------------


def test_override_this_day_from_the_calendar_page_starts_with_date_and_calendar(client, office):
    login(client, Role.TECH_HEAD)
    page = text(client.get(office.get_absolute_url(), {"from": "2027-01-01"}))
    add_url = reverse("sla:override_add") + f"?date=2027-01-01&amp;calendar={office.pk}"
    assert add_url in page
    form = text(client.get(reverse("sla:override_add"), {"date": "2027-01-01", "calendar": office.pk}))
    assert 'value="2027-01-01"' in form
    assert f'<option value="{office.pk}" selected>' in form


def test_a_technical_head_enters_a_2027_holiday_for_every_calendar(client):
    login(client, Role.TECH_HEAD)
    response = client.post(reverse("sla:override_add"), {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    override = DayOverride.objects.get()
    assert response.status_code == 302
    assert response["Location"] == override.get_absolute_url()
    assert override.calendar is None
    detail = text(client.get(override.get_absolute_url()))
    assert "every calendar" in detail
    # What the day would be without the entry: 2027 is not in the package, so the weekday rule.
    assert "Monday–Friday rule" in detail


def test_a_duplicate_override_is_refused_and_keeps_what_was_typed(client):
    login(client, Role.TECH_HEAD)
    DayOverrideFactory(date=dt.date(2027, 1, 1))
    response = client.post(reverse("sla:override_add"), {"date": "2027-01-01", "kind": "workday", "name": "重复的"})
    assert response.status_code == 200
    assert "This date already has an active entry for this calendar." in text(response)
    assert 'value="重复的"' in text(response)
    assert DayOverride.objects.count() == 1


def test_an_override_correcting_the_package_says_what_the_package_says(client, office):
    login(client, Role.TECH_HEAD)
    override = DayOverrideFactory(calendar=office, date=dt.date(2026, 10, 10), kind=DayKind.HOLIDAY, name="不调休")
    detail = text(client.get(override.get_absolute_url()))
    assert "make-up working day (National Day)" in detail
    assert "official schedule" in detail


def test_deactivating_an_override_needs_a_reason(client):
    login(client, Role.ADMIN)
    override = DayOverrideFactory()
    url = reverse("sla:override_deactivate", args=[override.pk])
    client.post(url, {"reason": "", "expected_version": 1})
    override.refresh_from_db()
    assert override.is_active
    client.post(url, {"reason": "录错", "expected_version": 1})
    override.refresh_from_db()
    assert not override.is_active
    client.post(reverse("sla:override_reactivate", args=[override.pk]), {"reason": "恢复", "expected_version": 2})
    override.refresh_from_db()
    assert override.is_active


def _listed(client, **params) -> set[str]:
    page = text(client.get(reverse("sla:override_list"), params))
    return set(re.findall(r"<td[^>]*>\s*<a [^>]*>(\d{4}-\d\d-\d\d)</a>", page))


def test_the_override_list_filters_by_year_calendar_and_kind(client, office):
    login(client, Role.CLERK)
    DayOverrideFactory(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY)
    DayOverrideFactory(date=dt.date(2027, 2, 6), kind=DayKind.WORKDAY, name="调休上班")
    DayOverrideFactory(calendar=office, date=dt.date(2026, 12, 31), kind=DayKind.HOLIDAY, name="年会")
    assert _listed(client) == {"2027-01-01", "2027-02-06", "2026-12-31"}
    assert _listed(client, year=2027) == {"2027-01-01", "2027-02-06"}
    assert _listed(client, calendar=office.pk) == {"2026-12-31"}
    assert _listed(client, calendar="null") == {"2027-01-01", "2027-02-06"}
    assert _listed(client, kind="workday") == {"2027-02-06"}
    assert _listed(client, q="年会") == {"2026-12-31"}
    assert _listed(client, q="2027-02-06") == {"2027-02-06"}


@pytest.mark.parametrize("url_name", ["sla:override_list", "sla:calendar_list"])
def test_the_list_pages_need_no_more_queries_for_more_rows(client, office, url_name, django_assert_max_num_queries):
    login(client, Role.CLERK)
    DayOverrideFactory(calendar=office, date=dt.date(2027, 1, 1))
    BusinessCalendarFactory()
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url_name)).status_code == 200
    for day in range(2, 22):
        DayOverrideFactory(calendar=BusinessCalendarFactory(), date=dt.date(2027, 1, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/calendars/{pk}/?from=2027-02-30",
        "/calendars/{pk}/?from=9999-12-31",
        "/calendars/{pk}/?from=0001-01-01",
        "/calendar-days/add/?date=2027-02-30",
        "/calendar-days/?q=2027-02-30",
        "/calendar-days/?year=10000",
        "/calendar-days/?year=-1",
    ],
)
def test_hostile_dates_in_the_query_string_never_cause_a_500(client, db, url):
    from apps.accounts.choices import Role
    from apps.accounts.tests.factories import UserFactory
    from apps.sla.models import BusinessCalendar

    client.force_login(UserFactory(role=Role.TECH_HEAD))
    office = BusinessCalendar.objects.get(code="office")
    assert client.get(url.format(pk=office.pk)).status_code in (200, 400)


def test_a_deadline_far_beyond_any_real_clock_is_a_400(api_client, db):
    from apps.accounts.choices import Role
    from apps.accounts.tests.factories import UserFactory
    from apps.sla.models import BusinessCalendar

    api_client.force_authenticate(UserFactory(role=Role.TECH_HEAD))
    office = BusinessCalendar.objects.get(code="office")
    response = api_client.get(f"/api/v1/calendars/{office.pk}/deadline/", {"start": "9999-12-31T23:00", "hours": "100"})
    assert response.status_code == 400
