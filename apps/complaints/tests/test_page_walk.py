"""What a walk through the complaint pages in a browser turned up (issue 5): every mistake of a
form shown at once, the page swapped by htmx scrolling to the form that needs the user, the
engineer's self-assessment on top of his page, the linked CAPAs named in the correction form, and
the complaint's lot one tap away from its trace."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.complaints import services
from apps.complaints.choices import Kind, Status
from apps.complaints.tests._world import register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def recent(days=0, hours=0):
    return timezone.localtime() - dt.timedelta(days=days, hours=hours)


def act(complaint, key):
    return reverse("complaints:act", args=[complaint.pk, key])


def detail(complaint):
    return reverse("complaints:detail", args=[complaint.pk])


def test_intake_shows_a_future_date_together_with_the_missing_summary_and_keeps_the_input(client, world):
    client.force_login(world.clerk)
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("complaints:create"),
        {
            "kind": Kind.PRODUCT,
            "channel": "phone",
            "received_at": tomorrow,
            "complainant_name": "张医生",
            "product_name": "生化分析仪",
            "summary": "",
            "details": "仪器报错 E05",
            "device_used": "unknown",
            "used_for_diagnosis": "unknown",
            "met_specification": "unknown",
            "harm": "none",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The date received cannot be in the future." in html
    assert "This field is required." in html
    assert "仪器报错 E05" in html and "张医生" in html


def test_a_report_submission_dated_tomorrow_without_its_number_shows_both_mistakes(client, world):
    complaint = register(world, at=recent(days=2))
    complaint = walk(world, complaint, Status.INVESTIGATION, at=recent(days=1), events=["serious_injury"])
    report = complaint.reports.get()
    client.force_login(world.quality)
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("complaints:report_submit", args=[complaint.pk, report.pk]),
        {"submitted_at": tomorrow, "report_number": "", "note": "电话确认", "version": report.version},
    )
    html = response.content.decode()
    assert "The submission date cannot be in the future." in html
    assert "Give the report number the authority gave." in html
    assert "电话确认" in html
    report.refresh_from_db()
    assert report.state == "pending"


def test_a_refused_htmx_post_scrolls_to_its_form_and_a_done_one_to_the_message_on_top(client, world):
    complaint = register(world, at=recent(days=2))
    complaint = walk(world, complaint, Status.INVESTIGATION, at=recent(days=1))
    client.force_login(world.quality)
    response = client.post(
        act(complaint, "complete_investigation"),
        {"findings": "", "cause_category": "", "version": complaint.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "outerHTML show:#complete_investigation:top"
    assert 'id="complete_investigation"' in response.content.decode()
    response = client.post(
        act(complaint, "complete_investigation"),
        {"findings": "留样复测偏高", "cause_category": "reagent_lot", "version": complaint.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "outerHTML show:window:top"
    assert "Investigation recorded." in response.content.decode()


def test_the_engineer_finds_his_self_assessment_at_the_top_of_the_complaint(client, world):
    complaint = register(world, kind=Kind.SERVICE, at=recent(days=2))
    complaint = walk(world, complaint, Status.INVESTIGATION, at=recent(days=1))
    services.complaint_talk_with_engineer(
        actor=world.tech_head, complaint=complaint, note="已约谈", expected_version=complaint.version
    )
    client.force_login(world.engineer)
    html = client.get(detail(complaint)).content.decode()
    form_at = html.index('id="self_assessment"')
    assert form_at < html.index('id="reports"') < html.index('id="complainant"')
    assert 'id="self_assessment" open' in html


def test_the_correction_form_names_the_capa_already_linked(client, world):
    complaint = register(world, at=recent(days=2))
    complaint = walk(world, complaint, Status.CORRECTION, at=recent(days=1))
    capa = services.capa_create(actor=world.quality, data={"title": "校准品赋值复核"}, complaint=complaint)
    client.force_login(world.quality)
    html = client.get(detail(complaint)).content.decode()
    assert f"Already linked: {capa.number}." in html
    assert "Required when no CAPA is linked." not in html


def test_the_complaint_links_its_lot_to_the_trace_and_the_blockers_to_the_open_capa(client, world):
    complaint = register(world, at=recent(days=2))
    complaint = walk(world, complaint, Status.CORRECTION, at=recent(days=1))
    capa = services.capa_create(actor=world.quality, data={"title": "校准品赋值复核"}, complaint=complaint)
    complaint = walk(world, complaint, Status.REVIEW, at=recent(hours=12))
    client.force_login(world.quality)
    html = client.get(detail(complaint)).content.decode()
    assert f"{reverse('trace:search')}?lot_no=20260301" in html
    blockers = html[html.index('id="blockers"') :]
    blockers = blockers[: blockers.index("</div>")]
    assert f"CAPA {capa.number} is still open" in blockers and capa.get_absolute_url() in blockers
