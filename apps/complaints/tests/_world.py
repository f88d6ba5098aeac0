"""The complaint tests' world: the work-order world (one login per role, a customer in 广州 with
an instrument, a spare part) plus a reagent with a lot, and helpers that register a complaint and
walk it through the real services to any status.

Every time is an aware Asia/Shanghai datetime (`local(...)`) passed as `at`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from apps.catalog.choices import ItemKind
from apps.catalog.tests.factories import CatalogItemFactory
from apps.complaints import services
from apps.complaints.choices import Disposition, Kind, ReplyMethod, Status
from apps.complaints.models import Complaint
from apps.workorders.tests._world import MONDAY, World, build_world, local, messages_for  # noqa: F401


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    w = build_world()
    w.reagent = CatalogItemFactory(kind=ItemKind.REAGENT, code="R-GLU", name="葡萄糖测定试剂盒")
    from apps.catalog.models import Lot

    w.lot = Lot.objects.create(item=w.reagent, lot_no="20260301", expires_on=dt.date(2027, 8, 31))
    return w


def register(w: World, *, at=MONDAY, actor=None, kind=Kind.PRODUCT, **data) -> Complaint:
    values = {
        "kind": kind,
        "customer": w.customer,
        "complainant_name": "李主任",
        "complainant_phone": "13800000000",
        "product_name": "葡萄糖测定试剂盒",
        "lot": w.lot if kind != Kind.SERVICE else None,
        "summary": "质控结果偏高",
        "details": "批号20260301的葡萄糖试剂质控持续偏高 15%。",
        "received_at": at,
    }
    if kind == Kind.SERVICE:
        values.update(product_name="生化分析仪维修服务", summary="工程师迟到且态度差", engineer=w.engineer)
    values.update(data)
    return services.complaint_create(actor=actor or w.clerk, data=values, at=at)


def handler_for(w: World, complaint: Complaint):
    return w.quality if complaint.is_product else w.tech_head


def walk(w: World, complaint: Complaint, to: str, *, at=None, events=(), reportable=False) -> Complaint:
    """Move the complaint along the happy path until it reaches status `to`."""
    at = at or complaint.received_at + dt.timedelta(hours=1)
    step = dt.timedelta(minutes=10)
    h = handler_for(w, complaint)
    path = [
        Status.REPORTABILITY,
        Status.INVESTIGATION,
        Status.DISPOSITION,
        Status.CORRECTION,
        Status.REPLY,
        Status.REVIEW,
    ]
    for _step in path:
        complaint.refresh_from_db()
        if complaint.status == to:
            return complaint
        at += step
        if complaint.status == Status.RECEIVED:
            services.complaint_evaluate(actor=h, complaint=complaint, is_complaint=True, rationale="属于投诉", at=at)
        elif complaint.status == Status.REPORTABILITY:
            services.complaint_decide_reportability(
                actor=w.quality,
                complaint=complaint,
                reportable=reportable or bool(events),
                events=events,
                rationale="无伤害，不需上报" if not (reportable or events) else "严重伤害",
                at=at,
            )
        elif complaint.status == Status.INVESTIGATION:
            services.complaint_complete_investigation(
                actor=h, complaint=complaint, findings="留样复测偏高", cause_category="reagent_lot", at=at
            )
        elif complaint.status == Status.DISPOSITION:
            disposition = Disposition.NOT_APPLICABLE if complaint.kind == Kind.SERVICE else Disposition.LOT_HELD
            services.complaint_record_disposition(actor=h, complaint=complaint, disposition=disposition, at=at)
        elif complaint.status == Status.CORRECTION:
            services.complaint_record_correction(
                actor=h, complaint=complaint, correction="更换批号", no_capa_reason="单一事件", at=at
            )
        elif complaint.status == Status.REPLY:
            services.complaint_send_resolution(
                actor=h, complaint=complaint, method=ReplyMethod.PHONE, content="已更换批号并致歉", at=at
            )
    complaint.refresh_from_db()
    assert complaint.status == to, complaint.status
    return complaint
