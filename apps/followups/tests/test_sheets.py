"""FU-4: the follow-up sheet (跟踪回访单) — the caller makes and submits it, the supervisor reviews
and comments, the department head signs it off; and its PDF. Also the follow-up plan shown on a
work order's page."""

import datetime as dt
import subprocess

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.followups import services
from apps.followups.choices import Job, Problem, Questionnaire, SheetState, Trend
from apps.followups.models import FollowUp, FollowUpSheet
from apps.followups.views_sheets import workorder_followups
from apps.workorders.choices import Status, WorkType
from apps.workorders.tests._world import complete, local, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

WEEK = {"period_start": "2026-06-08", "period_end": "2026-06-14"}


def _installation(w, at=None, engineer=None):
    at = at or local(2026, 6, 8, 15, 0)
    engineer = engineer or w.engineer
    order = register(w, work_type=WorkType.INSTALLATION, at=at - dt.timedelta(days=2))
    walk(w, order, Status.ON_SITE, at=at - dt.timedelta(days=2) + dt.timedelta(minutes=10), engineer=engineer)
    order.refresh_from_db()
    return complete(order, actor=engineer, at=at)


def _call(followup, caller, at, record="仪器运行正常，质控在控", remarks=""):
    return services.followup_record(
        followup=followup,
        actor=caller,
        problem=Problem.NONE,
        trend=Trend.AS_USUAL,
        record=record,
        remarks=remarks,
        at=at,
    )


def _manual_call(w, caller, at, record):
    """A follow-up planned by hand for `caller` and answered by him at `at`."""
    followup = services.followup_schedule(
        source=w.customer,
        customer=w.customer,
        job=Job.APPLICATION,
        questionnaire=Questionnaire.LAB_PHONE,
        due_at=at,
        reason="手工回访",
        actor=caller,
        at=at - dt.timedelta(hours=1),
        assignee=caller,
    )
    return services.followup_record(followup=followup, actor=caller, problem=Problem.NONE, record=record, at=at)


@pytest.fixture
def calls(world):
    """The engineer's two installation calls of the week of 8 June 2026, plus calls that belong on
    no sheet of his for that week: another engineer's, and his own of the week after."""
    order = _installation(world)
    first, second = FollowUp.objects.filter(work_order=order).order_by("due_at")
    first = _call(first, world.engineer, local(2026, 6, 9, 16), remarks="联系人：张主任")
    second = _call(second, world.engineer, local(2026, 6, 10, 15, 30), record="出片效果良好")
    _manual_call(world, world.engineer2, local(2026, 6, 10, 11), "另一位工程师的回访")
    _manual_call(world, world.engineer, local(2026, 6, 16, 10), "下一周的回访")
    return first, second


def _sheet_of(client, data=WEEK) -> FollowUpSheet:
    response = client.post(reverse("followups:sheet_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return FollowUpSheet.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def _move(client, sheet, move, **data):
    sheet.refresh_from_db()
    return client.post(reverse(f"followups:sheet_{move}", args=[sheet.pk]), {"expected_version": sheet.version, **data})


def test_a_new_sheet_collects_exactly_the_callers_calls_of_the_period_that_are_on_no_other_sheet(world, client, calls):
    first, second = calls
    client.force_login(world.engineer)
    earlier = _sheet_of(client, {"period_start": "2026-06-09", "period_end": "2026-06-09"})
    assert list(earlier.followups.all()) == [first]

    sheet = _sheet_of(client)

    assert list(sheet.followups.all()) == [second]
    assert (sheet.caller, sheet.state) == (world.engineer, SheetState.DRAFT)
    page = client.get(sheet.get_absolute_url()).content.decode()
    assert "出片效果良好" in page and "广州市第一人民医院" in page
    assert "另一位工程师的回访" not in page and "下一周的回访" not in page


def test_a_sheet_form_offers_this_week_and_refuses_a_period_without_calls(world, client, calls):
    client.force_login(world.engineer)
    page = client.get(reverse("followups:sheet_add")).content.decode()
    assert 'name="caller"' not in page  # a caller makes his own sheet
    response = client.post(reverse("followups:sheet_add"), {"period_start": "2026-05-01", "period_end": "2026-05-31"})
    assert response.status_code == 200
    assert "No follow-ups done in this period are waiting for a sheet." in response.content.decode()
    assert not FollowUpSheet.objects.exists()


def test_a_supervisor_makes_the_sheet_of_a_caller(world, client, calls):
    client.force_login(world.supervisor)
    assert 'name="caller"' in client.get(reverse("followups:sheet_add")).content.decode()
    sheet = _sheet_of(client, {**WEEK, "caller": world.engineer.pk})
    assert sheet.caller == world.engineer and sheet.followups.count() == 2


def test_submit_review_and_sign_off(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    assert _move(client, sheet, "submit").status_code == 302

    client.force_login(world.supervisor)
    assert 'class="sheet-move' in client.get(sheet.get_absolute_url()).content.decode()
    assert _move(client, sheet, "review", comment="回访记录完整，请继续跟踪质控").status_code == 302
    sheet.refresh_from_db()
    assert (sheet.state, sheet.reviewer) == (SheetState.REVIEWED, world.supervisor)

    client.force_login(world.tech_head)
    assert _move(client, sheet, "sign", comment="同意").status_code == 302
    sheet.refresh_from_db()
    assert (sheet.state, sheet.signer, sheet.sign_comment) == (SheetState.SIGNED, world.tech_head, "同意")

    client.force_login(world.engineer)
    page = client.get(sheet.get_absolute_url()).content.decode()
    assert "回访记录完整，请继续跟踪质控" in page and str(world.tech_head) in page
    assert "Signed off" in page


def test_nobody_reviews_his_own_sheet(world, client, calls):
    # The supervisor made one of the calls himself (leaders may call too).
    order = _installation(world, at=local(2026, 6, 11, 10))
    followup = FollowUp.objects.filter(work_order=order).order_by("due_at").first()
    _call(followup, world.supervisor, local(2026, 6, 12, 10))
    client.force_login(world.supervisor)
    sheet = _sheet_of(client, {**WEEK, "caller": world.supervisor.pk})
    _move(client, sheet, "submit")

    page = client.get(sheet.get_absolute_url()).content.decode()
    assert reverse("followups:sheet_review", args=[sheet.pk]) not in page
    assert _move(client, sheet, "review", comment="自己审自己").status_code == 403
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED


def test_the_head_cannot_sign_a_sheet_the_supervisor_has_not_reviewed(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    _move(client, sheet, "submit")

    client.force_login(world.tech_head)
    response = _move(client, sheet, "sign", comment="先签")

    assert response.status_code == 409
    page = response.content.decode()
    assert "The sheet must be reviewed by the supervisor before it is signed." in page
    sheet.refresh_from_db()
    assert (sheet.state, sheet.signer) == (SheetState.SUBMITTED, None)


def test_only_the_department_head_signs(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    _move(client, sheet, "submit")
    client.force_login(world.supervisor)
    _move(client, sheet, "review", comment="可以")
    assert _move(client, sheet, "sign").status_code == 403
    sheet.refresh_from_db()
    assert sheet.state == SheetState.REVIEWED


def test_a_signed_sheet_is_read_only(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    _move(client, sheet, "submit")
    client.force_login(world.supervisor)
    _move(client, sheet, "review", comment="可以")
    client.force_login(world.tech_head)
    _move(client, sheet, "sign")

    page = client.get(sheet.get_absolute_url()).content.decode()
    assert 'class="sheet-move' not in page  # no form left on the page
    response = _move(client, sheet, "return", comment="想再改一下")
    assert response.status_code == 409
    assert "Only a submitted or reviewed sheet can be returned." in response.content.decode()
    client.force_login(world.engineer)
    assert _move(client, sheet, "submit").status_code == 409
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SIGNED and sheet.review_comment == "可以"


def test_a_returned_sheet_is_a_draft_again_with_the_comment_for_the_caller(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    _move(client, sheet, "submit")

    client.force_login(world.supervisor)
    assert _move(client, sheet, "return").status_code == 200  # a return needs a comment
    assert _move(client, sheet, "return", comment="请补充联系人").status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == SheetState.DRAFT

    client.force_login(world.engineer)
    page = client.get(sheet.get_absolute_url()).content.decode()
    assert "请补充联系人" in page
    assert _move(client, sheet, "submit").status_code == 302
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED


def test_a_stale_page_changes_nothing_and_keeps_the_comment(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    _move(client, sheet, "submit")
    client.force_login(world.supervisor)
    stale = FollowUpSheet.objects.get(pk=sheet.pk).version - 1

    response = client.post(
        reverse("followups:sheet_review", args=[sheet.pk]), {"expected_version": stale, "comment": "我的审核意见"}
    )

    assert response.status_code == 409
    assert "我的审核意见" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.state == SheetState.SUBMITTED


def test_callers_see_only_their_own_sheets_and_leaders_see_all(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    client.force_login(world.engineer2)
    assert client.get(sheet.get_absolute_url()).status_code == 404
    assert sheet.number not in client.get(reverse("followups:sheet_list")).content.decode()
    client.force_login(world.supervisor)
    assert sheet.number in client.get(reverse("followups:sheet_list")).content.decode()
    assert sheet.number not in client.get(reverse("followups:sheet_list"), {"state": "signed"}).content.decode()
    client.force_login(world.sales)
    assert client.get(reverse("followups:sheet_list")).status_code == 403


def test_the_sheet_list_needs_the_same_queries_however_many_sheets(world, client, calls):
    client.force_login(world.engineer)
    _sheet_of(client)
    client.force_login(world.supervisor)
    client.get(reverse("followups:sheet_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("followups:sheet_list"))
    for day in range(8, 12):
        FollowUpSheet.objects.create(
            number=f"FS-T{day}",
            caller=world.engineer2,
            period_start=dt.date(2026, 6, day),
            period_end=dt.date(2026, 6, day),
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("followups:sheet_list"))
    assert response.status_code == 200
    assert len(many) == len(few)


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_the_pdf_shows_hospital_record_and_caller_and_the_signatures_once_signed(world, client, calls):
    client.force_login(world.engineer)
    sheet = _sheet_of(client)
    response = client.get(reverse("followups:sheet_pdf", args=[sheet.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f"{sheet.number}.pdf" in response["Content-Disposition"]
    text = _pdf_text(response.content)
    assert "广州市第一人民医院" in text and str(world.engineer) in text and "出片效果良好" in text
    assert str(world.tech_head) not in text

    _move(client, sheet, "submit")
    client.force_login(world.supervisor)
    _move(client, sheet, "review", comment="记录完整")
    client.force_login(world.tech_head)
    _move(client, sheet, "sign")

    text = _pdf_text(client.get(reverse("followups:sheet_pdf", args=[sheet.pk])).content)
    assert "记录完整" in text and str(world.supervisor) in text and str(world.tech_head) in text


def test_a_work_order_page_panel_lists_its_follow_up_plan(world, rf):
    order = _installation(world)
    request = rf.get("/")
    request.user = world.clerk
    html = render_to_string("followups/_workorder_panel.html", workorder_followups(order, world.clerk), request)
    numbers = list(FollowUp.objects.filter(work_order=order).values_list("number", flat=True))
    assert len(numbers) == 2 and all(number in html for number in numbers)
    assert "2026-06-09 15:00" in html and str(world.engineer) in html
    assert render_to_string("followups/_workorder_panel.html", workorder_followups(order, world.dealer)).strip() == ""
