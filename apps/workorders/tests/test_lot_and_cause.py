"""Issue 5: a work order records the lot it concerns (lot trace, field safety notices) and the
cause the engineer found (CP-7 trending) — at intake, on the visit record, in the API, and both
show on the order's page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Lot
from apps.catalog.tests.factories import CatalogItemFactory
from apps.workorders import services
from apps.workorders.choices import Status, Urgency, WorkType
from apps.workorders.models import WorkOrder
from apps.workorders.tests._world import build_world, register, walk


@pytest.fixture
def w(db):
    world = build_world()
    world.reagent = CatalogItemFactory(code="R-GLU", name="葡萄糖测定试剂盒")
    world.lot = Lot.objects.create(item=world.reagent, lot_no="20260301", expires_on=dt.date(2027, 8, 31))
    return world


def intake(w, **overrides):
    data = {
        "customer": w.customer.pk,
        "instrument": w.instrument.pk,
        "instrument_model": "",
        "contact": "",
        "caller_name": "李主任",
        "caller_phone": "13800138000",
        "department": "",
        "work_type": WorkType.APP_TROUBLESHOOTING,
        "urgency": Urgency.NORMAL,
        "channel": "phone",
        "description": "葡萄糖质控偏高",
        "remote_actions": "",
        "lot": w.lot.pk,
    }
    data.update(overrides)
    return data


def test_the_clerk_records_the_lot_concerned_at_intake_and_the_page_shows_it(client, w):
    client.force_login(w.clerk)
    response = client.post(reverse("workorders:create"), intake(w), follow=True)
    order = WorkOrder.objects.get()
    assert order.lot == w.lot
    page = response.content.decode()
    assert "Lot concerned" in page and "R-GLU 葡萄糖测定试剂盒 · 20260301" in page


def test_an_unknown_lot_at_intake_is_refused_and_nothing_is_registered(client, w):
    client.force_login(w.clerk)
    response = client.post(reverse("workorders:create"), intake(w, lot="999999"))
    assert response.status_code == 200
    assert "葡萄糖质控偏高" in response.content.decode()  # the input is kept
    assert not WorkOrder.objects.exists()


def test_the_engineer_records_lot_and_cause_with_the_visit(client, w):
    order = walk(w, register(w), Status.ON_SITE)
    visit = order.visits.get()
    client.force_login(w.engineer)
    form = client.get(reverse("workorders:visit", args=[order.pk])).content.decode()
    assert 'name="lot"' in form and 'name="fault_cause"' in form
    response = client.post(
        reverse("workorders:visit", args=[order.pk]),
        {
            "findings": "质控偏高，更换新批号后正常",
            "work_done": "",
            "lab_head_name": "",
            "lot": w.lot.pk,
            "fault_cause": "reagent_lot",
            "expected_version": visit.version,
        },
        follow=True,
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.lot == w.lot and order.fault_cause == "reagent_lot"
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Cause found" in page and "Reagent, calibrator or QC lot" in page


def test_the_visit_form_opens_with_the_lot_and_cause_on_record(client, w):
    order = walk(w, register(w, lot=w.lot), Status.ON_SITE)
    client.force_login(w.engineer)
    form = client.get(reverse("workorders:visit", args=[order.pk])).content.decode()
    assert f'<option value="{w.lot.pk}" selected>' in form


def test_a_visit_record_without_lot_or_cause_leaves_them_as_they_are(w):
    order = walk(w, register(w, lot=w.lot), Status.ON_SITE)
    services.workorder_record_visit(order=order, actor=w.engineer, findings="f", work_done="", fault_cause="software")
    order.refresh_from_db()
    before = order.version
    services.workorder_record_visit(order=order, actor=w.engineer, findings="f2", work_done="")
    order.refresh_from_db()
    assert order.lot == w.lot and order.fault_cause == "software"
    assert order.version == before  # nothing of the order changed
    services.workorder_record_visit(
        order=order, actor=w.engineer, findings="f3", work_done="", lot=None, fault_cause=""
    )
    order.refresh_from_db()
    assert order.lot is None and order.fault_cause == ""


def test_an_unknown_cause_is_refused(w):
    from django.core.exceptions import ValidationError

    order = walk(w, register(w), Status.ON_SITE)
    with pytest.raises(ValidationError):
        services.workorder_record_visit(order=order, actor=w.engineer, findings="", work_done="", fault_cause="magic")


def test_the_api_takes_the_lot_at_intake_and_lot_and_cause_with_the_visit(api_client, w):
    api_client.force_authenticate(w.clerk)
    created = api_client.post(
        "/api/v1/work-orders/",
        {"customer": w.customer.pk, "work_type": "repair", "description": "质控偏高", "lot": w.lot.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["lot"] == w.lot.pk and body["lot_label"] == "R-GLU / 20260301" and body["fault_cause"] == ""
    # Registered now through the API: the walk goes on from now.
    start = timezone.now() + dt.timedelta(minutes=1)
    order = walk(w, WorkOrder.objects.get(pk=body["id"]), Status.ON_SITE, at=start)
    api_client.force_authenticate(w.engineer)
    recorded = api_client.post(
        f"/api/v1/work-orders/{order.pk}/visit/",
        {"version": order.version, "findings": "x", "work_done": "y", "fault_cause": "reagent_lot"},
        format="json",
    )
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["fault_cause"] == "reagent_lot" and recorded.json()["lot"] == w.lot.pk
    bad = api_client.post(
        f"/api/v1/work-orders/{order.pk}/visit/",
        {"version": recorded.json()["version"], "findings": "x", "work_done": "y", "fault_cause": "magic"},
        format="json",
    )
    assert bad.status_code == 400 and "fault_cause" in bad.json()
