"""The thank-you letter [S0 3.(四)二.3] is a PDF carrying the company's name, the suggestion and the
decision; it is rendered once, when the suggestion is answered, and downloaded as stored."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from apps.suggestions.choices import Status
from apps.suggestions.tests._helpers import collect, suggestions_world, walk  # noqa: F401

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed"),
]

COMPANY = "湖南永和阳光生物科技股份有限公司"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.fixture(autouse=True)
def _company(settings):
    settings.COMPANY_NAME = COMPANY
    settings.LANGUAGE_CODE = "zh-hans"  # the company's language, as in production


def test_the_letter_names_the_company_the_suggestion_and_the_decision(client, world, tmp_path):
    suggestion = walk(world, collect(world), Status.ANSWERED)
    client.force_login(world.tech_head)
    response = client.get(reverse("suggestions:letter", args=[suggestion.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    for expected in (
        COMPANY,
        "广州市第一人民医院 李主任",
        suggestion.letter_number,
        suggestion.number,
        "冬季运输试剂瓶易碰裂",
        "自下一批次起试剂盒加装防震内衬",
    ):
        assert expected in text, expected


def test_the_letter_is_the_stored_file_and_its_hash(client, world):
    from apps.core.pdf import content_hash

    suggestion = walk(world, collect(world), Status.ANSWERED)
    stored = suggestion.letter_pdf.open("rb").read()
    assert content_hash(stored) == suggestion.letter_hash
    client.force_login(world.sales)  # the customer's sales person
    response = client.get(reverse("suggestions:letter", args=[suggestion.pk]))
    assert b"".join(response.streaming_content) == stored


def test_there_is_no_letter_before_the_answer_and_none_for_those_who_cannot_see_it(client, world):
    suggestion = walk(world, collect(world), Status.DECIDED)
    client.force_login(world.tech_head)
    assert client.get(reverse("suggestions:letter", args=[suggestion.pk])).status_code == 404
    client.force_login(world.other_sales)
    assert client.get(reverse("suggestions:letter", args=[suggestion.pk])).status_code == 404
    client.force_login(world.dealer)
    assert client.get(reverse("suggestions:letter", args=[suggestion.pk])).status_code == 403
