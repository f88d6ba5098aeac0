"""The survey and case pages as their users meet them: scoped like work orders, not for dealers,
lists that do not grow in queries, the on-site fill-in on the engineer's phone, the case moves."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.tests.factories import CityFactory
from apps.customers.tests.factories import CustomerFactory
from apps.instruments.tests.factories import InstrumentFactory
from apps.surveys import services
from apps.surveys.choices import CaseState, Item, SurveyChannel, SurveyState
from apps.surveys.forms import comment_field_name, score_field_name
from apps.surveys.models import SurveyCase
from apps.surveys.tests._helpers import answer, completed_job, refreshed, survey_for
from apps.workorders.tests._world import MONDAY, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = reverse("surveys:list")
CASES = reverse("surveys:case_list")


@pytest.fixture
def elsewhere(world):
    """A survey of a customer in the other region (Hunan), served by the Hunan engineer."""
    city = CityFactory(name="株洲市", parent=world.other_city.parent)
    customer = CustomerFactory(name="株洲市中心医院", city=city, responsible_sales=world.sales)
    unit = InstrumentFactory(serial_no="YH30-9001", customer=customer)
    order = completed_job(world, customer=customer, instrument=unit, engineer=world.other_engineer)
    return survey_for(world, order)


def test_staff_see_the_survey_list_scoped_like_work_orders(client, world, elsewhere):
    mine = survey_for(world, completed_job(world))
    client.force_login(world.engineer)
    page = client.get(LIST).content.decode()
    assert mine.number in page
    assert elsewhere.number not in page
    client.force_login(world.tech_head)
    page = client.get(LIST).content.decode()
    assert mine.number in page and elsewhere.number in page


def test_an_out_of_scope_survey_or_case_is_404(client, world, elsewhere):
    answer(elsewhere, actor=world.clerk, timely_on_site=1)
    case = SurveyCase.objects.get(survey=elsewhere)
    client.force_login(world.engineer)
    assert client.get(reverse("surveys:detail", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("surveys:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("surveys:fill", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("surveys:case_action", args=[case.pk, "cause"])).status_code == 404


def test_a_dealer_cannot_see_surveys_at_all(client, world):
    survey = survey_for(world, completed_job(world))
    client.force_login(world.dealer)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 403
    assert client.get(CASES).status_code == 403


def test_the_survey_list_makes_the_same_number_of_queries_however_many_rows(
    client, world, django_assert_max_num_queries
):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, overall=2)
    client.force_login(world.customer_manager)  # a scoped role: the scope sub-select is in every query
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for day in range(1, 5):
        survey_for(world, completed_job(world, at=MONDAY + dt.timedelta(days=day)))
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST)
    assert response.content.decode().count("/surveys/") >= 5


def test_the_case_list_makes_the_same_number_of_queries_however_many_rows(client, world, django_assert_max_num_queries):
    answer(survey_for(world, completed_job(world)), actor=world.clerk, timely_shipping=1)
    client.force_login(world.tech_head)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CASES).status_code == 200
    for day in range(1, 4):
        survey = survey_for(world, completed_job(world, at=MONDAY + dt.timedelta(days=day)))
        answer(survey, actor=world.clerk, timely_shipping=1, overall=2)
    with django_assert_max_num_queries(len(few)):
        client.get(CASES)


def test_the_case_list_opens_on_the_owners_open_cases(client, world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, product_quality=1, timely_invoice=2)
    quality_case = SurveyCase.objects.get(item=Item.PRODUCT_QUALITY)
    invoice_case = SurveyCase.objects.get(item=Item.TIMELY_INVOICE)
    client.force_login(world.quality)
    page = client.get(CASES).content.decode()
    assert quality_case.number in page and invoice_case.number not in page
    page = client.get(CASES, {"state": "open"}).content.decode()
    assert quality_case.number in page and invoice_case.number in page


def test_the_engineer_fills_in_on_site_on_a_page_without_the_staff_menu(client, world):
    order = completed_job(world)
    survey = survey_for(world, order)
    client.force_login(world.engineer)
    url = reverse("surveys:fill", args=[survey.pk]) + "?channel=on_site"
    page = client.get(url)
    assert page.status_code == 200
    assert 'class="menu"' not in page.content.decode()
    data = {"respondent_name": "王老师", "expected_version": survey.version}
    for item in Item.values:
        data[score_field_name(item)] = "4"
        data[comment_field_name(item)] = ""
    data[score_field_name(Item.TIMELY_INVOICE)] = "na"
    response = client.post(url, data)
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.state == SurveyState.ANSWERED
    assert (survey.channel, survey.answered_by) == (SurveyChannel.ON_SITE, world.engineer)
    # The work order's page shows the survey through the panel include.
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world.engineer
    panel = Template('{% include "surveys/_workorder_panel.html" %}')
    html = panel.render(Context({"order": order, "request": request}))
    assert survey.number in html
    # … or as one of apps.workorders.aftercare.PANELS: the context comes from workorder_survey().
    from apps.surveys.views import workorder_survey

    html = panel.render(Context({"order": order, "request": request, **workorder_survey(order, world.engineer)}))
    assert survey.number in html
    assert survey.number not in panel.render(Context({"order": order, **workorder_survey(order, world.dealer)}))


def test_another_engineer_gets_403_on_the_fill_in_page(client, world):
    survey = survey_for(world, completed_job(world))
    client.force_login(world.engineer2)  # same region: sees the survey, but it is not his job
    assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 200
    assert client.get(reverse("surveys:fill", args=[survey.pk])).status_code == 403


def test_the_clerk_sees_and_copies_the_link_and_reissues_it(client, world):
    survey = services.survey_reissue_link(survey=survey_for(world, completed_job(world)), actor=world.clerk)
    client.force_login(world.clerk)
    page = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert services.link_path(survey) in page
    old_nonce = survey.link_nonce
    response = client.post(reverse("surveys:reissue_link", args=[survey.pk]), {"expected_version": survey.version})
    assert response.status_code == 302
    stale_version = survey.version
    assert refreshed(survey).link_nonce != old_nonce
    stale = client.post(reverse("surveys:reissue_link", args=[survey.pk]), {"expected_version": stale_version})
    assert stale.status_code == 409


def test_closing_a_case_on_the_page_without_cause_shows_what_is_missing_and_changes_nothing(client, world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, overall=(1, "很不满意"))
    case = SurveyCase.objects.get()
    client.force_login(world.tech_head)
    detail = client.get(reverse("surveys:case_detail", args=[case.pk])).content.decode()
    assert "The cause has not been recorded." in detail
    url = reverse("surveys:case_action", args=[case.pk, "close"])
    response = client.post(url, {"improvement": "加强培训", "expected_version": case.version})
    assert response.status_code == 400
    assert "The cause has not been recorded." in response.content.decode()
    assert refreshed(case).state == CaseState.OPEN
    cause_url = reverse("surveys:case_action", args=[case.pk, "cause"])
    cause = client.post(cause_url, {"cause": "工程师迟到", "expected_version": case.version})
    assert cause.status_code == 302
    assert refreshed(case).state == CaseState.CAUSE_FOUND


def test_a_case_move_the_role_may_not_make_is_403(client, world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, overall=1)
    case = SurveyCase.objects.get()
    client.force_login(world.clerk)
    assert client.get(reverse("surveys:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("surveys:case_action", args=[case.pk, "cause"])).status_code == 403


def test_the_clerk_sends_the_link_by_email_from_the_survey_page(client, world):
    from apps.notifications.models import Message

    survey = services.survey_reissue_link(survey=survey_for(world, completed_job(world)), actor=world.clerk)
    client.force_login(world.clerk)
    url = reverse("surveys:send_link", args=[survey.pk])
    empty = client.post(url, {"email": "", "expected_version": survey.version})
    assert empty.status_code == 400
    assert "copy the link" in empty.content.decode()
    response = client.post(url, {"email": "lab@hospital.cn", "expected_version": survey.version})
    assert response.status_code == 302
    message = Message.objects.get(email="lab@hospital.cn")
    assert message.link == "http://testserver" + services.link_path(survey)
