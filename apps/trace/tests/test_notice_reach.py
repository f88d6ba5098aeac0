"""Who a field safety notice reaches when its serial numbers are typed in another case than they
were recorded (a customer missed is a recall not received)."""

from apps.catalog.tests.factories import CatalogItemFactory
from apps.trace import selectors, services
from apps.trace.tests._helpers import (  # noqa: F401
    MONDAY,
    complaint_world,
    deliver,
    trace_world_fixture,
)


def test_a_part_serial_typed_in_lower_case_reaches_the_customer_that_received_it(tw):
    column = CatalogItemFactory(spare_part=True, code="P-COL", serial_tracked=True)
    deliver(tw, tw.hunan, lot=None, item=column, serial_no="COL-778", quantity=1)
    deliver(tw, tw.neighbour, lot=None, item=column, serial_no="COL-779", quantity=1)
    notice = services.notice_create(
        actor=tw.quality,
        data={
            "title": "色谱柱泄漏",
            "notice_class": "2",
            "reason": "密封圈",
            "action_required": "更换",
            "serial_numbers": "col-778",
        },
    )
    services.notice_issue(actor=tw.quality, notice=notice, at=MONDAY)

    assert [(r.customer.name, r.affected) for r in notice.recipients.select_related("customer")] == [
        ("长沙市中心医院", "P-COL / COL-778 × 1 (2026-03-05)")
    ]


def test_an_instrument_serial_in_another_case_reaches_where_the_unit_stands(tw):
    reach = selectors.affected_customers(lots=[], instruments=[], serial_numbers="yh30-0002")
    assert reach == {tw.customer.pk: [f"YH30-0002 ({tw.old_instrument.model.code})"]}


def test_a_serial_number_does_not_reach_a_unit_that_was_scrapped_or_taken_out_of_the_records(tw):
    from apps.instruments.choices import InstrumentStatus
    from apps.instruments.tests.factories import InstrumentFactory

    scrapped = InstrumentFactory(serial_no="YH30-0900", customer=tw.neighbour, status=InstrumentStatus.SCRAPPED)
    removed = InstrumentFactory(serial_no="YH30-0901", customer=tw.hunan, is_active=False)
    working = InstrumentFactory(serial_no="YH30-0902", customer=tw.hunan)

    reach = selectors.affected_customers(lots=[], instruments=[], serial_numbers="YH30-0900, YH30-0901, YH30-0902")
    assert reach == {tw.hunan.pk: [f"YH30-0902 ({working.model.code})"]}
    # Named on the notice by the quality department, the scrapped unit still counts.
    named = selectors.affected_customers(lots=[], instruments=[scrapped], serial_numbers="")
    assert named == {tw.neighbour.pk: [f"YH30-0900 ({scrapped.model.code})"]}
    assert removed.customer_id == tw.hunan.pk
