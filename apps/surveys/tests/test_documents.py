"""The quality feedback form (质量反馈表) and the thank-you / reply letter (感谢函 / 回复函) print as
PDFs that carry the company's Chinese name (SPEC SQ-2, SQ-3)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from apps.surveys import services
from apps.surveys.choices import ForwardTarget, LetterKind
from apps.surveys.models import SurveyCase
from apps.surveys.tests._helpers import answer, completed_job, survey_for
from apps.workorders.tests._world import world_fixture  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed"),
]

COMPANY = "湖南永和阳光生物科技股份有限公司"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture(autouse=True)
def _company(settings):
    settings.COMPANY_NAME = COMPANY


def test_the_thank_you_letter_is_a_pdf_with_the_company_name_and_the_customer(client, world, tmp_path):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, packaging=(5, "建议试剂盒加防震内衬"))
    case = SurveyCase.objects.get(survey=survey)
    services.case_forward(case=case, actor=world.tech_head, forwarded_to=ForwardTarget.BOTH, note="已邮件转发")
    letter = services.case_issue_letter(
        case=case, actor=world.tech_head, kind=LetterKind.THANKS, body="感谢您对包装提出的宝贵建议，我们已改进内衬。"
    )
    client.force_login(world.tech_head)
    response = client.get(reverse("surveys:letter_pdf", args=[case.pk, letter.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    assert COMPANY in text
    assert world.customer.name in text
    assert "宝贵建议" in text
    assert letter.number in text


def test_the_quality_feedback_form_is_a_pdf_with_the_verification_and_the_company_name(client, world, tmp_path):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, product_quality=(1, "质控结果偏高"))
    case = SurveyCase.objects.get(survey=survey)
    services.case_record_verification(case=case, actor=world.engineer, note="现场复测三次均偏高")
    form = services.case_issue_quality_form(
        case=case,
        actor=world.quality,
        product="糖化血红蛋白试剂",
        model="YH-30",
        lot_no="20260501",
        problem="质控结果偏高",
        verification_result="批间差超出范围",
        requested_action="请分析该批次并给出处理意见",
    )
    client.force_login(world.quality)
    response = client.get(reverse("surveys:quality_form_pdf", args=[case.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    for expected in (COMPANY, form.number, "糖化血红蛋白试剂", "20260501", "现场复测三次均偏高", "批间差超出范围"):
        assert expected in text


def test_documents_are_not_for_those_who_cannot_see_the_case(client, world):
    survey = survey_for(world, completed_job(world))
    answer(survey, actor=world.clerk, product_quality=(1, "偏高"))
    case = SurveyCase.objects.get(survey=survey)
    client.force_login(world.other_engineer)
    assert client.get(reverse("surveys:quality_form_pdf", args=[case.pk])).status_code == 404
    client.force_login(world.dealer)
    assert client.get(reverse("surveys:quality_form_pdf", args=[case.pk])).status_code == 403
