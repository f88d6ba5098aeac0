"""A small two-region world with one login per role, for access and scoping tests."""

import datetime as dt
from dataclasses import dataclass, field

from apps.accounts.choices import Role
from apps.accounts.models import Qualification, User
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.catalog.choices import ItemKind
from apps.catalog.models import LotMatch
from apps.catalog.tests.factories import CatalogItemFactory, InstrumentModelFactory, LotFactory
from apps.customers.tests.factories import ContactFactory, CustomerFactory, DealerFactory, DepartmentFactory
from apps.instruments.choices import Ownership
from apps.instruments.tests.factories import InstrumentFactory


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)


def build_world() -> World:
    world = World()
    province_a = ProvinceFactory(name="广东省")
    province_b = ProvinceFactory(name="湖南省")
    city_a = CityFactory(name="广州市", parent=province_a)
    city_b = CityFactory(name="长沙市", parent=province_b)
    dealer_a = DealerFactory(name="穗康医疗")
    dealer_b = DealerFactory(name="湘运医疗")
    users = {role: UserFactory(role=role, username=role) for role in Role.values if role != Role.DEALER}
    users[Role.DEALER] = UserFactory(role=Role.DEALER, username="dealer", dealer=dealer_a)
    users[Role.ENGINEER].regions.set([province_a])
    users[Role.CUSTOMER_MANAGER].regions.set([city_a])
    sales_b = UserFactory(role=Role.SALES, username="sales_b")
    customer_a = CustomerFactory(
        name="广州市第一人民医院", city=city_a, responsible_sales=users[Role.SALES], dealer=dealer_a
    )
    customer_b = CustomerFactory(name="长沙市中心医院", city=city_b, responsible_sales=sales_b)
    model = InstrumentModelFactory(code="YH-30", name="糖化血红蛋白分析仪")
    reagent = CatalogItemFactory(name="糖化血红蛋白测定试剂盒", compatible_models=[model])
    calibrator = CatalogItemFactory(name="糖化血红蛋白校准品", kind=ItemKind.CALIBRATOR)
    reagent_lot = LotFactory(item=reagent, lot_no="R2026001")
    calibrator_lot = LotFactory(item=calibrator, lot_no="C2026001")
    world.users = users
    from apps.sla.tests.factories import DayOverrideFactory

    world.objects = {
        "calendar_day": DayOverrideFactory(date=dt.date(2027, 1, 1), name="元旦"),
        "model": model,
        "item": reagent,
        "lot": reagent_lot,
        "lot_match": LotMatch.objects.create(reagent_lot=reagent_lot, calibrator_lot=calibrator_lot),
        "instrument_a": InstrumentFactory(serial_no="YH30-A-0001", model=model, customer=customer_a),
        "instrument_b": InstrumentFactory(serial_no="YH30-B-0001", model=model, customer=customer_b),
        # Placed by dealer A at a customer it does not serve: dealer A still sees it.
        "instrument_placed": InstrumentFactory(
            serial_no="YH30-B-0002", model=model, customer=customer_b, ownership=Ownership.DEALER, dealer=dealer_a
        ),
        "qualification": Qualification.objects.create(
            engineer=users[Role.ENGINEER], instrument_model=model, valid_until=dt.date(2027, 6, 30)
        ),
        "province_a": province_a,
        "province_b": province_b,
        "city_a": city_a,
        "city_b": city_b,
        "dealer_a": dealer_a,
        "dealer_b": dealer_b,
        "customer_a": customer_a,
        "customer_b": customer_b,
        "sales_b": sales_b,
        "contact_a": ContactFactory(customer=customer_a, name="张主任", mobile="13812345678"),
        "contact_b": ContactFactory(customer=customer_b, name="李组长", mobile="13987654321"),
        "department_a": DepartmentFactory(customer=customer_a, name="检验科"),
        "department_b": DepartmentFactory(customer=customer_b, name="检验科"),
    }
    return world
