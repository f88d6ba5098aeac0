"""The customer's personal link (SPEC SQ-1): a signed token, no login, one answer, expires,
dies when re-issued, 404 when tampered; a phone page in Chinese unless switched to English."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from apps.core.exceptions import ConflictError
from apps.surveys import policies, selectors, services
from apps.surveys.choices import Item, SurveyChannel, SurveyState
from apps.surveys.forms import comment_field_name, score_field_name
from apps.surveys.models import Survey, SurveyAnswer, SurveyCase
from apps.surveys.tests._helpers import completed_job, refreshed, sheet, survey_for
from apps.workorders.tests._world import MONDAY, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world):
    """A job of June 2026 whose link the clerk re-issued just now (the pages run on today's clock)."""
    survey = survey_for(world, completed_job(world))
    return services.survey_reissue_link(survey=survey, actor=world.clerk)


def link_of(survey) -> str:
    return reverse("surveys:public", args=[services.link_token(refreshed(survey))])


def form_data(default="5", **scores) -> dict:
    data = {"respondent_name": "李老师", "respondent_position": "生化组长", "suggestion": "服务很好"}
    for item in Item.values:
        value = scores.get(item, default)
        comment = ""
        if isinstance(value, tuple):
            value, comment = value
        data[score_field_name(item)] = str(value)
        data[comment_field_name(item)] = comment
    return data


# --- the token ---------------------------------------------------------------------------------


def test_a_valid_token_leads_to_its_survey(survey):
    lookup = selectors.survey_from_token(services.link_token(survey), at=survey.link_issued_at)
    assert lookup.survey.pk == survey.pk
    assert lookup.problem == ""


def test_the_link_stays_the_same_until_it_is_reissued(world, survey):
    token = services.link_token(survey)
    assert services.link_token(refreshed(survey)) == token
    services.survey_reissue_link(survey=survey, actor=world.clerk)
    assert services.link_token(refreshed(survey)) != token


def test_the_token_is_signed_for_this_purpose_only(survey):
    token = services.link_token(survey)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, f"{survey.pk}.{survey.link_nonce}", "", signing.dumps({"s": survey.pk}, salt="other")):
        with pytest.raises(Survey.DoesNotExist):
            selectors.survey_from_token(bad)
    # Another survey's id under this survey's signature is tampering too.
    value = signing.TimestampSigner(salt=policies.LINK_SALT).unsign(token)
    forged = token.replace(value, f"{survey.pk + 1}.{survey.link_nonce}", 1)
    with pytest.raises(Survey.DoesNotExist):
        selectors.survey_from_token(forged)


def test_the_link_expires_after_the_configured_days(survey):
    token = services.link_token(survey)
    last_moment = survey.link_issued_at + dt.timedelta(days=policies.LINK_VALID_DAYS)
    assert selectors.survey_from_token(token, at=last_moment).problem == ""
    assert selectors.survey_from_token(token, at=last_moment + dt.timedelta(seconds=1)).problem == "expired"
    with pytest.raises(ConflictError):
        services.survey_answer(
            survey=survey,
            actor=None,
            channel=SurveyChannel.LINK,
            link_nonce=survey.link_nonce,
            answers=sheet(),
            respondent_name="李老师",
            at=last_moment + dt.timedelta(seconds=1),
        )
    assert refreshed(survey).state == SurveyState.PENDING


def test_a_reissued_link_kills_the_old_one(world, survey):
    old_token = services.link_token(survey)
    services.survey_reissue_link(survey=survey, actor=world.clerk)
    survey.refresh_from_db()
    assert selectors.survey_from_token(old_token).problem == "replaced"
    assert selectors.survey_from_token(services.link_token(survey)).problem == ""
    with pytest.raises(ConflictError):
        services.survey_answer(
            survey=survey,
            actor=None,
            channel=SurveyChannel.LINK,
            link_nonce="the-old-nonce",
            answers=sheet(),
            respondent_name="李老师",
        )


def test_staff_cannot_pretend_to_be_the_customers_link(world, survey):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.survey_answer(
            survey=survey, actor=world.clerk, channel=SurveyChannel.LINK, answers=sheet(), respondent_name="x"
        )


# --- the public page ------------------------------------------------------------------------------


def test_the_page_opens_without_login_in_chinese_by_default(client, survey):
    response = client.get(link_of(survey))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "售后服务" in html  # the company line falls back to the translated "After-sales service"
    assert survey.customer.name in html
    assert response["Cache-Control"] == "no-store"
    # big tap targets: one radio per score and "not applicable" for every item
    assert html.count('type="radio"') == 6 * len(Item.values)


def test_the_customer_switches_to_english_and_the_page_remembers_it(client, survey):
    response = client.get(link_of(survey) + "?lang=en")
    assert '<html lang="en">' in response.content.decode()
    assert "Satisfaction survey" in response.content.decode()
    assert response.cookies["survey_lang"].value == "en"
    again = client.get(link_of(survey))
    assert '<html lang="en">' in again.content.decode()


def test_the_customer_answers_once_and_a_low_score_opens_a_case(client, survey):
    url = link_of(survey)
    response = client.post(url, form_data(timely_on_site=(2, "来得太晚")))
    assert response.status_code == 302
    assert response["Location"] == f"{url}?done=1"
    survey.refresh_from_db()
    assert survey.state == SurveyState.ANSWERED
    assert survey.channel == SurveyChannel.LINK
    assert survey.answered_by is None
    assert survey.respondent_name == "李老师"
    case = SurveyCase.objects.get(survey=survey)
    assert case.item == Item.TIMELY_ON_SITE
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200


def test_a_second_submission_shows_already_answered_and_changes_nothing(client, survey):
    url = link_of(survey)
    client.post(url + "?lang=en", form_data())
    answers_before = list(SurveyAnswer.objects.filter(survey=survey).values_list("item", "score"))
    second = client.post(url, form_data(default="1"))
    assert second.status_code == 409
    assert "already been answered" in second.content.decode()
    assert list(SurveyAnswer.objects.filter(survey=survey).values_list("item", "score")) == answers_before
    assert not SurveyCase.objects.exists()
    assert "already been answered" in client.get(url).content.decode()


def test_an_expired_link_shows_a_clear_page_and_refuses_the_answer(client, survey):
    Survey.objects.filter(pk=survey.pk).update(link_expires_at=timezone.now() - dt.timedelta(minutes=1))
    url = link_of(survey) + "?lang=en"
    page = client.get(url)
    assert page.status_code == 410
    assert "expired" in page.content.decode()
    refused = client.post(url, form_data())
    assert refused.status_code == 409
    assert refreshed(survey).state == SurveyState.PENDING


def test_an_old_link_after_reissue_says_it_is_no_longer_valid(client, world, survey):
    old_url = link_of(survey) + "?lang=en"
    services.survey_reissue_link(survey=survey, actor=world.clerk)
    page = client.get(old_url)
    assert page.status_code == 410
    assert "no longer valid" in page.content.decode()
    assert client.post(old_url, form_data()).status_code == 409
    assert refreshed(survey).state == SurveyState.PENDING


def test_a_tampered_link_is_a_plain_404(client, survey):
    token = services.link_token(survey)
    assert client.get(f"/s/{token}x/").status_code == 404
    assert client.get("/s/not-a-token/").status_code == 404
    assert client.post(f"/s/{token[:-2]}/", form_data()).status_code == 404


def test_missing_scores_come_back_with_the_items_marked_and_the_input_kept(client, survey):
    data = form_data()
    data[score_field_name(Item.OVERALL)] = ""
    data[comment_field_name(Item.PACKAGING)] = "纸箱很好"
    response = client.post(link_of(survey) + "?lang=en", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a score" in html
    assert re.search(r'id="item-overall_score"', html)
    assert "纸箱很好" in html
    assert refreshed(survey).state == SurveyState.PENDING
