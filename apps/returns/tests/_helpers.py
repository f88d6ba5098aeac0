"""Test helpers of returns and exchanges, on top of the complaint world (apps.complaints.tests._world):
one login per role, 广州 (the engineer's region) with world.customer, its sales person world.sales
and its dealer world.dealer; the instrument world.instrument in warranty until 2027-03-14 and
world.old_instrument out of warranty since 2025-01-10; the reagent world.reagent with the lot
world.lot "20260301" expiring 2027-08-31; 长沙 with world.changsha, served by world.other_sales.

Every time is an aware Asia/Shanghai datetime of 2026 passed as `at`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.complaints.tests._world import world_fixture  # noqa: F401
from apps.customers.tests.factories import CustomerFactory
from apps.returns import services
from apps.returns.choices import Remedy, Responsibility, Status
from apps.workorders.tests._world import local, messages_for  # noqa: F401

MONDAY = local(2026, 6, 8, 9, 0)


@pytest.fixture(name="changsha")
def changsha_fixture(world):
    world.changsha = CustomerFactory(name="长沙市中心医院", city=world.other_city, responsible_sales=world.other_sales)
    return world.changsha


def invoice(name="发票.pdf", content=b"%PDF-1.4 invoice 0001"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def photo(name="报警截图.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0 jpeg", content_type="image/jpeg")


def apply(w, *, actor=None, at=MONDAY, proofs="default", photos=(), override_reason="", **data):
    """The hotline applies for the in-warranty instrument, bought 2026-03-10, to be repaired."""
    values = {
        "customer": w.customer,
        "applicant_name": "李主任",
        "applicant_phone": "13800000000",
        "instrument": w.instrument,
        "purchased_on": dt.date(2026, 3, 10),
        "purchase_document": "INV-2026-0310",
        "device_data": "软件 V2.3，运行 820 小时",
        "fault_description": "进样针堵塞，报警 E021，清洗后仍反复出现。",
        "requested_remedy": "exchange",
    }
    values.update(data)
    return services.return_create(
        actor=actor or w.clerk,
        data=values,
        proofs=[invoice()] if proofs == "default" else proofs,
        photos=list(photos),
        override_reason=override_reason,
        at=at,
    )


def apply_reagent(w, **data):
    data.setdefault("instrument", None)
    data.setdefault("item", w.reagent)
    data.setdefault("lot", w.lot)
    data.setdefault("quantity", 3)
    data.setdefault("purchased_on", dt.date(2026, 5, 6))
    data.setdefault("fault_description", "质控持续偏高 15%，更换校准品后无改善。")
    data.setdefault("requested_remedy", "return")
    return apply(w, **data)


def walk(w, rr, to: str, *, at=None, remedy=Remedy.REPAIR, responsibility=Responsibility.COMPANY):
    """Move the application along the path until it reaches `to`."""
    at = at or MONDAY + dt.timedelta(hours=1)
    for step in (Status.ASSESSED, Status.DECIDED, Status.COMPLETED, Status.CLOSED):
        rr.refresh_from_db()
        if rr.status == to:
            return rr
        at += dt.timedelta(hours=1)
        if step == Status.ASSESSED:
            services.return_assess(
                actor=w.quality, return_request=rr, cause="进样针变形，属来料缺陷", responsibility=responsibility, at=at
            )
        elif step == Status.DECIDED:
            extra = {}
            if remedy == Remedy.REFUND:
                extra = {"refund_basis": "repair_failed", "refund_reason": "两次维修后仍报警"}
            services.return_decide(actor=w.tech_head, return_request=rr, remedy=remedy, at=at, **extra)
        elif step == Status.COMPLETED:
            if remedy == Remedy.REFUND:
                services.return_complete(
                    actor=w.finance,
                    return_request=rr,
                    work_done="收到退回仪器，已退款",
                    refund_amount="128000.00",
                    refund_paid_on=at.date(),
                    refund_reference="ICBC-20260608-77",
                    at=at,
                )
            else:
                services.return_complete(actor=w.tech_head, return_request=rr, work_done="更换进样针并校准", at=at)
        else:
            services.return_close(actor=w.quality, return_request=rr, note="客户电话确认正常", at=at)
    rr.refresh_from_db()
    assert rr.status == to, rr.status
    return rr
