"""/api/v1/deliveries/, trace/, field-notices/, notice-recipients/: the same rules as the pages —
scope (404), roles (403), field messages (400), stale versions (409)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.trace.models import Delivery, FieldNotice
from apps.trace.tests._helpers import (  # noqa: F401
    complaint_world,
    deliver,
    issue_for_lot,
    register,
    trace_world_fixture,
)

pytestmark = pytest.mark.django_db

DRAFT = {
    "title": "葡萄糖试剂偏高",
    "notice_class": "2",
    "reason": "留样复测偏高",
    "action_required": "停止使用该批号",
}


def test_commerce_records_a_delivery_and_a_bad_one_is_a_400_naming_the_field(api_client, tw):
    api_client.force_authenticate(tw.commerce)
    body = {
        "delivered_on": "2026-03-05",
        "customer": tw.customer.pk,
        "lot": tw.lot.pk,
        "quantity": 3,
        "document_no": "FH-9",
    }
    created = api_client.post("/api/v1/deliveries/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["item_code"] == "R-GLU" and created.json()["lot_no"] == "20260301"
    refused = api_client.post("/api/v1/deliveries/", {**body, "lot": None, "item": None}, format="json")
    assert refused.status_code == 400 and "item" in refused.json()
    pk = created.json()["id"]
    stale = api_client.patch(f"/api/v1/deliveries/{pk}/", {"quantity": 4, "version": 99}, format="json")
    assert stale.status_code == 409
    assert Delivery.objects.get().quantity == 3


def test_sales_may_not_record_deliveries(api_client, tw):
    api_client.force_authenticate(tw.sales)
    assert api_client.post("/api/v1/deliveries/", {}, format="json").status_code == 403
    assert api_client.get("/api/v1/deliveries/").status_code == 200


def test_the_delivery_list_runs_the_same_number_of_queries_for_more_rows(api_client, tw):
    deliver(tw, tw.customer, dealer=tw.dealer_firm)
    api_client.force_authenticate(tw.quality)
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/deliveries/")
    for _ in range(6):
        deliver(tw, tw.hunan, dealer=tw.dealer_firm)
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get("/api/v1/deliveries/").json()["results"]) == 7
    assert len(many) == len(few)


def test_the_trace_answers_a_lot_number(api_client, tw):
    deliver(tw, tw.customer, quantity=7, dealer=tw.dealer_firm)
    complaint = register(tw)
    api_client.force_authenticate(tw.clerk)
    body = api_client.get("/api/v1/trace/", {"lot_no": "20260301"}).json()
    assert body["kind"] == "lot" and body["lot"]["item_code"] == "R-GLU"
    assert [(c["customer_name"], c["quantity"], c["dealers"]) for c in body["customers"]] == [
        ("广州市第一人民医院", 7, ["穗康医疗"])
    ]
    assert [c["number"] for c in body["complaints"]] == [complaint.number]


def test_the_trace_answers_a_serial_number_and_refuses_nonsense(api_client, tw):
    api_client.force_authenticate(tw.quality)
    body = api_client.get("/api/v1/trace/", {"serial_no": "YH30-0001"}).json()
    assert body["instrument"]["serial_no"] == "YH30-0001"
    assert api_client.get("/api/v1/trace/").status_code == 400
    assert api_client.get("/api/v1/trace/", {"lot_no": "1", "serial_no": "2"}).status_code == 400
    assert api_client.get("/api/v1/trace/", {"lot": "abc"}).status_code == 400
    api_client.force_authenticate(tw.dealer)
    assert api_client.get("/api/v1/trace/", {"serial_no": "YH30-0001"}).status_code == 403


def test_a_notice_is_drafted_issued_and_closed_through_the_api(api_client, tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    api_client.force_authenticate(tw.quality)
    created = api_client.post("/api/v1/field-notices/", {**DRAFT, "lots": [tw.lot.pk]}, format="json")
    assert created.status_code == 201, created.json()
    notice = created.json()
    assert notice["state"] == "draft" and notice["number"].startswith("FSN")
    url = f"/api/v1/field-notices/{notice['id']}/"
    assert api_client.patch(url, {"title": "x"}, format="json").status_code == 400  # no version
    assert api_client.post(f"{url}issue/", {"version": notice["version"] + 1}, format="json").status_code == 409
    issued = api_client.post(f"{url}issue/", {"version": notice["version"]}, format="json")
    assert issued.status_code == 200, issued.json()
    issued = issued.json()
    assert issued["state"] == "issued" and issued["recipient_count"] == 2 and issued["acknowledged_count"] == 0
    refused = api_client.post(f"{url}close/", {"version": issued["version"]}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    closed = api_client.post(f"{url}close/", {"version": issued["version"], "reason": "撤回"}, format="json")
    assert closed.json()["state"] == "closed"
    assert [e["kind"] for e in api_client.get(f"{url}timeline/").json()] == ["created", "issued", "closed"]


def test_recipients_are_told_and_acknowledge_through_the_api(api_client, tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)
    api_client.force_authenticate(tw.other_sales)
    rows = api_client.get("/api/v1/notice-recipients/", {"notice": notice.pk, "pending": "true"}).json()["results"]
    assert [r["customer_name"] for r in rows] == ["长沙市中心医院"]  # only his customers
    row = rows[0]
    url = f"/api/v1/notice-recipients/{row['id']}/"
    told = api_client.post(f"{url}notify/", {"version": row["version"], "channel": "phone"}, format="json").json()
    assert told["notify_channel"] == "phone" and told["notified_at"]
    assert (
        api_client.post(f"{url}notify/", {"version": told["version"], "channel": "email"}, format="json").status_code
        == 400
    )
    acked = api_client.post(
        f"{url}acknowledge/", {"version": told["version"], "name": "王主任", "position": "主任"}, format="json"
    )
    assert acked.json()["acknowledged_by"] == "王主任"
    again = api_client.post(f"{url}acknowledge/", {"version": acked.json()["version"], "name": "李"}, format="json")
    assert again.status_code == 409
    other = notice.recipients.get(customer=tw.customer)
    assert api_client.get(f"/api/v1/notice-recipients/{other.pk}/").status_code == 404


def test_only_quality_drafts_notices_through_the_api(api_client, tw):
    api_client.force_authenticate(tw.engineer)
    assert api_client.post("/api/v1/field-notices/", {**DRAFT, "lots": [tw.lot.pk]}, format="json").status_code == 403
    assert api_client.get("/api/v1/field-notices/").status_code == 200
    assert not FieldNotice.objects.exists()


def test_the_notice_and_recipient_lists_run_the_same_number_of_queries(api_client, tw):
    from apps.customers.tests.factories import CustomerFactory

    deliver(tw, tw.customer)
    first = issue_for_lot(tw)
    api_client.force_authenticate(tw.quality)
    with CaptureQueriesContext(connection) as few_notices:
        api_client.get("/api/v1/field-notices/")
    with CaptureQueriesContext(connection) as few_recipients:
        api_client.get("/api/v1/notice-recipients/", {"notice": first.pk})
    for _ in range(5):
        deliver(tw, CustomerFactory(city=tw.city))
    bigger = issue_for_lot(tw, title="更多")
    with CaptureQueriesContext(connection) as many_notices:
        api_client.get("/api/v1/field-notices/")
    with CaptureQueriesContext(connection) as many_recipients:
        assert len(api_client.get("/api/v1/notice-recipients/", {"notice": bigger.pk}).json()["results"]) == 6
    assert len(many_notices) == len(few_notices)
    assert len(many_recipients) == len(few_recipients)
