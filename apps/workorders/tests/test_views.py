"""The work-order pages as their users meet them: the list, "my jobs", intake and the detail page."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.customers.tests.factories import ContactFactory, CustomerFactory, DealerFactory
from apps.instruments.tests.factories import InstrumentFactory
from apps.workorders.choices import Status, Urgency, WorkType
from apps.workorders.models import Attachment, WorkOrder
from apps.workorders.tests.factories import AttachmentFactory, WorkOrderFactory, registered_order

LIST = reverse("workorders:list")
CREATE = reverse("workorders:create")
MINE = reverse("workorders:mine")


@pytest.fixture
def world(db):
    """Two provinces with a customer and a unit each; an engineer per province; hotline staff."""
    province_a = ProvinceFactory(name="广东省")
    province_b = ProvinceFactory(name="湖南省")
    city_a = CityFactory(name="广州市", parent=province_a)
    city_b = CityFactory(name="长沙市", parent=province_b)
    dealer = DealerFactory(name="穗康医疗")
    sales = UserFactory(role=Role.SALES, username="sales_a", name="李销售")
    customer_a = CustomerFactory(name="广州市第一人民医院", city=city_a, responsible_sales=sales, dealer=dealer)
    customer_b = CustomerFactory(name="长沙市中心医院", city=city_b)
    today = timezone.localdate()
    return SimpleNamespace(
        customer_a=customer_a,
        customer_b=customer_b,
        # In warranty for another half year; B's unit ran out of warranty long ago.
        instrument_a=InstrumentFactory(
            serial_no="A-0001",
            customer=customer_a,
            install_date=today - dt.timedelta(days=200),
            acceptance_date=today - dt.timedelta(days=180),
        ),
        instrument_b=InstrumentFactory(
            serial_no="B-0001",
            customer=customer_b,
            install_date=dt.date(2020, 1, 2),
            acceptance_date=dt.date(2020, 1, 5),
        ),
        sales=sales,
        dealer_user=UserFactory(role=Role.DEALER, username="dealer", dealer=dealer),
        engineer_a=UserFactory(role=Role.ENGINEER, username="engineer_a", name="张工", regions=[province_a]),
        engineer_b=UserFactory(role=Role.ENGINEER, username="engineer_b", name="刘工", regions=[province_b]),
        clerk=UserFactory(role=Role.CLERK, username="clerk", name="陈接线"),
        head=UserFactory(role=Role.TECH_HEAD, username="head"),
    )


def _intake(world, **overrides):
    data = {
        "customer": world.customer_a.pk,
        "instrument": world.instrument_a.pk,
        "instrument_model": "",
        "contact": "",
        "caller_name": "王主任",
        "caller_phone": "13800138000",
        "department": "",
        "work_type": WorkType.REPAIR,
        "urgency": Urgency.NORMAL,
        "channel": "phone",
        "description": "样本针报警 E203，无法吸样",
        "remote_actions": "指导重启并清洗样本针，无效",
    }
    data.update(overrides)
    return data


# --- list ----------------------------------------------------------------------------------------


def test_an_engineer_of_another_region_neither_lists_nor_opens_an_order(world, client):
    order = WorkOrderFactory(customer=world.customer_a, instrument=world.instrument_a)

    client.force_login(world.engineer_b)
    assert order.number not in client.get(LIST).content.decode()
    assert client.get(order.get_absolute_url()).status_code == 404

    client.force_login(world.engineer_a)
    assert order.number in client.get(LIST).content.decode()
    assert client.get(order.get_absolute_url()).status_code == 200


def test_an_engineer_sees_an_order_he_was_sent_to_in_another_region(world, client):
    order = WorkOrderFactory(customer=world.customer_b, instrument=world.instrument_b, engineer=world.engineer_a)
    client.force_login(world.engineer_a)
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    # No dead link to a customer page he may not open.
    assert world.customer_b.get_absolute_url() not in response.content.decode()


@pytest.mark.parametrize("role_user", ["clerk", "engineer_a"])
def test_the_list_runs_the_same_number_of_queries_for_3_and_15_orders(world, client, role_user):
    user = getattr(world, role_user)
    client.force_login(user)
    engineer = world.engineer_a

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST)
        assert response.status_code == 200
        return len(queries)

    WorkOrderFactory.create_batch(3, customer=world.customer_a, engineer=engineer, appointment_at=timezone.now())
    few = count()
    WorkOrderFactory.create_batch(12, customer=world.customer_a, engineer=engineer, appointment_at=timezone.now())
    assert count() == few


def test_the_list_finds_an_order_by_serial_number_and_by_pinyin_initials(world, client):
    order_a = WorkOrderFactory(customer=world.customer_a, instrument=world.instrument_a)
    order_b = WorkOrderFactory(customer=world.customer_b, instrument=world.instrument_b)
    client.force_login(world.clerk)

    page = client.get(LIST, {"q": "B-0001"}).content.decode()
    assert order_b.number in page and order_a.number not in page
    page = client.get(LIST, {"q": "gzs"}).content.decode()  # 广州市…
    assert order_a.number in page and order_b.number not in page


def test_the_open_filter_leaves_out_finished_orders(world, client):
    open_order = WorkOrderFactory(customer=world.customer_a, status=Status.DISPATCHED)
    closed = WorkOrderFactory(customer=world.customer_a, status=Status.CLOSED)
    client.force_login(world.clerk)
    page = client.get(LIST, {"state": "open"}).content.decode()
    assert open_order.number in page and closed.number not in page


def test_the_list_flags_a_missing_application(world, client):
    WorkOrderFactory(customer=world.customer_a, status=Status.DISPATCHED, emergency=True, application_missing=True)
    client.force_login(world.clerk)
    page = client.get(LIST, {"application_missing": "true"}).content.decode()
    assert "Application missing" in page


# --- my jobs -------------------------------------------------------------------------------------


def test_my_jobs_shows_an_engineer_his_open_jobs_soonest_appointment_first(world, client):
    now = timezone.now()
    later = WorkOrderFactory(
        customer=world.customer_a,
        engineer=world.engineer_a,
        status=Status.SCHEDULED,
        appointment_at=now + dt.timedelta(days=2),
    )
    sooner = WorkOrderFactory(
        customer=world.customer_a,
        engineer=world.engineer_a,
        status=Status.SCHEDULED,
        appointment_at=now + dt.timedelta(hours=3),
    )
    done = WorkOrderFactory(customer=world.customer_a, engineer=world.engineer_a, status=Status.CLOSED)
    someone_elses = WorkOrderFactory(customer=world.customer_a, status=Status.DISPATCHED)

    client.force_login(world.engineer_a)
    page = client.get(MINE).content.decode()
    assert page.index(sooner.number) < page.index(later.number)
    assert done.number not in page and someone_elses.number not in page
    # The caller's number is a link to call on the phone.
    assert f'href="tel:{sooner.caller_phone}"' in page


def test_my_jobs_shows_a_sales_person_the_open_orders_of_his_customers(world, client):
    mine = WorkOrderFactory(customer=world.customer_a)
    other = WorkOrderFactory(customer=world.customer_b)
    client.force_login(world.sales)
    page = client.get(MINE).content.decode()
    assert mine.number in page and other.number not in page


# --- intake --------------------------------------------------------------------------------------


def test_intake_registers_an_order_with_warranty_and_arrears_recorded_and_warns(world, client):
    world.customer_a.in_arrears = True
    world.customer_a.arrears_note = "欠款 12 万元"
    world.customer_a.save()
    client.force_login(world.clerk)

    # While the clerk is on the phone the panel already says so (SPEC WO-15, WO-10).
    facts = client.get(
        reverse("workorders:intake_facts"), {"customer": world.customer_a.pk, "instrument": world.instrument_a.pk}
    ).content.decode()
    assert "Customer in arrears" in facts and "欠款 12 万元" in facts
    assert "In warranty until" in facts

    response = client.post(CREATE, _intake(world), follow=True)
    order = WorkOrder.objects.get()
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert order.in_warranty and order.arrears_at_intake
    assert order.created_by == world.clerk and order.status == Status.NEW
    page = response.content.decode()
    assert f"Registered {order.number}" in page
    assert "Customer in arrears at intake" in page


def test_intake_refuses_a_customer_out_of_scope_and_keeps_the_input(world, client):
    client.force_login(world.engineer_a)
    response = client.post(
        CREATE, _intake(world, customer=world.customer_b.pk, instrument="", description="仪器漏液，请尽快处理")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a customer you serve." in page
    assert "仪器漏液，请尽快处理" in page  # the description is kept
    assert world.customer_b.name not in page  # and the other region's customer is not revealed
    assert not WorkOrder.objects.exists()


def test_an_engineer_registers_a_request_at_a_customer_of_his_region(world, client):
    client.force_login(world.engineer_a)
    response = client.post(CREATE, _intake(world, channel="staff"))
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and order.created_by == world.engineer_a


def test_intake_refuses_an_instrument_of_another_customer(world, client):
    client.force_login(world.clerk)
    response = client.post(CREATE, _intake(world, instrument=world.instrument_b.pk))
    assert response.status_code == 200
    assert "Choose one of this customer&#x27;s instruments." in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_an_instrument_found_by_serial_brings_its_customer(world, client):
    client.force_login(world.clerk)
    client.post(CREATE, _intake(world, customer="", instrument=world.instrument_b.pk))
    assert WorkOrder.objects.get().customer == world.customer_b


def test_the_register_link_of_an_instrument_preselects_it_and_its_customer(world, client):
    client.force_login(world.clerk)
    page = client.get(CREATE, {"instrument": world.instrument_a.pk}).content.decode()
    assert f'<option value="{world.instrument_a.pk}" selected>' in page
    assert f'<option value="{world.customer_a.pk}" selected>' in page


def test_the_instrument_lookup_offers_only_the_chosen_customers_units(world, client):
    InstrumentFactory(serial_no="A-0002", customer=world.customer_a)
    client.force_login(world.clerk)
    options = client.get(reverse("workorders:instrument_options"), {"customer": world.customer_a.pk}).content.decode()
    assert "A-0001" in options and "A-0002" in options and "B-0001" not in options
    options = client.get(
        reverse("workorders:instrument_options"), {"customer": world.customer_a.pk, "q": "B-0001"}
    ).content.decode()
    assert "B-0001" not in options


def test_the_contact_picked_at_intake_becomes_the_caller(world, client):
    contact = ContactFactory(customer=world.customer_a, name="赵主任", mobile="13912345678")
    client.force_login(world.clerk)
    client.post(CREATE, _intake(world, contact=contact.pk, caller_name="", caller_phone=""))
    order = WorkOrder.objects.get()
    assert (order.contact, order.caller_name, order.caller_phone) == (contact, "赵主任", "13912345678")


def test_photos_sent_with_the_request_are_attached(world, client):
    client.force_login(world.clerk)
    photo = SimpleUploadedFile("alarm.png", b"\x89PNG\r\n\x1a\n" + b"1" * 32, content_type="image/png")
    report = SimpleUploadedFile("log.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(CREATE, {**_intake(world), "attachments": [photo, report]})
    order = WorkOrder.objects.get()
    assert sorted(a.original_name for a in order.attachments.all()) == ["alarm.png", "log.pdf"]


def test_a_refused_file_registers_nothing_and_says_why(world, client):
    client.force_login(world.clerk)
    script = SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")
    response = client.post(CREATE, {**_intake(world), "attachments": [script]})
    assert response.status_code == 200
    assert "This file type is not accepted" in response.content.decode()
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


# --- detail --------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_timeline(world, client):
    order = registered_order(actor=world.clerk, instrument=world.instrument_a, description="血凝仪报警")
    client.force_login(world.head)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="timeline"' in page
    assert "Registered" in page and "陈接线" in page and "血凝仪报警" in page


def test_the_detail_page_makes_a_missing_application_prominent(world, client):
    order = WorkOrderFactory(
        customer=world.customer_a,
        status=Status.DISPATCHED,
        emergency=True,
        application_missing=True,
        engineer=world.engineer_a,
    )
    client.force_login(world.engineer_a)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'class="wo-alert" role="alert">Application missing' in page


def test_a_dealer_sees_the_callers_phone_masked(world, client):
    order = WorkOrderFactory(customer=world.customer_a, caller_phone="13812345678")
    client.force_login(world.dealer_user)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_the_allowed_moves_are_handed_to_the_action_area(world, client):
    order = WorkOrderFactory(customer=world.customer_a)
    client.force_login(world.head)
    response = client.get(order.get_absolute_url())
    assert "emergency_dispatch" in response.context["allowed_actions"]
    assert response.context["order"] == order


def test_attachments_download_only_for_users_who_see_the_order(world, client):
    attachment = AttachmentFactory(work_order=WorkOrderFactory(customer=world.customer_a))
    url = reverse("workorders:attachment", args=[attachment.work_order_id, attachment.pk])

    client.force_login(world.engineer_b)
    assert client.get(url).status_code == 404

    client.force_login(world.engineer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # A photo opens in the page (thumbnail); ?download=1 saves it.
    assert response["Content-Disposition"].startswith("inline")
    assert client.get(url, {"download": 1})["Content-Disposition"].startswith("attachment")


def test_an_attachment_is_not_reachable_through_another_order(world, client):
    attachment = AttachmentFactory(work_order=WorkOrderFactory(customer=world.customer_b))
    visible = WorkOrderFactory(customer=world.customer_a)
    client.force_login(world.engineer_a)
    url = reverse("workorders:attachment", args=[visible.pk, attachment.pk])
    assert client.get(url).status_code == 404


def test_customer_and_instrument_pages_link_to_register_a_request(world, client):
    client.force_login(world.clerk)
    page = client.get(world.customer_a.get_absolute_url()).content.decode()
    assert f"{CREATE}?customer={world.customer_a.pk}" in page
    page = client.get(world.instrument_a.get_absolute_url()).content.decode()
    assert f"{CREATE}?instrument={world.instrument_a.pk}" in page


def test_a_role_that_may_not_register_gets_no_register_link(world, client):
    client.force_login(UserFactory(role=Role.FINANCE))
    page = client.get(world.customer_a.get_absolute_url()).content.decode()
    assert CREATE not in page
    assert client.get(CREATE).status_code == 403


def test_my_jobs_runs_the_same_number_of_queries_for_3_and_15_jobs(world, client):
    client.force_login(world.engineer_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MINE).status_code == 200
        return len(queries)

    for _i in range(3):
        registered_order(actor=world.clerk, instrument=world.instrument_a)
    WorkOrder.objects.update(engineer=world.engineer_a, status=Status.DISPATCHED)
    few = count()
    for _i in range(12):
        registered_order(actor=world.clerk, instrument=world.instrument_a)
    WorkOrder.objects.update(engineer=world.engineer_a, status=Status.DISPATCHED)
    assert count() == few
