"""Surveys through the real services: one per completed job, answered once, every dissatisfied
score a case that cannot close without cause, answer and improvement (SPEC SQ-1 … SQ-3)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.choices import Role
from apps.core.exceptions import ConflictError
from apps.notifications.models import Message
from apps.surveys import services
from apps.surveys.choices import (
    AnswerMethod,
    CaseKind,
    CaseState,
    EventKind,
    ForwardTarget,
    Item,
    LetterKind,
    SurveyChannel,
    SurveyState,
)
from apps.surveys.models import Survey, SurveyAnswer, SurveyCase
from apps.surveys.tests._helpers import answer, completed_job, refreshed, sheet, survey_for
from apps.workorders import services as wo_services
from apps.workorders.tests._world import MONDAY, messages_for, register, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


# --- one survey per completed job (SQ-1) -------------------------------------------------------


def test_a_completed_job_has_exactly_one_pending_survey_however_often_it_is_asked_for(world):
    order = completed_job(world)
    first = survey_for(world, order)
    again = services.survey_create_for_work_order(order=order, actor=world.clerk, at=MONDAY + dt.timedelta(days=1))
    assert again.pk == first.pk
    assert Survey.objects.filter(work_order=order).count() == 1
    assert first.state == SurveyState.PENDING
    assert first.engineer == world.engineer
    assert first.customer == world.customer
    assert first.number.startswith("SV")
    assert first.events.filter(kind=EventKind.CREATED).count() == 1


def test_a_job_solved_remotely_gets_its_survey_too(world):
    order = register(world)
    wo_services.workorder_resolve_remotely(order=order, actor=world.clerk, solution="指导客户重启后恢复", at=MONDAY)
    survey = survey_for(world, order)
    assert survey.engineer is None
    assert survey.state == SurveyState.PENDING


def test_a_reopened_job_cancels_its_pending_survey_and_completing_it_again_revives_the_same_survey(world):
    order = register(world)
    wo_services.workorder_resolve_remotely(order=order, actor=world.clerk, solution="远程解决", at=MONDAY)
    survey = survey_for(world, order)
    old_nonce = survey.link_nonce
    services.survey_cancel_for_work_order(order=order, actor=world.clerk, at=MONDAY + dt.timedelta(hours=1))
    assert refreshed(survey).state == SurveyState.CANCELLED
    again = services.survey_create_for_work_order(order=order, actor=world.clerk, at=MONDAY + dt.timedelta(days=1))
    assert again.pk == survey.pk
    assert again.state == SurveyState.PENDING
    assert again.link_nonce != old_nonce


# --- answering ------------------------------------------------------------------------------------


def test_all_good_scores_answer_the_survey_and_open_no_case(world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, timely_invoice="na")
    survey.refresh_from_db()
    assert survey.state == SurveyState.ANSWERED
    assert survey.channel == SurveyChannel.PHONE
    assert survey.overall_score == 5
    assert survey.dissatisfied_count == 0
    assert survey.answered_by == world.clerk
    assert SurveyAnswer.objects.filter(survey=survey).count() == len(Item.values)
    assert SurveyAnswer.objects.get(survey=survey, item=Item.TIMELY_INVOICE).not_applicable
    assert not SurveyCase.objects.exists()


def test_a_low_score_opens_exactly_one_case_per_dissatisfied_item_with_the_owner_of_the_rule(world):
    survey = survey_for(world, completed_job(world))
    answer(
        survey,
        actor=world.clerk,
        product_quality=(2, "结果偏高"),
        timely_shipping=1,
        packaging=(2, "外箱破损"),
        overall=3,
        timely_invoice=3,  # neutral: not dissatisfied
    )
    cases = {c.item: c for c in SurveyCase.objects.filter(survey=survey)}
    assert set(cases) == {Item.PRODUCT_QUALITY, Item.TIMELY_SHIPPING, Item.PACKAGING}
    assert all(c.kind == CaseKind.DISSATISFIED and c.state == CaseState.OPEN for c in cases.values())
    assert cases[Item.PRODUCT_QUALITY].owner_role == Role.QUALITY
    assert cases[Item.TIMELY_SHIPPING].owner_role == Role.TECH_HEAD
    assert cases[Item.PACKAGING].owner_role == Role.TECH_HEAD
    assert cases[Item.PRODUCT_QUALITY].customer_comment == "结果偏高"
    assert cases[Item.TIMELY_SHIPPING].score == 1
    assert refreshed(survey).dissatisfied_count == 3
    # Recorded at once: the owners hear of it in their inbox.
    assert any("Dissatisfied customer" in s for s in messages_for(world.quality))
    assert len(messages_for(world.tech_head, contains="Dissatisfied customer")) == 3


def test_a_suggestion_on_packaging_opens_a_suggestion_case_even_without_a_low_score(world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, logistics=(4, "希望提前告知到货时间"), product_quality=(5, "很好"))
    case = SurveyCase.objects.get(survey=survey)
    assert case.kind == CaseKind.SUGGESTION
    assert case.item == Item.LOGISTICS
    assert case.score == 4


def test_an_incomplete_sheet_is_refused_naming_each_item_and_changes_nothing(world):
    survey = survey_for(world, completed_job(world))
    answers = sheet()
    answers[Item.PACKAGING] = {"score": None, "not_applicable": False}
    answers[Item.OVERALL] = {"score": None, "not_applicable": True}
    answers[Item.LOGISTICS] = {"score": 9}
    with pytest.raises(ValidationError) as refused:
        services.survey_answer(
            survey=survey, actor=world.clerk, channel=SurveyChannel.PHONE, answers=answers, respondent_name=""
        )
    assert set(refused.value.message_dict) == {Item.PACKAGING, Item.OVERALL, Item.LOGISTICS, "respondent_name"}
    survey.refresh_from_db()
    assert survey.state == SurveyState.PENDING
    assert not SurveyAnswer.objects.exists()


def test_a_second_answer_is_refused_and_changes_nothing(world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, overall=4)
    with pytest.raises(ConflictError):
        services.survey_answer(
            survey=survey,
            actor=world.clerk,
            channel=SurveyChannel.PHONE,
            answers=sheet(default=1),
            respondent_name="别人",
        )
    survey.refresh_from_db()
    assert survey.overall_score == 4
    assert survey.respondent_name == "张主任"
    assert not SurveyCase.objects.exists()


def test_only_the_engineer_of_the_job_hands_his_phone_to_the_customer(world):
    survey = survey_for(world, completed_job(world))
    with pytest.raises(PermissionDenied):
        answer(survey, actor=world.engineer2, channel=SurveyChannel.ON_SITE)
    with pytest.raises(PermissionDenied):
        answer(survey, actor=world.engineer, channel=SurveyChannel.PHONE)
    with pytest.raises(PermissionDenied):
        answer(survey, actor=world.clerk, channel=SurveyChannel.ON_SITE)
    with pytest.raises(PermissionDenied):
        answer(survey, actor=world.sales, channel=SurveyChannel.PHONE)
    answer(survey, actor=world.engineer, channel=SurveyChannel.ON_SITE)
    assert refreshed(survey).channel == SurveyChannel.ON_SITE


def test_a_stale_version_is_refused(world):
    survey = survey_for(world, completed_job(world))
    with pytest.raises(ConflictError):
        services.survey_answer(
            survey=survey,
            actor=world.clerk,
            channel=SurveyChannel.PHONE,
            answers=sheet(),
            respondent_name="张主任",
            expected_version=survey.version + 5,
        )


# --- SQ-2: the case is tracked to closure ------------------------------------------------------------


@pytest.fixture
def timeliness_case(world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, timely_resolution=(1, "等了三天"))
    return SurveyCase.objects.get(survey=survey)


def test_closing_without_cause_and_answer_is_refused_naming_what_is_missing_and_changes_nothing(world, timeliness_case):
    case = timeliness_case
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, actor=world.tech_head, improvement="加派工程师", expected_version=case.version)
    text = " ".join(refused.value.messages)
    assert "cause" in text and "answered" in text
    case.refresh_from_db()
    assert case.state == CaseState.OPEN
    assert case.improvement == ""
    assert not case.events.filter(kind=EventKind.CLOSED).exists()


def test_closing_with_cause_but_without_answer_is_still_refused(world, timeliness_case):
    case = services.case_record_cause(case=timeliness_case, actor=world.tech_head, cause="备件缺货")
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, actor=world.tech_head, improvement="建立备件库存", expected_version=case.version)
    assert "The customer has not been answered." in refused.value.messages
    assert refreshed(case).state == CaseState.CAUSE_FOUND


def test_the_answer_needs_the_cause_first(world, timeliness_case):
    with pytest.raises(ConflictError):
        services.case_record_answer(
            case=timeliness_case, actor=world.tech_head, answer="已致歉", method=AnswerMethod.PHONE
        )


def test_a_case_goes_cause_answer_close_with_a_timeline_row_for_every_step(world, timeliness_case):
    at = MONDAY + dt.timedelta(days=2)
    case = services.case_record_cause(case=timeliness_case, actor=world.tech_head, cause="备件缺货", at=at)
    case = services.case_record_answer(
        case=case,
        actor=world.tech_head,
        answer="已电话致歉并说明备件补货计划",
        method=AnswerMethod.PHONE,
        answered_on=dt.date(2026, 6, 10),
        expected_version=case.version,
        at=at,
    )
    with pytest.raises(ValidationError) as refused:
        services.case_close(case=case, actor=world.tech_head, improvement="  ", expected_version=case.version, at=at)
    assert "improvement" in refused.value.message_dict
    case = services.case_close(
        case=case, actor=world.tech_head, improvement="常用备件区域备库", expected_version=case.version, at=at
    )
    assert case.state == CaseState.CLOSED
    assert case.closed_by == world.tech_head
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CASE_OPENED, EventKind.CAUSE, EventKind.ANSWER, EventKind.CLOSED]
    assert all(e.actor == world.tech_head for e in case.events.exclude(kind=EventKind.CASE_OPENED))
    with pytest.raises(ConflictError):
        services.case_record_cause(case=case, actor=world.tech_head, cause="再改")


def test_only_the_owner_role_or_the_heads_work_a_case(world, timeliness_case):
    for outsider in (world.clerk, world.sales, world.quality, world.engineer):
        with pytest.raises(PermissionDenied):
            services.case_record_cause(case=timeliness_case, actor=outsider, cause="x")
    services.case_record_cause(case=timeliness_case, actor=world.supervisor, cause="备件缺货")


# --- SQ-2: product quality: verified at the customer, quality feedback form ----------------------------


@pytest.fixture
def quality_case(world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, product_quality=(1, "质控失控"))
    return SurveyCase.objects.get(survey=survey)


FORM = {
    "product": "糖化血红蛋白分析仪",
    "model": "YH-30",
    "lot_no": "20260501",
    "problem": "质控失控",
    "verification_result": "现场复测，批间差偏大",
    "requested_action": "请产品中心分析该批次",
}


def test_the_quality_feedback_form_needs_the_verification_at_the_customer_first(world, quality_case):
    with pytest.raises(ValidationError) as refused:
        services.case_issue_quality_form(case=quality_case, actor=world.quality, **FORM)
    assert "verification_result" in refused.value.message_dict
    assert not hasattr(refreshed(quality_case), "quality_form")


def test_issuing_the_quality_form_notifies_the_marketing_and_product_centres(world, quality_case):
    services.case_record_verification(case=quality_case, actor=world.engineer, note="现场用质控品复测三次，均偏高")
    form = services.case_issue_quality_form(case=quality_case, actor=world.quality, **FORM)
    assert form.number.startswith("QF")
    assert form.customer_name == world.customer.name
    assert messages_for(world.marketing_head, contains="Quality feedback form")
    assert messages_for(world.quality, contains="Quality feedback form")
    with pytest.raises(ConflictError):
        services.case_issue_quality_form(case=quality_case, actor=world.quality, **FORM)


def test_a_product_quality_case_answers_the_customer_only_after_the_form_and_closes_with_all_of_it(world, quality_case):
    case = services.case_record_cause(case=quality_case, actor=world.quality, cause="该批次校准品偏差")
    with pytest.raises(ValidationError):
        services.case_record_answer(case=case, actor=world.quality, answer="已回复", method=AnswerMethod.EMAIL)
    services.case_record_verification(case=case, actor=world.quality, note="现场复测确认")
    services.case_issue_quality_form(case=case, actor=world.quality, **FORM)
    services.case_record_answer(case=case, actor=world.quality, answer="更换批次并回访", method=AnswerMethod.VISIT)
    case = services.case_close(case=case, actor=world.quality, improvement="加严出厂检验")
    assert case.state == CaseState.CLOSED


# --- SQ-3: packaging / logistics suggestions: forwarded, answered with a letter --------------------------


def test_a_suggestion_is_forwarded_answered_with_a_letter_and_closed(world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, packaging=(4, "建议加固试剂盒内衬"))
    case = SurveyCase.objects.get(survey=survey)
    with pytest.raises(ConflictError):
        services.case_record_cause(case=case, actor=world.tech_head, cause="x")
    with pytest.raises(ConflictError):
        services.case_issue_letter(case=case, actor=world.tech_head, kind=LetterKind.THANKS, body="谢谢")
    case = services.case_forward(
        case=case, actor=world.tech_head, forwarded_to=ForwardTarget.BOTH, note="邮件转生产中心与研发中心"
    )
    assert case.state == CaseState.FORWARDED
    letter = services.case_issue_letter(
        case=case, actor=world.tech_head, kind=LetterKind.THANKS, body=services.default_letter_body(case, "thanks")
    )
    assert letter.addressee == world.customer.name
    services.case_record_answer(case=case, actor=world.tech_head, answer="已寄感谢函", method=AnswerMethod.LETTER)
    case = services.case_close(case=case, actor=world.tech_head, improvement="下批次起内衬加厚")
    assert case.state == CaseState.CLOSED
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.CASE_OPENED,
        EventKind.FORWARDED,
        EventKind.LETTER,
        EventKind.ANSWER,
        EventKind.CLOSED,
    ]


# --- links: re-issue, send, cancel, expire ------------------------------------------------------------


def test_sending_the_link_queues_an_email_to_the_contact_with_the_link(world):
    survey = survey_for(world, completed_job(world))
    at = MONDAY + dt.timedelta(hours=2)
    services.survey_send_link(
        survey=survey, actor=world.clerk, email="lab@hospital.cn", base_url="https://fw.example.cn/", at=at
    )
    message = Message.objects.get(email="lab@hospital.cn")
    assert message.link == "https://fw.example.cn" + services.link_path(refreshed(survey))
    assert refreshed(survey).link_sent_to == "lab@hospital.cn"


def test_sending_the_link_without_an_address_says_to_copy_it(world):
    survey = survey_for(world, completed_job(world))
    with pytest.raises(ValidationError) as refused:
        services.survey_send_link(survey=survey, actor=world.clerk, at=MONDAY + dt.timedelta(hours=2))
    assert "email" in refused.value.message_dict


def test_the_daily_sweep_expires_pending_surveys_past_their_link_and_nothing_else(world):
    old = survey_for(world, completed_job(world))
    fresh = survey_for(world, completed_job(world, at=MONDAY + dt.timedelta(days=10)))
    answered = survey_for(world, completed_job(world))
    answer(answered, actor=world.clerk)
    count = services.surveys_expire(at=MONDAY + dt.timedelta(days=15))
    assert count == 1
    assert refreshed(old).state == SurveyState.EXPIRED
    assert refreshed(fresh).state == SurveyState.PENDING
    assert refreshed(answered).state == SurveyState.ANSWERED
    assert services.surveys_expire(at=MONDAY + dt.timedelta(days=15)) == 0


def test_reissuing_the_link_of_an_expired_survey_opens_it_again(world):
    survey = survey_for(world, completed_job(world))
    services.surveys_expire(at=MONDAY + dt.timedelta(days=30))
    survey = services.survey_reissue_link(
        survey=refreshed(survey), actor=world.clerk, at=MONDAY + dt.timedelta(days=31)
    )
    assert survey.state == SurveyState.PENDING
    assert survey.link_expires_at == MONDAY + dt.timedelta(days=31 + 14)


def test_cancelling_needs_a_reason_and_a_desk_role(world):
    survey = survey_for(world, completed_job(world))
    with pytest.raises(ValidationError):
        services.survey_cancel(survey=survey, actor=world.clerk, reason=" ")
    with pytest.raises(PermissionDenied):
        services.survey_cancel(survey=survey, actor=world.engineer, reason="重复")
    survey = services.survey_cancel(survey=survey, actor=world.clerk, reason="客户已另行回访")
    assert survey.state == SurveyState.CANCELLED
