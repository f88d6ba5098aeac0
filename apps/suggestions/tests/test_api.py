"""/api/v1/suggestions/: the same rules as the pages — scope (404), roles (403), field messages
(400), stale versions and wrong statuses (409)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.suggestions.choices import Status
from apps.suggestions.tests._helpers import MONDAY, collect, messages_for, suggestions_world, walk  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/suggestions/"


@pytest.fixture(autouse=True)
def _quick_letter(monkeypatch):
    monkeypatch.setattr("apps.suggestions.documents.letter_pdf", lambda suggestion: b"%PDF-1.7 test letter")


def test_a_sales_person_passes_on_his_customers_suggestion(api_client, world):
    api_client.force_authenticate(world.sales)
    response = api_client.post(
        URL,
        {
            "source": "customer",
            "category": "service",
            "customer": world.customer.pk,
            "submitter_name": "李主任",
            "title": "工程师回访前先短信预约",
            "content": "希望回访电话前先发短信约时间。",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "collected" and body["number"].startswith("SG")
    assert body["sales"] == world.sales.pk and body["version"] == 1
    assert messages_for(world.tech_head, contains=body["number"])
    assert messages_for(world.sales) == []  # he made the entry himself


def test_a_bad_body_names_the_fields(api_client, world):
    api_client.force_authenticate(world.clerk)
    response = api_client.post(URL, {"source": "customer", "category": "nope", "title": ""}, format="json")
    assert response.status_code == 400
    assert {"category", "title", "content"} <= set(response.json())
    response = api_client.post(
        URL, {"source": "customer", "category": "other", "title": "t", "content": "c"}, format="json"
    )
    assert response.status_code == 400 and "customer" in response.json()


def test_the_moves_one_post_each_with_the_version(api_client, world):
    suggestion = collect(world)
    api_client.force_authenticate(world.tech_head)
    body = api_client.post(
        f"{URL}{suggestion.pk}/discuss/",
        {"departments": ["production", "leadership"], "record": "总经理同意试点", "version": 1},
        format="json",
    ).json()
    assert body["status"] == "discussion" and body["departments"] == ["production", "leadership"]
    body = api_client.post(
        f"{URL}{suggestion.pk}/decide/",
        {"decision": "partly", "text": "华南区先行", "version": body["version"]},
        format="json",
    ).json()
    assert body["status"] == "decided" and body["decision_label"] == "Partly accepted"
    response = api_client.post(
        f"{URL}{suggestion.pk}/answer/", {"method": "email", "version": body["version"]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "answered" and body["has_letter"] and body["letter_number"].startswith("TL")
    letter = api_client.get(f"{URL}{suggestion.pk}/letter/")
    assert letter.status_code == 200 and b"".join(letter.streaming_content) == b"%PDF-1.7 test letter"
    timeline = api_client.get(f"{URL}{suggestion.pk}/timeline/").json()
    assert [e["to_status"] for e in timeline] == ["collected", "discussion", "decided", "answered"]


def test_a_move_needs_the_version_and_a_stale_one_is_409(api_client, world):
    suggestion = collect(world)
    api_client.force_authenticate(world.tech_head)
    response = api_client.post(f"{URL}{suggestion.pk}/withdraw/", {"reason": "重复"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    response = api_client.post(f"{URL}{suggestion.pk}/withdraw/", {"reason": "重复", "version": 7}, format="json")
    assert response.status_code == 409


def test_a_move_the_status_does_not_allow_is_409_and_a_role_that_may_not_403(api_client, world):
    suggestion = collect(world)
    api_client.force_authenticate(world.tech_head)
    response = api_client.post(f"{URL}{suggestion.pk}/answer/", {"method": "post", "version": 1}, format="json")
    assert response.status_code == 409
    assert "Not possible while the suggestion is" in response.json()["detail"]
    api_client.force_authenticate(world.quality)
    response = api_client.post(
        f"{URL}{suggestion.pk}/decide/", {"decision": "accepted", "text": "x", "version": 1}, format="json"
    )
    assert response.status_code == 403
    api_client.force_authenticate(world.dealer)
    assert api_client.get(URL).status_code == 403


def test_a_suggestion_outside_the_scope_is_404(api_client, world):
    suggestion = collect(world, customer=world.changsha, actor=world.tech_head)
    api_client.force_authenticate(world.sales)
    assert api_client.get(f"{URL}{suggestion.pk}/").status_code == 404
    assert api_client.get(f"{URL}{suggestion.pk}/letter/").status_code == 404
    api_client.force_authenticate(world.other_sales)
    assert api_client.get(f"{URL}{suggestion.pk}/").status_code == 200


def test_the_contact_is_masked_for_roles_without_personal_data(api_client, world):
    suggestion = collect(world)
    api_client.force_authenticate(world.marketing_head)
    assert api_client.get(f"{URL}{suggestion.pk}/").json()["submitter_contact"] == "138****0000"
    api_client.force_authenticate(world.clerk)
    assert api_client.get(f"{URL}{suggestion.pk}/").json()["submitter_contact"] == "13800000000"


def test_the_list_filters_by_status(api_client, world):
    first = collect(world)
    walk(world, collect(world, title="第二条"), Status.DECIDED)
    api_client.force_authenticate(world.tech_head)
    rows = api_client.get(URL, {"status": "collected"}).json()["results"]
    assert [row["id"] for row in rows] == [first.pk]


def test_the_list_makes_the_same_number_of_queries_however_many_rows(api_client, world, django_assert_max_num_queries):
    collect(world)
    api_client.force_authenticate(world.sales)
    api_client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        api_client.get(URL)
    for n in range(6):
        s = collect(world, title=f"建议{n}", at=MONDAY + dt.timedelta(hours=n))
        if n % 2:
            walk(world, s, Status.ANSWERED)
    with django_assert_max_num_queries(len(queries)):
        assert len(api_client.get(URL).json()["results"]) == 7
