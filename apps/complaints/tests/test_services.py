"""The complaint services as the quality department, the technical head and the hotline meet
them: bad input is refused with the field named and changes nothing, a stale version is a
conflict, reportability starts and withdraws reports, closing waits for reports, CAPAs and the
CP-3 steps, the CP-4 clocks stop on the right replies, and the right people are told."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from apps.complaints import selectors, services
from apps.complaints.choices import (
    CapaState,
    Disposition,
    EventKind,
    Kind,
    ReplyKind,
    ReplyMethod,
    ReportState,
    ReviewState,
    Status,
)
from apps.complaints.models import Capa, Complaint, ReassignmentReview, RegulatoryReport
from apps.complaints.tests._world import local, messages_for, register, walk, world_fixture  # noqa: F401
from apps.core.exceptions import ConflictError

AT = local(2026, 6, 9, 10, 0)  # the day after the complaint was received (Mon 2026-06-08 09:00)


def share_case(w, complaint):
    """CP-3: the technical head shares the case to the library."""
    from apps.knowledge.services import case_create

    case_create(
        actor=w.tech_head,
        data={
            "title": "工程师迟到",
            "symptom": "客户投诉工程师迟到且态度差",
            "fix": "提前一天确认行程",
            "complaint": complaint,
            "published": True,
        },
    )


def service_steps(w, complaint, *, at=AT):
    services.complaint_apologise(actor=w.tech_head, complaint=complaint, text="代表技术部致歉", at=at)
    services.complaint_talk_with_engineer(actor=w.tech_head, complaint=complaint, note="已谈话", at=at)
    services.complaint_self_assess(actor=w.engineer, complaint=complaint, text="我迟到了", at=at)
    if hasattr(complaint, "cases"):
        share_case(w, complaint)


def _snapshot(complaint):
    complaint = Complaint.objects.get(pk=complaint.pk)
    return (
        complaint.status,
        complaint.version,
        complaint.events.count(),
        complaint.replies.count(),
        complaint.reports.count(),
        complaint.capas.count(),
    )


def _clocks(complaint) -> dict[str, str]:
    from apps.sla.selectors import clocks_for

    return {c.policy.code: c.state for c in clocks_for([complaint]).get(complaint.pk, [])}


# --- bad input changes nothing ------------------------------------------------------------------

S = services
BAD_MOVES = [
    # (what, status the complaint stands in, the call, the field named)
    (
        "an evaluation without a rationale",
        Status.RECEIVED,
        lambda w, c: S.complaint_evaluate(actor=w.quality, complaint=c, is_complaint=True, rationale="  ", at=AT),
        "rationale",
    ),
    (
        "not a complaint without a rationale",
        Status.RECEIVED,
        lambda w, c: S.complaint_evaluate(actor=w.quality, complaint=c, is_complaint=False, rationale="", at=AT),
        "rationale",
    ),
    (
        "reportable without events",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_decide_reportability(actor=w.quality, complaint=c, reportable=True, at=AT),
        "events",
    ),
    (
        "not reportable without a reason",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_decide_reportability(actor=w.quality, complaint=c, reportable=False, at=AT),
        "rationale",
    ),
    (
        "an unknown event",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_decide_reportability(
            actor=w.quality, complaint=c, reportable=True, events=["death", "alien_abduction"], at=AT
        ),
        "events",
    ),
    (
        "an investigation without findings",
        Status.INVESTIGATION,
        lambda w, c: S.complaint_complete_investigation(
            actor=w.quality, complaint=c, findings="", cause_category="reagent_lot", at=AT
        ),
        "findings",
    ),
    (
        "an investigation without a cause",
        Status.INVESTIGATION,
        lambda w, c: S.complaint_complete_investigation(actor=w.quality, complaint=c, findings="复测", at=AT),
        "cause_category",
    ),
    (
        "an investigation completed tomorrow",
        Status.INVESTIGATION,
        lambda w, c: S.complaint_complete_investigation(
            actor=w.quality,
            complaint=c,
            findings="复测",
            cause_category="reagent_lot",
            completed_on=dt.date(2026, 6, 10),
            at=AT,
        ),
        "completed_on",
    ),
    (
        "an investigation started after it was completed",
        Status.INVESTIGATION,
        lambda w, c: S.complaint_complete_investigation(
            actor=w.quality,
            complaint=c,
            findings="复测",
            cause_category="reagent_lot",
            started_on=dt.date(2026, 6, 9),
            completed_on=dt.date(2026, 6, 8),
            at=AT,
        ),
        "started_on",
    ),
    (
        "no investigation without a reason",
        Status.INVESTIGATION,
        lambda w, c: S.complaint_waive_investigation(actor=w.quality, complaint=c, reason=" ", at=AT),
        "reason",
    ),
    (
        "a complaint covering itself",
        Status.INVESTIGATION,
        lambda w, c: S.complaint_waive_investigation(actor=w.quality, complaint=c, reason="同前", covered_by=c, at=AT),
        "covered_by",
    ),
    (
        "a product complaint with disposition 'not applicable'",
        Status.DISPOSITION,
        lambda w, c: S.complaint_record_disposition(
            actor=w.quality, complaint=c, disposition=Disposition.NOT_APPLICABLE, at=AT
        ),
        "disposition",
    ),
    (
        "an unknown disposition",
        Status.DISPOSITION,
        lambda w, c: S.complaint_record_disposition(actor=w.quality, complaint=c, disposition="burnt", at=AT),
        "disposition",
    ),
    (
        "a correction without a text",
        Status.CORRECTION,
        lambda w, c: S.complaint_record_correction(
            actor=w.quality, complaint=c, correction="", no_capa_reason="x", at=AT
        ),
        "correction",
    ),
    (
        "a correction without a CAPA or a reason",
        Status.CORRECTION,
        lambda w, c: S.complaint_record_correction(actor=w.quality, complaint=c, correction="更换批号", at=AT),
        "no_capa_reason",
    ),
    (
        "a reply in the future",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_add_reply(
            actor=w.clerk,
            complaint=c,
            kind=ReplyKind.ACKNOWLEDGEMENT,
            method=ReplyMethod.PHONE,
            content="已收到",
            replied_at=AT + dt.timedelta(hours=1),
            at=AT,
        ),
        "replied_at",
    ),
    (
        "a reply before the complaint was received",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_add_reply(
            actor=w.clerk,
            complaint=c,
            kind=ReplyKind.ACKNOWLEDGEMENT,
            method=ReplyMethod.PHONE,
            content="已收到",
            replied_at=local(2026, 6, 7, 9),
            at=AT,
        ),
        "replied_at",
    ),
    (
        "a reply that says nothing",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_add_reply(
            actor=w.clerk, complaint=c, kind=ReplyKind.PLAN, method=ReplyMethod.PHONE, content=" ", at=AT
        ),
        "content",
    ),
    (
        "a reply of an unknown kind",
        Status.REPORTABILITY,
        lambda w, c: S.complaint_add_reply(
            actor=w.clerk, complaint=c, kind="gossip", method=ReplyMethod.PHONE, content="x", at=AT
        ),
        "kind",
    ),
    (
        "a resolution sent by pigeon",
        Status.REPLY,
        lambda w, c: S.complaint_send_resolution(actor=w.clerk, complaint=c, method="pigeon", content="已解决", at=AT),
        "method",
    ),
    (
        "a close without the review",
        Status.REVIEW,
        lambda w, c: S.complaint_close(actor=w.quality, complaint=c, review_note="", at=AT),
        "review_note",
    ),
    (
        "a rework without saying what",
        Status.REVIEW,
        lambda w, c: S.complaint_return_for_rework(actor=w.quality, complaint=c, reason="", at=AT),
        "reason",
    ),
    (
        "an edit that moves the date received into the future",
        Status.RECEIVED,
        lambda w, c: S.complaint_update(actor=w.clerk, complaint=c, data={"received_at": local(2026, 6, 10, 9)}, at=AT),
        "received_at",
    ),
    (
        "an edit that makes the company aware after it received the complaint",
        Status.RECEIVED,
        lambda w, c: S.complaint_update(actor=w.clerk, complaint=c, data={"aware_at": local(2026, 6, 8, 15)}, at=AT),
        "aware_at",
    ),
    (
        "an edit naming an engineer on a product complaint",
        Status.RECEIVED,
        lambda w, c: S.complaint_update(actor=w.clerk, complaint=c, data={"engineer": w.engineer}, at=AT),
        "engineer",
    ),
]


@pytest.mark.parametrize("what, status, call, field", BAD_MOVES, ids=[row[0] for row in BAD_MOVES])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(world, what, status, call, field):
    complaint = walk(world, register(world), status)
    before = _snapshot(complaint)
    with pytest.raises(ValidationError) as refused:
        call(world, complaint)
    assert field in refused.value.message_dict, refused.value.message_dict
    assert _snapshot(complaint) == before


def test_a_complaint_cannot_be_covered_by_a_record_that_was_no_complaint(world):
    earlier = register(world, at=local(2026, 6, 1, 9))
    services.complaint_evaluate(actor=world.quality, complaint=earlier, is_complaint=False, rationale="咨询", at=AT)
    complaint = walk(world, register(world), Status.INVESTIGATION)
    with pytest.raises(ValidationError) as refused:
        services.complaint_waive_investigation(
            actor=world.quality, complaint=complaint, reason="同前", covered_by=earlier, at=AT
        )
    assert refused.value.message_dict == {"covered_by": ["That record was not a complaint."]}


def test_a_waived_investigation_records_the_reason_the_decider_and_the_earlier_case(world):
    earlier = walk(world, register(world, at=local(2026, 6, 1, 9)), Status.DISPOSITION)
    complaint = walk(world, register(world), Status.INVESTIGATION)
    services.complaint_waive_investigation(
        actor=world.quality, complaint=complaint, reason="同批号已调查", covered_by=earlier, at=AT
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.investigated, complaint.covered_by, complaint.investigation_decided_by) == (
        Status.DISPOSITION,
        False,
        earlier,
        world.quality,
    )
    assert complaint.cause_category == "reagent_lot"  # taken from the earlier complaint
    assert complaint.events.last().text == f"同批号已调查 — covered by {earlier.number}"


def test_a_lot_disposition_needs_a_lot(world):
    complaint = walk(world, register(world, lot=None, lot_no=""), Status.DISPOSITION)
    with pytest.raises(ValidationError) as refused:
        services.complaint_record_disposition(
            actor=world.quality, complaint=complaint, disposition=Disposition.LOT_RELEASED, at=AT
        )
    assert refused.value.message_dict == {"disposition": ["The complaint names no lot; record the lot number first."]}
    services.complaint_record_disposition(
        actor=world.quality, complaint=complaint, disposition=Disposition.UNIT_RETURNED, at=AT
    )


def test_holding_a_lot_tells_quality_commerce_and_logistics(world):
    complaint = walk(world, register(world), Status.DISPOSITION)
    services.complaint_record_disposition(
        actor=world.quality, complaint=complaint, disposition=Disposition.LOT_HELD, note="封存库存", at=AT
    )
    for person in (world.quality, world.commerce, world.logistics):
        assert messages_for(person, contains="Lot 20260301 held") == [
            f"Lot 20260301 held after complaint {complaint.number}"
        ]
    assert messages_for(world.sales, contains="held") == []


# --- intake ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "what, data, field",
    [
        ("received tomorrow", {"received_at": local(2026, 6, 9, 9)}, "received_at"),
        ("aware tomorrow", {"aware_at": local(2026, 6, 9, 9)}, "aware_at"),
        ("aware after it was received", {"aware_at": local(2026, 6, 8, 9, 30)}, "aware_at"),
        ("aware years before it was received", {"aware_at": local(2024, 1, 1, 9)}, "aware_at"),
        ("no complainant", {"complainant_name": ""}, "complainant_name"),
        ("no product", {"product_name": ""}, "product_name"),
        ("no details", {"details": ""}, "details"),
        ("an unknown kind", {"kind": "rumour"}, "kind"),
        ("an age of 200", {"complainant_age": 200}, "complainant_age"),
    ],
)
def test_an_intake_with_bad_input_registers_nothing(world, what, data, field):
    at = local(2026, 6, 8, 10)
    with pytest.raises(ValidationError) as refused:
        register(world, at=at, **{"received_at": local(2026, 6, 8, 9), **data})
    assert field in refused.value.message_dict
    assert Complaint.objects.count() == 0


def test_an_intake_refuses_records_that_belong_to_another_customer(world):
    from apps.customers.tests.factories import CustomerFactory
    from apps.instruments.tests.factories import InstrumentFactory
    from apps.workorders.tests._world import register as register_order

    other = CustomerFactory(name="长沙市中心医院", city=world.other_city)
    foreign_unit = InstrumentFactory(serial_no="YH30-9999", customer=other)
    with pytest.raises(ValidationError) as refused:
        register(world, instrument=foreign_unit)
    assert refused.value.message_dict == {"instrument": ["This instrument stands at another customer."]}
    order = register_order(world, customer=other, instrument=foreign_unit, at=local(2026, 6, 1, 9))
    with pytest.raises(ValidationError) as refused:
        register(world, work_order=order)
    assert refused.value.message_dict == {"work_order": ["This work order belongs to another customer."]}
    assert Complaint.objects.count() == 0


def test_an_intake_names_only_field_engineers_and_none_on_a_product_complaint(world):
    with pytest.raises(ValidationError) as refused:
        register(world, kind=Kind.SERVICE, engineer=world.sales)
    assert refused.value.message_dict == {"engineer": ["Name a field engineer."]}
    with pytest.raises(ValidationError) as refused:
        register(world, kind=Kind.PRODUCT, engineer=world.engineer)
    assert "engineer" in refused.value.message_dict


def test_staff_register_complaints_only_for_customers_they_serve(world):
    with pytest.raises(ValidationError) as refused:
        register(world, actor=world.other_engineer)
    assert refused.value.message_dict == {"customer": ["You cannot register a complaint for this customer."]}
    register(world, actor=world.engineer)


def test_finance_and_logistics_do_not_register_complaints(world):
    for person in (world.finance, world.logistics, world.commerce, world.general_manager):
        with pytest.raises(PermissionDenied):
            register(world, actor=person)


def test_an_intake_from_a_work_order_takes_its_customer_instrument_and_engineer(world):
    from apps.workorders.tests._world import register as register_order
    from apps.workorders.tests._world import walk as walk_order

    order = register_order(world, at=local(2026, 6, 1, 9))
    walk_order(world, order, "dispatched", at=local(2026, 6, 1, 9, 10))
    complaint = register(world, kind=Kind.SERVICE, customer=None, engineer=None, work_order=order)
    assert (complaint.customer, complaint.instrument, complaint.serial_no, complaint.engineer) == (
        world.customer,
        world.instrument,
        "YH30-0001",
        world.engineer,
    )
    assert complaint.region == world.city
    assert complaint.number == f"CP260608-{complaint.pk:05d}"


@pytest.mark.parametrize(
    "kind, told, not_told",
    [
        (Kind.SERVICE, ["tech_head"], ["quality"]),
        (Kind.PRODUCT, ["quality"], ["tech_head"]),
        (Kind.BOTH, ["tech_head", "quality"], []),
    ],
)
def test_a_new_complaint_is_told_at_once_to_its_handlers(world, kind, told, not_told):
    # CP-2: service complaints to the technical head, product complaints to the quality department.
    complaint = register(world, kind=kind, engineer=world.engineer if kind != Kind.PRODUCT else None)
    subject = f"New complaint {complaint.number}: {complaint.summary}"
    for role in told:
        assert messages_for(world.users[role], contains="New complaint") == [subject], role
    for role in not_told:
        assert messages_for(world.users[role], contains="New complaint") == [], role
    assert messages_for(world.clerk, contains="New complaint") == []


def test_the_named_handler_is_told_too(world):
    complaint = register(world, kind=Kind.PRODUCT, handler=world.supervisor)
    assert messages_for(world.supervisor, contains="New complaint") == [
        f"New complaint {complaint.number}: {complaint.summary}"
    ]


def test_intake_starts_the_reply_plan_and_resolution_clocks(world):
    complaint = register(world)
    from apps.sla.selectors import clocks_for

    clocks = {c.policy.code: c for c in clocks_for([complaint])[complaint.pk]}
    assert {code: c.state for code, c in clocks.items()} == {
        "complaint-reply": "running",
        "complaint-plan": "running",
        "complaint-resolved": "running",
    }
    # Round the clock from receipt (Mon 2026-06-08 09:00): 24 h, 48 h, 72 h.
    from django.utils import timezone

    due = {code: timezone.localtime(c.due_at).strftime("%m-%d %H:%M") for code, c in clocks.items()}
    assert due == {
        "complaint-reply": "06-09 09:00",
        "complaint-plan": "06-10 09:00",
        "complaint-resolved": "06-11 09:00",
    }


# --- stale versions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, call",
    [
        (
            Status.RECEIVED,
            lambda w, c, v: S.complaint_evaluate(
                actor=w.quality, complaint=c, is_complaint=True, rationale="是", expected_version=v, at=AT
            ),
        ),
        (
            Status.RECEIVED,
            lambda w, c, v: S.complaint_update(
                actor=w.clerk, complaint=c, data={"summary": "改"}, expected_version=v, at=AT
            ),
        ),
        (
            Status.REPORTABILITY,
            lambda w, c, v: S.complaint_decide_reportability(
                actor=w.quality, complaint=c, reportable=False, rationale="否", expected_version=v, at=AT
            ),
        ),
        (
            Status.REPORTABILITY,
            lambda w, c, v: S.complaint_add_reply(
                actor=w.clerk,
                complaint=c,
                kind=ReplyKind.ACKNOWLEDGEMENT,
                method=ReplyMethod.PHONE,
                content="已收到",
                expected_version=v,
                at=AT,
            ),
        ),
        (
            Status.REPORTABILITY,
            lambda w, c, v: S.complaint_add_note(actor=w.clerk, complaint=c, text="备注", expected_version=v, at=AT),
        ),
        (
            Status.REVIEW,
            lambda w, c, v: S.complaint_close(
                actor=w.quality, complaint=c, review_note="OK", expected_version=v, at=AT
            ),
        ),
    ],
)
def test_a_stale_version_is_a_conflict_and_changes_nothing(world, status, call):
    complaint = walk(world, register(world), status)
    stale = complaint.version - 1
    before = _snapshot(complaint)
    with pytest.raises(ConflictError):
        call(world, complaint, stale)
    assert _snapshot(complaint) == before
    call(world, complaint, complaint.version)  # the version read: it goes through
    assert _snapshot(complaint) != before


def test_a_stale_report_capa_or_review_version_is_a_conflict(world):
    complaint = walk(world, register(world), Status.INVESTIGATION, events=["death"])
    report = complaint.reports.get()
    with pytest.raises(ConflictError):
        services.report_submit(actor=world.quality, report=report, report_number="N1", expected_version=2, at=AT)
    capa = services.capa_create(actor=world.quality, data={"title": "批间差"}, at=AT)
    with pytest.raises(ConflictError):
        services.capa_close(actor=world.quality, capa=capa, effectiveness="有效", expected_version=9, at=AT)
    report.refresh_from_db()
    capa.refresh_from_db()
    assert (report.state, capa.state) == (ReportState.PENDING, CapaState.OPEN)


# --- reportability ------------------------------------------------------------------------------


def test_a_reportability_decision_starts_one_report_per_rule_and_tells_quality(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    [report] = complaint.reports.all()
    assert (report.rule.code, report.state, report.amount, report.unit) == ("cn-death", "pending", 7, "calendar_days")
    complaint.refresh_from_db()
    assert (complaint.reportable, complaint.reportable_events) == (True, ["death"])
    assert messages_for(world.quality, contains="is reportable") == [
        f"{complaint.number} is reportable: 1 report(s) due"
    ]


def test_revising_reportability_adds_new_reports_and_withdraws_pending_ones(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    services.complaint_revise_reportability(
        actor=world.quality,
        complaint=complaint,
        reportable=True,
        events=["serious_injury", "group_event"],
        rationale="患者存活，但同批多例",
        at=local(2026, 3, 3, 9),
    )
    rows = sorted((r.rule.code, r.state) for r in complaint.reports.all())
    assert rows == [
        ("cn-death", "withdrawn"),
        ("cn-group-individual", "pending"),
        ("cn-group-investigation", "pending"),
        ("cn-group-phone", "pending"),
        ("cn-serious-injury", "pending"),
    ]
    withdrawn = complaint.reports.get(rule__code="cn-death")
    assert withdrawn.note == "Reportability revised"
    # Back to death: a new death report (the withdrawn one stays as it was).
    services.complaint_revise_reportability(
        actor=world.quality, complaint=complaint, reportable=True, events=["death"], rationale="患者死亡", at=AT
    )
    assert complaint.reports.filter(rule__code="cn-death", state="pending").count() == 1
    assert complaint.reports.filter(rule__code="cn-death", state="withdrawn").count() == 1
    assert complaint.reports.filter(state="pending").count() == 1


def test_a_submitted_report_stays_when_reportability_is_revised_away(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    report = complaint.reports.get()
    services.report_submit(actor=world.quality, report=report, report_number="MDAE-1", at=local(2026, 3, 4, 9))
    services.complaint_revise_reportability(
        actor=world.quality, complaint=complaint, reportable=False, rationale="误报", at=local(2026, 3, 5, 9)
    )
    report.refresh_from_db()
    complaint.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert (complaint.reportable, complaint.reportable_events) == (False, [])


def test_only_the_quality_department_revises_reportability_and_submits_reports(world):
    complaint = walk(world, register(world, kind=Kind.SERVICE), Status.INVESTIGATION, events=["death"])
    with pytest.raises(PermissionDenied):
        services.complaint_revise_reportability(
            actor=world.tech_head, complaint=complaint, reportable=False, rationale="否", at=AT
        )
    with pytest.raises(PermissionDenied):
        services.report_submit(actor=world.tech_head, report=complaint.reports.get(), report_number="N", at=AT)


def test_a_submission_records_date_number_and_file_and_says_when_it_was_late(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    report = complaint.reports.get()
    with pytest.raises(ValidationError) as refused:
        services.report_submit(actor=world.quality, report=report, report_number=" ", at=local(2026, 3, 12, 9))
    assert "report_number" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.report_submit(
            actor=world.quality,
            report=report,
            report_number="N",
            submitted_at=local(2026, 3, 13, 9),
            at=local(2026, 3, 12, 9),
        )
    assert "submitted_at" in refused.value.message_dict
    services.report_submit(
        actor=world.quality,
        report=report,
        report_number="MDAE-2026-7",
        submitted_at=local(2026, 3, 11, 9),
        attachment=SimpleUploadedFile("report.pdf", b"%PDF-1.4 report"),
        note="补报",
        at=local(2026, 3, 12, 9),
    )
    report.refresh_from_db()
    assert (report.state, report.report_number, report.submitted_by, report.note) == (
        "submitted",
        "MDAE-2026-7",
        world.quality,
        "补报",
    )
    assert report.attachment.read() == b"%PDF-1.4 report"
    assert complaint.events.filter(kind=EventKind.REPORT).last().text == (
        "Individual adverse-event report (death) submitted LATE 2026-03-11 09:00, number MDAE-2026-7"
    )
    with pytest.raises(ConflictError):
        services.report_submit(actor=world.quality, report=report, report_number="again", at=local(2026, 3, 12, 10))


# --- closing ------------------------------------------------------------------------------------


def test_a_complaint_does_not_close_while_a_capa_is_open_and_closes_after(world):
    complaint = walk(world, register(world), Status.CORRECTION)
    capa = services.capa_create(
        actor=world.quality, data={"title": "批间差", "due_on": dt.date(2026, 7, 31)}, complaint=complaint, at=AT
    )
    assert capa.number == f"CAPA26-{capa.pk:04d}"
    services.complaint_record_correction(actor=world.quality, complaint=complaint, correction="更换批号", at=AT)
    complaint = walk(world, complaint, Status.REVIEW)
    assert services.close_blockers(complaint, at=AT) == [f"CAPA {capa.number} is still open"]
    with pytest.raises(ConflictError) as refused:
        services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    assert str(refused.value.message) == f"The complaint cannot close yet: CAPA {capa.number} is still open"
    with pytest.raises(ValidationError):
        services.capa_close(actor=world.quality, capa=capa, effectiveness="", at=AT)
    services.capa_close(actor=world.quality, capa=capa, effectiveness="连续三批合格", at=AT)
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED


def test_a_complaint_does_not_close_while_a_report_is_pending_or_overdue(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.REVIEW, events=["death"])
    assert services.close_blockers(complaint, at=local(2026, 3, 5, 9)) == [
        "Regulatory report not submitted yet: Individual adverse-event report (death) (due 2026-03-09 23:59)"
    ]
    assert services.close_blockers(complaint, at=local(2026, 3, 10, 9)) == [
        "Regulatory report overdue and not submitted: Individual adverse-event report (death) (due 2026-03-09 23:59)"
    ]
    with pytest.raises(ConflictError):
        services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=local(2026, 3, 10, 9))
    services.report_submit(
        actor=world.quality, report=complaint.reports.get(), report_number="MDAE-9", at=local(2026, 3, 10, 9)
    )
    assert services.close_blockers(complaint, at=local(2026, 3, 10, 10)) == []


def test_a_service_complaint_closes_only_after_the_cp3_steps(world):
    complaint = walk(world, register(world, kind=Kind.SERVICE), Status.REVIEW)
    blockers = services.close_blockers(complaint, at=AT)
    assert blockers[:3] == [
        "The technical head's apology is not recorded",
        "The talk with the engineer is not recorded",
        "The engineer's self-assessment is missing",
    ]
    with pytest.raises(ConflictError):
        services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    service_steps(world, complaint)
    complaint.refresh_from_db()
    assert services.close_blockers(complaint, at=AT) == []
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED


def test_an_apology_or_a_talk_belongs_to_a_service_complaint_with_an_engineer(world):
    complaint = walk(world, register(world, kind=Kind.BOTH), Status.INVESTIGATION)
    services.complaint_apologise(actor=world.tech_head, complaint=complaint, text="致歉", at=AT)
    with pytest.raises(ValidationError):
        services.complaint_talk_with_engineer(actor=world.tech_head, complaint=complaint, note="谈话", at=AT)
    product = walk(world, register(world, at=local(2026, 6, 8, 9, 30)), Status.INVESTIGATION)
    with pytest.raises(ValidationError):
        services.complaint_apologise(actor=world.admin, complaint=product, text="致歉", at=AT)


def test_the_talk_asks_the_engineer_for_his_self_assessment_and_it_reaches_the_heads(world):
    complaint = walk(world, register(world, kind=Kind.SERVICE), Status.INVESTIGATION)
    services.complaint_talk_with_engineer(actor=world.tech_head, complaint=complaint, note="已谈话", at=AT)
    assert messages_for(world.engineer, contains="self-assessment") == [
        f"Please write your self-assessment for complaint {complaint.number}"
    ]
    services.complaint_self_assess(actor=world.engineer, complaint=complaint, text="我迟到了", at=AT)
    for head in (world.tech_head, world.marketing_head):
        assert messages_for(head, contains="wrote his self-assessment") == [
            f"{world.engineer} wrote his self-assessment for {complaint.number}"
        ]


def test_closing_sets_the_retention_date_and_plans_the_follow_up_within_a_month(world):
    from apps.followups.models import FollowUp

    complaint = walk(world, register(world), Status.REVIEW)
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="审核通过", at=AT)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_at, complaint.reviewed_by) == (Status.CLOSED, AT, world.quality)
    # Five years after closure (2031-06-09) is later than two years after the lot expires (2029-08-31).
    assert complaint.retain_until == dt.date(2031, 6, 9)
    [followup] = FollowUp.objects.filter(
        source_type=ContentType.objects.get_for_model(Complaint), source_id=complaint.pk
    )
    assert followup.job == "complaint"
    assert followup.customer == world.customer
    assert AT < followup.due_at <= AT + dt.timedelta(days=31)


def test_retention_follows_a_lot_that_expires_late(world):
    from apps.catalog.models import Lot

    lot = Lot.objects.create(item=world.reagent, lot_no="20260601", expires_on=dt.date(2030, 12, 31))
    complaint = walk(world, register(world, lot=lot), Status.REVIEW)
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    complaint.refresh_from_db()
    assert complaint.retain_until == dt.date(2032, 12, 31)  # two years after the lot's expiry


def test_a_complaint_sent_back_for_rework_goes_to_the_investigation_and_tells_its_handlers(world):
    complaint = walk(world, register(world), Status.REVIEW)
    services.complaint_return_for_rework(actor=world.quality, complaint=complaint, reason="补充留样检测", at=AT)
    complaint.refresh_from_db()
    assert complaint.status == Status.INVESTIGATION
    assert messages_for(world.quality, contains="rework") == [f"{complaint.number} sent back for rework"]


# --- not a complaint ----------------------------------------------------------------------------


def test_not_a_complaint_closes_it_cancels_the_cp4_clocks_and_sets_the_retention_date(world):
    complaint = register(world)
    services.complaint_evaluate(
        actor=world.quality, complaint=complaint, is_complaint=False, rationale="只是咨询操作方法", at=AT
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.evaluation_rationale, complaint.evaluated_by) == (
        Status.NOT_COMPLAINT,
        "只是咨询操作方法",
        world.quality,
    )
    assert complaint.closed_at == AT
    assert complaint.retain_until == dt.date(2031, 6, 9)
    assert _clocks(complaint) == {
        "complaint-reply": "cancelled",
        "complaint-plan": "cancelled",
        "complaint-resolved": "cancelled",
    }
    event = complaint.events.last()
    assert (event.from_status, event.to_status, event.text) == ("received", "not_complaint", "只是咨询操作方法")


# --- CP-4 replies and clocks --------------------------------------------------------------------


def _reply(w, complaint, kind, *, at):
    return services.complaint_add_reply(
        actor=w.clerk, complaint=complaint, kind=kind, method=ReplyMethod.PHONE, content="回复内容", at=at
    )


def test_a_first_reply_stops_only_the_reply_clock(world):
    complaint = walk(world, register(world), Status.REPORTABILITY)
    _reply(world, complaint, ReplyKind.ACKNOWLEDGEMENT, at=local(2026, 6, 8, 15))
    assert _clocks(complaint) == {
        "complaint-reply": "stopped",
        "complaint-plan": "running",
        "complaint-resolved": "running",
    }


def test_a_plan_stops_the_reply_and_the_plan_clocks(world):
    complaint = walk(world, register(world), Status.REPORTABILITY)
    _reply(world, complaint, ReplyKind.PLAN, at=local(2026, 6, 9, 15))
    assert _clocks(complaint) == {
        "complaint-reply": "stopped",
        "complaint-plan": "stopped",
        "complaint-resolved": "running",
    }


def test_the_resolution_stops_every_clock_and_a_late_reply_counts_as_late(world):
    from apps.sla.selectors import clocks_for

    complaint = walk(world, register(world), Status.REPORTABILITY)
    _reply(world, complaint, ReplyKind.RESOLUTION, at=local(2026, 6, 9, 15))  # 30 h after receipt
    met = {c.policy.code: c.met for c in clocks_for([complaint])[complaint.pk]}
    assert met == {"complaint-reply": False, "complaint-plan": True, "complaint-resolved": True}


def test_a_reply_recorded_afterwards_stops_the_clock_when_it_was_given(world):
    from apps.sla.selectors import clocks_for

    complaint = walk(world, register(world), Status.REPORTABILITY)
    services.complaint_add_reply(
        actor=world.clerk,
        complaint=complaint,
        kind=ReplyKind.ACKNOWLEDGEMENT,
        method=ReplyMethod.PHONE,
        content="电话已回复",
        replied_at=local(2026, 6, 8, 16),
        at=local(2026, 6, 9, 17),  # written down the next afternoon
    )
    [reply_clock] = [c for c in clocks_for([complaint])[complaint.pk] if c.policy.code == "complaint-reply"]
    assert reply_clock.met is True
    assert reply_clock.stopped_at == local(2026, 6, 8, 16)


# --- the scan of regulatory deadlines ------------------------------------------------------------


def test_the_scan_warns_and_escalates_each_report_exactly_once(world):
    complaint = register(world, at=local(2026, 3, 2, 10), handler=world.supervisor)
    walk(world, complaint, Status.INVESTIGATION, events=["death"])
    # Due 2026-03-09 23:59:59; warn two days before (03-07 23:59:59).
    scan = services.check_regulatory_reports
    assert scan(now_at=local(2026, 3, 7, 23, 0)) == {"warned": 0, "escalated": 0}
    assert scan(now_at=local(2026, 3, 8, 0, 0)) == {"warned": 1, "escalated": 0}
    assert scan(now_at=local(2026, 3, 8, 1, 0)) == {"warned": 0, "escalated": 0}
    assert scan(now_at=local(2026, 3, 10, 0, 0)) == {"warned": 0, "escalated": 1}
    assert scan(now_at=local(2026, 3, 11, 0, 0)) == {"warned": 0, "escalated": 0}
    due_soon = f"Due soon: Individual adverse-event report (death) — {complaint.number}"
    overdue = f"OVERDUE regulatory report: Individual adverse-event report (death) — {complaint.number}"
    for person in (world.quality, world.supervisor):
        assert messages_for(person, contains=complaint.number)[-2:] == [due_soon, overdue]
    assert messages_for(world.general_manager, contains=complaint.number) == [overdue]
    assert complaint.events.filter(kind=EventKind.ESCALATION).count() == 1


def test_a_submitted_report_is_never_warned_or_escalated(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    services.report_submit(
        actor=world.quality, report=complaint.reports.get(), report_number="N", at=local(2026, 3, 3, 9)
    )
    assert services.check_regulatory_reports(now_at=local(2026, 4, 1)) == {"warned": 0, "escalated": 0}


def test_a_report_found_already_overdue_is_escalated_without_a_warning(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    assert services.check_regulatory_reports(now_at=local(2026, 3, 20)) == {"warned": 0, "escalated": 1}
    report = complaint.reports.get()
    assert (report.warned_at, report.escalated_at) == (None, local(2026, 3, 20))


# --- CP-3 reassignment review --------------------------------------------------------------------


def test_a_second_complaint_raises_one_review_that_the_technical_head_decides(world):
    first = walk(world, register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10)), Status.REPORTABILITY)
    second = walk(world, register(world, kind=Kind.SERVICE, at=local(2026, 6, 2, 10)), Status.REPORTABILITY)
    review = ReassignmentReview.objects.get()
    assert (review.complaint, review.earlier, review.state) == (second, first, ReviewState.OPEN)
    assert messages_for(world.tech_head, contains="second service complaint") == [
        f"{world.engineer}: second service complaint — review his assignment"
    ]
    with pytest.raises(PermissionDenied):
        services.reassignment_decide(actor=world.supervisor, review=review, decision="调岗", at=AT)
    with pytest.raises(ValidationError):
        services.reassignment_decide(actor=world.tech_head, review=review, decision="", at=AT)
    services.reassignment_decide(
        actor=world.tech_head, review=review, decision="暂不调岗，加强培训", expected_version=1, at=AT
    )
    review.refresh_from_db()
    assert (review.state, review.decided_by, review.version) == (ReviewState.DECIDED, world.tech_head, 2)
    with pytest.raises(ConflictError):
        services.reassignment_decide(actor=world.tech_head, review=review, decision="再议", at=AT)


def test_complaints_against_different_engineers_or_rejected_ones_raise_no_review(world):
    services.complaint_evaluate(
        actor=world.tech_head,
        complaint=register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10)),
        is_complaint=False,
        rationale="误会",
        at=local(2026, 3, 2, 11),
    )
    walk(
        world,
        register(world, kind=Kind.SERVICE, engineer=world.engineer2, at=local(2026, 4, 2, 10)),
        Status.REPORTABILITY,
    )
    walk(world, register(world, kind=Kind.SERVICE, at=local(2026, 5, 2, 10)), Status.REPORTABILITY)
    assert ReassignmentReview.objects.count() == 0


# --- CAPAs -------------------------------------------------------------------------------------------


def test_only_complaint_handlers_manage_capas(world):
    for person in (world.clerk, world.engineer, world.sales):
        with pytest.raises(PermissionDenied):
            services.capa_create(actor=person, data={"title": "x"}, at=AT)
    capa = services.capa_create(actor=world.supervisor, data={"number": "CAPA-7", "title": "培训"}, at=AT)
    assert (capa.number, capa.owner, capa.state) == ("CAPA-7", world.supervisor, CapaState.OPEN)
    with pytest.raises(ValidationError):  # the number is unique
        services.capa_create(actor=world.quality, data={"number": "CAPA-7", "title": "重复"}, at=AT)
    assert Capa.objects.count() == 1


def test_linking_a_capa_twice_links_it_once(world):
    complaint = register(world)
    capa = services.capa_create(actor=world.quality, data={"title": "批间差"}, at=AT)
    services.complaint_link_capa(actor=world.quality, complaint=complaint, capa=capa, at=AT)
    services.complaint_link_capa(actor=world.quality, complaint=complaint, capa=capa, at=AT)
    assert list(complaint.capas.all()) == [capa]
    assert complaint.events.filter(kind=EventKind.CAPA).count() == 1


# --- the reporting rules ----------------------------------------------------------------------------


def test_only_the_quality_department_changes_a_reporting_rule(world):
    from apps.complaints.models import ReportingRule

    rule = ReportingRule.objects.get(code="cn-death")
    with pytest.raises(PermissionDenied):
        services.rule_update(actor=world.tech_head, instance=rule, data={"amount": 5}, expected_version=rule.version)
    services.rule_update(actor=world.quality, instance=rule, data={"amount": 5}, expected_version=rule.version)
    rule.refresh_from_db()
    assert rule.amount == 5
    with pytest.raises(ValidationError):
        services.rule_update(actor=world.quality, instance=rule, data={"amount": 0}, expected_version=rule.version)


# --- scope ----------------------------------------------------------------------------------------


def test_an_engineer_of_another_region_cannot_see_the_complaint(world):
    complaint = register(world)
    assert list(selectors.complaint_list(user=world.other_engineer)) == []
    with pytest.raises(Http404):
        selectors.complaint_detail(user=world.other_engineer, pk=complaint.pk)
    assert list(selectors.complaint_list(user=world.engineer)) == [complaint]
    assert selectors.complaint_detail(user=world.engineer, pk=complaint.pk) == complaint


def test_the_engineer_complained_about_sees_it_even_outside_his_region(world):
    complaint = register(world, kind=Kind.SERVICE, engineer=world.other_engineer)
    assert list(selectors.complaint_list(user=world.other_engineer)) == [complaint]
    assert list(selectors.complaint_list(user=world.other_manager)) == []


def test_sales_and_dealers_see_their_customers_complaints_and_heads_see_all(world):
    from apps.customers.tests.factories import CustomerFactory

    ours = register(world)
    theirs = register(world, customer=CustomerFactory(name="长沙市中心医院", city=world.other_city), lot=None)
    assert list(selectors.complaint_list(user=world.sales)) == [ours]
    assert list(selectors.complaint_list(user=world.other_sales)) == []
    assert {c.pk for c in selectors.complaint_list(user=world.quality)} == {ours.pk, theirs.pk}
    assert {c.pk for c in selectors.complaint_list(user=world.tech_head)} == {ours.pk, theirs.pk}


def test_the_list_counts_pending_and_overdue_reports(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["group_event"])
    [row] = selectors.complaint_list(user=world.quality)
    # November 2026 is past every deadline of March.
    assert (row.pk, row.pending_reports, row.overdue_reports) == (complaint.pk, 3, 3)
    assert list(selectors.report_list(user=world.other_engineer)) == []
    assert [r.rule.code for r in selectors.report_list(user=world.quality)] == [
        "cn-group-phone",
        "cn-group-individual",
        "cn-group-investigation",
    ]
    assert RegulatoryReport.objects.count() == 3
