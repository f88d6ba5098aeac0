"""/api/v1/returns/: the same rules as the pages — scope (404), roles (403), field messages (400),
stale versions and wrong statuses (409); the application as multipart with its proof."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.returns.choices import Remedy, Status
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

URL = "/api/v1/returns/"


def _body(world, **overrides):
    body = {
        "customer": world.customer.pk,
        "applicant_name": "李主任",
        "applicant_phone": "13800000000",
        "item": world.reagent.pk,
        "lot": world.lot.pk,
        "quantity": 2,
        "purchased_on": "2026-05-06",
        "purchase_document": "DN-0506",
        "fault_description": "质控偏高",
        "requested_remedy": "exchange",
        "proof": SimpleUploadedFile("送货单.pdf", b"%PDF-1.4 dn", content_type="application/pdf"),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_a_sales_person_applies_with_the_delivery_note(api_client, world):
    api_client.force_authenticate(world.sales)
    response = api_client.post(URL, _body(world), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "applied" and body["product_kind"] == "consumable" and body["lot_no"] == "20260301"
    assert body["period_ends_on"] == "2027-08-31" and body["in_period"] is True
    assert [a["kind"] for a in body["attachments"]] == ["proof"]
    assert messages_for(world.quality, contains=body["number"])
    file = api_client.get(f"{URL}{body['id']}/attachments/{body['attachments'][0]['id']}/")
    assert file.status_code == 200 and b"".join(file.streaming_content) == b"%PDF-1.4 dn"


def test_an_application_without_proof_or_outside_the_period_is_400_naming_the_field(api_client, world):
    api_client.force_authenticate(world.clerk)
    response = api_client.post(URL, _body(world, proof=None), format="multipart")
    assert response.status_code == 400 and "proof" in response.json()
    response = api_client.post(
        URL,
        _body(world, item=None, lot=None, instrument=world.old_instrument.pk, quantity=1, purchased_on="2024-01-05"),
        format="multipart",
    )
    assert response.status_code == 400
    assert "2025-01-09" in response.json()["purchased_on"][0]


def test_the_moves_one_post_each_with_the_version_up_to_a_refund_confirmed_by_finance(api_client, world):
    rr = apply_reagent(world)
    api_client.force_authenticate(world.quality)
    body = api_client.post(
        f"{URL}{rr.pk}/assess/",
        {"cause": "批间差超标", "responsibility": "company", "cause_category": "reagent_lot", "version": 1},
        format="json",
    ).json()
    assert body["status"] == "assessed" and body["responsibility_label"] == "Our company (product quality)"
    response = api_client.post(f"{URL}{rr.pk}/decide/", {"remedy": "refund", "version": body["version"]}, format="json")
    assert response.status_code == 400 and {"refund_basis", "refund_reason"} <= set(response.json())
    body = api_client.post(
        f"{URL}{rr.pk}/decide/",
        {
            "remedy": "refund",
            "refund_basis": "replacement_failed",
            "refund_reason": "换批后仍偏高",
            "version": body["version"],
        },
        format="json",
    ).json()
    assert body["status"] == "decided" and body["remedy"] == "refund"
    response = api_client.post(f"{URL}{rr.pk}/complete/", {"work_done": "x", "version": body["version"]}, format="json")
    assert response.status_code == 403
    api_client.force_authenticate(world.finance)
    body = api_client.post(
        f"{URL}{rr.pk}/complete/",
        {
            "work_done": "已退款",
            "refund_amount": "920.00",
            "refund_paid_on": "2026-06-08",
            "refund_reference": "ICBC-1",
            "version": body["version"],
        },
        format="json",
    ).json()
    assert body["status"] == "completed" and body["refund_amount"] == "920.00" and body["refund_reference"] == "ICBC-1"
    api_client.force_authenticate(world.quality)
    body = api_client.post(f"{URL}{rr.pk}/close/", {"version": body["version"]}, format="json").json()
    assert body["status"] == "closed"
    timeline = api_client.get(f"{URL}{rr.pk}/timeline/").json()
    assert [e["to_status"] for e in timeline] == ["applied", "assessed", "decided", "completed", "closed"]


def test_a_stale_version_and_a_wrong_status_are_409(api_client, world):
    rr = apply(world)
    api_client.force_authenticate(world.quality)
    response = api_client.post(f"{URL}{rr.pk}/assess/", {"cause": "x", "responsibility": "company", "version": 5})
    assert response.status_code == 409
    response = api_client.post(f"{URL}{rr.pk}/close/", {"version": 1}, format="json")
    assert response.status_code == 409 and "Not possible while the application is" in response.json()["detail"]
    response = api_client.post(f"{URL}{rr.pk}/reject/", {"reason": "x"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_roles_that_may_not_are_403_and_rows_outside_the_scope_404(api_client, world, changsha):
    rr = apply(world)
    hunan = apply(world, actor=world.tech_head, customer=changsha, instrument=None, item=world.part)
    api_client.force_authenticate(world.engineer)
    assert api_client.post(URL, _body(world), format="multipart").status_code == 403
    response = api_client.post(f"{URL}{rr.pk}/assess/", {"cause": "x", "responsibility": "company", "version": 1})
    assert response.status_code == 403
    assert api_client.get(f"{URL}{hunan.pk}/").status_code == 404
    api_client.force_authenticate(world.dealer)
    ids = [row["id"] for row in api_client.get(URL).json()["results"]]
    assert ids == [rr.pk]


def test_the_phone_and_the_payment_reference_follow_the_readers_rights(api_client, world):
    rr = walk(world, apply_reagent(world), Status.COMPLETED, remedy=Remedy.REFUND)
    api_client.force_authenticate(world.dealer)
    body = api_client.get(f"{URL}{rr.pk}/").json()
    assert body["applicant_phone"] == "138****0000" and body["refund_reference"] == ""
    api_client.force_authenticate(world.finance)
    assert api_client.get(f"{URL}{rr.pk}/").json()["refund_reference"] == "ICBC-20260608-77"


def test_a_file_is_added_through_the_api(api_client, world):
    rr = apply(world)
    api_client.force_authenticate(world.clerk)
    response = api_client.post(
        f"{URL}{rr.pk}/attachments/",
        {"kind": "fault", "file": SimpleUploadedFile("报警.png", b"\x89PNG data")},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["original_name"] == "报警.png"


def test_the_list_filters_and_makes_the_same_number_of_queries_however_many_rows(
    api_client, world, django_assert_max_num_queries
):
    apply(world)
    api_client.force_authenticate(world.sales)
    api_client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        api_client.get(URL)
    for n in range(5):
        rr = apply_reagent(world, at=MONDAY + dt.timedelta(hours=n))
        if n % 2:
            walk(world, rr, Status.COMPLETED)
    with django_assert_max_num_queries(len(queries)):
        assert len(api_client.get(URL).json()["results"]) == 6
    rows = api_client.get(URL, {"status": "completed"}).json()["results"]
    assert len(rows) == 2 and {row["status"] for row in rows} == {"completed"}
