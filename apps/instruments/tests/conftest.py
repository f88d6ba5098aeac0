"""Two regions, their customers and instruments, and one login per role that is scoped differently."""

from types import SimpleNamespace

import pytest

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.customers.tests.factories import CustomerFactory, DealerFactory, DepartmentFactory
from apps.instruments.choices import Ownership
from apps.instruments.tests.factories import InstrumentFactory


@pytest.fixture
def base(db):
    province_a = ProvinceFactory(name="广东省")
    province_b = ProvinceFactory(name="湖南省")
    city_a = CityFactory(name="广州市", parent=province_a)
    city_b = CityFactory(name="长沙市", parent=province_b)
    dealer = DealerFactory(name="穗康医疗")
    sales = UserFactory(role=Role.SALES, username="sales_a")
    sales_b = UserFactory(role=Role.SALES, username="sales_b")
    customer_a = CustomerFactory(name="广州市第一人民医院", city=city_a, responsible_sales=sales, dealer=dealer)
    customer_b = CustomerFactory(name="长沙市中心医院", city=city_b, responsible_sales=sales_b)
    return SimpleNamespace(
        province_a=province_a,
        province_b=province_b,
        city_a=city_a,
        city_b=city_b,
        dealer=dealer,
        customer_a=customer_a,
        customer_b=customer_b,
        department_a=DepartmentFactory(customer=customer_a, name="检验科"),
        # A's unit; B's unit; and a unit the dealer placed at B, a customer it does not serve.
        instrument_a=InstrumentFactory(serial_no="A-0001", customer=customer_a),
        instrument_b=InstrumentFactory(serial_no="B-0001", customer=customer_b),
        placed_b=InstrumentFactory(
            serial_no="B-PLACED", customer=customer_b, ownership=Ownership.DEALER, dealer=dealer
        ),
        sales=sales,
        sales_b=sales_b,
        engineer=UserFactory(role=Role.ENGINEER, username="engineer_a", regions=[province_a]),
        engineer_b=UserFactory(role=Role.ENGINEER, username="engineer_b", regions=[province_b]),
        dealer_user=UserFactory(role=Role.DEALER, username="dealer", dealer=dealer),
        clerk=UserFactory(role=Role.CLERK, username="clerk"),
        head=UserFactory(role=Role.TECH_HEAD, username="head"),
    )
