"""/api/v1/surveys/, /survey-cases/, /engineer-ratings/, /engineer-quality/: the same rules as the
pages — scoped, 400 with field messages, 409 on a stale version or a refused move, 403 when not
the caller's to do."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.surveys import selectors
from apps.surveys.choices import CaseState, Item, SurveyState
from apps.surveys.models import EngineerRating, SurveyCase
from apps.surveys.tests._helpers import answer, completed_job, survey_for
from apps.workorders.tests._world import MONDAY, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def answers_body(default=5, **scores):
    rows = []
    for item in Item.values:
        value = scores.get(item, default)
        if value == "na":
            rows.append({"item": item, "score": None, "not_applicable": True})
        else:
            rows.append({"item": item, "score": value})
    return rows


def test_the_clerk_records_a_phone_survey_through_the_api(api_client, world):
    survey = survey_for(world, completed_job(world))
    api_client.force_authenticate(world.clerk)
    url = f"/api/v1/surveys/{survey.pk}/answer/"
    body = {
        "version": survey.version,
        "channel": "phone",
        "respondent_name": "张主任",
        "answers": answers_body(timely_invoice="na", timely_followup=2),
    }
    response = api_client.post(url, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == SurveyState.ANSWERED
    assert data["dissatisfied_count"] == 1
    assert [c["item"] for c in data["cases"]] == [Item.TIMELY_FOLLOWUP]
    assert api_client.post(url, body, format="json").status_code == 409


def test_bad_answers_are_a_400_naming_the_items(api_client, world):
    survey = survey_for(world, completed_job(world))
    api_client.force_authenticate(world.clerk)
    body = {"version": survey.version, "channel": "phone", "respondent_name": "张主任", "answers": answers_body()[:-1]}
    response = api_client.post(f"/api/v1/surveys/{survey.pk}/answer/", body, format="json")
    assert response.status_code == 400
    assert Item.OVERALL in response.json()
    body["answers"] = [{"item": "taste", "score": 5}]
    assert "answers" in api_client.post(f"/api/v1/surveys/{survey.pk}/answer/", body, format="json").json()


def test_the_survey_detail_shows_the_link_only_to_those_who_send_it(api_client, world):
    from apps.surveys import services

    survey = services.survey_reissue_link(survey=survey_for(world, completed_job(world)), actor=world.clerk)
    api_client.force_authenticate(world.clerk)
    assert "/s/" in api_client.get(f"/api/v1/surveys/{survey.pk}/").json()["link"]
    api_client.force_authenticate(world.quality)
    assert api_client.get(f"/api/v1/surveys/{survey.pk}/").json()["link"] is None


def test_surveys_are_scoped_and_not_for_dealers(api_client, world):
    survey = survey_for(world, completed_job(world))
    api_client.force_authenticate(world.other_engineer)
    assert api_client.get("/api/v1/surveys/").json()["count"] == 0
    assert api_client.get(f"/api/v1/surveys/{survey.pk}/").status_code == 404
    api_client.force_authenticate(world.dealer)
    assert api_client.get("/api/v1/surveys/").status_code == 403
    api_client.force_authenticate(world.tech_head)
    listed = api_client.get("/api/v1/surveys/", {"state": "pending", "engineer": world.engineer.pk}).json()
    assert [row["id"] for row in listed["results"]] == [survey.pk]


def test_a_case_is_moved_one_post_at_a_time_with_its_version(api_client, world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, overall=(1, "工程师态度差"))
    case = SurveyCase.objects.get()
    api_client.force_authenticate(world.tech_head)
    base = f"/api/v1/survey-cases/{case.pk}"
    refused = api_client.post(f"{base}/close/", {"version": case.version, "improvement": "培训"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"][0] == "The case cannot be closed yet:"
    moved = api_client.post(f"{base}/cause/", {"version": case.version, "cause": "沟通不当"}, format="json").json()
    assert moved["state"] == CaseState.CAUSE_FOUND
    stale = api_client.post(f"{base}/cause/", {"version": case.version, "cause": "又改"}, format="json")
    assert stale.status_code == 409
    answered = api_client.post(
        f"{base}/answer/", {"version": moved["version"], "answer": "已致歉", "method": "phone"}, format="json"
    ).json()
    assert "answer" in answered["actions"] and "close" in answered["actions"]
    closed = api_client.post(
        f"{base}/close/", {"version": answered["version"], "improvement": "服务礼仪培训"}, format="json"
    ).json()
    assert closed["state"] == CaseState.CLOSED
    assert [e["kind"] for e in closed["events"]] == ["case_opened", "cause", "answer", "closed"]
    api_client.force_authenticate(world.clerk)
    refused = api_client.post(f"{base}/cause/", {"version": closed["version"], "cause": "x"}, format="json")
    assert refused.status_code == 403


def test_a_rating_is_created_then_changed_by_its_rater_with_the_version(api_client, world):
    api_client.force_authenticate(world.tech_head)
    month = selectors.current_month().strftime("%Y-%m")
    body = {"engineer": world.engineer.pk, "month": month, "attitude": 4, "professional": 4, "conduct": 5}
    created = api_client.post("/api/v1/engineer-ratings/", body, format="json")
    assert created.status_code == 201, created.json()
    rating = created.json()
    assert rating["rater_group"] == "tech_head"
    assert api_client.post("/api/v1/engineer-ratings/", body, format="json").status_code == 409
    url = f"/api/v1/engineer-ratings/{rating['id']}/"
    assert api_client.patch(url, {"attitude": 5}, format="json").status_code == 400  # no version
    changed = api_client.patch(url, {"attitude": 5, "version": rating["version"]}, format="json")
    assert changed.status_code == 200 and changed.json()["attitude"] == 5
    assert api_client.patch(url, {"attitude": 3, "version": rating["version"]}, format="json").status_code == 409
    api_client.force_authenticate(world.marketing_head)
    assert api_client.patch(url, {"attitude": 1, "version": rating["version"] + 1}, format="json").status_code == 403
    assert EngineerRating.objects.get().attitude == 5
    bad = api_client.post("/api/v1/engineer-ratings/", {**body, "month": "June", "attitude": 7}, format="json")
    assert bad.status_code == 400 and {"month", "attitude"} <= set(bad.json())


def test_the_engineer_quality_endpoint_answers_the_engineer_only_for_himself(api_client, world):
    api_client.force_authenticate(world.engineer)
    rows = api_client.get("/api/v1/engineer-quality/", {"month": "2026-06"}).json()
    assert [row["engineer"] for row in rows] == [world.engineer.pk]
    assert api_client.get("/api/v1/engineer-quality/", {"month": "13/2026"}).status_code == 400
    api_client.force_authenticate(world.tech_head)
    rows = api_client.get("/api/v1/engineer-quality/", {"month": "2026-06"}).json()
    assert {world.engineer.pk, world.engineer2.pk, world.other_engineer.pk} <= {row["engineer"] for row in rows}
    api_client.force_authenticate(world.sales)
    assert api_client.get("/api/v1/engineer-quality/").status_code == 403


def test_the_api_lists_do_not_grow_in_queries(api_client, world, django_assert_max_num_queries):
    answer(survey_for(world, completed_job(world)), actor=world.clerk, overall=1)
    api_client.force_authenticate(world.engineer)
    with CaptureQueriesContext(connection) as surveys_few:
        api_client.get("/api/v1/surveys/")
    with CaptureQueriesContext(connection) as cases_few:
        api_client.get("/api/v1/survey-cases/")
    for day in range(1, 4):
        survey = survey_for(world, completed_job(world, at=MONDAY + dt.timedelta(days=day)))
        answer(survey, actor=world.clerk, overall=1, timely_invoice=2)
    with django_assert_max_num_queries(len(surveys_few)):
        assert api_client.get("/api/v1/surveys/").json()["count"] == 4
    with django_assert_max_num_queries(len(cases_few)):
        assert api_client.get("/api/v1/survey-cases/").json()["count"] == 7
