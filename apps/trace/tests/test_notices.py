"""Field safety notices: who a notice reaches, its deadline, who is told, the board, closing,
the daily reminder (issue 5 done-means: a class II notice to a lot reaches exactly the customers
that received the lot, and the board shows acknowledgements)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.exceptions import ConflictError
from apps.core.services import record_set_active
from apps.notifications.choices import Channel
from apps.notifications.models import Message
from apps.trace import services
from apps.trace.choices import NoticeState, NotifyChannel
from apps.trace.models import NoticeRecipient
from apps.trace.tests._helpers import (  # noqa: F401
    MONDAY,
    complaint_world,
    deliver,
    issue_for_lot,
    local,
    messages_for,
    trace_world_fixture,
)


def recipients_of(notice):
    return {r.customer.name for r in notice.recipients.select_related("customer")}


def test_a_class_ii_notice_reaches_exactly_the_customers_that_received_the_lot(tw):
    deliver(tw, tw.customer, quantity=20)
    deliver(tw, tw.customer, quantity=5, on=dt.date(2026, 4, 2))  # twice to one customer: told once
    deliver(tw, tw.hunan, quantity=8)
    other_lot = tw.lot.item.lots.create(lot_no="20260302", expires_on=dt.date(2027, 9, 30))
    deliver(tw, tw.neighbour, lot=other_lot)  # another lot of the same reagent: not concerned
    wrong = deliver(tw, tw.bystander)  # entered by mistake, then deactivated
    record_set_active(instance=wrong, actor=tw.commerce, active=False, reason="录入错误")

    notice = issue_for_lot(tw, notice_class="2", at=MONDAY)

    assert recipients_of(notice) == {"长沙市中心医院", "广州市第一人民医院"}
    assert notice.recipients.count() == 2
    assert notice.state == NoticeState.ISSUED
    assert notice.due_at == MONDAY + dt.timedelta(days=3)
    assert {r.due_at for r in notice.recipients.all()} == {local(2026, 6, 11, 9, 0)}
    first = notice.recipients.get(customer=tw.customer)
    assert "20260301 × 20 (2026-03-05)" in first.affected
    assert "20260301 × 5 (2026-04-02)" in first.affected


@pytest.mark.parametrize(("notice_class", "days"), [("1", 1), ("2", 3), ("3", 7)])
def test_the_deadline_to_tell_the_customers_follows_the_class(tw, notice_class, days):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw, notice_class=notice_class)
    assert notice.due_at == MONDAY + dt.timedelta(days=days)


def test_a_notice_for_instruments_and_part_serials_reaches_where_they_stand(tw):
    from apps.catalog.tests.factories import CatalogItemFactory

    column = CatalogItemFactory(spare_part=True, code="P-COL", serial_tracked=True)
    deliver(tw, tw.hunan, lot=None, item=column, serial_no="COL-778", quantity=1)
    deliver(tw, tw.customer)  # the lot is not part of this notice
    notice = services.notice_create(
        actor=tw.quality,
        data={
            "title": "色谱柱泄漏",
            "notice_class": "3",
            "reason": "密封圈",
            "action_required": "更换",
            "serial_numbers": "COL-778",
        },
        m2m={"instruments": [tw.old_instrument]},
    )
    services.notice_issue(actor=tw.quality, notice=notice, at=MONDAY)

    assert recipients_of(notice) == {"长沙市中心医院", "广州市第一人民医院"}
    here = notice.recipients.get(customer=tw.customer)
    assert here.affected == f"YH30-0002 ({tw.old_instrument.model.code})"


def test_issuing_e_mails_the_customers_contacts_their_personal_link(tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)

    mails = Message.objects.filter(channel=Channel.EMAIL, event_key__startswith=f"fieldnotice:{notice.pk}:ack")
    assert [m.email for m in mails] == ["zhang@hospital-1.cn"]
    mail = mails.get()
    assert "/fsn/" in mail.link
    assert "请停止使用该批号" in mail.body
    told = notice.recipients.get(customer=tw.customer)
    assert told.notified_at == MONDAY and told.notify_channel == NotifyChannel.EMAIL
    # 长沙 has no contact with an e-mail address: somebody must call.
    untold = notice.recipients.get(customer=tw.hunan)
    assert untold.notified_at is None


def test_the_responsible_sales_and_engineers_are_told_to_inform_their_customers(tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.neighbour)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)

    for person in (tw.sales, tw.engineer, tw.other_sales, tw.other_engineer):
        subjects = messages_for(person, contains=notice.number)
        assert len(subjects) == 1, person
        assert "2026-06-11 09:00" in subjects[0]
    body = Message.objects.get(recipient=tw.sales, channel=Channel.IN_APP, event_key__contains="inform").body
    assert "广州市第一人民医院" in body and "广州市妇幼保健院" in body and "长沙" not in body
    assert not messages_for(tw.clerk, contains=notice.number)


def test_a_lot_nobody_received_cannot_be_issued(tw):
    notice = services.notice_create(
        actor=tw.quality,
        data={"title": "t", "notice_class": "2", "reason": "r", "action_required": "a"},
        m2m={"lots": [tw.lot]},
    )
    with pytest.raises(ValidationError, match="nobody to notify"):
        services.notice_issue(actor=tw.quality, notice=notice, at=MONDAY)
    notice.refresh_from_db()
    assert notice.state == NoticeState.DRAFT and notice.issued_at is None


def test_only_the_quality_department_drafts_and_issues_notices(tw):
    deliver(tw, tw.customer)
    data = {"title": "t", "notice_class": "2", "reason": "r", "action_required": "a"}
    with pytest.raises(PermissionDenied):
        services.notice_create(actor=tw.sales, data=data, m2m={"lots": [tw.lot]})
    notice = services.notice_create(actor=tw.quality, data=data, m2m={"lots": [tw.lot]})
    with pytest.raises(PermissionDenied):
        services.notice_issue(actor=tw.tech_head, notice=notice)


def test_an_issued_notice_can_no_longer_be_changed_nor_issued_again(tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    with pytest.raises(ConflictError):
        services.notice_update(actor=tw.quality, instance=notice, data={"title": "x"}, expected_version=notice.version)
    with pytest.raises(ConflictError):
        services.notice_issue(actor=tw.quality, notice=notice)


def test_a_stale_version_is_refused(tw):
    deliver(tw, tw.customer)
    notice = services.notice_create(
        actor=tw.quality,
        data={"title": "t", "notice_class": "2", "reason": "r", "action_required": "a"},
        m2m={"lots": [tw.lot]},
    )
    services.notice_update(actor=tw.quality, instance=notice, data={"title": "t2"}, expected_version=notice.version)
    with pytest.raises(ConflictError):
        services.notice_issue(actor=tw.quality, notice=notice, expected_version=notice.version)


# --- telling and acknowledging --------------------------------------------------------------------------


def test_staff_record_told_by_phone_and_the_acknowledgement(tw):
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)
    r = notice.recipients.get()
    r = services.recipient_notify(
        actor=tw.other_sales, recipient=r, channel=NotifyChannel.PHONE, note="电话告知王主任", at=MONDAY
    )
    assert r.notified_at == MONDAY and r.notified_by == tw.other_sales and r.notify_channel == "phone"
    r = services.recipient_acknowledge(
        actor=tw.other_sales, recipient=r, name="王主任", position="检验科主任", at=MONDAY + dt.timedelta(hours=2)
    )
    assert r.acknowledged_by == "王主任" and r.ack_channel == "staff" and r.ack_recorded_by == tw.other_sales
    with pytest.raises(ConflictError, match="Already acknowledged"):
        services.recipient_acknowledge(actor=tw.quality, recipient=r, name="别人")
    kinds = list(notice.events.values_list("kind", flat=True))
    assert kinds == ["created", "issued", "notified", "acknowledged"]


def test_a_sales_person_records_only_for_his_own_customers(tw):
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)
    r = notice.recipients.get()
    with pytest.raises(PermissionDenied):
        services.recipient_notify(actor=tw.sales, recipient=r, channel=NotifyChannel.PHONE)
    with pytest.raises(PermissionDenied):  # finance is not in the role table for this
        services.recipient_acknowledge(actor=tw.finance, recipient=r, name="x")


def test_an_acknowledgement_needs_a_name(tw):
    deliver(tw, tw.hunan)
    r = issue_for_lot(tw).recipients.get()
    with pytest.raises(ValidationError):
        services.recipient_acknowledge(actor=tw.quality, recipient=r, name="  ")
    r.refresh_from_db()
    assert r.acknowledged_at is None


# --- closing ------------------------------------------------------------------------------------------------


def test_closing_needs_every_acknowledgement_or_a_reason(tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)
    first = notice.recipients.get(customer=tw.customer)
    services.recipient_acknowledge(actor=tw.quality, recipient=first, name="张主任")
    with pytest.raises(ValidationError, match="1 customer has not acknowledged"):
        services.notice_close(actor=tw.quality, notice=notice)
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED
    notice = services.notice_close(actor=tw.quality, notice=notice, reason="长沙客户已停用该批号，多次联系未回执")
    assert notice.state == NoticeState.CLOSED and notice.closed_by == tw.quality


def test_a_notice_everybody_acknowledged_closes_without_a_reason(tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    services.recipient_acknowledge(actor=tw.quality, recipient=notice.recipients.get(), name="张主任")
    assert services.notice_close(actor=tw.quality, notice=notice).state == NoticeState.CLOSED


def test_nothing_is_recorded_on_a_closed_notice(tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    r = notice.recipients.get()
    services.notice_close(actor=tw.quality, notice=notice, reason="撤回")
    with pytest.raises(ConflictError):
        services.recipient_acknowledge(actor=tw.quality, recipient=r, name="张主任")


# --- the daily reminder -------------------------------------------------------------------------------------


def test_the_reminder_names_the_overdue_customers_once_a_day(tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw, at=MONDAY)  # due Thursday 09:00
    assert services.notice_remind_due(at=local(2026, 6, 11, 8, 0)) == 0  # not due yet

    assert services.notice_remind_due(at=local(2026, 6, 11, 9, 30)) == 1
    assert services.notice_remind_due(at=local(2026, 6, 11, 17, 0)) == 0  # once a day
    subjects = messages_for(tw.quality, contains=notice.number)
    assert subjects == [f"Field safety notice {notice.number}: 1 not told by the deadline, 1 told but not acknowledged"]
    body = Message.objects.get(recipient=tw.other_sales, channel=Channel.IN_APP, event_key__contains="reminder").body
    assert "Not told yet (overdue): 长沙市中心医院" in body and "广州" not in body

    services.recipient_acknowledge(actor=tw.quality, recipient=notice.recipients.get(customer=tw.hunan), name="王")
    services.recipient_acknowledge(actor=tw.quality, recipient=notice.recipients.get(customer=tw.customer), name="张")
    assert services.notice_remind_due(at=local(2026, 6, 12, 9, 30)) == 0  # everybody acknowledged


def test_the_daily_task_only_calls_the_service(tw):
    from apps.trace.tasks import remind_field_notices

    deliver(tw, tw.hunan)
    issue_for_lot(tw, at=local(2026, 1, 5))
    remind_field_notices.call_local()
    assert NoticeRecipient.objects.get().notice.reminded_on is not None


# --- the board -------------------------------------------------------------------------------------------------


def test_the_board_shows_who_acknowledged_and_who_not(client, tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.neighbour)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw, at=local(2026, 1, 5))  # long past due
    services.recipient_acknowledge(
        actor=tw.quality, recipient=notice.recipients.get(customer=tw.customer), name="张主任", position="科主任"
    )
    client.force_login(tw.quality)

    board = client.get(reverse("trace:notice_list"))
    assert board.status_code == 200
    row = board.content.decode()
    assert notice.number in row and "1 / 3" in row  # acknowledged of recipients

    page = client.get(reverse("trace:notice_detail", args=[notice.pk])).content.decode()
    assert "张主任 (科主任)" in page
    assert page.count("tr-overdue") == 2  # 妇幼 and 长沙: past due, not told → red
    pending = client.get(reverse("trace:notice_detail", args=[notice.pk]) + "?pending=1").content.decode()
    assert "广州市妇幼保健院" in pending and "长沙市中心医院" in pending
    assert f'id="recipient-{notice.recipients.get(customer=tw.customer).pk}"' not in pending


def test_the_board_of_a_sales_person_counts_only_his_customers(client, tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)
    client.force_login(tw.other_sales)
    page = client.get(reverse("trace:notice_detail", args=[notice.pk])).content.decode()
    assert "长沙市中心医院" in page and "广州市第一人民医院" not in page


def test_staff_record_from_the_notice_page(client, tw):
    deliver(tw, tw.hunan)
    notice = issue_for_lot(tw)
    r = notice.recipients.get()
    client.force_login(tw.other_sales)
    url = reverse("trace:recipient_notify", args=[r.pk])
    done = client.post(
        url, {f"n{r.pk}-channel": "visit", f"n{r.pk}-note": "上门", f"n{r.pk}-expected_version": r.version}
    )
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.notify_channel == "visit"
    refused = client.post(
        reverse("trace:recipient_acknowledge", args=[r.pk]),
        {f"a{r.pk}-name": "", f"a{r.pk}-expected_version": r.version},
    )
    assert refused.status_code == 400
    stale = client.post(
        reverse("trace:recipient_acknowledge", args=[r.pk]),
        {f"a{r.pk}-name": "王主任", f"a{r.pk}-expected_version": r.version - 1},
    )
    assert stale.status_code == 409
    assert "王主任" in stale.content.decode()  # the input is kept
    r.refresh_from_db()
    assert r.acknowledged_at is None


def test_the_draft_page_says_how_many_customers_the_notice_would_reach_and_issues_it(client, tw):
    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    client.force_login(tw.quality)
    created = client.post(
        reverse("trace:notice_add"),
        {
            "title": "批号偏高",
            "notice_class": "1",
            "reason": "偏高",
            "action_required": "停用",
            "lots": "R-GLU / 20260301",
            "serials": "",
        },
    )
    assert created.status_code == 302
    notice = tw.lot.field_notices.get()
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "will reach 2 customers" in page
    issued = client.post(reverse("trace:notice_issue", args=[notice.pk]), {"expected_version": notice.version})
    assert issued.status_code == 302
    notice.refresh_from_db()
    assert notice.state == NoticeState.ISSUED and notice.recipients.count() == 2


def test_the_notice_form_explains_an_unknown_or_ambiguous_lot(client, tw):
    tw.lot.item.__class__.objects.create(code="R-TG", name="甘油三酯", kind="reagent").lots.create(
        lot_no="20260301", expires_on=dt.date(2027, 1, 1)
    )
    client.force_login(tw.quality)
    page = client.post(
        reverse("trace:notice_add"),
        {"title": "t", "notice_class": "2", "reason": "r", "action_required": "a", "lots": "20260301\n99999999"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "is a lot of several items (R-GLU, R-TG)" in text
    assert "“99999999”: no such lot in the catalogue." in text


def test_the_notice_letter_is_a_pdf(client, tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    client.force_login(tw.sales)
    r = notice.recipients.get()
    response = client.get(reverse("trace:notice_pdf", args=[notice.pk]) + f"?recipient={r.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("role", "board", "add"),
    [
        ("quality", 200, 200),
        ("admin", 200, 200),
        ("sales", 200, 403),
        ("engineer", 200, 403),
        ("clerk", 200, 403),
        ("finance", 200, 403),
        ("dealer", 403, 403),
    ],
)
def test_who_sees_the_board_and_who_drafts_notices(client, tw, role, board, add):
    client.force_login(tw.users[role])
    assert client.get(reverse("trace:notice_list")).status_code == board
    assert client.get(reverse("trace:notice_add")).status_code == add


def test_the_board_runs_the_same_number_of_queries_for_more_notices(client, tw, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    deliver(tw, tw.customer)
    deliver(tw, tw.hunan)
    issue_for_lot(tw)
    client.force_login(tw.quality)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("trace:notice_list"))
    for number in range(5):
        issue_for_lot(tw, title=f"通知 {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("trace:notice_list"))
    assert len(many) == len(few)


def test_the_notice_page_runs_the_same_number_of_queries_for_more_recipients(client, tw):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.customers.tests.factories import CustomerFactory

    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    client.force_login(tw.quality)
    with CaptureQueriesContext(connection) as few:
        client.get(notice.get_absolute_url())
    for _n in range(6):
        deliver(tw, CustomerFactory(city=tw.city, responsible_sales=tw.sales))
    bigger = issue_for_lot(tw, title="更多客户")
    with CaptureQueriesContext(connection) as many:
        client.get(bigger.get_absolute_url())
    assert bigger.recipients.count() == 7
    assert len(many) == len(few)


def test_a_draft_is_corrected_on_its_page_and_an_issued_notice_is_not(client, tw):
    deliver(tw, tw.customer)
    notice = services.notice_create(
        actor=tw.quality,
        data={"title": "旧标题", "notice_class": "3", "reason": "r", "action_required": "a"},
        m2m={"lots": [tw.lot]},
    )
    client.force_login(tw.quality)
    form = client.get(reverse("trace:notice_edit", args=[notice.pk])).content.decode()
    assert "R-GLU / 20260301" in form
    data = {
        "number": notice.number,
        "title": "新标题",
        "notice_class": "1",
        "reason": "r",
        "action_required": "a",
        "lots": "20260301",
        "serials": "YH30-0001",
        "expected_version": notice.version,
    }
    assert client.post(reverse("trace:notice_edit", args=[notice.pk]), data).status_code == 302
    notice.refresh_from_db()
    assert notice.title == "新标题" and notice.notice_class == "1"
    assert list(notice.instruments.all()) == [tw.instrument]
    stale = client.post(reverse("trace:notice_edit", args=[notice.pk]), data)
    assert stale.status_code == 409 and "新标题" in stale.content.decode()
    services.notice_issue(actor=tw.quality, notice=notice)
    issued = client.get(reverse("trace:notice_edit", args=[notice.pk]), follow=True)
    assert "Only a draft can be changed" in issued.content.decode()
