"""The actions on a work order in the browser (views_actions.py): who may open which page, what
each POST changes, and how refusals, conflicts and bad input look to the user."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.workorders import services
from apps.workorders.choices import Billing, EventKind, PartSupply, Status, WorkType
from apps.workorders.models import Attachment, PartUsage, WorkOrder
from apps.workorders.tests._world import build_world, last_event, register, walk
from apps.workorders.views_actions import action_bar


@pytest.fixture
def w(db):
    """One login per role, a customer with sales and dealer, instruments in and out of warranty."""
    return build_world()


def url(name, order, *args):
    return reverse(f"workorders:{name}", args=[order.pk, *args])


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def tomorrow() -> str:
    return local_input(timezone.now() + dt.timedelta(days=1))


def page(response) -> str:
    return response.content.decode()


# --- who may open which page -----------------------------------------------------------------

# (url name, status the order is walked to, role that may open the page)
PAGES = [
    ("record_remote", Status.NEW, Role.CLERK),
    ("resolve_remotely", Status.NEW, Role.CLERK),
    ("file_application", Status.NEW, Role.SALES),
    ("decide", Status.PENDING_APPROVAL, Role.TECH_HEAD),  # in warranty: the technical head confirms
    ("checklist", Status.DISPATCHED, Role.ENGINEER),
    ("schedule", Status.DISPATCHED, Role.ENGINEER),
    ("reschedule", Status.SCHEDULED, Role.ENGINEER),
    ("check_in", Status.SCHEDULED, Role.ENGINEER),
    ("pause", Status.SCHEDULED, Role.ENGINEER),
    ("visit", Status.ON_SITE, Role.ENGINEER),
    ("parts", Status.ON_SITE, Role.ENGINEER),
    ("report_result", Status.ON_SITE, Role.ENGINEER),
    ("assess", Status.COMPLETED, Role.QUALITY),
    ("close", Status.COMPLETED, Role.TECH_HEAD),
    ("cancel", Status.APPROVED, Role.CLERK),
    ("add_note", Status.ON_SITE, Role.SALES),
    ("attach", Status.ON_SITE, Role.ENGINEER),
]


@pytest.mark.parametrize(("name", "status", "role"), PAGES)
def test_each_action_page_opens_for_the_role_that_may_act(client, w, name, status, role):
    order = walk(w, register(w), status)
    client.force_login(w.users[role])
    response = client.get(url(name, order))
    assert response.status_code == 200
    if name not in UNVERSIONED:
        version = order.visits.get().version if name == "visit" else order.version
        assert f'name="expected_version" value="{version}"' in page(response)


# Additions that never overwrite anything carry no version.
UNVERSIONED = {"checklist", "parts", "report_result", "add_note", "attach"}

# (url name, status, role that may NOT do it)
REFUSED = [
    ("check_in", Status.SCHEDULED, Role.SALES),
    ("schedule", Status.DISPATCHED, Role.SALES),
    ("resolve_remotely", Status.NEW, Role.SALES),
    ("decide", Status.PENDING_APPROVAL, Role.SALES),  # the technical head's step
    ("visit", Status.ON_SITE, Role.SALES),
    ("assess", Status.COMPLETED, Role.ENGINEER),
    ("close", Status.COMPLETED, Role.ENGINEER),
    ("cancel", Status.APPROVED, Role.ENGINEER),
    ("add_note", Status.NEW, Role.FINANCE),
]


@pytest.mark.parametrize(("name", "status", "role"), REFUSED)
def test_a_wrong_role_gets_the_not_allowed_page_with_the_reason(client, w, name, status, role):
    order = walk(w, register(w), status)
    client.force_login(w.users[role])
    response = client.get(url(name, order))
    assert response.status_code == 403
    assert "Not allowed" in page(response)
    assert "may not" in page(response) or "not yours" in page(response)


def test_an_engineer_cannot_check_in_on_another_engineers_job(client, w):
    order = walk(w, register(w), Status.SCHEDULED)  # dispatched to w.engineer
    client.force_login(w.engineer2)  # same region: he sees the order, but it is not his
    response = client.post(url("check_in", order), {"expected_version": order.version})
    assert response.status_code == 403
    assert "This work order is not yours" in page(response)
    order.refresh_from_db()
    assert order.status == Status.SCHEDULED and not order.visits.exists()


def test_sales_sees_no_dispatch_or_check_in_button(w):
    approved = walk(w, register(w), Status.APPROVED)
    scheduled = walk(w, register(w), Status.SCHEDULED)
    sales_keys = {item.key for item in _all(action_bar(approved, w.sales))}
    sales_keys |= {item.key for item in _all(action_bar(scheduled, w.sales))}
    assert not {"dispatch", "emergency_dispatch", "check_in", "schedule"} & sales_keys


def test_an_order_out_of_the_users_scope_is_not_found(client, w):
    order = register(w)
    client.force_login(w.other_sales)
    assert client.get(url("add_note", order)).status_code == 404


def test_a_move_the_state_does_not_allow_shows_the_form_page_with_the_reason(client, w):
    order = walk(w, register(w), Status.DISPATCHED)  # not booked yet
    client.force_login(w.engineer)
    response = client.post(url("check_in", order), {"expected_version": order.version})
    assert response.status_code == 409
    assert "cannot be moved" in page(response)
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED


# --- the action bar ----------------------------------------------------------------------------


def _all(bar):
    return ([bar.primary] if bar.primary else []) + bar.others


def test_the_assigned_engineer_on_a_booked_job_sees_check_in_first(w):
    order = walk(w, register(w), Status.SCHEDULED)
    bar = action_bar(order, w.engineer)
    assert bar.primary.key == "check_in" and bar.primary.method == "post"
    assert "visit" not in {item.key for item in bar.others}


def test_the_engineer_who_is_not_assigned_gets_no_check_in(w):
    order = walk(w, register(w), Status.SCHEDULED)
    assert "check_in" not in {item.key for item in _all(action_bar(order, w.engineer2))}


def test_the_detail_page_shows_the_big_check_in_button_to_the_engineer(client, w):
    order = walk(w, register(w), Status.SCHEDULED)
    client.force_login(w.engineer)
    html = page(client.get(order.get_absolute_url()))
    assert f'action="{url("check_in", order)}"' in html
    assert "woa-primary" in html


def test_the_bar_offers_the_approver_the_current_step(w):
    order = walk(w, register(w, instrument=w.old_instrument), Status.NEW)
    services.workorder_file_application(order=order, actor=w.sales, billing=Billing.PAID)
    order = WorkOrder.objects.get(pk=order.pk)
    bar = action_bar(order, w.tech_head)
    assert bar.primary.key == "decide" and bar.primary.label == "Enter the quote"
    assert "decide" not in {i.key for i in _all(action_bar(order, w.finance))}  # not finance's step yet


def test_the_bar_asks_for_the_checklist_before_the_booking(w):
    order = walk(w, register(w), Status.DISPATCHED)
    bar = action_bar(order, w.engineer)
    assert bar.primary.key == "checklist" and bar.primary.hint == f"{order.checklist.count()} missing"
    assert "schedule" in {i.key for i in bar.others}


# --- remote first (WO-2) -----------------------------------------------------------------------


def test_the_clerk_records_a_remote_attempt_and_a_call_back_time(client, w):
    order = register(w)
    client.force_login(w.clerk)
    callback = timezone.now() + dt.timedelta(hours=1)
    response = client.post(
        url("record_remote", order),
        {
            "expected_version": order.version,
            "actions": "指导客户重启并冲洗管路",
            "callback_due_at": local_input(callback),
        },
        follow=True,
    )
    assert "Remote attempt recorded." in page(response)
    order.refresh_from_db()
    assert "冲洗管路" in order.remote_actions
    assert timezone.localtime(order.callback_due_at).strftime("%H:%M") == timezone.localtime(callback).strftime("%H:%M")
    assert last_event(order, kind=EventKind.REMOTE).text == "指导客户重启并冲洗管路"


def test_solved_remotely_closes_without_a_visit_and_can_be_reopened(client, w):
    order = register(w)
    client.force_login(w.clerk)
    response = client.post(
        url("resolve_remotely", order), {"expected_version": order.version, "solution": "更换保险丝"}
    )
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Status.REMOTE_RESOLVED
    assert last_event(order, action="resolve_remotely").to_status == Status.REMOTE_RESOLVED

    client.post(url("reopen", order), {"expected_version": order.version, "reason": "客户再次来电"})
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_an_empty_solution_is_a_field_error_and_keeps_the_order_new(client, w):
    order = register(w)
    client.force_login(w.clerk)
    response = client.post(url("resolve_remotely", order), {"expected_version": order.version, "solution": ""})
    assert response.status_code == 200 and "This field is required." in page(response)
    order.refresh_from_db()
    assert order.status == Status.NEW


# --- application and approval (WO-3, WO-9) -----------------------------------------------------


def test_the_application_page_shows_the_route_before_filing(client, w):
    order = register(w, instrument=w.old_instrument)
    client.force_login(w.sales)
    html = page(client.get(url("file_application", order)))
    assert "Marketing-centre head approves free service" in html  # partial user, free: the default
    preview = page(client.get(url("application_route", order), {"billing": "paid"}, HTTP_HX_REQUEST="true"))
    assert "Technical head quotes the price" in preview and "Finance confirms the deposit" in preview


def test_sales_files_the_application_and_the_order_waits_for_approval(client, w):
    order = register(w, instrument=w.old_instrument)
    client.force_login(w.sales)
    response = client.post(
        url("file_application", order),
        {"expected_version": order.version, "billing": "paid", "work_content": "更换进样针"},
        follow=True,
    )
    assert "Application filed: waiting for" in page(response)
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL and order.billing == Billing.PAID
    assert last_event(order, kind=EventKind.APPLICATION).to_status == Status.PENDING_APPROVAL


def test_the_quote_step_asks_for_the_amount_and_approving_it_moves_to_the_next_step(client, w):
    order = register(w, instrument=w.old_instrument)
    services.workorder_file_application(order=order, actor=w.sales, billing=Billing.PAID)
    order.refresh_from_db()
    client.force_login(w.tech_head)
    html = page(client.get(url("decide", order)))
    assert "Quoted price (CNY)" in html and "Contract number" not in html
    response = client.post(
        url("decide", order),
        {"expected_version": order.version, "decision": "approve", "quote_amount": "2000", "quote_note": "工时"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.paid.quote_amount == 2000 and order.paid.deposit_amount == 1000
    assert order.application.step_code == "customer_agreement"
    assert last_event(order, kind=EventKind.APPROVAL).data == {"step": "quote"}


def test_a_rejection_without_a_reason_is_a_field_error_and_changes_nothing(client, w):
    order = walk(w, register(w, instrument=w.old_instrument), Status.PENDING_APPROVAL)
    client.force_login(w.marketing_head)
    response = client.post(url("decide", order), {"expected_version": order.version, "decision": "reject"})
    assert response.status_code == 200
    assert "Give the reason for the rejection" in page(response)
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL


def test_a_rejection_with_a_reason_rejects_the_order(client, w):
    order = walk(w, register(w, instrument=w.old_instrument), Status.PENDING_APPROVAL)
    client.force_login(w.marketing_head)
    client.post(url("decide", order), {"expected_version": order.version, "decision": "reject", "reason": "非我司设备"})
    order.refresh_from_db()
    assert order.status == Status.REJECTED and order.closing_reason == "非我司设备"


# --- readiness and appointment (WO-7, WO-8) ----------------------------------------------------


def test_the_booking_is_refused_with_the_missing_checklist_items_named(client, w):
    order = walk(w, register(w), Status.DISPATCHED)
    client.force_login(w.engineer)
    response = client.post(
        url("schedule", order),
        {"expected_version": order.version, "appointment_at": tomorrow(), "agreed_with": "张主任"},
    )
    html = page(response)
    assert response.status_code == 200
    assert "The readiness checklist is not complete" in html
    for item in order.checklist.all():
        assert item.label in html
    assert 'value="张主任"' in html  # the input is kept
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED


def test_the_engineer_ticks_the_checklist_one_by_one_then_books_the_visit(client, w):
    order = walk(w, register(w), Status.DISPATCHED)
    client.force_login(w.engineer)
    items = list(order.checklist.all())
    for item in items:
        response = client.post(url("checklist_item", order, item.code), {"done": "on"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert "Everything is ready." in page(response)
    assert order.events.filter(kind=EventKind.CHECKLIST).count() == len(items)
    order.refresh_from_db()
    response = client.post(
        url("schedule", order),
        {"expected_version": order.version, "appointment_at": tomorrow(), "agreed_with": "张主任"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.SCHEDULED and order.appointment_with == "张主任"
    assert last_event(order, action="schedule").kind == EventKind.APPOINTMENT


def test_the_checklist_page_lists_what_is_missing(client, w):
    order = walk(w, register(w), Status.DISPATCHED)
    first = order.checklist.first()
    services.workorder_check_item(order=order, actor=w.engineer, code=first.code, done=True)
    client.force_login(w.engineer)
    html = page(client.get(url("checklist", order)))
    assert f"{order.checklist.count() - 1} items missing" in html


def test_a_new_appointment_needs_the_customer_told(client, w):
    order = walk(w, register(w), Status.SCHEDULED)
    client.force_login(w.engineer)
    data = {"expected_version": order.version, "appointment_at": tomorrow(), "reason": "配件未到"}
    response = client.post(url("reschedule", order), data)
    assert "Tell the customer before changing the appointment." in page(response)
    response = client.post(url("reschedule", order), {**data, "customer_informed": "on"})
    assert response.status_code == 302
    assert last_event(WorkOrder.objects.get(pk=order.pk), kind=EventKind.DELAY).text == "配件未到"


def test_pausing_and_resuming_the_clocks(client, w):
    order = walk(w, register(w), Status.DISPATCHED)
    client.force_login(w.engineer)
    client.post(
        url("pause", order), {"expected_version": order.version, "kind": "waiting_customer", "reason": "客户停机中"}
    )
    order.refresh_from_db()
    assert order.on_hold and order.hold_reason == "客户停机中"
    assert "resume" in {i.key for i in _all(action_bar(order, w.engineer))}
    client.post(url("resume", order), {"expected_version": order.version})
    order.refresh_from_db()
    assert not order.on_hold and last_event(order, kind=EventKind.RESUME)


# --- the visit (WO-11, WO-16) ------------------------------------------------------------------


def test_check_in_opens_the_visit_and_the_engineer_saves_the_record_as_often_as_he_likes(client, w):
    order = walk(w, register(w), Status.SCHEDULED)
    client.force_login(w.engineer)
    response = client.post(url("check_in", order), {"expected_version": order.version})
    assert response.status_code == 302 and response["Location"] == url("visit", order)
    order.refresh_from_db()
    assert order.status == Status.ON_SITE and last_event(order, kind=EventKind.CHECK_IN)
    visit = order.visits.get()

    record = {"findings": "进样针弯曲", "work_done": "", "lab_head_name": ""}
    response = client.post(url("visit", order), {**record, "expected_version": visit.version}, follow=True)
    assert "Visit record saved" in page(response)
    visit.refresh_from_db()
    assert visit.findings == "进样针弯曲" and visit.version == 2

    # autosave (htmx): the status line and the new version for the next save
    response = client.post(
        url("visit", order),
        {**record, "work_done": "更换进样针", "expected_version": visit.version},
        HTTP_HX_REQUEST="true",
    )
    assert "Saved" in page(response) and 'value="3"' in page(response)
    visit.refresh_from_db()
    assert visit.work_done == "更换进样针"


def test_a_stale_visit_record_is_not_saved_and_keeps_the_input(client, w):
    order = walk(w, register(w), Status.ON_SITE)
    visit = order.visits.get()
    services.workorder_record_visit(order=order, actor=w.engineer, findings="A", work_done="B")
    client.force_login(w.engineer)
    response = client.post(
        url("visit", order), {"findings": "我的记录", "work_done": "", "expected_version": visit.version}
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in page(response) and "我的记录" in page(response)
    visit.refresh_from_db()
    assert visit.findings == "A"


def test_the_engineer_adds_a_part_and_confirms_its_arrival(client, w):
    order = walk(w, register(w), Status.ON_SITE)
    client.force_login(w.engineer)
    response = client.post(
        url("parts", order), {"item": w.part.pk, "quantity": "2", "supply": PartSupply.FREE_EXCHANGE}, follow=True
    )
    assert "Part added" in page(response)
    part = PartUsage.objects.get(work_order=order)
    assert part.quantity == 2 and part.reminder_due_on is not None
    assert last_event(order, kind=EventKind.PART)
    client.post(url("part_arrived", order, part.pk))
    part.refresh_from_db()
    assert part.arrival_confirmed_at is not None


def test_a_free_job_refuses_company_shipped_parts_under_the_supply_field(client, w):
    order = walk(w, register(w, instrument=w.old_instrument), Status.ON_SITE, billing=Billing.FREE)
    client.force_login(w.engineer)
    response = client.post(url("parts", order), {"item": w.part.pk, "quantity": "1", "supply": PartSupply.GIFT})
    assert response.status_code == 200 and "Free service never includes parts" in page(response)
    assert not PartUsage.objects.filter(work_order=order).exists()


def test_the_result_goes_to_sales_and_a_quality_problem_is_flagged(client, w):
    order = walk(w, register(w), Status.ON_SITE)
    client.force_login(w.engineer)
    client.post(url("report_result", order), {"text": "已修复，建议重新定标", "quality_problem": "on"})
    order.refresh_from_db()
    assert order.result_reported_at is not None and order.quality_report_needed
    assert last_event(order, action="result").text == "已修复，建议重新定标"


def test_a_photo_is_uploaded_from_the_phone_camera(client, w):
    order = walk(w, register(w), Status.ON_SITE)
    client.force_login(w.engineer)
    html = page(client.get(url("attach", order)))
    assert 'accept="image/*,video/*"' in html and 'capture="environment"' in html
    photo = SimpleUploadedFile("fault.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    client.post(url("attach", order), {"photo": photo, "caption": "报警界面"})
    attachment = Attachment.objects.get(work_order=order)
    assert attachment.kind == "photo" and attachment.caption == "报警界面"
    assert last_event(order, kind=EventKind.ATTACHMENT).text == "fault.jpg"


def test_an_unaccepted_file_type_is_refused_under_its_field(client, w):
    order = register(w)
    client.force_login(w.clerk)
    upload = SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 10)
    response = client.post(url("attach", order), {"file": upload})
    assert "This file type is not accepted" in page(response)
    assert not Attachment.objects.filter(work_order=order).exists()


# --- after the visit, money, closing -----------------------------------------------------------


def test_closing_shows_what_is_missing_and_closes_once_assessed(client, w):
    order = walk(w, register(w), Status.COMPLETED)
    client.force_login(w.tech_head)
    html = page(client.get(url("close", order)))
    assert "Assess whether this service record is a complaint." in html

    client.post(url("assess", order), {"expected_version": order.version, "is_complaint": "no"})
    order.refresh_from_db()
    assert order.complaint_assessed is False and order.complaint_assessed_by == w.tech_head
    response = client.post(url("close", order), {"expected_version": order.version, "note": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CLOSED and last_event(order, action="close").to_status == Status.CLOSED


def test_a_complaint_needs_a_note(client, w):
    order = walk(w, register(w), Status.COMPLETED)
    client.force_login(w.quality)
    response = client.post(url("assess", order), {"expected_version": order.version, "is_complaint": "yes"})
    assert "Say what the complaint is about." in page(response)
    order.refresh_from_db()
    assert order.complaint_assessed is None


def test_finance_records_the_balance_of_a_paid_job(client, w):
    order = walk(w, register(w, instrument=w.old_instrument), Status.COMPLETED, billing=Billing.PAID)
    client.force_login(w.finance)
    assert "balance" in {i.key for i in _all(action_bar(order, w.finance))}
    response = client.post(url("balance", order), {"expected_version": order.version, "invoice_no": "FP-001"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.paid.invoice_no == "FP-001" and last_event(order, kind=EventKind.PAYMENT)


def test_cancelling_needs_a_reason_and_records_it(client, w):
    order = walk(w, register(w), Status.APPROVED)
    client.force_login(w.clerk)
    assert "This field is required." in page(client.post(url("cancel", order), {"expected_version": order.version}))
    client.post(url("cancel", order), {"expected_version": order.version, "reason": "客户取消"})
    order.refresh_from_db()
    assert order.status == Status.CANCELLED and order.closing_reason == "客户取消"


def test_a_note_lands_on_the_timeline(client, w):
    order = register(w)
    client.force_login(w.sales)
    response = client.post(url("add_note", order), {"text": "客户希望周三上午"}, follow=True)
    assert "Note added." in page(response)
    assert last_event(order, kind=EventKind.NOTE).text == "客户希望周三上午"


# --- two people at once --------------------------------------------------------------------------


def test_a_stale_version_shows_the_conflict_message_keeps_the_input_and_changes_nothing(client, w):
    order = register(w)
    stale = order.version
    services.workorder_record_remote(order=order, actor=w.tech_head, actions="技术主管已电话指导")
    client.force_login(w.clerk)
    response = client.post(url("resolve_remotely", order), {"expected_version": stale, "solution": "我的解决方案"})
    html = page(response)
    assert response.status_code == 409
    assert "Someone else changed this record" in html and "我的解决方案" in html
    order.refresh_from_db()
    assert order.status == Status.NEW
    # the form now carries the current version: saving again applies the input knowingly
    assert f'name="expected_version" value="{order.version}"' in html


def test_a_missing_version_is_refused_as_out_of_date(client, w):
    order = register(w)
    client.force_login(w.clerk)
    response = client.post(url("cancel", order), {"reason": "重复登记"})
    assert "This form is out of date" in page(response)
    order.refresh_from_db()
    assert order.status == Status.NEW


def test_sales_gets_no_parts_button(w):
    order = register(w, work_type=WorkType.TRAINING, instrument=None)
    assert "parts" not in {i.key for i in _all(action_bar(order, w.sales))}


def test_the_completed_order_offers_finance_nothing_it_cannot_do(w):
    order = walk(w, register(w), Status.COMPLETED)  # warranty: nothing to bill
    keys = {i.key for i in _all(action_bar(order, w.finance))}
    assert "balance" not in keys and "close" not in keys
