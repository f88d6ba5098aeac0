"""What must never let a legal report go missing or a complaint slip out of its scope: a reportable
event without a rule, a pending report withdrawn without a reason, the scan escalating a report
submitted while it runs, a complaint named only by its instrument."""

import pytest
from django.core.exceptions import ValidationError

from apps.complaints import services
from apps.complaints.choices import ReportState, Status
from apps.complaints.models import ReportingRule
from apps.complaints.selectors import complaint_list
from apps.complaints.tests._world import local, messages_for, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_reportable_event_without_an_active_rule_is_refused_so_no_report_can_go_missing(world):
    rule = ReportingRule.objects.get(code="cn-death")
    services.rule_set_active(actor=world.quality, instance=rule, active=False, reason="改版", expected_version=1)
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.REPORTABILITY)
    with pytest.raises(ValidationError) as refused:
        services.complaint_decide_reportability(
            actor=world.quality, complaint=complaint, reportable=True, events=["death"], at=local(2026, 3, 2, 12)
        )
    assert refused.value.message_dict["events"] == [
        "No active reporting rule for Death: the quality department sets one up in the reporting rules first."
    ]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reportable, complaint.reports.count()) == (Status.REPORTABILITY, None, 0)


def test_an_event_whose_report_already_runs_may_stay_after_its_rule_is_retired(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    rule = ReportingRule.objects.get(code="cn-death")
    services.rule_set_active(actor=world.quality, instance=rule, active=False, reason="改版", expected_version=1)
    services.complaint_revise_reportability(
        actor=world.quality,
        complaint=complaint,
        reportable=True,
        events=["death", "serious_injury"],
        rationale="另有一例严重伤害",
        at=local(2026, 3, 3, 9),
    )
    assert sorted(complaint.reports.filter(state=ReportState.PENDING).values_list("rule__code", flat=True)) == [
        "cn-death",
        "cn-serious-injury",
    ]


def test_withdrawing_a_report_still_to_submit_needs_the_reason(world):
    complaint = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    with pytest.raises(ValidationError) as refused:
        services.complaint_revise_reportability(
            actor=world.quality,
            complaint=complaint,
            reportable=True,
            events=["serious_injury"],
            rationale="  ",
            at=local(2026, 3, 3, 9),
        )
    assert "rationale" in refused.value.message_dict
    assert list(complaint.reports.values_list("rule__code", "state")) == [("cn-death", ReportState.PENDING)]
    # Adding an event withdraws nothing: no reason needed.
    services.complaint_revise_reportability(
        actor=world.quality,
        complaint=complaint,
        reportable=True,
        events=["death", "serious_injury"],
        at=local(2026, 3, 3, 9),
    )
    assert complaint.reports.filter(state=ReportState.PENDING).count() == 2


def test_the_scan_does_not_escalate_a_report_submitted_while_it_runs(world, monkeypatch):
    first = walk(world, register(world, at=local(2026, 3, 2, 10)), Status.INVESTIGATION, events=["death"])
    second = walk(world, register(world, at=local(2026, 3, 2, 11)), Status.INVESTIGATION, events=["serious_injury"])
    late = second.reports.get()
    scan_at = local(2026, 3, 25, 9)  # both overdue: 03-09 and 03-22
    real_notify = services.notify

    def notify_then_submit(key, *args, **kwargs):
        real_notify(key, *args, **kwargs)
        if key == f"regreport:{first.reports.get().pk}:overdue":
            # Meanwhile the quality department records the second report as sent.
            services.report_submit(actor=world.quality, report=late, report_number="MDAE-9", at=scan_at)

    monkeypatch.setattr(services, "notify", notify_then_submit)
    counts = services.check_regulatory_reports(now_at=scan_at)

    late.refresh_from_db()
    assert counts["escalated"] == 1
    assert (late.state, late.escalated_at) == (ReportState.SUBMITTED, None)
    assert messages_for(world.quality, contains=f"OVERDUE regulatory report: {late.label} — {second.number}") == []


def test_a_complaint_named_by_its_instrument_belongs_to_the_instruments_customer(world):
    complaint = register(world, at=local(2026, 3, 2, 10), customer=None, instrument=world.instrument, lot=None)
    assert (complaint.customer, complaint.serial_no) == (world.customer, "YH30-0001")
    assert complaint.region == world.city
    # The region's engineer sees it; the engineer of another region does not.
    assert complaint_list(user=world.engineer).filter(pk=complaint.pk).exists()
    assert not complaint_list(user=world.other_engineer).filter(pk=complaint.pk).exists()


def test_a_unit_the_registrant_may_not_see_does_not_open_a_complaint(world):
    from apps.customers.tests.factories import CustomerFactory
    from apps.instruments.tests.factories import InstrumentFactory

    elsewhere = CustomerFactory(name="长沙市中心医院", city=world.other_city)
    unit = InstrumentFactory(serial_no="YH30-0900", customer=elsewhere)
    with pytest.raises(ValidationError) as refused:
        register(world, actor=world.dealer, customer=None, instrument=unit, lot=None)
    assert "customer" in refused.value.message_dict


def test_a_dealer_registers_a_complaint_about_a_unit_it_placed_at_another_customer(world):
    from apps.customers.tests.factories import CustomerFactory
    from apps.instruments.choices import Ownership
    from apps.instruments.tests.factories import InstrumentFactory

    elsewhere = CustomerFactory(name="长沙市中心医院", city=world.other_city)
    unit = InstrumentFactory(
        serial_no="YH30-0901", customer=elsewhere, ownership=Ownership.DEALER, dealer=world.dealer_firm
    )
    complaint = register(world, actor=world.dealer, customer=None, instrument=unit, lot=None)
    assert complaint.customer == elsewhere
    assert complaint_list(user=world.dealer).filter(pk=complaint.pk).exists()


def test_what_is_said_about_the_engineer_is_for_the_heads_and_for_him_in_the_api(world):
    from rest_framework.test import APIClient

    from apps.complaints.choices import Kind

    complaint = walk(world, register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10)), Status.INVESTIGATION)
    services.complaint_talk_with_engineer(
        actor=world.tech_head, complaint=complaint, note="第二次迟到，已警告", at=local(2026, 3, 2, 14)
    )
    services.complaint_self_assess(
        actor=world.engineer, complaint=complaint, text="我没有提前出发", at=local(2026, 3, 2, 15)
    )

    def seen_by(user):
        client = APIClient()
        client.force_authenticate(user)
        body = client.get(f"/api/v1/complaints/{complaint.pk}/").json()
        texts = " ".join(event["text"] for event in body["events"])
        return body["talk_note"], body["self_assessment"], "第二次迟到" in texts

    assert seen_by(world.tech_head) == ("第二次迟到，已警告", "我没有提前出发", True)
    assert seen_by(world.engineer) == ("第二次迟到，已警告", "我没有提前出发", True)
    # The customer's dealer and sales person see the complaint, not the personnel notes.
    assert seen_by(world.dealer) == ("", "", False)
    assert seen_by(world.sales) == ("", "", False)


def test_the_reply_clocks_follow_a_corrected_date_received_and_the_handler_now_named(world):
    from apps.complaints import policies
    from apps.sla.selectors import clocks_for

    complaint = register(world, at=local(2026, 3, 2, 10))
    # The clerk typed 10:00; the call came in at 08:00 — and the quality engineer takes it over.
    services.complaint_update(
        actor=world.clerk,
        complaint=complaint,
        data={"received_at": local(2026, 3, 2, 8), "aware_at": local(2026, 3, 2, 8), "handler": world.quality},
        at=local(2026, 3, 2, 11),
    )
    clocks = {c.policy.code: c for c in clocks_for([complaint])[complaint.pk]}
    reply = clocks[policies.CLOCK_REPLY]
    assert (reply.started_at, reply.due_at, reply.owner) == (
        local(2026, 3, 2, 8),
        local(2026, 3, 3, 8),
        world.quality,
    )
    assert clocks[policies.CLOCK_RESOLVED].due_at == local(2026, 3, 5, 8)
