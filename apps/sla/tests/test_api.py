import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.sla.choices import DayKind
from apps.sla.models import BusinessCalendar, DayOverride
from apps.sla.tests.factories import BusinessCalendarFactory, DayOverrideFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech_head(api_client):
    user = UserFactory(role=Role.TECH_HEAD)
    api_client.force_authenticate(user)
    return user


@pytest.fixture
def office():
    return BusinessCalendar.objects.get(code="office")


def deadline_url(calendar) -> str:
    return f"/api/v1/calendars/{calendar.pk}/deadline/"


# --- who may do what -------------------------------------------------------------------------


def test_a_technical_head_enters_a_2027_holiday(api_client, tech_head):
    response = api_client.post(
        "/api/v1/calendar-days/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["calendar"] is None and body["calendar_code"] is None and body["version"] == 1
    assert DayOverride.objects.get().history.get().history_user == tech_head


def test_an_engineer_reads_the_calendars_but_may_not_change_them(api_client, office):
    api_client.force_authenticate(UserFactory(role=Role.ENGINEER))
    assert api_client.get("/api/v1/calendars/").status_code == 200
    assert api_client.get(deadline_url(office), {"start": "2026-09-30T16:00", "hours": 4}).status_code == 200
    response = api_client.post(
        "/api/v1/calendar-days/", {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}, format="json"
    )
    assert response.status_code == 403
    response = api_client.patch(f"/api/v1/calendars/{office.pk}/", {"name": "x", "version": 1}, format="json")
    assert response.status_code == 403


def test_a_dealer_may_not_read_the_calendars(api_client, office):
    api_client.force_authenticate(UserFactory(role=Role.DEALER))
    assert api_client.get("/api/v1/calendars/").status_code == 403
    assert api_client.get(deadline_url(office), {"start": "2026-09-30T16:00", "hours": 4}).status_code == 403


def test_nobody_anonymous_reads_the_calendars(api_client):
    assert api_client.get("/api/v1/calendar-days/").status_code in (401, 403)


# --- the deadline action ---------------------------------------------------------------------


def test_the_deadline_of_a_report_on_the_wednesday_before_national_day(api_client, tech_head, office):
    response = api_client.get(deadline_url(office), {"start": "2026-09-30T16:00", "hours": "4"})
    assert response.status_code == 200
    assert response.json() == {
        "calendar": "office",
        "start": "2026-09-30T16:00:00+08:00",
        "hours": "4.00",
        # Wed 16:00–17:30 = 1.5 h; 1–7 Oct off; Thu 8 Oct 08:30 + 2.5 h.
        "clock_starts": "2026-09-30T16:00:00+08:00",
        "deadline": "2026-10-08T11:00:00+08:00",
    }


def test_a_start_in_utc_and_outside_hours_starts_the_clock_at_the_next_period(api_client, tech_head, office):
    # 2026-10-09 09:30 UTC = Fri 17:30 in Shanghai, the end of the day: the clock starts on the
    # make-up Saturday 10 Oct at 08:30.
    response = api_client.get(deadline_url(office), {"start": "2026-10-09T09:30:00Z", "hours": "2"})
    assert response.status_code == 200
    assert response.json()["clock_starts"] == "2026-10-10T08:30:00+08:00"
    assert response.json()["deadline"] == "2026-10-10T10:30:00+08:00"


def test_a_24x7_deadline_is_plain_arithmetic(api_client, tech_head):
    hotline = BusinessCalendar.objects.get(code="24x7")
    response = api_client.get(deadline_url(hotline), {"start": "2026-09-30T16:00", "hours": "48"})
    assert response.json()["deadline"] == "2026-10-02T16:00:00+08:00"


def test_a_2027_deadline_does_not_crash_and_respects_an_entered_holiday(api_client, tech_head, office):
    # Fri 5 Feb 2027 17:00 + 1 h: Mon 8 Feb 09:00 — until the Spring Festival week is entered.
    params = {"start": "2027-02-05T17:00", "hours": "1"}
    assert api_client.get(deadline_url(office), params).json()["deadline"] == "2027-02-08T09:00:00+08:00"
    for day in range(8, 13):
        DayOverrideFactory(date=dt.date(2027, 2, day), kind=DayKind.HOLIDAY, name="春节")
    assert api_client.get(deadline_url(office), params).json()["deadline"] == "2027-02-15T09:00:00+08:00"


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"hours": "4"}, {"start": ["This field is required."]}),
        ({"start": "tomorrow", "hours": "4"}, {"start"}),
        ({"start": "2026-09-30T16:00"}, {"hours": ["This field is required."]}),
        (
            {"start": "2026-09-30T16:00", "hours": "0"},
            {"hours": ["Ensure this value is greater than or equal to 0.01."]},
        ),
        ({"start": "2026-09-30T16:00", "hours": "lots"}, {"hours": ["A valid number is required."]}),
    ],
)
def test_bad_deadline_input_is_a_400_naming_the_field(api_client, tech_head, office, params, errors):
    response = api_client.get(deadline_url(office), params)
    assert response.status_code == 400
    if isinstance(errors, dict):
        assert response.json() == errors
    else:
        assert set(response.json()) == errors


def test_a_calendar_without_working_time_for_years_is_a_400_with_the_reason(api_client, tech_head):
    calendar = BusinessCalendarFactory(code="closed")
    first = dt.date(2026, 9, 30)
    DayOverride.objects.bulk_create(
        DayOverride(calendar=calendar, date=first + dt.timedelta(days=i), kind=DayKind.HOLIDAY, name="停业")
        for i in range(3 * 366 + 2)
    )
    response = api_client.get(deadline_url(calendar), {"start": "2026-09-30T00:00", "hours": "1"})
    assert response.status_code == 400
    assert "Calendar closed has no working time left within 3 years" in response.json()["non_field_errors"][0]


def test_the_deadline_of_an_unknown_calendar_is_a_404(api_client, tech_head):
    response = api_client.get("/api/v1/calendars/999999/deadline/", {"start": "2026-09-30T16:00", "hours": 1})
    assert response.status_code == 404


# --- calendars and overrides -----------------------------------------------------------------


def test_making_a_calendar_the_default_moves_the_flag(api_client, tech_head, office):
    calendar = BusinessCalendarFactory()
    response = api_client.patch(f"/api/v1/calendars/{calendar.pk}/", {"is_default": True, "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    office.refresh_from_db()
    assert not office.is_default and office.version == 2


def test_unsetting_the_default_is_a_400_on_the_field(api_client, tech_head, office):
    response = api_client.patch(f"/api/v1/calendars/{office.pk}/", {"is_default": False, "version": 1}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "is_default": ["There must always be a default calendar: make another one the default instead."]
    }


def test_deactivating_the_default_calendar_is_a_400(api_client, tech_head, office):
    response = api_client.post(f"/api/v1/calendars/{office.pk}/deactivate/", {"reason": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The default calendar cannot be deactivated; make another calendar the default first."]
    }


def test_a_stale_version_is_a_409_and_a_missing_one_a_400(api_client, tech_head):
    override = DayOverrideFactory()
    DayOverride.objects.filter(pk=override.pk).update(version=2)
    url = f"/api/v1/calendar-days/{override.pk}/"
    assert api_client.patch(url, {"name": "新", "version": 1}, format="json").status_code == 409
    response = api_client.patch(url, {"name": "新"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_a_duplicate_date_is_a_400_on_the_date(api_client, tech_head, office):
    DayOverrideFactory(calendar=office, date=dt.date(2027, 1, 1))
    response = api_client.post(
        "/api/v1/calendar-days/",
        {"calendar": office.pk, "date": "2027-01-01", "kind": "workday", "name": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"date": ["This date already has an active entry for this calendar."]}


def test_bad_business_hours_are_a_400_on_the_field(api_client, tech_head):
    response = api_client.post(
        "/api/v1/calendars/",
        {"code": "bad", "name": "错", "mode": "business_hours", "morning_start": "12:00", "morning_end": "08:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"morning_end": ["A period must end after it starts."]}


def test_the_override_list_filters_by_year_and_calendar(api_client, tech_head, office):
    DayOverrideFactory(date=dt.date(2027, 1, 1))
    DayOverrideFactory(calendar=office, date=dt.date(2026, 12, 31), name="年会")

    def dates(**params):
        return {row["date"] for row in api_client.get("/api/v1/calendar-days/", params).json()["results"]}

    assert dates() == {"2027-01-01", "2026-12-31"}
    assert dates(year=2027) == {"2027-01-01"}
    assert dates(calendar="null") == {"2027-01-01"}
    assert dates(calendar=office.pk) == {"2026-12-31"}


@pytest.mark.parametrize("url", ["/api/v1/calendar-days/", "/api/v1/calendars/"])
def test_the_lists_need_no_more_queries_for_more_rows(api_client, tech_head, url, django_assert_max_num_queries):
    DayOverrideFactory(calendar=BusinessCalendarFactory(), date=dt.date(2027, 1, 1))
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(url).status_code == 200
    for day in range(2, 22):
        DayOverrideFactory(calendar=BusinessCalendarFactory(), date=dt.date(2027, 1, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get(url).status_code == 200
