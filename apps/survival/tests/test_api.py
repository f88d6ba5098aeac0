"""/api/v1/new-projects/ and /api/v1/survival-rates/: the same rules as the pages — scope (404),
roles (403), field messages (400), stale versions (409)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.survival.models import NewProject
from apps.survival.tests._helpers import local, project, record, survival_world  # noqa: F401
from apps.workorders.tests._world import messages_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/new-projects/"
RATES = "/api/v1/survival-rates/"


@pytest.fixture
def projects(world):
    guangzhou = project(world, name="胱抑素C", started_on=dt.date(2026, 1, 31), at=local(2026, 4, 1))
    changsha = project(
        world,
        name="同型半胱氨酸",
        customer=world.changsha,
        engineer=world.other_engineer,
        started_on=dt.date(2026, 2, 1),
        at=local(2026, 4, 1),
    )
    return guangzhou, changsha


def test_an_engineer_lists_his_regions_projects_with_their_next_check(api_client, world, projects):
    api_client.force_authenticate(world.engineer)
    page = api_client.get(URL).json()
    assert [row["name"] for row in page["results"]] == ["胱抑素C"]
    row = page["results"][0]
    assert row["state"] == "tracking" and row["next_due_on"] <= "2026-04-30" and row["latest_in_use"] is None
    assert row["ends_on"] == "2026-04-30" and row["engineer"] == world.engineer.pk


def test_a_project_outside_the_scope_is_404(api_client, world, projects):
    _guangzhou, changsha = projects
    api_client.force_authenticate(world.engineer)
    assert api_client.get(f"{URL}{changsha.pk}/").status_code == 404
    assert api_client.post(f"{URL}{changsha.pk}/checks/", {"month": 1}, format="json").status_code == 404


def test_the_detail_lists_the_three_monthly_checks(api_client, world, projects):
    guangzhou, _changsha = projects
    api_client.force_authenticate(world.tech_head)
    body = api_client.get(f"{URL}{guangzhou.pk}/").json()
    assert [(c["month"], c["due_on"], c["recorded"]) for c in body["checks"]] == [
        (1, "2026-02-28", False),
        (2, "2026-03-31", False),
        (3, "2026-04-30", False),
    ]


def test_a_check_not_in_use_needs_the_reason_and_then_informs_sales(api_client, world, projects):
    guangzhou, _changsha = projects
    api_client.force_authenticate(world.engineer)
    url = f"{URL}{guangzhou.pk}/checks/"
    refused = api_client.post(url, {"month": 1, "method": "phone", "in_use": False}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    done = api_client.post(
        url,
        {"month": 1, "method": "phone", "in_use": False, "reason": "检验科未开单", "reason_kind": "demand"},
        format="json",
    )
    assert done.status_code == 200
    month1 = done.json()["checks"][0]
    assert month1["recorded"] and month1["in_use"] is False and month1["reason_kind"] == "demand"
    assert len(messages_for(world.sales)) == 1


def test_recording_a_month_twice_needs_its_version(api_client, world, projects):
    guangzhou, _changsha = projects
    api_client.force_authenticate(world.engineer)
    url = f"{URL}{guangzhou.pk}/checks/"
    body = {"month": 1, "method": "phone", "in_use": True, "usage": 90}
    first = api_client.post(url, body, format="json").json()["checks"][0]
    assert api_client.post(url, body, format="json").status_code == 409
    assert api_client.post(url, {**body, "version": first["version"] + 5}, format="json").status_code == 409
    corrected = api_client.post(url, {**body, "usage": 120, "version": first["version"]}, format="json")
    assert corrected.status_code == 200 and corrected.json()["checks"][0]["usage"] == 120


def test_sales_may_read_but_not_record(api_client, world, projects):
    guangzhou, _changsha = projects
    api_client.force_authenticate(world.sales)
    assert api_client.get(f"{URL}{guangzhou.pk}/").status_code == 200
    response = api_client.post(
        f"{URL}{guangzhou.pk}/checks/", {"month": 1, "method": "phone", "in_use": True}, format="json"
    )
    assert response.status_code == 403


def test_staff_enter_a_project_and_correct_it_with_the_version(api_client, world):
    api_client.force_authenticate(world.sales)
    data = {"customer": world.customer.pk, "name": "HbA1c", "started_on": "2026-01-06"}
    # A customer without a responsible engineer: sales must name the engineer.
    assert "engineer" in api_client.post(URL, data, format="json").json()
    world.customer.responsible_engineer = world.engineer
    world.customer.save()
    created = api_client.post(URL, data, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["sales"] == world.sales.pk and body["engineer"] == world.engineer.pk
    assert len(body["checks"]) == 3
    stale = api_client.patch(f"{URL}{body['id']}/", {"name": "糖化血红蛋白", "version": 99}, format="json")
    assert stale.status_code == 409
    fixed = api_client.patch(f"{URL}{body['id']}/", {"name": "糖化血红蛋白", "version": body["version"]}, format="json")
    assert fixed.status_code == 200 and fixed.json()["name"] == "糖化血红蛋白"


def test_a_customer_outside_the_scope_cannot_be_tracked(api_client, world):
    world.customer.responsible_engineer = world.engineer
    world.customer.save()
    api_client.force_authenticate(world.engineer)
    response = api_client.post(
        URL, {"customer": world.changsha.pk, "name": "HbA1c", "started_on": "2026-01-06"}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not NewProject.objects.exists()


def test_projects_cannot_be_deleted_or_entered_by_the_hotline(api_client, world, projects):
    guangzhou, _changsha = projects
    api_client.force_authenticate(world.admin)
    assert api_client.delete(f"{URL}{guangzhou.pk}/").status_code == 405
    api_client.force_authenticate(world.clerk)
    assert api_client.get(URL).status_code == 403


def test_stopping_needs_the_reason_and_the_version(api_client, world, projects):
    guangzhou, _changsha = projects
    api_client.force_authenticate(world.engineer)
    url = f"{URL}{guangzhou.pk}/stop/"
    assert api_client.post(url, {"reason": "医院取消"}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "医院取消", "version": guangzhou.version}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "stopped"
    assert (
        api_client.post(url, {"reason": "again", "version": response.json()["version"]}, format="json").status_code
        == 409
    )


def test_the_timeline_and_history_of_a_project(api_client, world, projects):
    guangzhou, _changsha = projects
    record(world, guangzhou, 1, at=local(2026, 4, 1))
    api_client.force_authenticate(world.tech_head)
    kinds = [e["kind"] for e in api_client.get(f"{URL}{guangzhou.pk}/timeline/").json()]
    assert kinds == ["created", "check_recorded"]
    assert api_client.get(f"{URL}{guangzhou.pk}/history/").status_code == 200


def test_the_survival_rates_of_a_month_per_region_and_engineer(api_client, world, projects):
    guangzhou, changsha = projects
    record(world, guangzhou, 2, in_use=True, at=local(2026, 4, 1))
    record(world, changsha, 1, in_use=False, reason="价格问题", actor=world.other_engineer, at=local(2026, 4, 1))
    api_client.force_authenticate(world.marketing_head)
    body = api_client.get(RATES, {"month": "2026-03"}).json()
    assert body["month"] == "2026-03"
    assert body["overall"]["tracked"] == 2 and body["overall"]["in_use"] == 1 and body["overall"]["rate"] == 0.5
    assert {(r["id"], r["rate"]) for r in body["regions"]} == {(world.city.pk, 1.0), (world.other_city.pk, 0.0)}
    assert {(r["id"], r["in_use"]) for r in body["engineers"]} == {(world.engineer.pk, 1), (world.other_engineer.pk, 0)}
    assert [(x["name"], x["reason"]) for x in body["not_in_use"]] == [("同型半胱氨酸", "价格问题")]
    assert len(body["trend"]) == 12 and body["trend"][-1]["label"] == "2026-03"
    only_engineer = api_client.get(RATES, {"month": "2026-03", "engineer": world.engineer.pk}).json()
    assert only_engineer["overall"]["tracked"] == 1


def test_the_rates_refuse_a_malformed_month(api_client, world):
    api_client.force_authenticate(world.tech_head)
    assert api_client.get(RATES, {"month": "2026-3x"}).status_code == 400
    assert api_client.get(RATES, {"start_month": "March"}).status_code == 400


def test_the_list_makes_the_same_number_of_queries_however_many_projects(
    api_client, world, projects, django_assert_max_num_queries
):
    api_client.force_authenticate(world.customer_manager)
    api_client.get(URL)
    with CaptureQueriesContext(connection) as few:
        api_client.get(URL)
    for n in range(6):
        p = project(world, name=f"项目{n}", started_on=dt.date(2026, 2, 1 + n), at=local(2026, 4, 1))
        record(world, p, 1, at=local(2026, 4, 1))
    with django_assert_max_num_queries(len(few)):
        assert api_client.get(URL).status_code == 200


def test_the_schema_is_valid_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/new-projects/{id}/checks/:" in text and "/api/v1/survival-rates/:" in text


@pytest.mark.parametrize("role", ["clerk", "dealer", "finance", "commerce", "logistics", "quality"])
def test_roles_outside_the_survival_work_cannot_read_it(api_client, world, projects, role):
    api_client.force_authenticate(world.users[role])
    assert api_client.get(URL).status_code == 403
    assert api_client.get(RATES).status_code == 403


@pytest.mark.parametrize("role", ["tech_head", "supervisor", "marketing_head", "general_manager", "admin"])
def test_heads_and_the_marketing_centre_read_every_project(api_client, world, projects, role):
    api_client.force_authenticate(world.users[role])
    assert api_client.get(URL).json()["count"] == 2
