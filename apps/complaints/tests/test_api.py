"""/api/v1/complaints/, regulatory-reports/, capas/, reporting-rules/ and reassignment-reviews/ as
a client meets them: scoped lists with filters, the whole complaint file, one POST per move naming
the version, 400 with field messages, 403 for the wrong person, 404 outside the scope, 409 on a
stale version or a move the status does not allow."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.complaints import services
from apps.complaints.choices import Kind, ReplyMethod, Status
from apps.complaints.models import Capa, Complaint, ReassignmentReview, RegulatoryReport, ReportingRule
from apps.complaints.tests._world import local, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/complaints/"
REPORTS = "/api/v1/regulatory-reports/"
CAPAS = "/api/v1/capas/"
RULES = "/api/v1/reporting-rules/"
REVIEWS = "/api/v1/reassignment-reviews/"


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:800])
    return response.json()


def _url(pk, move=""):
    return f"{URL}{pk}/{move + '/' if move else ''}"


def _version(complaint) -> int:
    return Complaint.objects.values_list("version", flat=True).get(pk=complaint.pk)


def _move(user, complaint, move, **body):
    body.setdefault("version", _version(complaint))
    return _as(user).post(_url(complaint.pk, move), body, format="json")


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_complaints_with_their_reports_due(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    body = _ok(_as(world.clerk).get(URL))
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["id"], row["number"], row["status"], row["kind"], row["customer_name"]) == (
        complaint.pk,
        complaint.number,
        "investigation",
        "product",
        "广州市第一人民医院",
    )
    assert (row["received_at"], row["lot_no"], row["reportable"]) == ("2026-03-02T10:00:00+08:00", "20260301", True)
    assert (row["pending_reports"], row["overdue_reports"]) == (1, 1)  # due 2026-03-09, long past
    assert "complainant_phone" not in row


def test_the_list_is_scoped_and_closed_to_strangers(world):
    register(world)
    assert _ok(_as(world.engineer).get(URL))["count"] == 1
    assert _ok(_as(world.sales).get(URL))["count"] == 1
    assert _ok(_as(world.dealer).get(URL))["count"] == 1  # the dealer serving the customer
    assert _ok(_as(world.other_engineer).get(URL))["count"] == 0
    assert _ok(_as(world.other_sales).get(URL))["count"] == 0
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_list_filters_by_status_kind_customer_lot_serial_dates_overdue_and_text(world):
    product = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    service = register(world, kind=Kind.SERVICE, at=local(2026, 6, 1, 9), instrument=world.instrument)
    closed = walk(world, register(world, at=local(2026, 6, 5, 9), summary="试剂盒破损"), Status.REVIEW)
    services.complaint_close(actor=world.quality, complaint=closed, review_note="OK", at=local(2026, 6, 6, 9))
    head = _as(world.quality)

    def ids(**params):
        return [row["id"] for row in _ok(head.get(URL, params))["results"]]

    assert ids() == [closed.pk, service.pk, product.pk]
    assert ids(status="investigation") == [product.pk]
    assert ids(status=["investigation", "closed"]) == [closed.pk, product.pk]
    assert ids(kind="service") == [service.pk]
    assert ids(open="false") == [closed.pk]
    assert ids(customer=world.customer.pk) == [closed.pk, service.pk, product.pk]
    assert ids(lot_no="20260301", kind="product") == [closed.pk, product.pk]
    assert ids(serial_no="yh30-0001") == [service.pk]
    assert ids(received_after="2026-06-01", received_before="2026-06-04") == [service.pk]
    # Overdue: the death report (due 2026-03-09) and the service complaint's CP-4 clocks (June).
    assert ids(overdue="true") == [service.pk, product.pk]
    assert ids(overdue="false") == [closed.pk]
    assert ids(reportable="true") == [product.pk]
    assert ids(q="破损") == [closed.pk]
    assert ids(q=product.number) == [product.pk]
    assert ids(ordering="received_at")[0] == product.pk
    assert head.get(URL, {"status": "lost"}).status_code == 400
    assert head.get(URL, {"customer": "abc"}).status_code == 400
    assert head.get(URL, {"received_after": "yesterday"}).status_code == 400


def test_the_list_takes_the_same_number_of_queries_for_2_or_12_complaints(world):
    quality = _as(world.quality)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            body = _ok(quality.get(URL, {"page_size": 100}))
        return len(queries), body["count"]

    for minute in range(2):
        walk(world, register(world, at=local(2026, 3, 2, 10, minute)), Status.INVESTIGATION, events=["group_event"])
    few, count = count_queries()
    assert count == 2
    for minute in range(2, 12):
        register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10, minute), handler=world.supervisor)
    many, count = count_queries()
    assert count == 12
    assert many == few


def test_the_engineers_scoped_list_takes_the_same_number_of_queries_too(world):
    engineer = _as(world.engineer)
    register(world)
    with CaptureQueriesContext(connection) as few:
        _ok(engineer.get(URL))
    for minute in range(1, 8):
        register(world, kind=Kind.SERVICE, at=local(2026, 6, 8, 9, minute))
    with CaptureQueriesContext(connection) as many:
        assert _ok(engineer.get(URL))["count"] == 8
    assert len(many) == len(few)


# --- the complaint file --------------------------------------------------------------------------


def test_the_detail_shows_the_whole_file_and_what_the_caller_can_do(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["group_event"])
    services.complaint_add_reply(
        actor=world.clerk,
        complaint=complaint,
        kind="acknowledgement",
        method=ReplyMethod.PHONE,
        content="已收到",
        at=local(2026, 3, 2, 12),
    )
    body = _ok(_as(world.quality).get(_url(complaint.pk)))
    assert (body["number"], body["status"], body["status_label"]) == (
        complaint.number,
        "investigation",
        "Investigation",
    )
    assert (body["complainant_name"], body["complainant_phone"]) == ("李主任", "13800000000")
    assert (body["reportable"], body["reportable_events"]) == (True, ["group_event"])
    assert body["evaluation_rationale"] == "属于投诉"
    assert body["allowed_actions"] == ["complete_investigation", "waive_investigation"]
    assert body["allowed_activities"] == ["edit", "reply", "revise_reportability", "submit_report", "link_capa", "note"]
    assert [(r["rule_code"], r["state"], r["due_at"], r["overdue"]) for r in body["reports"]] == [
        ("cn-group-phone", "pending", "2026-03-02T22:00:00+08:00", True),
        ("cn-group-individual", "pending", "2026-03-03T10:00:00+08:00", True),
        ("cn-group-investigation", "pending", "2026-03-09T23:59:59+08:00", True),
    ]
    assert [(r["kind"], r["content"], r["by_name"]) for r in body["replies"]] == [
        ("acknowledgement", "已收到", str(world.clerk))
    ]
    assert [e["kind"] for e in body["events"]][:3] == ["created", "transition", "transition"]
    assert body["events"][1]["from"] == "received" and body["events"][1]["to"] == "reportability"
    assert {c["policy"]: c["state"] for c in body["sla_clocks"]} == {
        "complaint-reply": "stopped",
        "complaint-plan": "running",
        "complaint-resolved": "running",
    }
    assert body["close_blockers"] == []  # only shown in the quality review
    clerk = _ok(_as(world.clerk).get(_url(complaint.pk)))
    assert (clerk["allowed_actions"], clerk["allowed_activities"]) == ([], ["edit", "reply", "note"])


@pytest.mark.parametrize("role", ["marketing_head", "general_manager", "finance", "dealer"])
def test_the_complainants_phone_and_address_are_masked_for_roles_without_personal_data(world, role):
    complaint = register(world, complainant_address="广州市越秀区中山二路1号", complainant_age=52)
    body = _ok(_as(world.users[role]).get(_url(complaint.pk)))
    assert body["complainant_phone"] != "13800000000"
    assert body["complainant_phone"].startswith("138") and "*" in body["complainant_phone"]
    assert (body["complainant_address"], body["complainant_age"]) == ("", None)
    plain = _ok(_as(world.clerk).get(_url(complaint.pk)))
    assert (plain["complainant_phone"], plain["complainant_address"], plain["complainant_age"]) == (
        "13800000000",
        "广州市越秀区中山二路1号",
        52,
    )


def test_a_complaint_outside_the_scope_or_unknown_is_404(world):
    complaint = register(world)
    other = _as(world.other_engineer)
    assert other.get(_url(complaint.pk)).status_code == 404
    # Even a move open to every role ("view") finds nothing there.
    assert _move(world.other_engineer, complaint, "self-assessment", text="x").status_code == 404
    quality = _as(world.quality)
    assert quality.get(_url(999999)).status_code == 404
    assert quality.get(f"{URL}abc/").status_code == 404
    assert quality.get(_url("99999999999999999999999")).status_code == 404


def test_the_close_blockers_say_what_is_missing(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.REVIEW, events=["death"])
    body = _ok(_as(world.quality).get(_url(complaint.pk, "close-blockers")))
    assert body == {
        "can_close": False,
        "blockers": [
            "Regulatory report overdue and not submitted: "
            "Individual adverse-event report (death) (due 2026-03-09 23:59)"
        ],
    }
    assert _ok(_as(world.quality).get(_url(complaint.pk)))["close_blockers"] == body["blockers"]


# --- intake and correction ------------------------------------------------------------------------

INTAKE = {
    "kind": "product",
    "channel": "phone",
    "complainant_name": "王老师",
    "complainant_phone": "13900000000",
    "product_name": "葡萄糖测定试剂盒",
    "summary": "质控偏高",
    "details": "连续三天质控偏高。",
    "harm": "none",
}


def test_a_clerk_registers_a_complaint_and_the_lot_fills_in_its_number(world):
    body = _ok(
        _as(world.clerk).post(
            URL,
            {**INTAKE, "customer": world.customer.pk, "lot": world.lot.pk, "received_at": "2026-11-01T09:00:00+08:00"},
            format="json",
        ),
        201,
    )
    complaint = Complaint.objects.get()
    assert (body["id"], body["status"], body["lot_no"], body["item"]) == (
        complaint.pk,
        "received",
        "20260301",
        world.reagent.pk,
    )
    assert (body["received_at"], body["aware_at"]) == ("2026-11-01T09:00:00+08:00", "2026-11-01T09:00:00+08:00")
    assert body["received_by"] == world.clerk.pk
    assert {c["policy"] for c in body["sla_clocks"]} == {"complaint-reply", "complaint-plan", "complaint-resolved"}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "complainant_name"),
        ({**INTAKE, "kind": "rumour"}, "kind"),
        ({**INTAKE, "customer": 99999999}, "customer"),
        ({**INTAKE, "customer": "abc"}, "customer"),
        ({**INTAKE, "received_at": "2099-01-01T09:00:00+08:00"}, "received_at"),
        ({**INTAKE, "complainant_age": 200}, "complainant_age"),
        ({**INTAKE, "summary": "x" * 201}, "summary"),
        ({**INTAKE, "kind": "service", "engineer": "me"}, "engineer"),
    ],
)
def test_bad_intake_is_a_400_naming_the_field(world, payload, field):
    response = _as(world.clerk).post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Complaint.objects.count() == 0


def test_an_intake_for_a_customer_outside_the_scope_is_refused(world):
    response = _as(world.other_engineer).post(URL, {**INTAKE, "customer": world.customer.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"customer": ["You cannot register a complaint for this customer."]}


def test_finance_may_not_register_a_complaint(world):
    assert _as(world.finance).post(URL, INTAKE, format="json").status_code == 403
    assert Complaint.objects.count() == 0


def test_an_edit_changes_only_the_fields_sent_and_needs_the_version(world):
    complaint = register(world)
    clerk = _as(world.clerk)
    version = _version(complaint)
    assert clerk.patch(_url(complaint.pk, "edit"), {"summary": "改"}, format="json").json() == {
        "version": ["Send the version of the complaint you are changing."]
    }
    body = _ok(clerk.patch(_url(complaint.pk, "edit"), {"summary": "质控偏高 20%", "version": version}, format="json"))
    assert (body["summary"], body["details"], body["version"]) == ("质控偏高 20%", complaint.details, version + 1)
    stale = clerk.patch(_url(complaint.pk, "edit"), {"summary": "再改", "version": version}, format="json")
    assert stale.status_code == 409
    bad = clerk.patch(_url(complaint.pk, "edit"), {"harm": "mild", "version": version + 1}, format="json")
    assert bad.status_code == 400 and "harm" in bad.json()
    assert _move(world.engineer, complaint, "edit", summary="x").status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).summary == "质控偏高 20%"


def test_a_closed_complaint_cannot_be_edited(world):
    complaint = walk(world, register(world), Status.REVIEW)
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=local(2026, 6, 9))
    response = _move(world.quality, complaint, "edit", summary="改")
    assert response.status_code == 409
    assert response.json() == {"detail": "The complaint is closed and can no longer be changed."}


# --- moves ---------------------------------------------------------------------------------------


def test_the_evaluation_needs_a_rationale_the_right_person_and_the_current_version(world):
    complaint = register(world)
    assert _move(world.quality, complaint, "evaluate", is_complaint=True).json() == {
        "rationale": ["Give the rationale of the evaluation."]
    }
    assert _move(world.quality, complaint, "evaluate", rationale="是").json() == {
        "is_complaint": ["This field is required."]
    }
    refused = _move(world.tech_head, complaint, "evaluate", is_complaint=True, rationale="是")  # a product complaint
    assert (refused.status_code, refused.json()) == (403, {"detail": "You may not do this on this complaint."})
    services.complaint_update(actor=world.clerk, complaint=complaint, data={"complainant_employer": "检验科"})
    stale = _move(world.quality, complaint, "evaluate", is_complaint=True, rationale="是", version=1)
    assert stale.status_code == 409
    body = _ok(_move(world.quality, complaint, "evaluate", is_complaint=True, rationale="质控偏高，属于产品投诉"))
    assert (body["status"], body["evaluated_by"], body["allowed_actions"]) == (
        "reportability",
        world.quality.pk,
        ["decide_reportability"],
    )
    again = _move(world.quality, complaint, "evaluate", is_complaint=True, rationale="是")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "Not possible while the complaint is “Reportability decision”."},
    )


def test_not_a_complaint_closes_it_with_the_rationale(world):
    complaint = register(world)
    body = _ok(_move(world.quality, complaint, "evaluate", is_complaint=False, rationale="咨询"))
    assert (body["status"], body["is_final"], body["retain_until"]) == ("not_complaint", True, body["retain_until"])
    assert body["retain_until"] is not None
    assert {c["state"] for c in body["sla_clocks"]} == {"cancelled"}


def test_a_reportability_decision_starts_the_clocks_shown_on_the_file(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.REPORTABILITY)
    bad = _move(world.quality, complaint, "decide-reportability", reportable=True, events=["alien"])
    assert bad.status_code == 400 and "events" in bad.json()
    assert _move(world.quality, complaint, "decide-reportability", reportable=True).json() == {
        "events": ["Name what makes it reportable (death, serious injury, group event …)."]
    }
    body = _ok(
        _move(
            world.quality,
            complaint,
            "decide-reportability",
            reportable=True,
            events=["serious_injury"],
            rationale="重伤",
        )
    )
    assert body["status"] == "investigation"
    assert [(r["rule_code"], r["due_at"], r["warn_at"]) for r in body["reports"]] == [
        ("cn-serious-injury", "2026-03-22T23:59:59+08:00", "2026-03-17T23:59:59+08:00")
    ]


def test_revising_reportability_is_for_the_quality_department(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    assert (
        _move(world.supervisor, complaint, "revise-reportability", reportable=False, rationale="否").status_code == 403
    )
    body = _ok(_move(world.quality, complaint, "revise-reportability", reportable=False, rationale="复核无关"))
    assert (body["reportable"], [r["state"] for r in body["reports"]]) == (False, ["withdrawn"])


def test_the_investigation_and_its_waiver(world):
    complaint = walk(world, register(world), Status.INVESTIGATION)
    assert _move(world.quality, complaint, "complete-investigation", findings="复测").json() == {
        "cause_category": ["Choose the cause."]
    }
    assert "cause_category" in _move(world.quality, complaint, "complete-investigation", cause_category="x").json()
    body = _ok(
        _move(
            world.quality,
            complaint,
            "complete-investigation",
            findings="留样复测偏高 12%",
            root_cause="校准品赋值偏差",
            cause_category="reagent_lot",
            started_on="2026-06-08",
            completed_on="2026-06-09",
        )
    )
    assert (body["status"], body["investigated"], body["investigation_completed_on"], body["cause_category"]) == (
        "disposition",
        True,
        "2026-06-09",
        "reagent_lot",
    )
    later2 = walk(world, register(world, at=local(2026, 6, 10, 9, 10)), Status.INVESTIGATION)
    assert _move(world.quality, later2, "waive-investigation", reason="同批", covered_by=99999999).status_code == 400
    assert _move(world.quality, later2, "waive-investigation", reason="").json() == {
        "reason": ["Say why no investigation is needed."]
    }
    body = _ok(_move(world.quality, later2, "waive-investigation", reason="同批已调查", covered_by=complaint.pk))
    assert (body["investigated"], body["covered_by"], body["covered_by_number"]) == (
        False,
        complaint.pk,
        complaint.number,
    )


def test_a_disposition_a_correction_with_capas_and_the_resolution(world):
    complaint = walk(world, register(world), Status.DISPOSITION)
    assert _move(world.quality, complaint, "record-disposition", disposition="not_applicable").json() == {
        "disposition": ["A product complaint needs a product disposition."]
    }
    _ok(_move(world.quality, complaint, "record-disposition", disposition="lot_held", note="封存"))
    capa = services.capa_create(actor=world.quality, data={"title": "批间差"})
    assert "capas" in _move(world.quality, complaint, "record-correction", correction="换批", capas=[99999]).json()
    assert _move(world.quality, complaint, "record-correction", correction="换批").json() == {
        "no_capa_reason": ["Link a CAPA or say why none is needed."]
    }
    body = _ok(_move(world.quality, complaint, "record-correction", correction="换批", capas=[capa.pk]))
    assert (body["status"], [c["number"] for c in body["capas"]]) == ("reply", [capa.number])
    body = _ok(
        _move(world.clerk, complaint, "send-resolution", method="phone", content="已换批并致歉", satisfied="yes")
    )
    assert body["status"] == "review"
    assert [(r["kind"], r["satisfied"]) for r in body["replies"]] == [("resolution", "yes")]
    assert body["close_blockers"] == [f"CAPA {capa.number} is still open"]


def test_closing_is_refused_with_the_blockers_and_done_after(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.REVIEW, events=["death"])
    refused = _move(world.quality, complaint, "close", review_note="OK")
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("The complaint cannot close yet: Regulatory report overdue")
    assert _move(world.supervisor, complaint, "close", review_note="OK").status_code == 403
    services.report_submit(actor=world.quality, report=complaint.reports.get(), report_number="N-1")
    assert _move(world.quality, complaint, "close", review_note="").json() == {
        "review_note": ["Write the quality review."]
    }
    body = _ok(_move(world.quality, complaint, "close", review_note="审核通过"))
    assert (body["status"], body["reviewed_by"], body["allowed_actions"]) == ("closed", world.quality.pk, [])
    assert body["retain_until"]


def test_a_complaint_sent_back_for_rework(world):
    complaint = walk(world, register(world), Status.REVIEW)
    assert _move(world.tech_head, complaint, "return-for-rework", reason="补测").status_code == 403
    body = _ok(_move(world.quality, complaint, "return-for-rework", reason="补充留样检测"))
    assert body["status"] == "investigation"


# --- activities ------------------------------------------------------------------------------------


def test_a_reply_is_recorded_and_stops_the_reply_clock(world):
    complaint = walk(world, register(world), Status.REPORTABILITY)
    future = _move(
        world.clerk, complaint, "replies", kind="acknowledgement", method="phone", content="已收到",
        replied_at="2099-01-01T09:00:00+08:00",
    )  # fmt: skip
    assert future.json() == {"replied_at": ["The reply cannot be in the future."]}
    assert "kind" in _move(world.clerk, complaint, "replies", method="phone", content="x").json()
    body = _ok(
        _move(
            world.clerk,
            complaint,
            "replies",
            kind="acknowledgement",
            method="phone",
            content="已收到，明天上门",
            replied_at="2026-06-08T11:00:00+08:00",
        ),
        201,
    )
    assert [r["content"] for r in body["replies"]] == ["已收到，明天上门"]
    assert {c["policy"]: c["met"] for c in body["sla_clocks"]}["complaint-reply"] is True
    assert _move(world.engineer, complaint, "replies", kind="other", method="phone", content="x").status_code == 403


def test_the_cp3_steps_of_a_service_complaint(world):
    complaint = walk(world, register(world, kind=Kind.SERVICE), Status.INVESTIGATION)
    assert _move(world.quality, complaint, "apologise", text="致歉").status_code == 403
    body = _ok(_move(world.tech_head, complaint, "apologise", text="代表技术部致歉"))
    assert (body["apology"], body["apologised_by"]) == ("代表技术部致歉", world.tech_head.pk)
    assert _move(world.tech_head, complaint, "talk-with-engineer", note="").json() == {
        "note": ["Write what was discussed."]
    }
    _ok(_move(world.tech_head, complaint, "talk-with-engineer", note="已谈话"))
    assert _move(world.engineer2, complaint, "self-assessment", text="不是我").status_code == 403
    body = _ok(_move(world.engineer, complaint, "self-assessment", text="我迟到了，今后提前出发"))
    assert body["self_assessment"] == "我迟到了，今后提前出发"
    assert body["self_assessed_at"]


def test_a_product_complaint_has_no_apology_step(world):
    complaint = walk(world, register(world), Status.INVESTIGATION)
    response = _move(world.admin, complaint, "apologise", text="致歉")
    assert response.json() == {"non_field_errors": ["Only a service complaint has this step."]}


def test_notes_and_capa_links(world):
    complaint = register(world)
    body = _ok(_move(world.clerk, complaint, "notes", text="客户再次来电"), 201)
    assert body["events"][-1]["text"] == "客户再次来电"
    services.complaint_update(actor=world.clerk, complaint=complaint, data={"complainant_employer": "检验科"})
    assert _move(world.clerk, complaint, "notes", text="x", version=1).status_code == 409
    capa = services.capa_create(actor=world.quality, data={"title": "批间差"})
    assert _move(world.clerk, complaint, "link-capa", capa=capa.pk).status_code == 403
    assert _move(world.quality, complaint, "link-capa", capa="abc").status_code == 400
    body = _ok(_move(world.quality, complaint, "link-capa", capa=capa.pk))
    assert [c["id"] for c in body["capas"]] == [capa.pk]


# --- regulatory reports -----------------------------------------------------------------------------


def test_the_reports_list_is_scoped_and_filtered(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["group_event"])
    quality = _as(world.quality)
    body = _ok(quality.get(REPORTS))
    assert [(r["rule_code"], r["complaint_number"], r["overdue"]) for r in body["results"]] == [
        ("cn-group-phone", complaint.number, True),
        ("cn-group-individual", complaint.number, True),
        ("cn-group-investigation", complaint.number, True),
    ]
    first = RegulatoryReport.objects.get(rule__code="cn-group-phone")
    services.report_submit(actor=world.quality, report=first, report_number="TEL-1")
    assert _ok(quality.get(REPORTS, {"state": "submitted"}))["count"] == 1
    assert _ok(quality.get(REPORTS, {"overdue": "true"}))["count"] == 2
    assert _ok(quality.get(REPORTS, {"complaint": complaint.pk, "event": "group_event"}))["count"] == 3
    assert _ok(_as(world.other_engineer).get(REPORTS))["count"] == 0
    assert _as(world.other_engineer).get(f"{REPORTS}{first.pk}/").status_code == 404
    assert quality.get(REPORTS, {"state": "lost"}).status_code == 400


def test_the_reports_list_takes_the_same_number_of_queries_for_more_rows(world):
    quality = _as(world.quality)
    walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    with CaptureQueriesContext(connection) as few:
        assert _ok(quality.get(REPORTS))["count"] == 1
    for minute in range(1, 4):
        walk(world, register(world, at=local(2026, 3, 2, 10, minute)), Status.INVESTIGATION, events=["group_event"])
    with CaptureQueriesContext(connection) as many:
        assert _ok(quality.get(REPORTS))["count"] == 10
    assert len(many) == len(few)


def test_a_submission_with_its_file_through_the_api(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    report = complaint.reports.get()
    url = f"{REPORTS}{report.pk}/submit/"
    quality = _as(world.quality)
    assert _as(world.tech_head).post(url, {"version": 1, "report_number": "N"}).status_code == 403
    assert quality.post(url, {"version": 1, "report_number": ""}).json() == {
        "report_number": ["Give the report number the authority gave."]
    }
    assert quality.post(url, {"version": 7, "report_number": "N"}).status_code == 409
    response = quality.post(
        url,
        {
            "version": 1,
            "report_number": "MDAE-2026-0042",
            "submitted_at": "2026-03-06T15:00:00+08:00",
            "note": "国家监测系统在线提交",
            "attachment": SimpleUploadedFile("report.pdf", b"%PDF-1.4 adverse event", content_type="application/pdf"),
        },
        format="multipart",
    )
    body = _ok(response)
    assert (body["state"], body["report_number"], body["submitted_at"], body["submitted_by"]) == (
        "submitted",
        "MDAE-2026-0042",
        "2026-03-06T15:00:00+08:00",
        world.quality.pk,
    )
    assert body["attachment_url"].endswith(f"{REPORTS}{report.pk}/attachment/")
    download = quality.get(f"{REPORTS}{report.pk}/attachment/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 adverse event"
    assert _as(world.other_engineer).get(f"{REPORTS}{report.pk}/attachment/").status_code == 404
    again = quality.post(url, {"version": 2, "report_number": "N"})
    assert (again.status_code, again.json()) == (409, {"detail": "This report is no longer waiting to be submitted."})


# --- CAPAs ----------------------------------------------------------------------------------------


def test_capas_are_opened_linked_listed_and_closed(world):
    complaint = register(world)
    quality = _as(world.quality)
    assert _as(world.clerk).post(CAPAS, {"title": "x"}, format="json").status_code == 403
    assert quality.post(CAPAS, {}, format="json").json() == {"title": ["This field is required."]}
    body = _ok(
        quality.post(CAPAS, {"title": "批间差超标", "due_on": "2026-12-31", "complaint": complaint.pk}, format="json"),
        201,
    )
    capa = Capa.objects.get()
    assert (body["number"], body["owner"], body["state"]) == (capa.number, world.quality.pk, "open")
    assert [c["id"] for c in body["complaints"]] == [complaint.pk]
    listed = _ok(quality.get(CAPAS, {"state": "open"}))
    assert [(r["id"], r["complaint_count"]) for r in listed["results"]] == [(capa.pk, 1)]
    assert _ok(_as(world.other_engineer).get(f"{CAPAS}{capa.pk}/"))["complaints"] == []
    url = f"{CAPAS}{capa.pk}/close/"
    assert quality.post(url, {"version": 1, "effectiveness": ""}, format="json").json() == {
        "effectiveness": ["Record the effectiveness check before closing."]
    }
    assert quality.post(url, {"version": 9, "effectiveness": "有效"}, format="json").status_code == 409
    body = _ok(quality.post(url, {"version": 1, "effectiveness": "连续三批合格"}, format="json"))
    assert (body["state"], body["closed_by"]) == ("closed", world.quality.pk)
    assert quality.post(url, {"version": 2, "effectiveness": "再关"}, format="json").status_code == 409
    assert quality.get(f"{CAPAS}999999/").status_code == 404


def test_the_capa_list_takes_the_same_number_of_queries_for_more_rows(world):
    quality = _as(world.quality)
    services.capa_create(actor=world.quality, data={"title": "一"})
    with CaptureQueriesContext(connection) as few:
        _ok(quality.get(CAPAS))
    for n in range(5):
        services.capa_create(actor=world.supervisor, data={"title": f"第{n}"}, complaint=register(world))
    with CaptureQueriesContext(connection) as many:
        assert _ok(quality.get(CAPAS))["count"] == 6
    assert len(many) == len(few)


# --- reporting rules ------------------------------------------------------------------------------


def test_the_reporting_rules_are_read_by_staff_and_changed_by_quality(world):
    rule = ReportingRule.objects.get(code="cn-serious-injury")
    listed = _ok(_as(world.engineer).get(RULES, {"event": "group_event"}))
    assert [r["code"] for r in listed["results"]] == ["cn-group-phone", "cn-group-individual", "cn-group-investigation"]
    assert listed["results"][0]["deadline_text"] == "12 hours of becoming aware"
    url = f"{RULES}{rule.pk}/"
    assert _as(world.tech_head).patch(url, {"amount": 15, "version": 1}, format="json").status_code == 403
    assert _as(world.quality).patch(url, {"amount": 0, "version": 1}, format="json").json() == {
        "amount": ["The deadline must be at least 1."]
    }
    body = _ok(_as(world.quality).patch(url, {"amount": 15, "version": 1}, format="json"))
    assert (body["amount"], body["version"]) == (15, 2)
    assert _as(world.quality).patch(url, {"amount": 16, "version": 1}, format="json").status_code == 409
    created = _ok(
        _as(world.quality).post(
            RULES,
            {
                "code": "cn-quality-accident",
                "jurisdiction": "cn",
                "event": "serious_injury",
                "sequence": 2,
                "name": "质量事故报告",
                "recipient": "省药监局",
                "amount": 3,
                "unit": "working_days",
                "warn_before": "1 00:00:00",
                "escalate_role": "general_manager",
            },
            format="json",
        ),
        201,
    )
    assert created["deadline_text"] == "3 working days of becoming aware"
    off = _as(world.quality).post(
        f"{RULES}{created['id']}/deactivate/", {"reason": "重复", "version": 1}, format="json"
    )
    assert _ok(off)["is_active"] is False


# --- reassignment reviews --------------------------------------------------------------------------


def test_the_technical_head_decides_a_reassignment_review(world):
    walk(world, register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10)), Status.REPORTABILITY)
    walk(world, register(world, kind=Kind.SERVICE, at=local(2026, 6, 2, 10)), Status.REPORTABILITY)
    review = ReassignmentReview.objects.get()
    head = _as(world.tech_head)
    body = _ok(head.get(REVIEWS, {"state": "open"}))
    assert [(r["id"], r["engineer"], r["state"]) for r in body["results"]] == [(review.pk, world.engineer.pk, "open")]
    assert _as(world.clerk).get(REVIEWS).status_code == 403
    url = f"{REVIEWS}{review.pk}/decide/"
    assert _as(world.supervisor).post(url, {"version": 1, "decision": "调岗"}, format="json").status_code == 403
    assert head.post(url, {"version": 1, "decision": ""}, format="json").json() == {
        "decision": ["Say what was decided."]
    }
    assert head.post(url, {"version": 5, "decision": "调岗"}, format="json").status_code == 409
    body = _ok(head.post(url, {"version": 1, "decision": "暂不调岗，加强培训"}, format="json"))
    assert (body["state"], body["decided_by"], body["decision"]) == (
        "decided",
        world.tech_head.pk,
        "暂不调岗，加强培训",
    )
    assert head.post(url, {"version": 2, "decision": "再议"}, format="json").status_code == 409


def test_every_complaint_endpoint_is_in_the_api_schema(db):
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/complaints/",
        "/api/v1/complaints/{id}/edit/",
        "/api/v1/complaints/{id}/decide-reportability/",
        "/api/v1/complaints/{id}/close-blockers/",
        "/api/v1/complaints/{id}/self-assessment/",
        "/api/v1/regulatory-reports/{id}/submit/",
        "/api/v1/capas/{id}/close/",
        "/api/v1/reporting-rules/{id}/deactivate/",
        "/api/v1/reassignment-reviews/{id}/decide/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/complaints/{id}/edit/"]) == {"post", "patch"}
