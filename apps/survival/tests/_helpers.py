"""Test helpers of new-project survival, on top of the work-order world
(apps.workorders.tests._world): one login per role, 广州 (world.city, the engineer's region, the
customer world.customer with its sales person world.sales) and 长沙 (world.other_city)."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.survival import services
from apps.workorders.tests._world import build_world, local

__all__ = ["changsha_customer", "local", "project", "record", "survival_world"]


@pytest.fixture(name="world")
def survival_world(db):
    w = build_world()
    w.changsha = CustomerFactory(name="长沙市中心医院", city=w.other_city, responsible_sales=w.other_sales)
    return w


def changsha_customer(w):
    return w.changsha


def project(w, *, started_on=dt.date(2026, 1, 31), customer=None, engineer=None, name=None, at=None, actor=None):
    """A project entered by the technical head, tracked from `started_on`."""
    return services.project_create(
        actor=actor or w.tech_head,
        customer=customer or w.customer,
        name=name or f"胱抑素C {started_on:%m%d}",
        started_on=started_on,
        engineer=engineer or w.engineer,
        at=at or local(2026, 5, 20),
    )


def record(w, p, month, *, in_use=True, at=None, actor=None, **kwargs):
    """The engineer records the month's check on the project page."""
    kwargs.setdefault("method", "phone")
    if in_use is False:
        kwargs.setdefault("reason", "检验科主任认为结果偏高，暂停使用")
    return services.project_check_record(
        project=p, actor=actor or w.engineer, month=month, in_use=in_use, at=at or local(2026, 5, 20), **kwargs
    )
