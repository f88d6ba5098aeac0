"""A small service world for the work-order core tests: one login per role, two regions with
their customer managers, a customer with its sales person and dealer, instruments in and out
of warranty, and helpers that walk an order through the real services to any status.

Import the `world` fixture into a test module (`from apps.workorders.tests._world import world_fixture`);
every time is an aware Asia/Shanghai datetime of 2026 (`local(...)`), passed to the services as
`at`, so clocks and deadlines are reproducible.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.catalog.tests.factories import CatalogItemFactory
from apps.customers.choices import ProductLineUsage
from apps.customers.tests.factories import CustomerFactory, DealerFactory
from apps.instruments.tests.factories import InstrumentFactory
from apps.workorders import services
from apps.workorders.choices import APPROVERS, Billing, Decision, Outcome, Status, Urgency, WorkType
from apps.workorders.models import WorkOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour=9, minute=0) -> dt.datetime:
    """An aware wall-clock time in Shanghai (the users' time zone)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# A plain working Monday morning of 2026, far from holidays and make-up days.
MONDAY = local(2026, 6, 8, 9, 0)


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    engineer2: User | None = None  # a second engineer of the same region (re-allocation)
    other_sales: User | None = None
    other_engineer: User | None = None  # an engineer of the other region
    other_manager: User | None = None  # customer manager of the other region
    city: object = None
    other_city: object = None
    dealer_firm: object = None  # the dealer company serving the customer (world.dealer is its login)
    customer: object = None
    instrument: object = None  # in warranty through 2027-03-14
    old_instrument: object = None  # out of warranty since 2025
    part: object = None  # a spare part of the catalogue

    def __getattr__(self, name):
        # world.clerk, world.tech_head … — the login of that role
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    w = World()
    province = ProvinceFactory(name="广东省")
    other_province = ProvinceFactory(name="湖南省")
    w.dealer_firm = DealerFactory(name="穗康医疗")
    w.users = {role: UserFactory(role=role, username=role) for role in Role.values if role != Role.DEALER}
    w.users[Role.DEALER] = UserFactory(role=Role.DEALER, username="dealer", dealer=w.dealer_firm)
    w.city = CityFactory(name="广州市", parent=province, customer_manager=w.users[Role.CUSTOMER_MANAGER])
    w.other_manager = UserFactory(role=Role.CUSTOMER_MANAGER, username="cm_hunan")
    w.other_city = CityFactory(name="长沙市", parent=other_province, customer_manager=w.other_manager)
    w.users[Role.ENGINEER].regions.set([w.city])
    w.users[Role.CUSTOMER_MANAGER].regions.set([w.city])
    w.other_manager.regions.set([w.other_city])
    w.engineer2 = UserFactory(role=Role.ENGINEER, username="engineer2", regions=[w.city])
    w.other_engineer = UserFactory(role=Role.ENGINEER, username="engineer_hunan", regions=[w.other_city])
    w.other_sales = UserFactory(role=Role.SALES, username="sales_hunan")
    w.customer = CustomerFactory(
        name="广州市第一人民医院",
        city=w.city,
        responsible_sales=w.users[Role.SALES],
        dealer=w.dealer_firm,
        product_line_usage=ProductLineUsage.PARTIAL,
    )
    w.instrument = InstrumentFactory(serial_no="YH30-0001", customer=w.customer)
    w.old_instrument = InstrumentFactory(
        serial_no="YH30-0002",
        customer=w.customer,
        acceptance_date=dt.date(2024, 1, 10),
        install_date=dt.date(2024, 1, 5),
    )
    w.part = CatalogItemFactory(spare_part=True, name="色谱柱")
    return w


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    return build_world()


@pytest.fixture(name="seeded")
def seeded_fixture(transactional_db):
    """For transactional tests (which commit, and may start from a database an earlier one
    flushed): the office and 24×7 calendars and the SLA policies, as the migrations seed them; and no
    content type remembered from before a flush (the clocks point at the order's)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    for migration in ("0002_default_calendars", "0004_seed_policies"):
        import_module(f"apps.sla.migrations.{migration}").create(apps, None)


# --- walking an order through the real services -----------------------------------------------


def register(w: World, *, at=MONDAY, customer=None, instrument="default", **kwargs) -> WorkOrder:
    """The hotline registers a repair (by default on the in-warranty unit)."""
    if instrument == "default":
        instrument = w.instrument
    kwargs.setdefault("work_type", WorkType.REPAIR)
    kwargs.setdefault("description", "仪器报警 E021，无法进样")
    kwargs.setdefault("urgency", Urgency.NORMAL)
    return services.workorder_create(
        actor=w.clerk, customer=customer or w.customer, instrument=instrument, at=at, **kwargs
    )


def approver_for(w: World, step: str) -> User:
    """The person who decides this step of the route (the customer's sales for sales steps)."""
    roles = APPROVERS[step]
    for role in (Role.MARKETING_HEAD, Role.GENERAL_MANAGER, Role.SALES, Role.FINANCE, Role.TECH_HEAD):
        if role in roles:
            return w.users[role]
    raise AssertionError(step)


PAID_DATA = {
    "quote_amount": "2468.90",
    "quote_note": "更换进样针 + 工时",
    "contract_no": "HT-2026-0088",
    "deposit_reference": "ICBC-20260608-001",
}


def approve_all(w: World, order: WorkOrder, *, at) -> WorkOrder:
    """Every pending step of the route decided 'approve' by its approver (with paid data)."""
    order.refresh_from_db()
    while order.status == Status.PENDING_APPROVAL:
        step = order.application.step_code
        order = services.workorder_decide(
            order=order, actor=approver_for(w, step), decision=Decision.APPROVE, at=at, **PAID_DATA
        )
        order.refresh_from_db()
        at += dt.timedelta(minutes=5)
    return order


def tick_checklist(w: World, order: WorkOrder, *, at, actor=None) -> None:
    for item in order.checklist.all():
        services.workorder_check_item(order=order, actor=actor or w.engineer, code=item.code, done=True, at=at)


def walk(w: World, order: WorkOrder, to: str, *, at=None, billing=Billing.FREE, engineer=None) -> WorkOrder:
    """Move a NEW order through the services until it reaches `to` (one of the main-line states);
    every step is 10 minutes after the previous one."""
    engineer = engineer or w.engineer
    at = at or MONDAY + dt.timedelta(minutes=10)
    step = dt.timedelta(minutes=10)
    order.refresh_from_db()
    path = [Status.PENDING_APPROVAL, Status.APPROVED, Status.DISPATCHED, Status.SCHEDULED, Status.ON_SITE]
    path += [Status.COMPLETED, Status.CLOSED]
    for status in path:
        if order.status == to:
            break
        if order.status in path and path.index(status) <= path.index(order.status):
            continue  # already past this step
        if status == Status.PENDING_APPROVAL:
            services.workorder_file_application(
                order=order, actor=w.sales, billing=billing, user_and_dealer_agree=True, at=at
            )
        elif status == Status.APPROVED:
            approve_all(w, order, at=at)
        elif status == Status.DISPATCHED:
            services.workorder_dispatch(
                order=order, actor=w.tech_head, engineer=engineer, arrears_agreement="销售王经理同意", at=at
            )
        elif status == Status.SCHEDULED:
            tick_checklist(w, order, at=at, actor=engineer)
            services.workorder_schedule(
                order=order, actor=engineer, appointment_at=at + dt.timedelta(days=1), agreed_with="张主任", at=at
            )
        elif status == Status.ON_SITE:
            services.workorder_check_in(order=order, actor=engineer, at=at)
        elif status == Status.COMPLETED:
            complete(order, actor=engineer, at=at)
        elif status == Status.CLOSED:
            services.workorder_assess_complaint(order=order, actor=w.tech_head, is_complaint=False, at=at)
            services.workorder_close(order=order, actor=w.tech_head, at=at)
        at += step
        order.refresh_from_db()
    assert order.status == to, (order.status, to)
    return order


@transaction.atomic
def complete(order: WorkOrder, *, actor, at, outcome=Outcome.SOLVED) -> WorkOrder:
    """What the signing of the service report does (apps.workorders.reports.report_sign): the
    order locked, then services.complete_order_after_signature in the same transaction."""
    locked = services._lock(order)
    visit = services.open_visit(locked)
    return services.complete_order_after_signature(locked, actor=actor, at=at, outcome=outcome, visit=visit)


def messages_for(user, *, contains: str = "") -> list:
    """The in-app notifications a user finds in the inbox (subjects)."""
    from apps.notifications.choices import Channel
    from apps.notifications.models import Message

    rows = Message.objects.filter(recipient=user, channel=Channel.IN_APP).order_by("id")
    return [m.subject for m in rows if contains in m.subject]


def last_event(order: WorkOrder, **filters):
    return order.events.filter(**filters).order_by("-at", "-id").first()
