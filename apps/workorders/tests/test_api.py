"""/api/v1/work-orders/: the whole flow through the API, and every way it refuses (SPEC §2)."""

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.catalog.tests.factories import CatalogItemFactory
from apps.customers.choices import ProductLineUsage
from apps.customers.tests.factories import CustomerFactory
from apps.instruments.tests.factories import InstrumentFactory
from apps.workorders.choices import EventKind, Status
from apps.workorders.models import WorkOrder, WorkOrderEvent

URL = "/api/v1/work-orders/"


def _url(order_or_id, move: str = "") -> str:
    pk = getattr(order_or_id, "pk", order_or_id)
    return f"{URL}{pk}/{move + '/' if move else ''}"


def _build_world():
    province = ProvinceFactory(name="广东省")
    city = CityFactory(name="广州市", parent=province)
    other_province = ProvinceFactory(name="湖南省")
    other_city = CityFactory(name="长沙市", parent=other_province)
    sales = UserFactory(role=Role.SALES, username="sales")
    customer = CustomerFactory(
        name="广州市第一人民医院", city=city, responsible_sales=sales, product_line_usage=ProductLineUsage.FULL
    )
    other_customer = CustomerFactory(name="长沙市中心医院", city=other_city)
    return SimpleNamespace(
        province=province,
        city=city,
        customer=customer,
        other_customer=other_customer,
        # Out of warranty: a free service for a full-line user goes to the marketing-centre head.
        instrument=InstrumentFactory(
            serial_no="YH30-0001",
            customer=customer,
            install_date=dt.date(2023, 1, 5),
            acceptance_date=dt.date(2023, 1, 10),
        ),
        other_instrument=InstrumentFactory(serial_no="YH30-0002", customer=other_customer),
        sales=sales,
        clerk=UserFactory(role=Role.CLERK, username="clerk"),
        head=UserFactory(role=Role.TECH_HEAD, username="head"),
        head_2=UserFactory(role=Role.TECH_HEAD, username="head_2"),
        marketing=UserFactory(role=Role.MARKETING_HEAD, username="marketing"),
        finance=UserFactory(role=Role.FINANCE, username="finance"),
        engineer=UserFactory(role=Role.ENGINEER, username="engineer", name="李工", regions=[province]),
        engineer_2=UserFactory(role=Role.ENGINEER, username="engineer_2", name="王工", regions=[province]),
        far_engineer=UserFactory(role=Role.ENGINEER, username="far", name="赵工", regions=[other_province]),
    )


@pytest.fixture
def w(db):
    return _build_world()


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ok(response, code: int = 200) -> dict:
    assert response.status_code == code, response.content.decode()
    return response.json()


def _register(w, **overrides) -> dict:
    payload = {
        "customer": w.customer.pk,
        "instrument": w.instrument.pk,
        "work_type": "repair",
        "description": "样本针堵塞，报警 E102",
        "caller_name": "王老师",
        "caller_phone": "13912345678",
    }
    payload.update(overrides)
    return _ok(_as(w.clerk).post(URL, payload, format="json"), 201)


def _post(user, order: dict, move: str, **body) -> dict:
    """Make a move based on the version last read; returns the order as it is afterwards."""
    return _ok(_as(user).post(_url(order["id"], move), {"version": order["version"], **body}, format="json"))


def _approved_free_order(w) -> dict:
    order = _register(w)
    order = _post(w.sales, order, "application", billing="free", user_and_dealer_agree=True)
    return _post(w.marketing, order, "decide", decision="approve")


def _dispatched(w) -> dict:
    return _post(w.head, _approved_free_order(w), "dispatch", engineer=w.engineer.pk)


def _tomorrow_iso() -> str:
    return (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0).isoformat()


# --- the whole flow ---------------------------------------------------------------------------


def test_the_hotline_registers_a_request_and_gets_number_warranty_and_arrears(w):
    w.customer.in_arrears = True
    w.customer.save(update_fields=["in_arrears"])
    order = _register(w)
    assert order["number"].startswith("WO")
    assert order["status"] == "new"
    assert order["channel"] == "api"
    assert order["in_warranty"] is False
    assert order["arrears_at_intake"] is True
    assert order["version"] >= 1
    assert order["region"] == w.city.pk and order["sales"] == w.sales.pk
    assert [item["done"] for item in order["checklist"]] and not any(i["done"] for i in order["checklist"])
    assert {"resolve_remotely", "cancel"} <= set(order["allowed_actions"])
    assert "emergency_dispatch" not in order["allowed_actions"]  # the technical head's move (WO-5)
    assert WorkOrder.objects.get(pk=order["id"]).created_by == w.clerk


def test_a_unit_in_warranty_is_flagged_at_intake(w):
    order = _register(w, instrument=w.instrument.pk, customer=w.customer.pk)
    assert order["in_warranty"] is False
    fresh = InstrumentFactory(customer=w.customer, acceptance_date=timezone.localdate() - dt.timedelta(days=30))
    assert _register(w, instrument=fresh.pk)["in_warranty"] is True


def test_the_happy_path_from_intake_to_the_visit_record(w):
    order = _register(w)

    order = _post(w.sales, order, "application", billing="free", user_and_dealer_agree=True, work_content="更换针")
    assert order["status"] == "pending_approval"
    assert order["application"]["route"][0]["step"] == "marketing_head"
    assert order["application"]["route"][0]["current"] is True
    assert "approve" not in order["allowed_actions"]  # the sales person does not approve

    marketing_view = _ok(_as(w.marketing).get(_url(order["id"])))
    assert {"approve", "reject"} <= set(marketing_view["allowed_actions"])
    order = _post(w.marketing, marketing_view, "decide", decision="approve", reason="全线用户")
    assert order["status"] == "approved"
    assert order["application"]["state"] == "approved"
    assert order["application"]["decisions"][0]["decided_by"] == w.marketing.pk

    order = _post(w.head, order, "dispatch", engineer=w.engineer.pk)
    assert order["status"] == "dispatched"
    assert order["engineer"] == w.engineer.pk and order["engineer_name"] == "李工"

    engineer = _ok(_as(w.engineer).get(_url(order["id"])))
    assert "schedule" in engineer["allowed_actions"]
    for item in engineer["checklist"]:
        engineer = _post(w.engineer, engineer, "checklist", code=item["code"], done=True)
    assert all(item["done"] for item in engineer["checklist"])
    assert engineer["checklist"][0]["done_by"] == w.engineer.pk

    engineer = _post(w.engineer, engineer, "schedule", appointment_at=_tomorrow_iso(), agreed_with="王老师")
    assert engineer["status"] == "scheduled" and engineer["appointment_with"] == "王老师"

    engineer = _post(w.engineer, engineer, "check-in")
    assert engineer["status"] == "on_site"
    assert len(engineer["visits"]) == 1 and engineer["visits"][0]["checked_out_at"] is None

    engineer = _post(
        w.engineer,
        engineer,
        "visit",
        findings="样本针弯曲",
        work_done="更换样本针，校准",
        drift_warning_given=True,
        lab_head_consent=True,
        lab_head_name="张主任",
    )
    visit = engineer["visits"][0]
    assert (visit["findings"], visit["lab_head_consent"], visit["lab_head_name"]) == ("样本针弯曲", True, "张主任")

    timeline = _ok(_as(w.clerk).get(_url(order["id"], "timeline")))
    moves = [(e["from"], e["to"]) for e in timeline if e["to"]]
    assert moves == [
        ("", "new"),
        ("new", "pending_approval"),
        ("pending_approval", "approved"),
        ("approved", "dispatched"),
        ("dispatched", "scheduled"),
        ("scheduled", "on_site"),
    ]
    dispatch = next(e for e in timeline if e["kind"] == "dispatch")
    assert dispatch["actor"] == w.head.pk and dispatch["actor_name"] and dispatch["at"]
    assert {"id", "kind", "kind_label", "action", "from", "to", "actor", "at", "text"} <= set(dispatch)


def test_the_paid_route_takes_quote_contract_deposit_and_finance_before_dispatch(w):
    order = _register(w)
    order = _post(w.sales, order, "application", billing="paid")
    assert [s["step"] for s in order["application"]["route"]] == [
        "quote",
        "customer_agreement",
        "deposit",
        "deposit_confirmed",
    ]
    quote_missing = _as(w.head).post(
        _url(order["id"], "decide"), {"version": order["version"], "decision": "approve"}, format="json"
    )
    assert quote_missing.status_code == 400
    assert "quote_amount" in quote_missing.json()

    order = _post(w.head, order, "decide", decision="approve", quote_amount="1800.00", quote_note="更换注射器")
    assert order["paid"]["quote_amount"] == "1800.00" and order["paid"]["deposit_amount"] == "900.00"
    order = _post(w.sales, order, "decide", decision="approve", contract_no="HT-2026-118")
    order = _post(w.sales, order, "decide", decision="approve", deposit_reference="BANK-77812")
    assert order["status"] == "pending_approval"
    assert order["paid"]["deposit_reference"] == "BANK-77812"

    # SPEC WO-9: no dispatch before finance confirms the deposit.
    refused = _as(w.head).post(
        _url(order["id"], "dispatch"), {"version": order["version"], "engineer": w.engineer.pk}, format="json"
    )
    assert refused.status_code == 409
    assert "cannot be moved" in refused.json()["detail"]
    assert WorkOrder.objects.get(pk=order["id"]).engineer is None

    # Only finance confirms the deposit.
    not_finance = _as(w.head).post(
        _url(order["id"], "decide"), {"version": order["version"], "decision": "approve"}, format="json"
    )
    assert not_finance.status_code == 403
    order = _post(w.finance, order, "decide", decision="approve")
    assert order["status"] == "approved"
    assert order["paid"]["deposit_confirmed_by"] == w.finance.pk
    order = _post(w.head, order, "dispatch", engineer=w.engineer.pk)
    assert order["status"] == "dispatched"


def test_a_rejection_returns_the_reason(w):
    order = _register(w)
    order = _post(w.sales, order, "application", billing="free", user_and_dealer_agree=True)
    no_reason = _as(w.marketing).post(
        _url(order["id"], "decide"), {"version": order["version"], "decision": "reject"}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    order = _post(w.marketing, order, "decide", decision="reject", reason="非全线用户，应收费")
    assert order["status"] == "rejected" and order["closing_reason"] == "非全线用户，应收费"


def test_remote_first_solves_and_reopens(w):
    order = _register(w, work_type="app_troubleshooting")
    assert order["callback_due_at"]
    order = _post(w.clerk, order, "remote-attempt", actions="指导客户重新校准")
    assert "指导客户重新校准" in order["remote_actions"]
    order = _post(w.clerk, order, "resolve-remotely", solution="重新校准后正常")
    assert order["status"] == "remote_resolved" and order["outcome"] == "solved"
    order = _post(w.clerk, order, "reopen", reason="客户又来电")
    assert order["status"] == "new"


def test_the_emergency_path_flags_the_missing_application_until_it_is_filed(w):
    order = _register(w, urgency="urgent")
    order = _post(w.head, order, "emergency-dispatch", engineer=w.engineer.pk, reason="主任电话，总监同意")
    assert order["status"] == "dispatched" and order["emergency"] and order["application_missing"]
    missing = _ok(_as(w.head).get(URL, {"application_missing": "true"}))
    assert [row["id"] for row in missing["results"]] == [order["id"]]
    order = _post(w.sales, order, "application", billing="free", user_and_dealer_agree=True)
    assert order["application_missing"] is False and order["status"] == "dispatched"


def test_reallocation_pause_resume_reschedule_notes_and_cancel(w):
    order = _dispatched(w)
    order = _post(w.head, order, "reallocate", engineer=w.engineer_2.pk, reason="李工休假")
    assert order["engineer"] == w.engineer_2.pk
    order = _post(w.head, order, "pause", kind="waiting_customer", reason="客户实验室装修")
    assert order["on_hold"] is True and order["hold_reason"] == "客户实验室装修"
    order = _post(w.head, order, "resume")
    assert order["on_hold"] is False
    order = _post(w.head, order, "notes", text="已通知销售")
    assert any(e["text"] == "已通知销售" for e in _ok(_as(w.head).get(_url(order["id"], "timeline"))))
    order = _post(w.head, order, "cancel", reason="客户取消")
    assert order["status"] == "cancelled" and order["allowed_actions"] == []


def test_a_rescheduled_visit_needs_the_customer_told(w):
    order = _dispatched(w)
    for item in order["checklist"]:
        order = _post(w.engineer, order, "checklist", code=item["code"], done=True)
    order = _post(w.engineer, order, "schedule", appointment_at=_tomorrow_iso(), agreed_with="王老师")
    later = (timezone.now() + dt.timedelta(days=2)).replace(microsecond=0).isoformat()
    untold = _as(w.engineer).post(
        _url(order["id"], "reschedule"),
        {"version": order["version"], "appointment_at": later, "reason": "堵车", "customer_informed": False},
        format="json",
    )
    assert untold.status_code == 400 and "customer_informed" in untold.json()
    order = _post(w.engineer, order, "reschedule", appointment_at=later, reason="堵车", customer_informed=True)
    assert order["status"] == "scheduled"


def test_a_visit_is_booked_only_with_a_complete_checklist(w):
    order = _dispatched(w)
    response = _as(w.engineer).post(
        _url(order["id"], "schedule"),
        {"version": order["version"], "appointment_at": _tomorrow_iso(), "agreed_with": "王老师"},
        format="json",
    )
    assert response.status_code == 400
    assert "readiness checklist is not complete" in response.json()["appointment_at"][0]


def test_parts_on_site_result_assessment_and_arrival(w):
    order = _dispatched(w)
    for item in order["checklist"]:
        order = _post(w.engineer, order, "checklist", code=item["code"], done=True)
    order = _post(w.engineer, order, "schedule", appointment_at=_tomorrow_iso(), agreed_with="王老师")
    order = _post(w.engineer, order, "check-in")
    part = CatalogItemFactory(spare_part=True)
    # SPEC WO-9: free service never includes parts — the customer buys them.
    gift = _as(w.engineer).post(
        _url(order["id"], "parts"),
        {"version": order["version"], "item": part.pk, "quantity": 1, "supply": "gift"},
        format="json",
    )
    assert gift.status_code == 400 and "supply" in gift.json()
    order = _post(w.engineer, order, "parts", item=part.pk, quantity=2, supply="bought")
    assert order["parts"][0]["item"] == part.pk and order["parts"][0]["reminder_due_on"]
    order = _post(w.engineer, order, f"parts/{order['parts'][0]['id']}/arrived")
    assert order["parts"][0]["arrival_confirmed_at"]
    order = _post(w.engineer, order, "result", text="已修复，结果已告知销售")
    assert order["result_reported_at"]
    order = _post(w.clerk, order, "assessment", is_complaint=False)
    assert order["complaint_assessed"] is False and order["complaint_assessed_by"] == w.clerk.pk


def test_attachments_are_uploaded_as_multipart_and_listed(w):
    order = _register(w)
    photo = SimpleUploadedFile("fault.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    response = _as(w.clerk).post(
        _url(order["id"], "attachments"), {"version": order["version"], "file": photo, "caption": "报警"}
    )
    body = _ok(response, 201)
    assert body["kind"] == "photo" and body["original_name"] == "fault.png" and body["url"]
    download = _as(w.clerk).get(body["api_url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert _as(w.far_engineer).get(body["api_url"]).status_code == 404
    listed = _ok(_as(w.clerk).get(_url(order["id"], "attachments")))
    assert [a["caption"] for a in listed] == ["报警"]
    script = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    refused = _as(w.clerk).post(_url(order["id"], "attachments"), {"version": order["version"], "file": script})
    assert refused.status_code == 400 and "file" in refused.json()


def _signature_data_url() -> str:
    import base64
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 90), (120, 20), (200, 100), (280, 30)], fill=(0, 0, 0, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _on_site_with_record(w, order) -> dict:
    for item in order["checklist"]:
        order = _post(w.engineer, order, "checklist", code=item["code"], done=True)
    order = _post(w.engineer, order, "schedule", appointment_at=_tomorrow_iso(), agreed_with="王老师")
    order = _post(w.engineer, order, "check-in")
    return _post(
        w.engineer,
        order,
        "visit",
        findings="注射器漏液",
        work_done="更换注射器",
        lab_head_consent=True,
        lab_head_name="张主任",
    )


def test_the_customer_signs_the_report_and_the_order_completes_and_closes(w):
    order = _on_site_with_record(w, _dispatched(w))
    engineer = _as(w.engineer)
    preview = _ok(engineer.get(_url(order["id"], "report")))
    assert preview["blockers"] == {} and preview["snapshot"]["visit"]["work_done"] == "更换注射器"

    blank = engineer.post(
        _url(order["id"], "report"),
        {
            "version": order["version"],
            "signer_name": "张主任",
            "signature": "data:image/png;base64,AAAA",
            "outcome": "solved",
        },
        format="json",
    )
    assert blank.status_code == 400 and "signature" in blank.json()

    signed = _ok(
        engineer.post(
            _url(order["id"], "report"),
            {
                "version": order["version"],
                "signer_name": "张主任",
                "signer_title": "检验科主任",
                "signature": _signature_data_url(),
                "outcome": "solved",
                "summary_hash": preview["summary_hash"],
            },
            format="json",
        ),
        201,
    )
    assert signed["status"] == "completed" and signed["outcome"] == "solved"
    report = signed["reports"][0]
    assert report["signer_name"] == "张主任" and len(report["content_hash"]) == 64
    assert report["visit"] == signed["visits"][0]["id"] and signed["visits"][0]["checked_out_at"]
    pdf = engineer.get(report["api_pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert report["pdf_url"].endswith(f"/work-orders/reports/{report['id']}/pdf/")
    assert _as(w.far_engineer).get(report["api_pdf_url"]).status_code == 404

    blocked = _as(w.clerk).post(_url(order["id"], "close"), {"version": signed["version"]}, format="json")
    assert blocked.status_code == 409 and "complaint" in blocked.json()["detail"]
    assert "Assess whether this service record is a complaint." in signed["close_blockers"]
    order = _post(w.clerk, signed, "assessment", is_complaint=False)
    order = _post(w.clerk, order, "close", note="回访完成")
    assert order["status"] == "closed" and order["closed_at"]


def test_a_paid_job_closes_only_once_finance_has_the_balance_and_invoice(w):
    order = _register(w)
    order = _post(w.sales, order, "application", billing="paid")
    order = _post(w.head, order, "decide", decision="approve", quote_amount="1000")
    order = _post(w.sales, order, "decide", decision="approve", contract_no="HT-1")
    order = _post(w.sales, order, "decide", decision="approve", deposit_reference="BANK-1")
    order = _post(w.finance, order, "decide", decision="approve")
    order = _post(w.head, order, "dispatch", engineer=w.engineer.pk)
    order = _on_site_with_record(w, order)
    order = _ok(
        _as(w.engineer).post(
            _url(order["id"], "report"),
            {
                "version": order["version"],
                "signer_name": "张主任",
                "signature": _signature_data_url(),
                "outcome": "solved",
            },
            format="json",
        ),
        201,
    )
    assert order["paid"]["balance_due_date"]
    order = _post(w.clerk, order, "assessment", is_complaint=False)
    unpaid = _as(w.clerk).post(_url(order["id"], "close"), {"version": order["version"]}, format="json")
    assert unpaid.status_code == 409 and "balance" in unpaid.json()["detail"]
    not_finance = _as(w.clerk).post(
        _url(order["id"], "balance"), {"version": order["version"], "invoice_no": "FP-1"}, format="json"
    )
    assert not_finance.status_code == 403
    order = _post(w.finance, order, "balance", invoice_no="FP-20261129")
    assert order["paid"]["invoice_no"] == "FP-20261129" and order["paid"]["balance_confirmed_by"] == w.finance.pk
    assert _post(w.clerk, order, "close")["status"] == "closed"


def test_the_history_lists_field_changes(w):
    order = _dispatched(w)
    history = _ok(_as(w.head).get(_url(order["id"], "history")))
    assert any(c["field"] == "engineer" for entry in history for c in entry["changes"])


# --- refusals ---------------------------------------------------------------------------------


def test_an_illegal_move_is_409_with_a_message_and_changes_nothing(w):
    order = _register(w)
    response = _as(w.head).post(_url(order["id"], "check-in"), {"version": order["version"]}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "A work order that is “New” cannot be moved by “Check in on site”."
    stored = WorkOrder.objects.get(pk=order["id"])
    assert (stored.status, stored.version) == (Status.NEW, order["version"])


def test_a_wrong_role_is_403_with_the_reason(w):
    order = _approved_free_order(w)
    response = _as(w.engineer).post(
        _url(order["id"], "dispatch"), {"version": order["version"], "engineer": w.engineer.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role may not do this on a work order."
    assert WorkOrder.objects.get(pk=order["id"]).status == Status.APPROVED


def test_another_engineer_may_not_book_the_visit(w):
    order = _dispatched(w)
    response = _as(w.engineer_2).post(_url(order["id"], "check-in"), {"version": order["version"]}, format="json")
    assert response.status_code in (403, 409)
    assert WorkOrder.objects.get(pk=order["id"]).status == Status.DISPATCHED


def test_a_stale_version_is_409_and_nothing_changes(w):
    first = _register(w)
    filed = _post(w.sales, first, "application", billing="free", user_and_dealer_agree=True)
    response = _as(w.marketing).post(
        _url(first["id"], "decide"), {"version": first["version"], "decision": "approve"}, format="json"
    )
    assert response.status_code == 409
    assert "changed this record" in response.json()["detail"]
    stored = WorkOrder.objects.get(pk=first["id"])
    assert (stored.status, stored.version) == (Status.PENDING_APPROVAL, filed["version"])
    assert not stored.application.decisions.exists()


def test_a_stale_version_is_refused_also_by_moves_whose_service_takes_none(w):
    order = _dispatched(w)
    _post(w.engineer, order, "checklist", code=order["checklist"][0]["code"], done=True)
    response = _as(w.engineer).post(
        _url(order["id"], "notes"), {"version": order["version"], "text": "旧页面上写的"}, format="json"
    )
    assert response.status_code == 409
    assert not WorkOrderEvent.objects.filter(work_order_id=order["id"], text="旧页面上写的").exists()


def test_every_move_requires_the_version(w):
    order = _register(w)
    response = _as(w.clerk).post(_url(order["id"], "notes"), {"text": "没有版本"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_two_dispatches_from_the_same_version_give_one_200_and_one_409(w):
    order = _approved_free_order(w)
    first = _as(w.head).post(
        _url(order["id"], "dispatch"), {"version": order["version"], "engineer": w.engineer.pk}, format="json"
    )
    second = _as(w.head_2).post(
        _url(order["id"], "dispatch"), {"version": order["version"], "engineer": w.engineer_2.pk}, format="json"
    )
    assert (first.status_code, second.status_code) == (200, 409)
    stored = WorkOrder.objects.get(pk=order["id"])
    assert stored.engineer == w.engineer
    assert stored.events.filter(kind=EventKind.DISPATCH).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across threads need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_heads_dispatching_at_the_same_moment_never_double_dispatch():
    w = _build_world()
    order = _approved_free_order(w)
    barrier = threading.Barrier(2)
    results = {}

    def dispatch(head, engineer):
        try:
            client = _as(head)
            barrier.wait(timeout=10)
            results[head.username] = client.post(
                _url(order["id"], "dispatch"), {"version": order["version"], "engineer": engineer.pk}, format="json"
            ).status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=dispatch, args=(w.head, w.engineer)),
        threading.Thread(target=dispatch, args=(w.head_2, w.engineer_2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == [200, 409]
    stored = WorkOrder.objects.get(pk=order["id"])
    assert stored.events.filter(kind=EventKind.DISPATCH).count() == 1
    assert stored.version == order["version"] + 1


def test_a_token_and_a_browser_session_both_reach_the_api(w):
    from rest_framework.authtoken.models import Token

    order = _register(w)
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=w.engineer).key}")
    assert _ok(token.get(_url(order["id"])))["number"] == order["number"]
    session = APIClient()
    session.force_login(w.clerk)
    assert _ok(session.post(_url(order["id"], "notes"), {"version": order["version"], "text": "会话"}, format="json"))
    assert APIClient().get(_url(order["id"])).status_code in (401, 403)


def test_an_order_outside_the_scope_is_404_for_reading_and_moving(w):
    order = _register(w)
    far = _as(w.far_engineer)
    assert far.get(_url(order["id"])).status_code == 404
    assert far.get(_url(order["id"], "timeline")).status_code == 404
    assert far.post(_url(order["id"], "notes"), {"version": 1, "text": "x"}, format="json").status_code == 404
    assert _ok(far.get(URL))["count"] == 0
    assert _ok(_as(w.engineer).get(URL))["count"] == 1


def test_intake_for_a_customer_outside_the_scope_is_400(w):
    response = _as(w.engineer).post(
        URL,
        {"customer": w.other_customer.pk, "work_type": "repair", "description": "坏了"},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not WorkOrder.objects.exists()


def test_roles_that_may_not_register_get_403(w):
    response = _as(w.finance).post(
        URL, {"customer": w.customer.pk, "work_type": "repair", "description": "坏了"}, format="json"
    )
    assert response.status_code == 403


def test_the_callers_phone_is_masked_for_roles_without_personal_data(w):
    order = _register(w)
    assert _ok(_as(w.clerk).get(_url(order["id"])))["caller_phone"] == "13912345678"
    assert _ok(_as(w.finance).get(_url(order["id"])))["caller_phone"] == "139****5678"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"customer": "abc"}, "customer"),
        ({"customer": 10**30}, "customer"),
        ({"customer": True}, "customer"),
        ({"customer": -3}, "customer"),
        ({"instrument": 99999999}, "instrument"),
        ({"work_type": "bogus"}, "work_type"),
        ({"urgency": 5}, "urgency"),
        ({"description": "x" * 6000}, "description"),
        ({"caller_phone": "1" * 100}, "caller_phone"),
        ({"description": ["a list"]}, "description"),
    ],
)
def test_hostile_intake_input_is_a_400_naming_the_field(w, overrides, field):
    payload = {"customer": w.customer.pk, "work_type": "repair", "description": "坏了", **overrides}
    response = _as(w.clerk).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("body", [["a list"], "a string", 42])
def test_a_body_that_is_not_an_object_is_a_400(w, body):
    order = _register(w)
    response = _as(w.clerk).post(_url(order["id"], "notes"), body, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "move, body, field",
    [
        ("notes", {"version": "abc", "text": "x"}, "version"),
        ("notes", {"version": 10**30, "text": "x"}, "version"),
        ("notes", {"version": -1, "text": "x"}, "version"),
        ("dispatch", {"engineer": 10**30}, "engineer"),
        ("dispatch", {"engineer": "李工"}, "engineer"),
        ("decide", {"decision": "maybe"}, "decision"),
        ("decide", {"decision": "approve", "quote_amount": "1e30"}, "quote_amount"),
        ("decide", {"decision": "approve", "quote_amount": "lots"}, "quote_amount"),
        ("parts", {"item": 1, "quantity": 10**12, "supply": "bought"}, "quantity"),
        ("schedule", {"appointment_at": "tomorrow", "agreed_with": "王"}, "appointment_at"),
        ("checklist", {"code": "x" * 100, "done": True}, "code"),
        ("checklist", {"code": "site", "done": "perhaps"}, "done"),
        ("pause", {"kind": "lunch", "reason": "x"}, "kind"),
    ],
)
def test_hostile_move_input_is_a_400_not_a_500(w, move, body, field):
    order = _register(w)
    body = {"version": order["version"], **body}
    response = _as(w.head).post(_url(order["id"], move), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert WorkOrder.objects.get(pk=order["id"]).version == order["version"]


@pytest.mark.parametrize(
    "path",
    [
        "abc/",
        "99999999999999999999999/",
        "-1/",
        "1.5/",
        "{id}/parts/99999999999999999999999/arrived/",
        "{id}/parts/12345/arrived/",
    ],
)
def test_bad_ids_in_the_path_are_404(w, path):
    order = _register(w)
    url = URL + path.format(id=order["id"])
    response = (
        _as(w.head).post(url, {"version": order["version"]}, format="json")
        if "arrived" in path
        else (_as(w.head).get(url))
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"engineer": "abc"},
        {"customer": "99999999999999999999999"},
        {"region": "-5"},
        {"created_after": "last week"},
        {"status": "bogus"},
        {"open": "sometimes"},
        {"page_size": "100000"},
        {"page": "abc"},
    ],
)
def test_malformed_list_filters_never_cause_a_500(w, params):
    _register(w)
    response = _as(w.head).get(URL, params)
    assert response.status_code in (200, 400, 404)


# --- the list ---------------------------------------------------------------------------------


def test_the_list_filters_like_the_list_page(w):
    repair = _register(w)
    training = _register(w, work_type="training", urgency="urgent")
    _post(w.clerk, training, "cancel", reason="重复登记")
    head = _as(w.head)

    def ids(**params):
        return {row["id"] for row in _ok(head.get(URL, {"page_size": 200, **params}))["results"]}

    assert ids() == {repair["id"], training["id"]}
    assert ids(open="true") == {repair["id"]}
    assert ids(open="false") == {training["id"]}
    assert ids(status=["new", "cancelled"]) == {repair["id"], training["id"]}
    assert ids(status="cancelled") == {training["id"]}
    assert ids(work_type="training") == {training["id"]}
    assert ids(urgency="urgent") == {training["id"]}
    assert ids(region=w.province.pk) == {repair["id"], training["id"]}
    assert ids(region=w.other_customer.city_id) == set()
    assert ids(customer=w.customer.pk, instrument=w.instrument.pk) == {repair["id"], training["id"]}
    today = timezone.localdate().isoformat()
    assert ids(created_after=today, created_before=today) == {repair["id"], training["id"]}
    assert ids(created_after="2099-01-01") == set()
    assert ids(q=repair["number"]) == {repair["id"]}
    assert ids(q="广州市第一") == {repair["id"], training["id"]}
    dispatched = _dispatched(w)
    assert ids(engineer=w.engineer.pk) == {dispatched["id"]}


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_orders(w):
    from apps.workorders.tests.factories import WorkOrderFactory

    head = _as(w.head)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            body = _ok(head.get(URL, {"page_size": 100}))
        return len(queries), body["count"]

    engineer = w.engineer
    for _ in range(3):
        WorkOrderFactory(customer=w.customer, engineer=engineer, status=Status.DISPATCHED)
    few = count_queries()
    for _ in range(27):
        WorkOrderFactory(customer=w.customer, engineer=engineer, status=Status.DISPATCHED)
    many = count_queries()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0]


def test_the_detail_reads_in_a_bounded_number_of_queries(w):
    order = _dispatched(w)
    head = _as(w.head)
    with CaptureQueriesContext(connection) as few:
        _ok(head.get(_url(order["id"])))
    for _ in range(5):
        order = _post(w.head, order, "notes", text="又一条")
    with CaptureQueriesContext(connection) as more:
        _ok(head.get(_url(order["id"])))
    assert len(few) == len(more)


# --- dispatch suggestions (SPEC WO-6) ---------------------------------------------------------


def test_dispatch_suggestions_rank_resident_engineers_first_with_reasons(w):
    order = _approved_free_order(w)
    ranked = _ok(_as(w.head).get(_url(order["id"], "dispatch-suggestions")))
    assert {row["engineer"] for row in ranked} == {w.engineer.pk, w.engineer_2.pk, w.far_engineer.pk}
    assert ranked[-1]["engineer"] == w.far_engineer.pk
    assert ranked[0]["resident"] is True and ranked[0]["reasons"]
    assert all({"text", "tone"} <= set(reason) for reason in ranked[0]["reasons"])
    assert _as(w.engineer).get(_url(order["id"], "dispatch-suggestions")).status_code == 403
    assert _as(w.head).get(_url(order["id"], "dispatch-suggestions"), {"limit": "lots"}).status_code == 400
