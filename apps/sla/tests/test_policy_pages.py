"""The time limits' pages and API (SPEC §3): every internal role reads them, the technical head
and the admin tune and switch them off, nobody adds one by hand."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.complaints import policies as complaint_policies
from apps.core.navigation import menu_for
from apps.sla import policies
from apps.sla.models import SlaPolicy
from apps.sla.tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db


def login(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def on_site():
    return SlaPolicy.objects.get(code=policies.REPAIR_ON_SITE)


def form_data(policy, **changes):
    data = {
        "name": policy.name,
        "description": policy.description,
        "duration": "48 h",
        "calendar": policy.calendar_id or "",
        "warn_before": "6 h",
        "escalate_role": policy.escalate_role,
        "expected_version": policy.version,
    }
    data.update(changes)
    return data


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.CLERK, Role.SALES, Role.SUPERVISOR])
def test_staff_read_the_time_limits_without_edit_buttons(client, role, on_site):
    login(client, role)
    listing = text(client.get(reverse("sla:policy_list")))
    assert "Repair: engineer on site" in listing and "48 h" in listing and "Urgent request: engineer answers" in listing
    detail = client.get(on_site.get_absolute_url())
    assert detail.status_code == 200
    assert "24x7" in text(detail) and "customer manager" in text(detail).lower()
    assert reverse("sla:policy_edit", args=[on_site.pk]) not in text(detail)
    assert client.get(reverse("sla:policy_edit", args=[on_site.pk])).status_code == 403


def test_a_dealer_may_not_see_the_time_limits(client, on_site):
    login(client, Role.DEALER)
    assert client.get(reverse("sla:policy_list")).status_code == 403
    assert client.get(on_site.get_absolute_url()).status_code == 403


def test_nobody_adds_a_time_limit_by_hand():
    with pytest.raises(NoReverseMatch):
        reverse("sla:policy_add")


def test_the_edit_form_shows_durations_as_people_write_them(client, on_site):
    login(client, Role.TECH_HEAD)
    page = text(client.get(reverse("sla:policy_edit", args=[on_site.pk])))
    assert 'value="48h"' in page and 'value="6h"' in page


@pytest.mark.parametrize("typed, expected", [("36 h", 36), ("36小时", 36), ("1 h 30 min", 1.5), ("2:15", 2.25)])
def test_a_technical_head_changes_a_time_limit_typed_in_hours_and_minutes(client, on_site, typed, expected):
    user = login(client, Role.TECH_HEAD)
    response = client.post(
        reverse("sla:policy_edit", args=[on_site.pk]), form_data(on_site, duration=typed, warn_before="30 min")
    )
    assert response.status_code == 302, text(response)
    on_site.refresh_from_db()
    assert on_site.duration == dt.timedelta(hours=expected)
    assert on_site.warn_before == dt.timedelta(minutes=30)
    assert on_site.version == 2 and on_site.history.latest().history_user == user


def test_a_duration_without_a_unit_is_refused_on_the_field(client, on_site):
    login(client, Role.TECH_HEAD)
    response = client.post(reverse("sla:policy_edit", args=[on_site.pk]), form_data(on_site, duration="48"))
    assert response.status_code == 200
    assert "Write a duration with its unit, e.g. 10 min, 4 h or 1 h 30 min." in text(response)
    on_site.refresh_from_db()
    assert on_site.version == 1


def test_a_warning_no_earlier_than_the_limit_itself_is_refused(client, on_site):
    login(client, Role.TECH_HEAD)
    response = client.post(
        reverse("sla:policy_edit", args=[on_site.pk]), form_data(on_site, duration="4 h", warn_before="4 h")
    )
    assert response.status_code == 200
    assert "Warn before the time limit runs out: give less than the time limit." in text(response)


def test_an_empty_warning_means_no_warning(client, on_site):
    login(client, Role.ADMIN)
    client.post(reverse("sla:policy_edit", args=[on_site.pk]), form_data(on_site, warn_before=""))
    on_site.refresh_from_db()
    assert on_site.warn_before == dt.timedelta(0)


def test_a_technical_head_switches_a_time_limit_off_with_a_reason(client, on_site):
    login(client, Role.TECH_HEAD)
    response = client.post(
        reverse("sla:policy_deactivate", args=[on_site.pk]), {"reason": "本地区不承诺48小时", "expected_version": 1}
    )
    assert response.status_code == 302
    on_site.refresh_from_db()
    assert not on_site.is_active


def test_the_list_page_needs_no_more_queries_for_more_rows(client, django_assert_max_num_queries):
    login(client, Role.TECH_HEAD)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("sla:policy_list")).status_code == 200
    for _i in range(15):
        SlaPolicyFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("sla:policy_list")).status_code == 200


def test_the_technical_head_finds_the_time_limits_next_to_the_calendar():
    keys = [item["key"] for item in menu_for(UserFactory(role=Role.TECH_HEAD))]
    assert keys.index("sla_policies") == keys.index("calendar") + 1
    assert "sla_policies" not in [item["key"] for item in menu_for(UserFactory(role=Role.DEALER))]


# --- API ---------------------------------------------------------------------------------------


def test_an_engineer_reads_the_time_limits_through_the_api(api_client, on_site):
    api_client.force_authenticate(UserFactory(role=Role.ENGINEER))
    response = api_client.get("/api/v1/sla-policies/", {"page_size": 50})
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    # The time limits seeded here, and the complaint reply clocks the complaints app adds.
    assert set(rows) == {seed.code for seed in policies.SEED_POLICIES} | set(complaint_policies.CLOCK_CODES)
    assert rows["repair_on_site"]["duration"] == "2 00:00:00"
    assert rows["repair_on_site"]["calendar_code"] == "24x7"
    assert rows["repair_handover"]["calendar_code"] is None
    assert rows["urgent_answer"]["label"] == "Urgent request: engineer answers"
    response = api_client.patch(
        f"/api/v1/sla-policies/{on_site.pk}/", {"duration": "1 12:00:00", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_a_technical_head_changes_a_time_limit_through_the_api_but_not_its_code(api_client, on_site):
    api_client.force_authenticate(UserFactory(role=Role.TECH_HEAD))
    response = api_client.patch(
        f"/api/v1/sla-policies/{on_site.pk}/",
        {"duration": "1 12:00:00", "code": "renamed", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["duration"] == "1 12:00:00" and response.json()["code"] == policies.REPAIR_ON_SITE
    stale = api_client.patch(
        f"/api/v1/sla-policies/{on_site.pk}/", {"duration": "10:00:00", "version": 1}, format="json"
    )
    assert stale.status_code == 409


def test_the_api_refuses_a_warning_longer_than_the_limit_on_the_field(api_client, on_site):
    api_client.force_authenticate(UserFactory(role=Role.ADMIN))
    response = api_client.patch(
        f"/api/v1/sla-policies/{on_site.pk}/", {"warn_before": "3 00:00:00", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "warn_before" in response.json()


@pytest.mark.parametrize("role, superuser", [(Role.TECH_HEAD, False), (Role.ADMIN, False), (Role.ADMIN, True)])
def test_nobody_creates_a_time_limit_through_the_api(api_client, role, superuser):
    api_client.force_authenticate(UserFactory(role=role, is_superuser=superuser))
    response = api_client.post(
        "/api/v1/sla-policies/",
        {"code": "x", "name": "x", "duration": "01:00:00", "escalate_role": "supervisor"},
        format="json",
    )
    assert response.status_code == 403
    assert not SlaPolicy.objects.filter(code="x").exists()


def test_a_dealer_may_not_read_the_time_limits_through_the_api(api_client):
    api_client.force_authenticate(UserFactory(role=Role.DEALER))
    assert api_client.get("/api/v1/sla-policies/").status_code == 403
