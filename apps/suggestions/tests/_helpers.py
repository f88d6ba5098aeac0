"""Test helpers of suggestions, on top of the work-order world (apps.workorders.tests._world): one
login per role, 广州 (the engineer's region) with the customer world.customer and its sales person
world.sales; 长沙 with world.changsha, served by world.other_sales.

Every time is an aware Asia/Shanghai datetime of 2026 passed as `at`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.suggestions import services
from apps.suggestions.choices import AnswerMethod, Category, Decision, Department, Source, Status
from apps.workorders.tests._world import build_world, local, messages_for  # noqa: F401

MONDAY = local(2026, 6, 8, 9, 0)


@pytest.fixture(name="world")
def suggestions_world(db):
    w = build_world()
    w.changsha = CustomerFactory(name="长沙市中心医院", city=w.other_city, responsible_sales=w.other_sales)
    return w


def collect(w, *, actor=None, at=MONDAY, **data):
    """A customer's suggestion on packaging, recorded by the hotline."""
    values = {
        "source": Source.CUSTOMER,
        "category": Category.PACKAGING,
        "customer": w.customer,
        "submitter_name": "李主任",
        "submitter_contact": "13800000000",
        "title": "试剂盒加防震内衬",
        "content": "冬季运输试剂瓶易碰裂，建议试剂盒内加防震泡沫内衬。",
    }
    values.update(data)
    return services.suggestion_create(actor=actor or w.clerk, data=values, at=at)


def walk(w, suggestion, to: str, *, at=None):
    """Move the suggestion along the happy path until it reaches `to`."""
    at = at or MONDAY + dt.timedelta(hours=1)
    for step in (Status.DISCUSSION, Status.DECIDED, Status.ANSWERED):
        suggestion.refresh_from_db()
        if suggestion.status == to:
            return suggestion
        at += dt.timedelta(hours=1)
        if step == Status.DISCUSSION:
            services.suggestion_discuss(
                actor=w.tech_head,
                suggestion=suggestion,
                departments=[Department.PRODUCTION, Department.RD],
                record="生产中心认为可行，成本每盒增加0.3元。",
                at=at,
            )
        elif step == Status.DECIDED:
            services.suggestion_decide(
                actor=w.tech_head,
                suggestion=suggestion,
                decision=Decision.ACCEPTED,
                text="自下一批次起试剂盒加装防震内衬。",
                at=at,
            )
        else:
            services.suggestion_answer(actor=w.tech_head, suggestion=suggestion, method=AnswerMethod.POST, at=at)
    suggestion.refresh_from_db()
    assert suggestion.status == to, suggestion.status
    return suggestion
