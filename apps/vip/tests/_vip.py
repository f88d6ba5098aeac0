"""The VIP world: the work-order world (apps/workorders/tests/_world.py: one login per role, two
regions, a Guangzhou customer served by `engineer`) with hand-made tiers instead of the seeded
ones, a few more customers, and helpers that put a customer into the programme and walk its
VIP visit through the real services.

Import the fixtures into a test module:
`from apps.vip.tests._vip import vip_fixture, world_fixture  # noqa: F401`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from apps.customers.models import Customer
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.vip import services
from apps.vip.models import PurchaseVolume, VipMembership, VipTier
from apps.workorders.tests._world import MONDAY, local, walk, world_fixture  # noqa: F401

YEAR = 2025  # the purchase volumes re-tiering looks at, in June 2026
TODAY = MONDAY.date()  # 2026-06-08


def volume(customer, amount, *, year=YEAR, active=True) -> PurchaseVolume:
    return PurchaseVolume.objects.create(customer=customer, year=year, amount=Decimal(amount), is_active=active)


@pytest.fixture(name="vip")
def vip_fixture(world):
    """Tiers GOLD (≥ 1,000,000 CNY, every 60 days) and SILVER (≥ 500,000, every 90 days); the
    world's customer (Guangzhou, engineer `engineer` responsible, a lab head contact) and one
    customer in Changsha (engineer_hunan responsible)."""
    VipTier.objects.all().delete()  # the seeded defaults; these tests name their own
    gold = VipTier.objects.create(
        code="GOLD", name="Gold", min_annual_volume=Decimal("1000000.00"), visit_cycle_days=60
    )
    silver = VipTier.objects.create(
        code="SILVER",
        name="Silver",
        min_annual_volume=Decimal("500000.00"),
        visit_cycle_days=90,
        service_content="仪器保养，质控回顾",
    )
    Customer.objects.filter(pk=world.customer.pk).update(responsible_engineer=world.engineer)
    world.customer.refresh_from_db()
    hunan = CustomerFactory(name="长沙市中心医院", city=world.other_city, responsible_engineer=world.other_engineer)
    lab_head = ContactFactory(customer=world.customer, name="张主任", mobile="13800138000")
    return SimpleNamespace(gold=gold, silver=silver, hunan=hunan, lab_head=lab_head)


def make_member(world, customer=None, *, amount="600000", at=MONDAY, year=YEAR) -> VipMembership:
    """Re-tier so that `customer` (default: the world's) becomes a member."""
    customer = customer or world.customer
    PurchaseVolume.objects.update_or_create(customer=customer, year=year, defaults={"amount": Decimal(amount)})
    services.vip_retier(year=year, actor=world.tech_head, at=at)
    return VipMembership.objects.get(customer=customer)


def plan(today: dt.date):
    return services.vip_plan_visits(today=today)


def open_visit(membership):
    return membership.visits.filter(state__in=["planned", "announced"]).get()


def announce(world, visit, *, at=MONDAY, agreed_at=None, actor=None, contact=None):
    return services.vip_visit_announce(
        visit=visit,
        actor=actor or world.engineer,
        contact=contact,
        contact_name="" if contact else "张主任",
        agreed_at=agreed_at or at + dt.timedelta(days=2),
        content="仪器保养，质控回顾",
        special_requests="希望讲解新项目",
        at=at,
    )


def visit_done(world, visit, *, at):
    """Walk the visit's work order to completion through the work-order services (the technical
    head approves and dispatches, the engineer books, checks in, the report is signed); the
    completion calls apps.vip.services.vip_visit_completed through apps.workorders.aftercare."""
    visit.refresh_from_db()
    order = walk(world, visit.work_order, "completed", at=at)
    visit.refresh_from_db()
    return visit, order


__all__ = ["MONDAY", "TODAY", "YEAR", "local", "vip_fixture", "world_fixture"]
