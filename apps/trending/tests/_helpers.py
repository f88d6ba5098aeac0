"""Test helpers of trending, on top of the complaint world (apps.complaints.tests._world: one login
per role, a customer in 广州 with an instrument, the reagent R-GLU with its lot 20260301, a spare
part) and the work-order world's helpers. Complaints and work orders go through the real
services; every time is an aware Shanghai datetime of 2026 (`local(...)`)."""

from __future__ import annotations

import datetime as dt

from apps.catalog.models import Lot
from apps.complaints import services as complaint_services
from apps.complaints.tests._world import register as register_complaint
from apps.complaints.tests._world import world_fixture  # noqa: F401
from apps.instruments.tests.factories import InstrumentFactory
from apps.workorders import services as order_services
from apps.workorders.choices import PartSupply, Status, WorkType
from apps.workorders.models import WorkOrder
from apps.workorders.tests._world import local, messages_for, walk  # noqa: F401
from apps.workorders.tests._world import register as register_order

__all__ = ["complaint", "fault", "local", "messages_for", "other_lot", "second_instrument", "world_fixture"]


def other_lot(w, lot_no: str = "20260415") -> Lot:
    return Lot.objects.create(item=w.reagent, lot_no=lot_no, expires_on=dt.date(2027, 9, 30))


def second_instrument(w):
    """A unit of another model at the same customer."""
    return InstrumentFactory(serial_no="BC-0009", customer=w.customer)


def complaint(w, at, *, cause: str = "", part=None, not_complaint: bool = False, **data):
    """A complaint registered by the hotline at `at`; with `cause` (and `part`) the quality
    department evaluates it and completes the investigation an hour later; `not_complaint` closes
    it as not a complaint."""
    c = register_complaint(w, at=at, **data)
    later = at + dt.timedelta(hours=1)
    if not_complaint:
        complaint_services.complaint_evaluate(
            actor=w.quality, complaint=c, is_complaint=False, rationale="咨询，不是投诉", at=later
        )
    elif cause:
        complaint_services.complaint_evaluate(
            actor=w.quality, complaint=c, is_complaint=True, rationale="是投诉", at=later
        )
        complaint_services.complaint_decide_reportability(
            actor=w.quality, complaint=c, reportable=False, rationale="无伤害", at=later
        )
        complaint_services.complaint_complete_investigation(
            actor=w.quality, complaint=c, findings="复测确认", cause_category=cause, part=part, at=later
        )
    c.refresh_from_db()
    return c


def fault(w, at, *, lot=None, cause: str = "", parts=(), cancelled: bool = False, **kwargs) -> WorkOrder:
    """A job registered by the hotline at `at` (a repair on world.instrument unless told). The
    engineer's findings — the lot concerned and the cause — are written to the order as the
    service report would; `parts` are requested through the real service once dispatched."""
    order = register_order(w, at=at, **kwargs)
    if lot is not None or cause:
        WorkOrder.objects.filter(pk=order.pk).update(lot=lot, fault_cause=cause)
    if parts:
        walk(w, order, Status.DISPATCHED, at=at + dt.timedelta(minutes=10))
        for item in parts:
            order_services.workorder_add_part(
                order=order, actor=w.engineer, item=item, quantity=2, supply=PartSupply.BOUGHT, at=at
            )
    if cancelled:
        order_services.workorder_cancel(
            order=order, actor=w.tech_head, reason="重复登记", at=at + dt.timedelta(hours=1)
        )
    order.refresh_from_db()
    return order


def maintenance(w, at, **kwargs) -> WorkOrder:
    return fault(w, at, work_type=WorkType.MAINTENANCE, **kwargs)
