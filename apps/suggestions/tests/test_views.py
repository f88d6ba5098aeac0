"""The suggestion pages as their users meet them: who opens what, collecting on the form, the moves
on their own pages (403 / 409 / 400 with the input kept), the Excel export, constant queries."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.choices import Role
from apps.suggestions.choices import Category, Source, Status
from apps.suggestions.models import Suggestion
from apps.suggestions.tests._helpers import MONDAY, collect, messages_for, suggestions_world, walk  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = reverse("suggestions:list")
CREATE = reverse("suggestions:create")
EXPORT = reverse("suggestions:export")


@pytest.fixture
def suggestions(world):
    guangzhou = collect(world)
    changsha = collect(
        world, actor=world.tech_head, customer=world.changsha, submitter_name="王老师", title="报告单增加二维码"
    )
    return guangzhou, changsha


def move_url(suggestion, action):
    return reverse("suggestions:move", args=[suggestion.pk, action])


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_internal_role_opens_the_list_and_dealers_do_not(client, world, suggestions, role):
    client.force_login(world.users[role])
    expected = 403 if role == Role.DEALER else 200
    assert client.get(LIST).status_code == expected
    assert client.get(CREATE).status_code == expected


def test_the_technical_head_sees_every_open_suggestion_sales_only_his_customers(client, world, suggestions):
    client.force_login(world.tech_head)
    page = client.get(LIST).content.decode()
    assert "试剂盒加防震内衬" in page and "报告单增加二维码" in page
    client.force_login(world.sales)
    page = client.get(LIST).content.decode()
    assert "试剂盒加防震内衬" in page and "报告单增加二维码" not in page
    assert client.get(suggestions[1].get_absolute_url()).status_code == 404


def test_a_staff_suggestion_is_read_by_its_author_and_the_technical_side_not_by_colleagues(client, world):
    own = collect(world, actor=world.finance, source=Source.STAFF, customer=None, title="发票寄送改电子发票")
    client.force_login(world.finance)
    assert "发票寄送改电子发票" in client.get(LIST).content.decode()
    client.force_login(world.commerce)
    assert "发票寄送改电子发票" not in client.get(LIST).content.decode()
    assert client.get(own.get_absolute_url()).status_code == 404
    client.force_login(world.supervisor)
    assert client.get(own.get_absolute_url()).status_code == 200


def test_the_list_opens_on_the_open_suggestions_and_filters_by_category(client, world, suggestions):
    guangzhou, _changsha = suggestions
    from apps.suggestions import services

    services.suggestion_withdraw(actor=world.tech_head, suggestion=guangzhou, reason="重复登记")
    client.force_login(world.tech_head)
    page = client.get(LIST).content.decode()
    assert "试剂盒加防震内衬" not in page and "报告单增加二维码" in page
    page = client.get(LIST, {"status": "withdrawn"}).content.decode()
    assert "试剂盒加防震内衬" in page
    page = client.get(LIST, {"status": "", "category": Category.SERVICE}).content.decode()
    assert "试剂盒加防震内衬" not in page and "报告单增加二维码" not in page


def test_the_hotline_collects_a_customers_suggestion_on_the_form(client, world):
    client.force_login(world.clerk)
    response = client.post(
        CREATE,
        {
            "source": "customer",
            "category": "logistics",
            "customer": world.customer.pk,
            "submitter_name": "张组长",
            "submitter_contact": "13900000000",
            "received_on": "2026-06-08",
            "title": "冷链到货时间提前",
            "content": "希望冷链试剂上午送达，方便当天上机。",
        },
    )
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == suggestion.get_absolute_url()
    assert suggestion.customer == world.customer and suggestion.category == Category.LOGISTICS
    assert messages_for(world.tech_head, contains="冷链到货时间提前")


def test_a_form_without_the_customer_is_refused_with_the_input_kept(client, world):
    client.force_login(world.clerk)
    response = client.post(
        CREATE,
        {
            "source": "customer",
            "category": "other",
            "submitter_name": "张组长",
            "title": "一句话",
            "content": "详细内容XYZ",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Name the customer who made the suggestion." in page and "详细内容XYZ" in page
    assert not Suggestion.objects.exists()


def test_the_detail_page_offers_the_moves_the_user_may_make(client, world, suggestions):
    guangzhou, _changsha = suggestions
    client.force_login(world.tech_head)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    for action in ("discuss", "decide", "withdraw"):
        assert move_url(guangzhou, action) in page
    assert move_url(guangzhou, "answer") not in page
    client.force_login(world.quality)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert move_url(guangzhou, "discuss") in page and move_url(guangzhou, "decide") not in page
    client.force_login(world.sales)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert "/discuss/" not in page and "冬季运输试剂瓶易碰裂" in page


def test_the_technical_head_discusses_decides_and_answers_on_the_pages(client, world, suggestions, monkeypatch):
    monkeypatch.setattr("apps.suggestions.documents.letter_pdf", lambda suggestion: b"%PDF-1.7 test")
    guangzhou, _changsha = suggestions
    client.force_login(world.tech_head)
    assert client.get(move_url(guangzhou, "discuss")).status_code == 200
    response = client.post(
        move_url(guangzhou, "discuss"),
        {"departments": ["production", "rd"], "record": "生产中心评估", "expected_version": guangzhou.version},
    )
    assert response.status_code == 302
    guangzhou.refresh_from_db()
    response = client.post(
        move_url(guangzhou, "decide"),
        {"decision": "accepted", "text": "下批次改进", "expected_version": guangzhou.version},
    )
    assert response.status_code == 302
    guangzhou.refresh_from_db()
    page = client.get(move_url(guangzhou, "answer")).content.decode()
    assert "Thank you very much for your suggestion of 2026-06-08" in page  # the proposed letter text
    response = client.post(
        move_url(guangzhou, "answer"),
        {
            "method": "email",
            "letter_date": "2026-06-09",
            "letter_text": "感谢您的建议",
            "expected_version": guangzhou.version,
        },
    )
    assert response.status_code == 302
    guangzhou.refresh_from_db()
    assert guangzhou.status == Status.ANSWERED and guangzhou.letter_text == "感谢您的建议"
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert reverse("suggestions:letter", args=[guangzhou.pk]) in page


def test_a_move_by_the_wrong_role_is_403_and_in_the_wrong_status_409(client, world, suggestions):
    guangzhou, _changsha = suggestions
    client.force_login(world.sales)
    assert client.get(move_url(guangzhou, "discuss")).status_code == 403
    client.force_login(world.tech_head)
    response = client.post(move_url(guangzhou, "answer"), {"method": "post", "expected_version": guangzhou.version})
    assert response.status_code == 409
    assert "Not possible while the suggestion is" in response.content.decode()
    assert client.get(move_url(guangzhou, "fly")).status_code == 404


def test_a_product_suggestion_page_says_it_must_be_discussed_first(client, world):
    suggestion = collect(world, category=Category.PRODUCT)
    client.force_login(world.tech_head)
    response = client.get(move_url(suggestion, "decide"))
    assert response.status_code == 409
    assert "discussed with the heads of the departments" in response.content.decode()


def test_a_stale_form_is_a_conflict_with_the_input_kept(client, world, suggestions):
    guangzhou, _changsha = suggestions
    client.force_login(world.tech_head)
    response = client.post(
        move_url(guangzhou, "withdraw"), {"reason": "我写的理由ABC", "expected_version": guangzhou.version + 5}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record" in page and "我写的理由ABC" in page


def test_a_missing_reason_is_400_and_nothing_changes(client, world, suggestions):
    guangzhou, _changsha = suggestions
    client.force_login(world.tech_head)
    response = client.post(move_url(guangzhou, "withdraw"), {"reason": "", "expected_version": guangzhou.version})
    assert response.status_code == 400
    guangzhou.refresh_from_db()
    assert guangzhou.status == Status.COLLECTED


def test_the_excel_export_has_the_rows_of_the_filters(client, world, suggestions):
    import openpyxl

    client.force_login(world.tech_head)
    response = client.get(EXPORT, {"status": "open", "q": "二维码"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="suggestions-')
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == suggestions[1].number and rows[1][1].date() == dt.date(2026, 6, 8)
    assert "报告单增加二维码" in rows[1] and "长沙市中心医院" in rows[1]


def test_the_export_masks_the_contact_for_roles_without_personal_data(client, world, suggestions):
    import openpyxl

    client.force_login(world.marketing_head)
    response = client.get(EXPORT, {"q": "广州市第一人民医院"})
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert "138****0000" in rows[1] and "13800000000" not in rows[1]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [LIST, LIST + "?status=", EXPORT])
def test_the_list_and_the_export_make_the_same_number_of_queries_however_many_rows(
    client, world, suggestions, url, django_assert_max_num_queries
):
    client.force_login(world.sales)
    _count(client, url)
    few = _count(client, url)
    for n in range(6):
        s = collect(world, title=f"建议{n}", at=MONDAY + dt.timedelta(hours=n))
        if n % 2:
            walk(world, s, Status.DECIDED)
    with django_assert_max_num_queries(few):
        response = client.get(url)
        if url == EXPORT:
            b"".join(response.streaming_content)


def test_the_detail_page_makes_the_same_number_of_queries_however_long_the_timeline(
    client, world, suggestions, django_assert_max_num_queries
):
    guangzhou, _changsha = suggestions
    client.force_login(world.tech_head)
    url = guangzhou.get_absolute_url()
    _count(client, url)
    few = _count(client, url)
    from apps.suggestions import services

    for n in range(4):
        guangzhou.refresh_from_db()
        services.suggestion_discuss(actor=world.tech_head, suggestion=guangzhou, departments=["rd"], record=f"第{n}次")
    with django_assert_max_num_queries(few):
        client.get(url)
