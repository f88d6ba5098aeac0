"""Deliveries: recorded with clear refusals, listed with filters and pages, imported from Excel
all or nothing, exported; who may do what."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.tests.factories import CatalogItemFactory
from apps.trace import services
from apps.trace.models import Delivery
from apps.trace.tests._helpers import complaint_world, deliver, trace_world_fixture  # noqa: F401

HEADERS = ["发货日期", "客户编码", "物料编码", "批号", "序列号", "数量", "发货单号", "经销商编码", "备注"]


def workbook(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "deliveries.xlsx"
    return data


def upload(client, rows):
    response = client.post(reverse("trace:delivery_import"), {"file": workbook(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].split("token=")[1]
    preview = client.get(response["Location"])
    return token, preview


# --- the record ---------------------------------------------------------------------------------------


def test_a_lot_names_its_item(tw):
    line = deliver(tw, tw.customer, item=None)
    assert line.item == tw.reagent


def test_a_lot_of_another_item_is_refused(tw):
    other = CatalogItemFactory(code="R-TG")
    with pytest.raises(ValidationError) as refused:
        deliver(tw, tw.customer, item=other)
    assert "belongs to another item (R-GLU)" in str(refused.value)
    assert not Delivery.objects.exists()


def test_a_serial_tracked_part_needs_its_serial_number_and_comes_one_at_a_time(tw):
    column = CatalogItemFactory(spare_part=True, serial_tracked=True)
    with pytest.raises(ValidationError, match="serial-tracked"):
        deliver(tw, tw.customer, lot=None, item=column, quantity=1)
    with pytest.raises(ValidationError, match="one at a time"):
        deliver(tw, tw.customer, lot=None, item=column, serial_no="COL-1", quantity=2)


def test_an_instrument_is_found_by_its_serial_number(tw):
    line = deliver(tw, tw.customer, lot=None, serial_no="yh30-0001", quantity=1)
    assert line.instrument == tw.instrument and line.serial_no == "YH30-0001"
    with pytest.raises(ValidationError, match="No instrument has this serial number"):
        deliver(tw, tw.customer, lot=None, serial_no="NOPE-1", quantity=1)


def test_nothing_delivered_is_refused(tw):
    with pytest.raises(ValidationError, match="Name the item delivered"):
        deliver(tw, tw.customer, lot=None)


def test_a_delivery_to_a_customer_outside_ones_scope_is_refused(tw):
    # Sales may not record deliveries at all; an engineer of 广州 could not for 长沙 either.
    with pytest.raises(ValidationError, match="Choose a customer you serve"):
        services.delivery_create(
            actor=tw.engineer,
            data={"delivered_on": dt.date(2026, 3, 1), "customer": tw.hunan, "lot": tw.lot, "document_no": "X"},
        )


# --- pages ----------------------------------------------------------------------------------------------


def test_commerce_records_a_delivery_on_the_page_and_input_is_kept_on_error(client, tw):
    client.force_login(tw.commerce)
    form = {
        "delivered_on": "2026-03-05",
        "customer": tw.customer.pk,
        "item": tw.reagent.pk,
        "lot": tw.lot.pk,
        "quantity": "0",
        "document_no": "FH-88",
    }
    refused = client.post(reverse("trace:delivery_add"), form)
    assert refused.status_code == 200
    assert 'value="FH-88"' in refused.content.decode()
    form["quantity"] = "12"
    done = client.post(reverse("trace:delivery_add"), form)
    assert done.status_code == 302
    line = Delivery.objects.get()
    assert (line.quantity, line.document_no, line.lot) == (12, "FH-88", tw.lot)
    page = client.get(done["Location"]).content.decode()
    assert "Who else received this lot?" in page


def test_the_list_filters_by_lot_and_date(client, tw):
    deliver(tw, tw.customer, document_no="FH-A", on=dt.date(2026, 3, 1))
    deliver(tw, tw.hunan, document_no="FH-B", on=dt.date(2026, 5, 1))
    client.force_login(tw.logistics)
    text = client.get(reverse("trace:delivery_list"), {"lot_no": "20260301", "delivered_from": "2026-04-01"}).content
    assert b"FH-B" in text and b"FH-A" not in text


def test_a_deactivated_delivery_leaves_the_list(client, tw):
    line = deliver(tw, tw.customer, document_no="FH-X")
    client.force_login(tw.commerce)
    done = client.post(
        reverse("trace:delivery_deactivate", args=[line.pk]), {"reason": "录错", "expected_version": 1}, follow=True
    )
    assert b"Deactivated" in done.content
    line.refresh_from_db()
    assert not line.is_active
    assert b"FH-X" not in client.get(reverse("trace:delivery_list")).content


def test_the_list_runs_the_same_number_of_queries_for_more_rows(client, tw):
    deliver(tw, tw.customer, dealer=tw.dealer_firm)
    client.force_login(tw.quality)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("trace:delivery_list"))
    for _n in range(8):
        deliver(tw, tw.hunan, dealer=tw.dealer_firm)
        deliver(tw, tw.customer, lot=None, instrument=tw.old_instrument, quantity=1)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("trace:delivery_list"))
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("role", "view", "add"),
    [
        ("commerce", 200, 200),
        ("logistics", 200, 200),
        ("quality", 200, 200),
        ("sales", 200, 403),
        ("engineer", 200, 403),
        ("dealer", 403, 403),
    ],
)
def test_who_sees_and_records_deliveries(client, tw, role, view, add):
    client.force_login(tw.users[role])
    assert client.get(reverse("trace:delivery_list")).status_code == view
    assert client.get(reverse("trace:delivery_add")).status_code == add


def test_a_sales_person_sees_only_his_customers_deliveries(client, tw):
    deliver(tw, tw.customer, document_no="FH-GZ")
    deliver(tw, tw.hunan, document_no="FH-CS")
    client.force_login(tw.other_sales)
    text = client.get(reverse("trace:delivery_list")).content
    assert b"FH-CS" in text and b"FH-GZ" not in text


# --- Excel ----------------------------------------------------------------------------------------------------


def test_an_import_with_a_bad_row_imports_nothing_and_names_the_row(client, tw):
    client.force_login(tw.commerce)
    rows = [
        ["2026-03-05", tw.customer.code, "R-GLU", "20260301", None, 20, "FH-100", None, None],
        ["2026-03-06", tw.hunan.code, "R-GLU", "20269999", None, 5, "FH-101", None, None],  # no such lot
        ["2026-03-07", tw.hunan.code, "R-GLU", "20260301", None, 5, "FH-102", None, None],
    ]
    token, preview = upload(client, rows)
    text = preview.content.decode()
    assert "Row 3" in text and "20269999" in text
    client.post(reverse("trace:delivery_import"), {"token": token, "confirm": "1"})
    assert not Delivery.objects.exists()


def test_a_good_import_creates_the_lines_and_a_second_time_changes_nothing(client, tw):
    client.force_login(tw.commerce)
    rows = [
        ["2026-03-05", tw.customer.code, "R-GLU", "20260301", None, 20, "FH-100", tw.dealer_firm.code, None],
        ["2026-03-05", tw.customer.code, None, None, "YH30-0002", 1, "FH-100", None, "仪器"],
    ]
    for _round in range(2):
        token, _preview = upload(client, rows)
        done = client.post(reverse("trace:delivery_import"), {"token": token, "confirm": "1"})
        assert done.status_code == 302
    assert Delivery.objects.count() == 2
    instrument_line = Delivery.objects.get(serial_no="YH30-0002")
    assert instrument_line.instrument == tw.old_instrument
    assert Delivery.objects.get(lot=tw.lot).dealer == tw.dealer_firm


def test_the_same_line_twice_in_a_file_is_an_error(client, tw):
    client.force_login(tw.commerce)
    row = ["2026-03-05", tw.customer.code, "R-GLU", "20260301", None, 20, "FH-100", None, None]
    token, preview = upload(client, [row, row])
    assert "also appears in row 2" in preview.content.decode()


def test_the_export_has_the_rows_of_the_list(client, tw):
    deliver(tw, tw.customer, document_no="FH-1")
    deliver(tw, tw.hunan, document_no="FH-2")
    client.force_login(tw.other_sales)
    response = client.get(reverse("trace:delivery_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("发货日期", "客户编码", "客户名称")
    assert [r[rows[0].index("发货单号")] for r in rows[1:]] == ["FH-2"]
