"""The return / exchange pages as their users meet them: who opens what and which rows, applying
with the upload on a phone-sized form, the moves on their own pages (403 / 409 / 400 with the
input kept), the files, the Excel export, constant queries."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.choices import Role
from apps.returns.choices import Remedy, Status
from apps.returns.models import ReturnRequest
from apps.returns.tests._helpers import (  # noqa: F401
    MONDAY,
    apply,
    apply_reagent,
    changsha_fixture,
    messages_for,
    walk,
    world_fixture,
)

pytestmark = pytest.mark.django_db

LIST = reverse("returns:list")
CREATE = reverse("returns:create")
EXPORT = reverse("returns:export")
APPLICANTS = {
    Role.ADMIN,
    Role.CLERK,
    Role.SALES,
    Role.DEALER,
    Role.TECH_HEAD,
    Role.SUPERVISOR,
    Role.CUSTOMER_MANAGER,
    Role.QUALITY,
    Role.COMMERCE,
}


@pytest.fixture
def requests_(world, changsha):
    guangzhou = apply(world)
    hunan = apply(
        world,
        actor=world.tech_head,
        customer=changsha,
        instrument=None,
        item=world.part,
        serial_no="P-0099",
        purchased_on=dt.date(2026, 5, 1),
        fault_description="色谱柱压力异常升高",
    )
    return guangzhou, hunan


def move_url(rr, action):
    return reverse("returns:move", args=[rr.pk, action])


@pytest.mark.parametrize("role", sorted(Role.values))
def test_every_role_opens_the_list_and_the_applicants_the_form(client, world, requests_, role):
    client.force_login(world.users[role])
    assert client.get(LIST).status_code == 200
    assert client.get(CREATE).status_code == (200 if role in APPLICANTS else 403)


@pytest.mark.parametrize(
    ("role", "sees_hunan"),
    [("engineer", False), ("sales", False), ("dealer", False), ("customer_manager", False), ("quality", True)],
)
def test_each_role_sees_the_applications_of_its_customers(client, world, requests_, role, sees_hunan):
    guangzhou, hunan = requests_
    client.force_login(world.users[role])
    page = client.get(LIST).content.decode()
    assert guangzhou.number in page
    assert (hunan.number in page) is sees_hunan
    assert client.get(hunan.get_absolute_url()).status_code == (200 if sees_hunan else 404)


def _form(world, **overrides):
    data = {
        "customer": world.customer.pk,
        "applicant_name": "张组长",
        "applicant_phone": "13900000000",
        "instrument": world.instrument.pk,
        "quantity": "1",
        "purchased_on": "2026-03-10",
        "purchase_document": "FP-778899",
        "fault_description": "开机自检失败，报警 E105",
        "device_data": "软件 V2.3",
        "requested_remedy": "repair",
        "proof": SimpleUploadedFile("发票.jpg", b"\xff\xd8\xff\xe0 jpeg", content_type="image/jpeg"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_hotline_applies_with_the_invoice_photo_on_the_form(client, world):
    client.force_login(world.clerk)
    response = client.post(CREATE, _form(world))
    rr = ReturnRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == rr.get_absolute_url()
    assert rr.applicant_name == "张组长" and rr.attachments.get().original_name == "发票.jpg"
    page = client.get(rr.get_absolute_url()).content.decode()
    assert "FP-778899" in page and reverse("returns:attachment", args=[rr.pk, rr.attachments.get().pk]) in page


def test_the_form_without_the_proof_is_refused_with_the_input_kept(client, world):
    client.force_login(world.clerk)
    response = client.post(CREATE, _form(world, proof=None))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Attach the proof of purchase" in page and "开机自检失败，报警 E105" in page
    assert not ReturnRequest.objects.exists()


def test_the_form_out_of_warranty_says_until_when_and_a_clerk_sees_no_override_field(client, world):
    client.force_login(world.clerk)
    response = client.post(CREATE, _form(world, instrument=world.old_instrument.pk, purchased_on="2024-01-05"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Outside the allowed period" in page and "2025-01-09" in page
    assert 'name="override_reason"' not in page
    assert "Nothing was saved; choose the files again." in page


def test_the_technical_head_accepts_it_on_the_form_with_a_reason(client, world):
    client.force_login(world.tech_head)
    response = client.post(
        CREATE,
        _form(world, instrument=world.old_instrument.pk, purchased_on="2024-01-05", override_reason="老客户，特批"),
    )
    assert response.status_code == 302
    rr = ReturnRequest.objects.get()
    assert rr.in_period is False and rr.override_reason == "老客户，特批"
    page = client.get(rr.get_absolute_url()).content.decode()
    assert "Accepted outside the allowed period" in page and "老客户，特批" in page


def test_a_complaint_number_links_the_application_and_a_wrong_one_is_refused(client, world):
    from apps.complaints.tests._world import register

    complaint = register(world)
    client.force_login(world.clerk)
    page = client.get(CREATE, {"complaint": complaint.pk}).content.decode()
    assert complaint.number in page and "批号20260301的葡萄糖试剂质控持续偏高" in page
    response = client.post(CREATE, _form(world, complaint_number="CP000000-99999"))
    assert response.status_code == 400 and "No complaint with this number in your scope." in response.content.decode()
    response = client.post(
        CREATE,
        _form(world, complaint_number=complaint.number, instrument=None, purchased_on="2026-05-06", quantity="2"),
    )
    assert response.status_code == 302
    assert ReturnRequest.objects.get().complaint == complaint


def test_the_detail_page_offers_the_moves_of_the_users_role(client, world, requests_):
    guangzhou, _hunan = requests_
    client.force_login(world.quality)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert move_url(guangzhou, "assess") in page and move_url(guangzhou, "reject") in page
    assert move_url(guangzhou, "decide") not in page
    client.force_login(world.sales)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert "/assess/" not in page and "进样针堵塞" in page


def test_the_quality_department_assesses_and_the_technical_head_decides_on_the_pages(client, world, requests_):
    guangzhou, _hunan = requests_
    client.force_login(world.quality)
    assert client.get(move_url(guangzhou, "assess")).status_code == 200
    response = client.post(
        move_url(guangzhou, "assess"),
        {"cause": "进样针弯曲", "cause_category": "part_failure", "responsibility": "company", "expected_version": 1},
    )
    assert response.status_code == 302
    guangzhou.refresh_from_db()
    client.force_login(world.tech_head)
    response = client.post(
        move_url(guangzhou, "decide"),
        {"remedy": "refund", "refund_basis": "", "refund_reason": "", "expected_version": guangzhou.version},
    )
    assert response.status_code == 400
    assert "A refund only when repair or replacement cannot solve it" in response.content.decode()
    response = client.post(
        move_url(guangzhou, "decide"), {"remedy": "replacement", "expected_version": guangzhou.version}
    )
    assert response.status_code == 302
    guangzhou.refresh_from_db()
    assert guangzhou.status == Status.DECIDED and guangzhou.remedy == Remedy.REPLACEMENT


def test_the_refund_page_of_finance_asks_for_the_payment(client, world):
    rr = walk(world, apply_reagent(world), Status.DECIDED, remedy=Remedy.REFUND)
    client.force_login(world.tech_head)
    assert client.get(move_url(rr, "complete")).status_code == 403
    client.force_login(world.finance)
    page = client.get(move_url(rr, "complete")).content.decode()
    assert 'name="refund_amount"' in page and 'name="replacement_serial"' not in page
    response = client.post(
        move_url(rr, "complete"),
        {
            "work_done": "已收到退货并退款",
            "completed_on": "2026-06-08",
            "refund_amount": "1380.50",
            "refund_paid_on": "2026-06-08",
            "refund_reference": "ICBC-0608",
            "expected_version": rr.version,
        },
    )
    assert response.status_code == 302
    rr.refresh_from_db()
    assert rr.status == Status.COMPLETED and rr.completed_by == world.finance


def test_a_dealer_reads_the_refund_but_not_the_payment_reference(client, world):
    rr = walk(world, apply_reagent(world), Status.COMPLETED, remedy=Remedy.REFUND)
    client.force_login(world.dealer)
    page = client.get(rr.get_absolute_url()).content.decode()
    assert "Refund 128000.00 yuan paid 2026-06-08" in page and "ICBC-20260608-77" not in page
    client.force_login(world.finance)
    assert "ICBC-20260608-77" in client.get(rr.get_absolute_url()).content.decode()


def test_a_move_in_the_wrong_status_is_409_and_a_stale_form_keeps_the_input(client, world, requests_):
    guangzhou, _hunan = requests_
    client.force_login(world.tech_head)
    response = client.get(move_url(guangzhou, "close"))
    assert response.status_code == 409 and "Not possible while the application is" in response.content.decode()
    response = client.post(move_url(guangzhou, "reject"), {"reason": "我的理由QQ", "expected_version": 9})
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode() and "我的理由QQ" in response.content.decode()
    assert client.get(move_url(guangzhou, "teleport")).status_code == 404


def test_files_are_served_only_within_the_scope(client, world, requests_):
    guangzhou, hunan = requests_
    attachment = guangzhou.attachments.get()
    url = reverse("returns:attachment", args=[guangzhou.pk, attachment.pk])
    client.force_login(world.sales)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 invoice 0001"
    assert client.get(reverse("returns:attachment", args=[hunan.pk, attachment.pk])).status_code == 404
    client.force_login(world.other_engineer)
    assert client.get(url).status_code == 404


def test_a_photo_is_added_from_the_detail_page(client, world, requests_):
    guangzhou, _hunan = requests_
    client.force_login(world.quality)
    response = client.post(
        reverse("returns:attach", args=[guangzhou.pk]),
        {"kind": "fault", "file": SimpleUploadedFile("拆机.jpg", b"\xff\xd8 jpeg")},
    )
    assert response.status_code == 302
    assert guangzhou.attachments.filter(original_name="拆机.jpg").exists()


def test_the_excel_export_has_the_rows_of_the_filters(client, world, requests_):
    import openpyxl

    guangzhou, hunan = requests_
    client.force_login(world.quality)
    response = client.get(EXPORT, {"status": "open", "product_kind": "part"})
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2 and rows[1][0] == hunan.number and "色谱柱压力异常升高" in rows[1]


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [LIST, LIST + "?status=", EXPORT])
def test_the_list_and_the_export_make_the_same_number_of_queries_however_many_rows(
    client, world, requests_, url, django_assert_max_num_queries
):
    client.force_login(world.sales)
    _count(client, url)
    few = _count(client, url)
    for n in range(5):
        rr = apply_reagent(world, at=MONDAY + dt.timedelta(hours=n))
        if n % 2:
            walk(world, rr, Status.DECIDED)
    with django_assert_max_num_queries(few):
        response = client.get(url)
        if url == EXPORT:
            b"".join(response.streaming_content)


def test_the_detail_page_makes_the_same_number_of_queries_however_many_files_and_events(
    client, world, requests_, django_assert_max_num_queries
):
    from apps.returns import services
    from apps.returns.tests._helpers import photo

    guangzhou, _hunan = requests_
    client.force_login(world.tech_head)
    url = guangzhou.get_absolute_url()
    _count(client, url)
    few = _count(client, url)
    for n in range(3):
        services.return_attach(actor=world.quality, return_request=guangzhou, upload=photo(f"p{n}.jpg"))
    walk(world, guangzhou, Status.COMPLETED)
    with django_assert_max_num_queries(few):
        client.get(url)
