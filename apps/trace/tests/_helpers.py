"""The trace tests' world: the complaint world (one login per role, 广州市第一人民医院 with its
instrument YH30-0001, the reagent R-GLU with lot 20260301) plus a second customer in 广州, one in
长沙 (another region, another sales person), a customer that received nothing, and helpers that
record deliveries through the real service.

Every time is an aware Asia/Shanghai datetime of 2026 (`local(...)`), passed to the services as `at`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from apps.complaints.tests._world import MONDAY, local, messages_for, register  # noqa: F401
from apps.complaints.tests._world import world_fixture as complaint_world
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.trace import services
from apps.trace.models import Delivery

__all__ = ["MONDAY", "complaint_world", "deliver", "issue_for_lot", "local", "messages_for", "register"]


@pytest.fixture(name="tw")
def trace_world_fixture(world):
    """`world` plus: `neighbour` (广州, served by the same sales person and engineer),
    `hunan` (长沙, the other sales person and engineer), `bystander` (广州, received nothing)."""
    w = world
    w.customer.responsible_engineer = w.engineer
    w.customer.save()
    w.reagent.compatible_models.set([w.instrument.model])
    w.neighbour = CustomerFactory(
        name="广州市妇幼保健院", city=w.city, responsible_sales=w.sales, responsible_engineer=w.engineer
    )
    w.hunan = CustomerFactory(
        name="长沙市中心医院", city=w.other_city, responsible_sales=w.other_sales, responsible_engineer=w.other_engineer
    )
    w.bystander = CustomerFactory(name="广州市第三人民医院", city=w.city, responsible_sales=w.sales)
    w.lab_head = ContactFactory(customer=w.customer, name="张主任", email="zhang@hospital-1.cn", is_primary=True)
    return w


def deliver(w, customer, *, lot="default", quantity=10, on=dt.date(2026, 3, 5), document_no="", actor=None, **data):
    """A delivery line recorded by commerce (the lot defaults to the world's lot 20260301)."""
    values = {
        "delivered_on": on,
        "customer": customer,
        "quantity": quantity,
        "document_no": document_no or f"FH{Delivery.objects.count() + 1:05d}",
    }
    if lot == "default":
        lot = w.lot
    if lot is not None:
        values["lot"] = lot
        values["item"] = lot.item
    values.update(data)
    return services.delivery_create(actor=actor or w.commerce, data=values)


def issue_for_lot(w, *, lot=None, notice_class="2", at=MONDAY, **data):
    """A draft for the lot by the quality department, issued at `at`."""
    values = {
        "title": "葡萄糖测定试剂盒批号20260301质控偏高",
        "notice_class": notice_class,
        "reason": "留样复测结果偏高 15%。",
        "action_required": "请停止使用该批号并联系销售更换。",
    }
    values.update(data)
    notice = services.notice_create(actor=w.quality, data=values, m2m={"lots": [lot or w.lot]}, at=at)
    return services.notice_issue(actor=w.quality, notice=notice, at=at)
