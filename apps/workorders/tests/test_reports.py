"""The signed service report (SPEC WO-12, WO-11, WO-13): signing on the phone completes the job,
the PDF is frozen with its hashes, later changes are detected, the copy reaches the customer."""

import datetime as dt
import hashlib
import io
import json
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from apps.catalog.tests.factories import CatalogItemFactory
from apps.core.exceptions import ConflictError
from apps.core.pdf import content_hash
from apps.core.signature import png_data_url
from apps.customers.tests.factories import ContactFactory, DepartmentFactory
from apps.notifications.tests import conftest as outbox_fixtures
from apps.workorders import reports, services
from apps.workorders.choices import EventKind, Outcome, PartSupply, ReportKind, Status, WorkType
from apps.workorders.models import PartUsage, ServiceReport, Visit
from apps.workorders.tests._world import MONDAY, SHANGHAI, build_world, messages_for, register, walk
from apps.workorders.transitions import NotPermitted, TransitionRefused

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

# A real SMTP server on 127.0.0.1 (aiosmtpd), as in the outbox tests.
smtp_server = outbox_fixtures.smtp_server


@pytest.fixture
def world(db):
    return build_world()


ARRIVED = MONDAY + dt.timedelta(hours=1)
SIGNED = MONDAY + dt.timedelta(hours=3)
CUSTOMER_EMAIL = "wang.zr@gz-first-hospital.example.cn"


def signature_png(ink: bool = True) -> bytes:
    """A finger signature as the pad exports it: strokes on a transparent canvas."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(40, 150), (120, 60), (200, 140), (300, 50), (420, 150)], fill="#111", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def on_site(w, *, work_type=WorkType.REPAIR, consent=True, record=True):
    """An order of the world's customer, walked through the services to 'on site', with the
    engineer's visit record filled in (findings, work done, measurements, the lab head's consent)."""
    contact = ContactFactory(customer=w.customer, name="王主任", title="检验科主任", email=CUSTOMER_EMAIL)
    department = DepartmentFactory(customer=w.customer, name="检验科")
    order = register(w, work_type=work_type, contact=contact, department=department)
    order = walk(w, order, Status.ON_SITE, at=ARRIVED - dt.timedelta(hours=1))
    if record:
        services.workorder_record_visit(
            order=order,
            actor=w.engineer,
            findings="进样阀密封圈磨损导致漏液",
            work_done="更换密封圈，冲洗管路，复测质控在控",
            measurements="质控低值 5.5 %，高值 9.7 %",
            drift_warning_given=True,
            lab_head_consent=consent,
            lab_head_name="王主任",
        )
    order.refresh_from_db()
    return order


def sign(w, order, **kwargs):
    kwargs.setdefault("actor", w.engineer)
    kwargs.setdefault("signer_name", "王主任")
    kwargs.setdefault("signer_title", "检验科主任")
    kwargs.setdefault("signature_png", signature_png())
    kwargs.setdefault("outcome", Outcome.SOLVED)
    kwargs.setdefault("at", SIGNED)
    return reports.report_sign(order=order, **kwargs)


def stored_pdf(report) -> bytes:
    with report.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout


def sign_post(client, order, **data):
    fields = {
        "signer_name": "王主任",
        "signer_title": "检验科主任",
        "outcome": Outcome.SOLVED,
        "email_to": "",
        "signature": png_data_url(signature_png()),
        "expected_version": order.version,
    }
    fields.update(data)
    return client.post(reverse("workorders:report_sign", args=[order.pk]), fields)


# --- signing ----------------------------------------------------------------------------------


def test_signing_completes_the_order_checks_out_the_visit_and_writes_the_timeline(world):
    order = on_site(world)

    report = sign(world, order)

    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert order.outcome == Outcome.SOLVED
    assert order.completed_at == SIGNED
    visit = Visit.objects.get(work_order=order)
    assert visit.checked_out_at == SIGNED
    assert report.number == f"{order.number}-R1"
    assert report.kind == ReportKind.REPAIR
    assert (report.signer_name, report.signer_title) == ("王主任", "检验科主任")
    assert report.signature_meaning == "customer acceptance"
    assert bytes(report.signature_png) == signature_png()
    kinds = list(order.events.filter(at=SIGNED).values_list("kind", "to_status"))
    assert (EventKind.REPORT, "") in kinds
    assert (EventKind.CHECK_OUT, "") in kinds
    assert (EventKind.TRANSITION, Status.COMPLETED) in kinds
    signed_event = order.events.get(kind=EventKind.REPORT, data__report_event="signed")
    assert report.number in signed_event.text and "王主任" in signed_event.text
    assert signed_event.actor == world.engineer
    # SPEC WO-13: sales hears of the result.
    assert messages_for(world.sales, contains=report.number.rsplit("-R", 1)[0])


def test_the_snapshot_holds_what_the_customer_signs_in_shanghai_time(world):
    order = on_site(world)
    part = CatalogItemFactory(spare_part=True, name="进样阀密封圈", code="SP-7001")
    services.workorder_add_part(order=order, actor=world.engineer, item=part, quantity=2, supply=PartSupply.BOUGHT)

    report = sign(world, order)

    content = report.content
    assert content["customer"] == {
        "name": "广州市第一人民医院",
        "address": order.site_address,
        "department": "检验科",
        "contact": "王主任",
        "contact_title": "检验科主任",
    }
    assert content["instrument"]["serial_no"] == "YH30-0001"
    assert content["order"]["work_type"] == WorkType.REPAIR
    assert content["kind"] == ReportKind.REPAIR
    visit = Visit.objects.get(work_order=order)
    assert content["visit"]["arrived_at"] == timezone.localtime(visit.checked_in_at, SHANGHAI).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert content["visit"]["arrived_at"].startswith("2026-06-08 09:")
    assert content["visit"]["departed_at"] == "2026-06-08 12:00"
    assert content["visit"]["findings"] == "进样阀密封圈磨损导致漏液"
    assert content["visit"]["lab_head_consent"] is True
    assert content["visit"]["drift_warning_given"] is True
    assert content["engineer"] == str(world.engineer)
    assert content["outcome"] == Outcome.SOLVED
    assert content["parts"] == [
        {
            "name": "进样阀密封圈",
            "code": "SP-7001",
            "quantity": 2,
            "supply": PartSupply.BOUGHT,
            "supply_label": "Bought by the customer",
            "fitted": False,
        }
    ]


def test_the_content_hash_is_the_sha256_of_the_canonical_snapshot_and_the_pdf_hash_that_of_the_file(world):
    report = sign(world, on_site(world))

    canonical = reports.canonical_json(report.content)
    assert canonical == json.dumps(report.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert canonical == reports.canonical_json(dict(reversed(list(report.content.items()))))  # key order irrelevant
    assert report.content_hash == content_hash(canonical) == hashlib.sha256(canonical).hexdigest()
    assert len(report.content_hash) == 64
    assert report.pdf_hash == content_hash(stored_pdf(report))


@needs_poppler
def test_the_pdf_is_a_pdf_in_the_embedded_font_that_shows_the_chinese_customer_name_and_the_signature(world, tmp_path):
    report = sign(world, on_site(world))

    data = stored_pdf(report)
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    for words in (
        "广州市第一人民医院",
        "王主任",
        "检验科主任",
        "进样阀密封圈磨损导致漏液",
        report.number,
        "customer acceptance",
        report.content_hash,
        "Repair record",
    ):
        assert words in text
    path = tmp_path / "report.pdf"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    font_rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_rows and all("Noto-Sans-SC-Report" in row for row in font_rows)
    assert all(row.split()[-5] == "yes" for row in font_rows)  # the "emb" column: embedded
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    assert len([line for line in images.splitlines()[2:] if line.strip()]) >= 1  # the signature


@pytest.mark.parametrize(
    ("work_type", "kind", "title"),
    [
        (WorkType.APP_TROUBLESHOOTING, ReportKind.APPLICATION, "Application service report"),
        (WorkType.MAINTENANCE, ReportKind.HARDWARE, "Hardware service report"),
        (WorkType.REPAIR, ReportKind.REPAIR, "Repair record"),
        (WorkType.INSTALLATION, ReportKind.ACCEPTANCE, "Installation acceptance form"),
    ],
)
@needs_poppler
def test_the_report_kind_and_its_form_follow_the_work_type(world, tmp_path, work_type, kind, title):
    report = sign(world, on_site(world, work_type=work_type))

    assert report.kind == kind
    assert title in pdf_text(stored_pdf(report), tmp_path)


def test_an_unsolved_job_is_escalated_when_the_customer_signs(world):
    order = on_site(world)

    sign(world, order, outcome=Outcome.UNSOLVED)

    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert order.outcome == Outcome.UNSOLVED
    assert order.escalated is True


# --- verify: the PDF is never regenerated, changes are detected ----------------------------------


def test_changing_the_findings_afterwards_shows_in_verify_while_the_pdf_bytes_stay_identical(world):
    order = on_site(world)
    report = sign(world, order)
    before = stored_pdf(report)
    assert reports.verify(report).ok

    Visit.objects.filter(work_order=order).update(findings="进样阀正常，无漏液")

    report.refresh_from_db()
    result = reports.verify(report)
    assert result.changed_fields == ["visit.findings"]
    assert result.changes[0].signed == "进样阀密封圈磨损导致漏液"
    assert result.changes[0].current == "进样阀正常，无漏液"
    assert result.content_intact and result.pdf_intact
    assert not result.ok
    assert stored_pdf(report) == before
    assert report.pdf_hash == content_hash(before)


def test_verify_detects_an_edited_row_and_an_altered_or_missing_file(world):
    report = sign(world, on_site(world))

    content = dict(report.content, engineer="某某")
    ServiceReport.objects.filter(pk=report.pk).update(content=content)
    report.refresh_from_db()
    assert reports.verify(report).content_intact is False

    with open(report.pdf.path, "ab") as handle:
        handle.write(b"%% appended")
    assert reports.verify(report).pdf_intact is False

    report.pdf.storage.delete(report.pdf.name)
    assert reports.verify(report).pdf_intact is None


def test_the_report_page_says_which_data_changed_since_signing(world, client):
    order = on_site(world)
    report = sign(world, order)
    Visit.objects.filter(work_order=order).update(work_done="仅清洁")
    client.force_login(world.tech_head)

    response = client.get(reverse("workorders:report_detail", args=[report.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Data changed since signing:" in page
    assert "work done" in page
    assert "仅清洁" in page
    assert report.content_hash in page
    assert 'src="data:image/png;base64,' in page  # the signature


# --- refusals ---------------------------------------------------------------------------------


def test_signing_is_refused_without_the_lab_heads_consent(world):
    order = on_site(world, consent=False)

    with pytest.raises(ValidationError) as refused:
        sign(world, order)

    assert "lab_head_consent" in refused.value.message_dict
    order.refresh_from_db()
    assert order.status == Status.ON_SITE
    assert not ServiceReport.objects.exists()


def test_signing_is_refused_without_findings_and_work_done(world):
    order = on_site(world, record=False)

    with pytest.raises(ValidationError) as refused:
        sign(world, order)

    assert {"findings", "work_done", "lab_head_consent"} <= set(refused.value.message_dict)


def test_signing_is_refused_without_an_open_visit(world):
    order = on_site(world)
    Visit.objects.filter(work_order=order).update(checked_out_at=ARRIVED + dt.timedelta(minutes=30))

    with pytest.raises(TransitionRefused):
        sign(world, order)
    assert not ServiceReport.objects.exists()


def test_signing_is_refused_without_the_signers_name(world):
    order = on_site(world)

    with pytest.raises(ValidationError) as refused:
        sign(world, order, signer_name="  ")

    assert "signer_name" in refused.value.message_dict


def test_signing_is_refused_to_another_engineer(world):
    order = on_site(world)

    with pytest.raises(NotPermitted):
        sign(world, order, actor=world.engineer2)


def test_signing_a_stale_page_is_a_conflict(world):
    order = on_site(world)
    version = order.version
    item = CatalogItemFactory(spare_part=True)
    services.workorder_add_part(order=order, actor=world.engineer, item=item, quantity=1, supply=PartSupply.BOUGHT)

    with pytest.raises(ConflictError):
        sign(world, order, expected_version=version)


def test_a_visit_record_edited_after_the_summary_was_shown_makes_the_signature_stale(world):
    order = on_site(world)
    shown = reports.summary_hash(reports.report_snapshot(order, reports.open_visit_for(order)))
    visit = reports.open_visit_for(order)
    services.workorder_record_visit(
        order=order,
        actor=world.engineer,
        findings="另一个结论",
        work_done=visit.work_done,
        lab_head_consent=True,
        lab_head_name="王主任",
    )

    with pytest.raises(ConflictError):
        sign(world, order, expected_summary_hash=shown)
    assert (
        sign(
            world,
            order,
            expected_summary_hash=reports.summary_hash(reports.report_snapshot(order, reports.open_visit_for(order))),
        ).content["visit"]["findings"]
        == "另一个结论"
    )


def test_a_signed_order_cannot_be_signed_twice(world):
    order = on_site(world)
    sign(world, order)

    with pytest.raises(TransitionRefused):
        sign(world, order, at=SIGNED + dt.timedelta(minutes=1))
    assert ServiceReport.objects.filter(work_order=order).count() == 1


def test_a_signing_that_fails_halfway_leaves_no_report_and_no_pdf_file(world, settings, monkeypatch):
    order = on_site(world)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "complete_order_after_signature", broken)
    with pytest.raises(RuntimeError):
        sign(world, order)

    assert not ServiceReport.objects.exists()
    folder = settings.MEDIA_ROOT / "reports"
    assert not folder.exists() or not any(folder.rglob("*.pdf"))


# --- the signing page on the phone --------------------------------------------------------------


def test_the_signing_page_shows_the_summary_the_customer_signs(world, client):
    order = on_site(world)
    client.force_login(world.engineer)

    response = client.get(reverse("workorders:report_sign", args=[order.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "广州市第一人民医院",
        "进样阀密封圈磨损导致漏液",
        "YH30-0001",
        "customer acceptance",
        "data-signature-pad",
        "js/signature-pad.js",
        CUSTOMER_EMAIL,
    ):
        assert text in page


def test_the_signing_page_lists_what_is_missing_and_offers_no_signing(world, client):
    order = on_site(world, consent=False)
    client.force_login(world.engineer)

    response = client.get(reverse("workorders:report_sign", args=[order.pk]))

    page = response.content.decode()
    assert "The lab head has not agreed yet" in page
    assert "disabled" in page


def test_signing_on_the_page_completes_the_job_and_goes_back_to_the_order(world, client):
    order = on_site(world)
    client.force_login(world.engineer)

    response = sign_post(client, order, email_to="")

    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert ServiceReport.objects.get(work_order=order).signer_name == "王主任"


def test_a_blank_signature_is_a_form_error_and_changes_nothing(world, client):
    order = on_site(world)
    client.force_login(world.engineer)

    response = sign_post(client, order, signature=png_data_url(signature_png(ink=False)))

    assert response.status_code == 200
    assert "Please sign in the box." in response.content.decode()
    assert "王主任" in response.content.decode()  # the signer's name is kept
    order.refresh_from_db()
    assert order.status == Status.ON_SITE


def test_another_engineer_is_refused_with_403(world, client):
    order = on_site(world)
    client.force_login(world.engineer2)

    assert client.get(reverse("workorders:report_sign", args=[order.pk])).status_code == 403
    assert sign_post(client, order).status_code == 403
    order.refresh_from_db()
    assert order.status == Status.ON_SITE


def test_signing_in_the_wrong_state_is_refused_with_409(world, client):
    order = walk(world, register(world), Status.SCHEDULED)
    client.force_login(world.engineer)

    response = sign_post(client, order)

    assert response.status_code == 409
    assert "cannot be moved" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.SCHEDULED


def test_a_stale_page_keeps_the_input_and_asks_for_a_new_signature(world, client):
    order = on_site(world)
    client.force_login(world.engineer)
    version = order.version
    item = CatalogItemFactory(spare_part=True)
    services.workorder_add_part(order=order, actor=world.engineer, item=item, quantity=1, supply=PartSupply.BOUGHT)

    response = sign_post(client, order, expected_version=version, signer_title="主任技师")

    assert response.status_code == 409
    page = response.content.decode()
    assert "The customer must sign again" in page
    assert 'value="主任技师"' in page
    assert 'name="signature" value=""' in page
    assert not ServiceReport.objects.exists()


# --- the PDF download ---------------------------------------------------------------------------


def test_the_pdf_downloads_as_the_stored_bytes(world, client):
    report = sign(world, on_site(world))
    client.force_login(world.sales)

    response = client.get(reverse("workorders:report_pdf", args=[report.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{report.number}.pdf"'
    assert b"".join(response.streaming_content) == stored_pdf(report)


def test_the_pdf_and_the_report_are_not_found_outside_the_users_scope(world, client):
    report = sign(world, on_site(world))
    client.force_login(world.other_engineer)

    assert client.get(reverse("workorders:report_pdf", args=[report.pk])).status_code == 404
    assert client.get(reverse("workorders:report_detail", args=[report.pk])).status_code == 404


# --- the copy by e-mail -------------------------------------------------------------------------


def test_the_signed_pdf_arrives_by_email_at_the_customer(world, smtp_server, django_capture_on_commit_callbacks):
    order = on_site(world)

    with django_capture_on_commit_callbacks(execute=True):
        report = sign(world, order, email_to="copy@gz-first-hospital.example.cn")

    mails = [
        m
        for m, e in zip(smtp_server.messages, smtp_server.envelopes, strict=True)
        if e.rcpt_tos == ["copy@gz-first-hospital.example.cn"]
    ]
    assert len(mails) == 1
    mail = mails[0]
    assert report.number in mail["Subject"]
    assert "广州市第一人民医院" in mail["Subject"]
    attachments = list(mail.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{report.number}.pdf"]
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == stored_pdf(report)
    assert report.content_hash in mail.get_body(("plain",)).get_content()
    report.refresh_from_db()
    assert report.emailed_to == "copy@gz-first-hospital.example.cn"
    assert order.events.filter(kind=EventKind.REPORT, data__report_event="emailed").exists()


def test_without_an_address_the_copy_goes_to_the_contacts_email(
    world,
    smtp_server,
    django_capture_on_commit_callbacks,
):
    order = on_site(world)

    with django_capture_on_commit_callbacks(execute=True):
        report = sign(world, order)

    assert [CUSTOMER_EMAIL] in [e.rcpt_tos for e in smtp_server.envelopes]
    report.refresh_from_db()
    assert report.emailed_to == CUSTOMER_EMAIL


def test_the_technical_head_sends_the_same_pdf_again(world, client, smtp_server, django_capture_on_commit_callbacks):
    report = sign(world, on_site(world))
    client.force_login(world.tech_head)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workorders:report_resend", args=[report.pk]), {"email": "director@gz-first-hospital.example.cn"}
        )

    assert response.status_code == 302
    [mail] = [
        m
        for m, e in zip(smtp_server.messages, smtp_server.envelopes, strict=True)
        if e.rcpt_tos == ["director@gz-first-hospital.example.cn"]
    ]
    assert next(mail.iter_attachments()).get_content() == stored_pdf(report)
    report.refresh_from_db()
    assert "director@gz-first-hospital.example.cn" in report.emailed_to


def test_sales_may_not_send_the_report_again(world, client):
    report = sign(world, on_site(world))
    client.force_login(world.sales)

    response = client.post(reverse("workorders:report_resend", args=[report.pk]), {"email": "x@example.cn"})

    assert response.status_code == 403
    with pytest.raises(NotPermitted):
        reports.report_resend(report=report, actor=world.sales, email="x@example.cn")


def test_a_failed_email_is_raised_for_a_retry_and_recorded_after_the_last_attempt(world, settings):
    report = sign(world, on_site(world))
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens

    with pytest.raises(OSError):
        reports.send_report_email(report_id=report.pk, address="a@example.cn", final_attempt=False)
    assert not report.work_order.events.filter(data__report_event="email_failed").exists()

    with pytest.raises(OSError):
        reports.send_report_email(report_id=report.pk, address="a@example.cn", final_attempt=True)
    failed = report.work_order.events.get(data__report_event="email_failed")
    assert "a@example.cn" in failed.text
    report.refresh_from_db()
    assert report.emailed_to == ""


# --- the daily part-arrival reminder (SPEC WO-16) ------------------------------------------------


def test_the_daily_task_reminds_the_engineer_of_parts_not_arrived_after_ten_days(world):
    from apps.workorders import tasks

    order = on_site(world)
    item = CatalogItemFactory(spare_part=True, name="色谱柱")
    part = services.workorder_add_part(
        order=order, actor=world.engineer, item=item, quantity=1, supply=PartSupply.BOUGHT
    )
    PartUsage.objects.filter(pk=part.pk).update(reminder_due_on=dt.date(2026, 1, 1))

    tasks.remind_part_arrivals()

    part.refresh_from_db()
    assert part.reminded_at is not None
    assert messages_for(world.engineer, contains="色谱柱")
