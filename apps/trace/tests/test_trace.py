"""The lot / serial trace on a small hand-made world: customers, instruments, complaints, work
orders; scoped to the user; choosing among items that share a lot number; constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import CatalogItem
from apps.instruments.tests.factories import InstrumentFactory
from apps.trace import selectors
from apps.trace.tests._helpers import (  # noqa: F401
    MONDAY,
    complaint_world,
    deliver,
    issue_for_lot,
    register,
    trace_world_fixture,
)
from apps.workorders.tests._world import register as register_order


@pytest.fixture
def traced(tw):
    """The lot went to the hospital (twice, once through the dealer) and to 长沙; a complaint
    and a work order name it; another reagent's unit stands at 长沙 too."""
    deliver(tw, tw.customer, quantity=20, document_no="FH-001")
    deliver(tw, tw.customer, quantity=5, on=dt.date(2026, 4, 2), document_no="FH-007", dealer=tw.dealer_firm)
    deliver(tw, tw.hunan, quantity=8, document_no="FH-003")
    tw.hunan_unit = InstrumentFactory(serial_no="YH30-0100", customer=tw.hunan, model=tw.instrument.model)
    tw.other_model_unit = InstrumentFactory(serial_no="XX-0001", customer=tw.hunan)
    tw.complaint = register(tw)
    tw.order = register_order(tw, lot=tw.lot, description="质控偏高")
    tw.unrelated_order = register_order(tw, description="仪器报警")
    return tw


def test_a_lot_trace_finds_customers_instruments_complaints_and_work_orders(traced):
    w = traced
    trace = selectors.trace_lot(user=w.quality, lot_no="20260301")

    assert trace.lot == w.lot
    rows = {row.customer.name: row for row in trace.customers}
    assert set(rows) == {"广州市第一人民医院", "长沙市中心医院"}
    first = rows["广州市第一人民医院"]
    assert first.quantity == 25
    assert (first.first_on, first.last_on) == (dt.date(2026, 3, 5), dt.date(2026, 4, 2))
    assert [d.name for d in first.dealers] == ["穗康医疗"]
    # Units at the receiving customers whose model runs the reagent (not the other model's).
    assert {u.serial_no for u in trace.instruments} == {"YH30-0001", "YH30-0100"}
    assert [c.pk for c in trace.complaints] == [w.complaint.pk]
    assert [o.pk for o in trace.work_orders] == [w.order.pk]


def test_the_lot_trace_is_scoped_to_the_customers_the_user_serves(traced):
    w = traced
    trace = selectors.trace_lot(user=w.other_sales, lot_no="20260301")
    assert [row.customer.name for row in trace.customers] == ["长沙市中心医院"]
    assert {u.serial_no for u in trace.instruments} == {"YH30-0100"}
    assert trace.complaints == [] and trace.work_orders == []


def test_a_lot_number_several_items_share_asks_which_one(traced):
    w = traced
    other = CatalogItem.objects.create(code="R-TG", name="甘油三酯测定试剂盒", kind="reagent")
    other_lot = other.lots.create(lot_no="20260301", expires_on=dt.date(2027, 1, 31))
    trace = selectors.trace_lot(user=w.quality, lot_no="20260301")
    assert trace.needs_choice
    assert {lot.item.code for lot in trace.candidates} == {"R-GLU", "R-TG"}
    assert trace.customers == []
    chosen = selectors.trace_lot(user=w.quality, lot_id=other_lot.pk)
    assert chosen.lot == other_lot and chosen.customers == []


def test_a_lot_number_not_in_the_catalogue_still_finds_complaints_quoting_it(traced):
    w = traced
    complaint = register(w, lot=None, lot_no="X-999", details="批号 X-999")
    trace = selectors.trace_lot(user=w.quality, lot_no="x-999")
    assert trace.lot is None and [c.pk for c in trace.complaints] == [complaint.pk]


def test_a_serial_trace_finds_the_instrument_its_history_deliveries_complaints_and_work_orders(traced):
    w = traced
    deliver(w, w.customer, lot=None, instrument=w.instrument, quantity=1, document_no="FH-YQ-1")
    complaint = register(w, lot=None, instrument=w.instrument, serial_no="YH30-0001", summary="仪器报警")
    trace = selectors.trace_serial(user=w.quality, serial_no="yh30-0001")

    assert trace.instrument == w.instrument
    assert [row.customer.name for row in trace.customers] == ["广州市第一人民医院"]
    assert [d.document_no for d in trace.deliveries] == ["FH-YQ-1"]
    assert complaint.pk in [c.pk for c in trace.complaints]
    assert {o.pk for o in trace.work_orders} == {w.order.pk, w.unrelated_order.pk}
    assert trace.history  # the instrument's field history


def test_a_serial_trace_of_a_part_finds_who_received_it(traced):
    from apps.catalog.tests.factories import CatalogItemFactory

    w = traced
    column = CatalogItemFactory(spare_part=True, serial_tracked=True)
    deliver(w, w.hunan, lot=None, item=column, serial_no="COL-778", quantity=1)
    trace = selectors.trace_serial(user=w.quality, serial_no="COL-778")
    assert trace.instrument is None
    assert [row.customer.name for row in trace.customers] == ["长沙市中心医院"]


def test_the_trace_shows_the_notices_naming_the_lot(traced):
    notice = issue_for_lot(traced)
    trace = selectors.trace_lot(user=traced.engineer, lot_no="20260301")
    assert [n.pk for n in trace.notices] == [notice.pk]


def test_the_trace_page_shows_the_answer(client, traced):
    client.force_login(traced.clerk)
    page = client.get(reverse("trace:search"), {"lot_no": "20260301"})
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("长沙市中心医院", "FH-007", "穗康医疗", "YH30-0100", traced.complaint.number, traced.order.number):
        assert expected in text
    assert "XX-0001" not in text


def test_the_trace_page_lets_the_user_choose_among_items(client, traced):
    other = CatalogItem.objects.create(code="R-TG", name="甘油三酯测定试剂盒", kind="reagent")
    other.lots.create(lot_no="20260301", expires_on=dt.date(2027, 1, 31))
    client.force_login(traced.quality)
    text = client.get(reverse("trace:search"), {"lot_no": "20260301"}).content.decode()
    assert "Several items have lot 20260301" in text
    assert f"?lot={traced.lot.pk}" in text


def test_the_trace_exports_to_excel(client, traced):
    import io

    import openpyxl

    client.force_login(traced.quality)
    response = client.get(reverse("trace:export"), {"lot_no": "20260301"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) == 5  # deliveries, instruments, complaints, service records, notices
    deliveries = list(workbook.worksheets[0].values)
    assert len(deliveries) == 1 + 3
    assert {row[1] for row in deliveries[1:]} == {"广州市第一人民医院", "长沙市中心医院"}


@pytest.mark.parametrize(("role", "status"), [("clerk", 200), ("quality", 200), ("engineer", 200), ("dealer", 403)])
def test_who_may_trace(client, tw, role, status):
    client.force_login(tw.users[role])
    assert client.get(reverse("trace:search"), {"lot_no": "20260301"}).status_code == status


def test_the_trace_page_runs_the_same_number_of_queries_for_more_rows(client, traced):
    from apps.customers.tests.factories import CustomerFactory

    w = traced
    client.force_login(w.quality)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("trace:search"), {"lot_no": "20260301"})
    for _n in range(5):
        customer = CustomerFactory(city=w.city, responsible_sales=w.sales)
        deliver(w, customer, dealer=w.dealer_firm)
        InstrumentFactory(customer=customer, model=w.instrument.model)
        register(w, customer=customer)
        register_order(w, customer=customer, instrument=None, lot=w.lot)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("trace:search"), {"lot_no": "20260301"})
    assert len(many) == len(few)


def test_the_serial_trace_runs_the_same_number_of_queries_for_more_rows(client, traced):
    w = traced
    client.force_login(w.quality)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("trace:search"), {"serial_no": "YH30-0001"})
    for n in range(4):
        register_order(w, description=f"第{n}次报警")
        register(w, lot=None, serial_no="YH30-0001")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("trace:search"), {"serial_no": "YH30-0001"})
    assert len(many) == len(few)
