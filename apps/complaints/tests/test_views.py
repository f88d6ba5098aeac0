"""The complaint pages as their users meet them: who opens what, the list and the board at a
constant cost, intake that keeps bad input, the complaint file with its regulatory deadlines, the
submission of a report, a close refused with its blockers, a stale page, a closed file."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.complaints import services
from apps.complaints.choices import Kind, ReportState, Status
from apps.complaints.models import Complaint
from apps.complaints.tests._world import local, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = reverse("complaints:list")
CREATE = reverse("complaints:create")
BOARD = reverse("complaints:board")

BOARD_VIEWERS = {
    Role.ADMIN,
    Role.QUALITY,
    Role.TECH_HEAD,
    Role.SUPERVISOR,
    Role.MARKETING_HEAD,
    Role.GENERAL_MANAGER,
}
RECEIVERS = set(Role.values) - {Role.FINANCE, Role.COMMERCE, Role.LOGISTICS, Role.GENERAL_MANAGER}


def act(complaint, key):
    return reverse("complaints:act", args=[complaint.pk, key])


def detail(complaint):
    return reverse("complaints:detail", args=[complaint.pk])


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def recent(days=0, hours=0):
    """A moment before now (the pages measure deadlines against the real clock)."""
    return timezone.localtime() - dt.timedelta(days=days, hours=hours)


# --- who opens what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_opens_the_list_the_intake_and_the_board_only_if_it_may(client, world, role):
    register(world)
    client.force_login(world.users[role])
    assert client.get(LIST).status_code == 200  # every staff role reads complaints (its own scope)
    assert client.get(CREATE).status_code == (200 if role in RECEIVERS else 403)
    assert client.get(BOARD).status_code == (200 if role in BOARD_VIEWERS else 403)


REVIEW_VIEWERS = {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR, Role.MARKETING_HEAD, Role.GENERAL_MANAGER}


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_opens_the_rules_the_capas_and_the_reviews_only_if_it_may(client, world, role):
    from apps.complaints.models import ReportingRule

    rule = ReportingRule.objects.get(code="cn-death")
    client.force_login(world.users[role])
    internal = 200 if role != Role.DEALER else 403
    assert client.get(reverse("complaints:rule_list")).status_code == internal
    assert client.get(rule.get_absolute_url()).status_code == internal
    assert client.get(reverse("complaints:rule_edit", args=[rule.pk])).status_code == (
        200 if role in (Role.QUALITY, Role.ADMIN) else 403
    )
    assert client.get(reverse("complaints:capa_list")).status_code == internal
    assert client.get(reverse("complaints:capa_create")).status_code == (
        200 if role in (Role.QUALITY, Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR) else 403
    )
    assert client.get(reverse("complaints:review_list")).status_code == (200 if role in REVIEW_VIEWERS else 403)


@pytest.mark.parametrize(
    "who, status",
    [
        ("clerk", 200),
        ("quality", 200),
        ("tech_head", 200),
        ("engineer", 200),  # the customer is in his region
        ("customer_manager", 200),
        ("sales", 200),  # his customer
        ("dealer", 200),  # the customer it serves
        ("finance", 200),
        ("other_engineer", 404),  # another region
        ("other_manager", 404),
        ("other_sales", 404),
    ],
)
def test_a_complaint_opens_for_those_who_see_its_customer_and_is_404_for_the_others(client, world, who, status):
    complaint = register(world)
    user = world.users.get(who) or getattr(world, who)
    client.force_login(user)
    assert client.get(detail(complaint)).status_code == status


def test_an_engineer_of_another_region_sees_the_complaint_made_against_him(client, world):
    complaint = register(world, kind=Kind.SERVICE, engineer=world.other_engineer)
    client.force_login(world.other_engineer)
    assert client.get(detail(complaint)).status_code == 200
    other = register(world)
    assert client.get(detail(other)).status_code == 404
    assert other.number not in page(client, LIST)


def test_the_list_shows_only_what_the_user_may_see(client, world):
    from apps.customers.tests.factories import CustomerFactory

    mine = register(world)
    changsha = CustomerFactory(name="长沙市中心医院", city=world.other_city)
    theirs = register(world, customer=changsha, lot=None)
    client.force_login(world.engineer)
    html = page(client, LIST)
    assert mine.number in html and theirs.number not in html
    client.force_login(world.quality)
    html = page(client, LIST)
    assert mine.number in html and theirs.number in html


# --- the list -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_number_of_queries_with_2_or_12_complaints(client, world):
    for _ in range(2):
        c = register(world, at=recent(days=3))
        walk(world, c, Status.INVESTIGATION, events=["serious_injury"])
    client.force_login(world.quality)
    few = _queries(client, LIST)
    for _ in range(10):
        c = register(world, kind=Kind.SERVICE, at=recent(days=2))
        walk(world, c, Status.INVESTIGATION, events=["group_event"])
    assert _queries(client, LIST) == few
    # Region-scoped users take the same path through a sub-select.
    client.force_login(world.engineer)
    assert _queries(client, LIST) == _queries(client, LIST)


def test_the_list_shows_the_next_regulatory_deadline_red_when_overdue(client, world):
    late = register(world, at=local(2026, 3, 2, 10), summary="质控偏高 死亡事件")
    walk(world, late, Status.INVESTIGATION, events=["death"])  # due 2026-03-09 23:59, long past
    calm = register(world, at=recent(hours=2), summary="说明书印刷错误")
    client.force_login(world.quality)
    html = page(client, LIST)
    assert 'class="badge danger"><time datetime' in html
    assert "2026-03-09 23:59" in html and "overdue" in html
    row = html[html.index(calm.number) :]
    row = row[: row.index("</tr>")]
    assert "danger" not in row


def test_the_list_filters_by_status_kind_overdue_report_and_text(client, world):
    overdue = register(world, at=local(2026, 3, 2, 10), summary="严重伤害 患者误诊")
    walk(world, overdue, Status.INVESTIGATION, events=["serious_injury"])
    service = register(world, kind=Kind.SERVICE, at=recent(days=1))
    plain = register(world, at=recent(days=1), summary="包装破损")
    client.force_login(world.quality)

    def numbers(query):
        html = page(client, f"{LIST}?{query}")
        return {c.number for c in (overdue, service, plain) if c.number in html}

    assert numbers("overdue_report=true") == {overdue.number}
    assert numbers("pending_reports=false") == {service.number, plain.number}
    assert numbers("kind=service") == {service.number}
    assert numbers("status=received") == {service.number, plain.number}
    assert numbers("status=investigation") == {overdue.number}
    assert numbers("q=包装") == {plain.number}
    assert numbers("q=20260301") == {overdue.number, plain.number}  # the lot number
    day = timezone.localtime(service.received_at).date().isoformat()
    assert numbers(f"received_from={day}&received_to={day}") >= {service.number, plain.number}
    assert overdue.number not in numbers(f"received_from={day}")


# --- intake -------------------------------------------------------------------------------------


def _intake(world, **overrides):
    data = {
        "kind": "product",
        "channel": "phone",
        "received_at": "",
        "aware_at": "",
        "handler": "",
        "customer": str(world.customer.pk),
        "complainant_name": "王医生",
        "complainant_sex": "female",
        "complainant_age": "45",
        "complainant_employer": "检验科",
        "complainant_address": "广州市越秀区中山二路1号",
        "complainant_phone": "13912345678",
        "product_name": "葡萄糖测定试剂盒",
        "model_spec": "2×50 mL",
        "manufacturer": "本公司",
        "instrument_model": "",
        "item": "",
        "lot": str(world.lot.pk),
        "lot_no": "",
        "instrument": "",
        "serial_no": "",
        "udi": "(01)06912345678901(17)270831(10)20260301",
        "purchased_from": "穗康医疗",
        "purchased_on": "2026-03-01",
        "summary": "质控持续偏高",
        "details": "连续三天质控偏高 15%，已停用该批号。",
        "device_used": "yes",
        "used_for_diagnosis": "yes",
        "met_specification": "no",
        "harm": "malfunction",
        "harm_details": "",
        "told_to_stop_use": "on",
        "engineer": "",
        "work_order": "",
        "survey": "",
        "followup": "",
    }
    data.update(overrides)
    return data


def test_the_clerk_registers_a_complaint_with_every_cp1_field(client, world):
    client.force_login(world.clerk)
    response = client.post(CREATE, _intake(world))
    complaint = Complaint.objects.get()
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    assert complaint.status == Status.RECEIVED and complaint.received_by == world.clerk
    assert (complaint.complainant_name, complaint.complainant_age, complaint.complainant_sex) == (
        "王医生",
        45,
        "female",
    )
    assert complaint.lot == world.lot and complaint.lot_no == "20260301" and complaint.item == world.reagent
    assert complaint.udi.startswith("(01)06912345678901")
    assert (complaint.used_for_diagnosis, complaint.met_specification, complaint.harm) == ("yes", "no", "malfunction")
    assert complaint.told_to_stop_use is True
    assert complaint.aware_at == complaint.received_at  # empty: when it was received
    html = page(client, complaint.get_absolute_url())
    assert "Registered" in html and complaint.number in html and "13912345678" in html


def test_intake_with_bad_input_saves_nothing_and_keeps_what_was_typed(client, world):
    client.force_login(world.clerk)
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(CREATE, _intake(world, summary="", received_at=future, complainant_age="200"))
    assert response.status_code == 200
    assert not Complaint.objects.exists()
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert "This field is required." in html  # the summary
    assert "王医生" in html and "连续三天质控偏高" in html and "13912345678" in html  # kept


def test_intake_shows_the_services_refusal_on_the_field_it_concerns(client, world):
    client.force_login(world.clerk)
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(CREATE, _intake(world, received_at=future))
    assert response.status_code == 200 and not Complaint.objects.exists()
    html = response.content.decode()
    assert "The date received cannot be in the future." in html
    assert future in html  # the typed value is still in its field


def test_a_product_complaint_naming_an_engineer_is_refused_on_the_engineer_field(client, world):
    client.force_login(world.clerk)
    response = client.post(CREATE, _intake(world, engineer=str(world.engineer.pk)))
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "A product complaint names no engineer" in response.content.decode()


def test_intake_from_a_work_order_is_prefilled_with_its_customer_unit_engineer_and_channel(client, world):
    from apps.workorders.tests._world import register as register_order

    order = register_order(world, caller_name="张老师", caller_phone="13800138000")
    order.engineer = world.engineer
    order.save(update_fields=["engineer"])
    client.force_login(world.clerk)
    response = client.get(f"{CREATE}?work_order={order.pk}")
    form = response.context["form"]
    assert form.initial["customer"] == world.customer.pk
    assert form.initial["instrument"] == world.instrument.pk
    assert form.initial["engineer"] == world.engineer.pk
    assert form.initial["channel"] == "work_order" and form.initial["kind"] == "service"
    assert form.initial["complainant_name"] == "张老师"
    assert order.number in response.content.decode()
    response = client.post(
        CREATE,
        _intake(
            world,
            kind="service",
            lot="",
            work_order=str(order.pk),
            instrument=str(world.instrument.pk),
            engineer=str(world.engineer.pk),
            summary="工程师迟到两小时",
        ),
    )
    complaint = Complaint.objects.get()
    assert complaint.work_order == order and complaint.engineer == world.engineer
    assert complaint.serial_no == world.instrument.serial_no


def test_intake_ignores_a_source_the_user_may_not_see(client, world):
    from apps.workorders.tests._world import register as register_order

    order = register_order(world)
    client.force_login(world.other_sales)
    response = client.get(f"{CREATE}?work_order={order.pk}")
    assert response.status_code == 200
    assert "work_order" not in response.context["form"].initial


def test_the_work_order_page_offers_a_highlighted_register_button_when_assessed_as_a_complaint(client, world):
    from apps.workorders.tests._world import register as register_order

    order = register_order(world)
    order.complaint_assessed = True
    order.save(update_fields=["complaint_assessed"])
    client.force_login(world.clerk)
    html = page(client, order.get_absolute_url())
    assert "Assessed as a complaint, but no complaint is registered yet." in html
    assert f'class="button primary" href="{CREATE}?work_order={order.pk}"' in html
    complaint = register(world, work_order=order)
    html = page(client, order.get_absolute_url())
    assert complaint.number in html and "no complaint is registered yet" not in html
    client.force_login(world.finance)  # reads complaints, registers none
    html = page(client, order.get_absolute_url())
    assert complaint.number in html and f"{CREATE}?work_order=" not in html


def test_the_survey_case_and_the_follow_up_pages_link_to_a_prefilled_intake(client, world):
    from apps.followups.models import FollowUp
    from apps.surveys.models import SurveyCase
    from apps.surveys.tests._helpers import answer, completed_job, survey_for

    order = completed_job(world)
    survey = survey_for(world, order)
    answer(survey, actor=world.clerk, timely_resolution=(1, "等了三天"))
    case = SurveyCase.objects.get(survey=survey)
    followup = FollowUp.objects.filter(work_order=order).first()
    client.force_login(world.clerk)
    assert f"{CREATE}?survey={survey.pk}" in page(client, case.get_absolute_url())
    assert f"{CREATE}?followup={followup.pk}" in page(client, followup.get_absolute_url())
    form = client.get(f"{CREATE}?survey={survey.pk}").context["form"]
    assert form.initial["survey"] == survey.pk and form.initial["customer"] == world.customer.pk
    assert form.initial["channel"] == "survey" and form.initial["engineer"] == world.engineer.pk
    form = client.get(f"{CREATE}?followup={followup.pk}").context["form"]
    assert form.initial["followup"] == followup.pk and form.initial["channel"] == "followup"
    client.force_login(world.finance)  # reads cases, registers no complaint
    if client.get(case.get_absolute_url()).status_code == 200:
        assert f"{CREATE}?survey=" not in page(client, case.get_absolute_url())


# --- the complaint file ---------------------------------------------------------------------------


def test_the_page_shows_a_20_day_deadline_from_the_awareness_date_for_a_serious_injury(client, world):
    # Received Monday 2026-03-02; the sales person heard it on Friday 2026-02-27 16:00.
    complaint = register(world, at=local(2026, 3, 2, 10), aware_at=local(2026, 2, 27, 16))
    walk(world, complaint, Status.INVESTIGATION, events=["serious_injury"])
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    panel = html[html.index('id="reports"') :]
    panel = panel[: panel.index("</section>")]
    assert "Individual adverse-event report (serious injury)" in panel
    assert "National medical device adverse event monitoring system" in panel
    assert "due 2026-03-19 23:59" in panel  # day 1 is 02-28; Asia/Shanghai
    assert "within 20 calendar days of becoming aware (2026-02-27 16:00)" in panel
    assert " overdue</span>" in panel and "badge danger" in panel  # long past by now
    assert "Record the submission" in panel


def test_a_group_event_shows_its_12_hour_24_hour_and_7_day_reports(client, world):
    complaint = register(world, at=local(2026, 4, 30, 15, 30))
    walk(world, complaint, Status.INVESTIGATION, events=["group_event"])
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    assert "due 2026-05-01 03:30" in html and "due 2026-05-01 15:30" in html and "due 2026-05-07 23:59" in html


def test_a_pending_report_inside_its_warning_window_is_amber_and_shows_the_time_left(client, world):
    complaint = register(world, at=recent(days=17))  # serious injury: 20 days, warned 5 days before
    walk(world, complaint, Status.INVESTIGATION, events=["serious_injury"], at=recent(days=16))
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    panel = html[html.index('id="reports"') :]
    assert 'class="warning"' in panel and "badge warn" in panel and " left</span>" in panel and "overdue" not in panel


def test_the_quality_department_records_a_submission_with_its_number_and_file(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    complaint = register(world, at=recent(days=3))
    walk(world, complaint, Status.INVESTIGATION, events=["serious_injury"], at=recent(days=2))
    report = complaint.reports.get()
    client.force_login(world.quality)
    submitted = recent(hours=1).strftime("%Y-%m-%dT%H:%M")
    url = reverse("complaints:report_submit", args=[complaint.pk, report.pk])
    upload = SimpleUploadedFile("MDAE-2026-0042.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    response = client.post(
        url, {"submitted_at": submitted, "report_number": "MDAE-2026-0042", "attachment": upload, "version": "1"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.report_number == "MDAE-2026-0042"
    assert report.submitted_by == world.quality and report.attachment
    html = page(client, detail(complaint))
    assert "recorded as submitted" in html and "report number MDAE-2026-0042" in html
    file_url = reverse("complaints:report_file", args=[complaint.pk, report.pk])
    assert file_url in html
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 report"
    client.force_login(world.other_sales)
    assert client.get(file_url).status_code == 404


def test_a_submission_without_its_number_keeps_the_input_and_changes_nothing(client, world):
    complaint = register(world, at=recent(days=3))
    walk(world, complaint, Status.INVESTIGATION, events=["death"], at=recent(days=2))
    report = complaint.reports.get()
    client.force_login(world.quality)
    url = reverse("complaints:report_submit", args=[complaint.pk, report.pk])
    response = client.post(url, {"report_number": "", "note": "已电话报省局", "version": "1"})
    assert response.status_code == 200
    assert "Give the report number the authority gave." in response.content.decode()
    assert "已电话报省局" in response.content.decode()
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_only_the_quality_department_records_a_submission(client, world):
    complaint = register(world, at=recent(days=3))
    walk(world, complaint, Status.INVESTIGATION, events=["death"], at=recent(days=2))
    report = complaint.reports.get()
    url = reverse("complaints:report_submit", args=[complaint.pk, report.pk])
    client.force_login(world.tech_head)
    assert "Record the submission" not in page(client, detail(complaint))
    assert client.post(url, {"report_number": "X-1", "version": "1"}).status_code == 403
    report.refresh_from_db()
    assert report.state == ReportState.PENDING


def test_a_close_refused_shows_its_blockers_and_keeps_the_review_note(client, world):
    complaint = register(world, at=recent(days=3))
    complaint = walk(world, complaint, Status.REVIEW, events=["serious_injury"], at=recent(days=2))
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    assert "Before it can close:" in html and "Regulatory report not submitted yet" in html
    response = client.post(act(complaint, "close"), {"review_note": "资料齐全，同意关闭", "version": complaint.version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "The complaint cannot close yet" in html and "Regulatory report not submitted yet" in html
    assert "资料齐全，同意关闭" in html
    complaint.refresh_from_db()
    assert complaint.status == Status.REVIEW


def test_a_stale_page_says_somebody_changed_the_complaint_and_keeps_the_input(client, world):
    complaint = register(world, at=recent(days=1))
    seen = complaint.version
    client.force_login(world.quality)
    # Meanwhile the clerk corrects the phone number.
    services.complaint_update(actor=world.clerk, complaint=complaint, data={"complainant_phone": "13700000000"})
    response = client.post(
        act(complaint, "evaluate"), {"is_complaint": "yes", "rationale": "产品性能投诉", "version": seen}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Somebody changed this complaint meanwhile" in html and "产品性能投诉" in html
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED
    # The kept form now carries the current version: submitting it again goes through.
    assert f'name="version" value="{complaint.version}"' in html
    response = client.post(
        act(complaint, "evaluate"), {"is_complaint": "yes", "rationale": "产品性能投诉", "version": complaint.version}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == Status.REPORTABILITY


def test_a_move_from_the_wrong_status_is_refused_with_its_message(client, world):
    complaint = register(world, at=recent(days=1))
    client.force_login(world.quality)
    response = client.post(act(complaint, "close"), {"review_note": "OK", "version": complaint.version})
    assert response.status_code == 409
    assert "Not possible while the complaint is" in response.content.decode()


def test_a_move_by_a_role_that_may_not_make_it_is_403(client, world):
    complaint = register(world, at=recent(days=1))
    client.force_login(world.sales)
    response = client.post(act(complaint, "evaluate"), {"is_complaint": "no", "rationale": "x"})
    assert response.status_code == 403
    client.force_login(world.tech_head)  # a product complaint is the quality department's
    assert client.post(act(complaint, "evaluate"), {"is_complaint": "yes", "rationale": "x"}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_the_page_offers_each_role_only_its_moves(client, world):
    complaint = register(world, at=recent(days=1))
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    assert act(complaint, "evaluate") in html and "Correct the intake fields" in html
    client.force_login(world.clerk)
    html = page(client, detail(complaint))
    assert act(complaint, "evaluate") not in html and "Correct the intake fields" in html
    client.force_login(world.sales)
    html = page(client, detail(complaint))
    assert act(complaint, "evaluate") not in html and act(complaint, "note") not in html


def test_a_complaint_walks_from_received_to_closed_through_the_pages(client, world):
    complaint = register(world, at=recent(days=2))
    client.force_login(world.quality)

    def post(key, data):
        complaint.refresh_from_db()
        response = client.post(act(complaint, key), {**data, "version": complaint.version})
        assert response.status_code == 302, response.content.decode()[:3000]

    post("evaluate", {"is_complaint": "yes", "rationale": "产品性能问题"})
    post("decide_reportability", {"reportable": "yes", "events": ["serious_injury"], "rationale": "误诊风险"})
    assert complaint.reports.count() == 1
    post(
        "complete_investigation",
        {"findings": "留样复测偏高 12%", "root_cause": "校准品赋值偏差", "cause_category": "reagent_lot"},
    )
    post("record_disposition", {"disposition": "lot_held", "note": "全批冻结"})
    post("record_correction", {"correction": "召回该批号", "no_capa_reason": "单一批次原因已明确"})
    post("reply", {"kind": "acknowledgement", "method": "phone", "content": "已收到", "satisfied": "unknown"})
    post("send_resolution", {"method": "phone", "content": "已更换批号", "satisfied": "yes"})
    report = complaint.reports.get()
    response = client.post(
        reverse("complaints:report_submit", args=[complaint.pk, report.pk]),
        {"report_number": "MDAE-1", "version": report.version},
    )
    assert response.status_code == 302
    post("close", {"review_note": "调查充分，同意关闭"})
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED and complaint.retain_until is not None
    html = page(client, detail(complaint))
    assert "Complaint closed." in html
    assert complaint.replies.count() == 2


def test_a_closed_complaint_is_read_only_and_shows_its_keep_until_date(client, world):
    complaint = register(world, at=local(2026, 3, 2, 10))
    complaint = walk(world, complaint, Status.REVIEW, at=local(2026, 3, 2, 11))
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=local(2026, 3, 5, 10))
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    assert "Closed. This complaint file is read-only." in html and "Keep until 2031-03-05" in html
    for key in ("evaluate", "close", "reply", "revise_reportability", "link_capa"):
        assert act(complaint, key) not in html
    assert "Correct the intake fields" not in html
    response = client.get(reverse("complaints:update", args=[complaint.pk]))
    assert response.status_code == 302
    response = client.post(act(complaint, "reply"), {"kind": "other", "method": "phone", "content": "x"})
    assert response.status_code == 409
    assert "The complaint is closed and can no longer be changed." in response.content.decode()


def test_a_note_posted_with_htmx_swaps_the_page_in_place_with_the_message(client, world):
    complaint = register(world, at=recent(days=1))
    client.force_login(world.clerk)
    response = client.post(
        act(complaint, "note"), {"text": "客户再次来电催促", "version": complaint.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="complaint-page"' in html and "Note added." in html and "客户再次来电催促" in html


def test_the_complainant_phone_is_masked_for_roles_without_personal_data(client, world):
    complaint = register(world, at=recent(days=1), complainant_address="越秀区中山二路1号")
    client.force_login(world.finance)
    html = page(client, detail(complaint))
    assert "138****0000" in html and "13800000000" not in html and "中山二路" not in html
    client.force_login(world.clerk)
    assert "13800000000" in page(client, detail(complaint))


def test_the_intake_fields_are_corrected_with_the_version_and_a_stale_edit_keeps_the_input(client, world):
    complaint = register(world, at=recent(days=1))
    url = reverse("complaints:update", args=[complaint.pk])
    client.force_login(world.clerk)
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    for name in ("received_at", "aware_at"):
        data[name] = timezone.localtime(form.initial[name]).strftime("%Y-%m-%dT%H:%M")
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    data.pop("told_to_stop_use", None)
    data.update(summary="质控偏高（更正）", expected_version=complaint.version)
    services.complaint_update(actor=world.quality, complaint=complaint, data={"udi": "(01)069"})
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Somebody changed this complaint meanwhile" in response.content.decode()
    assert "质控偏高（更正）" in response.content.decode()
    complaint.refresh_from_db()
    data["expected_version"] = complaint.version
    response = client.post(url, data)
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.summary == "质控偏高（更正）"


def test_the_service_complaint_steps_are_offered_to_the_technical_head_and_to_the_engineer(client, world):
    complaint = register(world, kind=Kind.SERVICE, at=recent(days=2))
    walk(world, complaint, Status.INVESTIGATION, at=recent(days=1))
    client.force_login(world.tech_head)
    html = page(client, detail(complaint))
    assert act(complaint, "apologise") in html and act(complaint, "talk_with_engineer") in html
    assert act(complaint, "self_assessment") not in html
    complaint.refresh_from_db()
    response = client.post(act(complaint, "talk_with_engineer"), {"text": "已约谈", "version": complaint.version})
    assert response.status_code == 302
    client.force_login(world.engineer)
    html = page(client, detail(complaint))
    assert act(complaint, "self_assessment") in html and act(complaint, "apologise") not in html
    complaint.refresh_from_db()
    response = client.post(act(complaint, "self_assessment"), {"text": "我迟到了", "version": complaint.version})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.self_assessment == "我迟到了" and complaint.talk_note == "已约谈"


def test_the_reportability_form_shows_which_reports_each_event_starts(client, world):
    complaint = register(world, at=recent(days=1))
    walk(world, complaint, Status.REPORTABILITY, at=recent(hours=20))
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    form = html[html.index('id="decide_reportability"') :]
    form = form[: form.index("</details>")]
    assert "Group event: report by phone or fax" in form and "within 12 hours of becoming aware" in form
    assert "within 20 calendar days of becoming aware" in form and "5 working days" in form
    response = client.post(
        act(complaint, "decide_reportability"), {"reportable": "yes", "events": [], "version": complaint.version}
    )
    assert response.status_code == 200
    assert "Name what makes it reportable" in response.content.decode()


def test_a_waived_investigation_names_the_earlier_complaint_by_its_number(client, world):
    earlier = register(world, at=recent(days=5))
    walk(world, earlier, Status.DISPOSITION, at=recent(days=4))
    complaint = register(world, at=recent(days=1))
    complaint = walk(world, complaint, Status.INVESTIGATION, at=recent(hours=20))
    client.force_login(world.quality)
    response = client.post(
        act(complaint, "waive_investigation"),
        {"reason": "同批次已调查", "covered_by": "NOPE-1", "version": complaint.version},
    )
    assert response.status_code == 200 and "No complaint with this number." in response.content.decode()
    response = client.post(
        act(complaint, "waive_investigation"),
        {"reason": "同批次已调查", "covered_by": earlier.number, "version": complaint.version},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.covered_by == earlier and complaint.status == Status.DISPOSITION


# --- the quality department's board ---------------------------------------------------------------


def test_the_board_lists_overdue_reports_first_then_those_due_soon_then_the_rest(client, world):
    overdue = register(world, at=local(2026, 3, 2, 10), summary="死亡病例")
    walk(world, overdue, Status.INVESTIGATION, events=["death"])
    soon = register(world, at=recent(days=17), summary="严重伤害病例")
    walk(world, soon, Status.INVESTIGATION, events=["serious_injury"], at=recent(days=16))
    later = register(world, at=recent(hours=3), summary="美国客户投诉")
    walk(world, later, Status.INVESTIGATION, events=["us_mdr"], at=recent(hours=2))
    client.force_login(world.quality)
    html = page(client, BOARD)
    assert html.index(overdue.number) < html.index(soon.number) < html.index(later.number)
    red = html[html.index('id="overdue"') : html.index('id="due-soon"')]
    amber = html[html.index('id="due-soon"') : html.index('id="later"')]
    assert overdue.number in red and 'class="overdue"' in red and "due 2026-03-09 23:59" in red
    assert soon.number in amber and 'class="warning"' in amber
    assert 'hx-trigger="every 60s"' in html
    response = client.get(BOARD, HTTP_HX_REQUEST="true")
    assert (
        response.status_code == 200 and b"<html" not in response.content and overdue.number.encode() in response.content
    )


def test_the_board_shows_recent_submissions_open_counts_and_run_out_complaint_clocks(client, world):
    late = register(world, at=local(2026, 3, 2, 10), summary="长期未回复")  # its 24/48/72 h clocks ran out
    done = register(world, at=recent(days=3))
    walk(world, done, Status.INVESTIGATION, events=["death"], at=recent(days=2))
    services.report_submit(actor=world.quality, report=done.reports.get(), report_number="MDAE-77")
    client.force_login(world.quality)
    html = page(client, BOARD)
    assert "MDAE-77" in html
    breached = html[html.index('id="breached"') :]
    breached = breached[: breached.index("</section>")]
    assert late.number in breached and "Complaint: first reply" in breached
    counts = html[html.index('id="open"') :]
    assert f"{LIST}?status=received" in counts


def test_the_board_costs_the_same_number_of_queries_with_more_reports(client, world):
    for _ in range(2):
        c = register(world, at=recent(days=3))
        walk(world, c, Status.INVESTIGATION, events=["group_event"], at=recent(days=2))
    client.force_login(world.quality)
    few = _queries(client, BOARD)
    for _ in range(8):
        c = register(world, at=recent(days=1))
        walk(world, c, Status.INVESTIGATION, events=["serious_injury"], at=recent(hours=20))
    services.report_submit(actor=world.quality, report=c.reports.get(), report_number="N-1")
    assert _queries(client, BOARD) == few


# --- reporting rules, CAPAs, reviews, the periodic task -------------------------------------------


def test_everyone_reads_the_reporting_rules_and_only_quality_edits_them(client, world):
    from apps.complaints.models import ReportingRule

    rule = ReportingRule.objects.get(code="cn-serious-injury")
    client.force_login(world.engineer)
    html = page(client, reverse("complaints:rule_list"))
    assert "Individual adverse-event report (serious injury)" in html and "20 calendar days" in html
    assert "within 20 calendar days" in page(client, rule.get_absolute_url())
    edit = reverse("complaints:rule_edit", args=[rule.pk])
    assert client.get(edit).status_code == 403
    client.force_login(world.quality)
    form = client.get(edit).context["form"]
    data = {name: form[name].value() for name in form.fields if name != "code"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(amount=15, expected_version=rule.version)
    response = client.post(edit, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.amount == 15 and rule.warn_before == dt.timedelta(days=5)
    response = client.post(
        reverse("complaints:rule_deactivate", args=[rule.pk]), {"reason": "并入新规", "expected_version": rule.version}
    )
    rule.refresh_from_db()
    assert not rule.is_active


def test_a_capa_opened_from_a_complaint_is_linked_and_blocks_closing_until_closed(client, world):
    complaint = register(world, at=recent(days=2))
    complaint = walk(world, complaint, Status.CORRECTION, at=recent(days=1))
    client.force_login(world.quality)
    response = client.post(
        f"{reverse('complaints:capa_create')}?complaint={complaint.pk}",
        {"title": "校准品赋值复核", "description": "", "owner": "", "due_on": "", "number": ""},
    )
    assert response.status_code == 302 and response.url == complaint.get_absolute_url()
    capa = complaint.capas.get()
    html = page(client, capa.get_absolute_url())
    assert complaint.number in html and "Close with the effectiveness check" in html
    response = client.post(reverse("complaints:capa_close", args=[capa.pk]), {"effectiveness": "", "version": 1})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    capa.refresh_from_db()
    response = client.post(
        reverse("complaints:capa_close", args=[capa.pk]), {"effectiveness": "三批验证合格", "version": capa.version}
    )
    assert response.status_code == 302
    capa.refresh_from_db()
    assert capa.state == "closed"
    assert capa.number in page(client, reverse("complaints:capa_list"))
    client.force_login(world.clerk)
    assert client.get(reverse("complaints:capa_create")).status_code == 403


def test_the_technical_head_decides_a_reassignment_review(client, world):
    first = register(world, kind=Kind.SERVICE, at=local(2026, 3, 2, 10))
    walk(world, first, Status.REPORTABILITY)
    second = register(world, kind=Kind.SERVICE, at=local(2026, 6, 2, 10))
    walk(world, second, Status.REPORTABILITY)
    from apps.complaints.models import ReassignmentReview

    review = ReassignmentReview.objects.get()
    client.force_login(world.quality)
    assert client.get(reverse("complaints:review_list")).status_code == 403
    client.force_login(world.marketing_head)
    html = page(client, reverse("complaints:review_list"))
    decide = reverse("complaints:review_decide", args=[review.pk])
    assert second.number in html and decide not in html
    assert client.get(decide).status_code == 403
    client.force_login(world.tech_head)
    url = decide
    assert url in page(client, reverse("complaints:review_list"))
    assert first.number in page(client, url)
    response = client.post(url, {"decision": "调离该院，安排培训", "version": review.version})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == "decided" and review.decided_by == world.tech_head


def test_the_periodic_task_scans_the_regulatory_reports(world, monkeypatch):
    from apps.complaints import tasks

    called = []
    monkeypatch.setattr(services, "check_regulatory_reports", lambda **kw: called.append(kw) or {})
    tasks.check_regulatory_reports.call_local()
    assert called == [{}]


def test_what_was_said_about_the_engineer_is_for_the_heads_and_him_not_for_the_sales_person(client, world):
    complaint = register(world, kind=Kind.SERVICE, at=recent(days=2))
    walk(world, complaint, Status.INVESTIGATION, at=recent(days=1))
    services.complaint_talk_with_engineer(
        actor=world.tech_head, complaint=complaint, note="多次迟到，已口头警告", at=recent(hours=5)
    )
    services.complaint_self_assess(
        actor=world.engineer, complaint=complaint, text="路上堵车未提前出发", at=recent(hours=4)
    )

    client.force_login(world.sales)  # serves the customer, so reads the complaint
    html = page(client, detail(complaint))
    assert "多次迟到" not in html and "路上堵车" not in html  # not in the steps, the timeline nor the history
    assert html.count("Note about the engineer — for the heads and the engineer only.") >= 1
    assert "recorded" in html  # the steps were taken: that much everybody may know

    for reader in (world.tech_head, world.engineer):
        client.force_login(reader)
        html = page(client, detail(complaint))
        assert "多次迟到，已口头警告" in html and "路上堵车未提前出发" in html


def test_a_draft_case_is_not_yet_shared_and_the_page_offers_one_case_per_complaint(client, world):
    from apps.knowledge import services as case_services

    complaint = register(world, kind=Kind.SERVICE, at=recent(days=2))
    walk(world, complaint, Status.INVESTIGATION, at=recent(days=1))
    client.force_login(world.tech_head)
    share = reverse("knowledge:add") + f"?complaint={complaint.pk}"
    assert share in page(client, detail(complaint))

    draft = case_services.case_create(
        actor=world.tech_head,
        data={"title": "工程师迟到", "symptom": "客户投诉工程师迟到", "fix": "", "complaint": complaint},
    )
    html = page(client, detail(complaint))
    assert share not in html  # the draft is there: continue it rather than write a second one
    assert draft.get_absolute_url() in html and "draft — publish it to share" in html
    blockers = [str(b) for b in services.close_blockers(complaint)]
    assert "The case is not shared to the case library yet" in blockers

    case_services.case_update(
        actor=world.tech_head,
        instance=draft,
        data={"fix": "提前一天确认行程", "published": True},
        expected_version=draft.version,
    )
    blockers = [str(b) for b in services.close_blockers(complaint)]
    assert "The case is not shared to the case library yet" not in blockers
    assert "draft — publish it to share" not in page(client, detail(complaint))


def test_the_history_names_the_reportable_events_in_words_not_codes(client, world):
    complaint = register(world, at=recent(days=2))
    walk(world, complaint, Status.INVESTIGATION, at=recent(days=1), events=["serious_injury", "us_mdr"])
    client.force_login(world.quality)
    html = page(client, detail(complaint))
    history = html[html.index('id="history"') :] if 'id="history"' in html else html
    assert "Serious injury, or may lead to serious injury or death, US: death" in history
    assert "[&#x27;serious_injury&#x27;" not in html and "['serious_injury'" not in html
    # The reason of each change is the move in words, not the program's key.
    assert "It is a complaint" in history and "Decide reportability" in history
    assert "Reason: evaluate<" not in history and "Reason: decide_reportability<" not in history
