"""Every create, change and (de)activation is recorded with who, when, before and after."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, UserFactory
from apps.core.history import history_for
from apps.customers import services
from apps.customers.models import Customer
from apps.customers.tests.factories import ContactFactory


@pytest.fixture
def clerk(db):
    return UserFactory(role=Role.CLERK, name="王小丽")


@pytest.fixture
def city(db):
    return CityFactory(name="广州市")


def test_creating_a_customer_records_who_created_it_and_its_values(clerk, city):
    customer = services.customer_create(
        actor=clerk, data={"name": "广州市第一人民医院", "province": city.parent, "city": city}
    )
    [entry] = history_for([customer], user=clerk)
    assert entry.who == "王小丽"
    assert entry.action == "created"
    changes = {c.field: c.new for c in entry.changes}
    assert changes["name"] == "广州市第一人民医院"
    assert changes["city"] == str(city)


def test_a_change_records_the_value_before_and_after(clerk, city):
    customer = services.customer_create(actor=clerk, data={"name": "甲医院", "province": city.parent, "city": city})
    services.customer_update(
        actor=clerk, instance=customer, data={"address": "中山二路58号"}, expected_version=customer.version
    )
    latest = history_for([customer], user=clerk)[0]
    assert latest.action == "changed"
    [change] = latest.changes
    assert (change.field, change.old, change.new) == ("address", "—", "中山二路58号")


def test_deactivation_is_recorded_with_its_reason_and_nothing_is_deleted(clerk, city):
    head = UserFactory(role=Role.TECH_HEAD, name="刘主管")
    customer = services.customer_create(actor=clerk, data={"name": "乙医院", "province": city.parent, "city": city})
    services.set_active(instance=customer, actor=head, active=False, reason="医院合并")
    latest = history_for([customer], user=clerk)[0]
    assert (latest.who, latest.action, latest.reason) == ("刘主管", "deactivated", "医院合并")
    assert Customer.objects.filter(pk=customer.pk, is_active=False).exists()


def test_contact_phone_changes_are_masked_in_history_for_roles_without_personal_data(clerk):
    contact = ContactFactory(mobile="13800001111")
    services.contact_update(
        actor=clerk, instance=contact, data={"mobile": "13900002222"}, expected_version=contact.version
    )
    finance = UserFactory(role=Role.FINANCE)
    [change] = history_for([contact], user=finance)[0].changes
    assert (change.old, change.new) == ("138****1111", "139****2222")
    [change] = history_for([contact], user=clerk)[0].changes
    assert (change.old, change.new) == ("13800001111", "13900002222")


def test_the_customer_page_shows_the_history_of_the_customer_and_its_contacts(client, clerk, city):
    customer = services.customer_create(actor=clerk, data={"name": "丙医院", "province": city.parent, "city": city})
    services.contact_create(actor=clerk, data={"customer": customer, "name": "赵主任", "mobile": "13700000000"})
    services.customer_update(actor=clerk, instance=customer, data={"grade": "3A"}, expected_version=customer.version)
    client.force_login(clerk)
    page = client.get(customer.get_absolute_url()).content.decode()
    history = page[page.index('id="history"') :]
    assert "赵主任" in history
    assert "Grade III-A" in history
    assert history.count("王小丽") >= 3


def test_the_api_serves_the_history_of_a_record(api_client, clerk, city):
    customer = services.customer_create(actor=clerk, data={"name": "丁医院", "province": city.parent, "city": city})
    services.customer_update(actor=clerk, instance=customer, data={"district": "越秀区"}, expected_version=1)
    api_client.force_authenticate(clerk)
    entries = api_client.get(f"/api/v1/customers/{customer.pk}/history/").json()
    assert [e["action"] for e in entries] == ["changed", "created"]
    assert entries[0]["changes"] == [{"field": "district", "label": "district / county", "old": "—", "new": "越秀区"}]


def test_history_queries_do_not_grow_with_the_number_of_changes(clerk, city, django_assert_max_num_queries):
    customer = services.customer_create(actor=clerk, data={"name": "戊医院", "province": city.parent, "city": city})
    for i in range(15):
        customer = services.customer_update(
            actor=clerk, instance=customer, data={"address": f"{i}号"}, expected_version=customer.version
        )
    with django_assert_max_num_queries(4):
        entries = history_for([customer], user=clerk)
    assert len(entries) == 16


def test_a_long_history_shows_the_newest_changes_with_their_true_before_values(clerk, city):
    customer = services.customer_create(actor=clerk, data={"name": "己医院", "province": city.parent, "city": city})
    for i in range(8):
        customer = services.customer_update(
            actor=clerk, instance=customer, data={"address": f"{i}号"}, expected_version=customer.version
        )
    entries = history_for([customer], user=clerk, limit=3)
    assert [(c.old, c.new) for e in entries for c in e.changes] == [("6号", "7号"), ("5号", "6号"), ("4号", "5号")]


def test_a_reason_the_system_writes_is_shown_in_the_users_language(clerk, city):
    from django.utils import translation

    customer = services.customer_create(actor=clerk, data={"name": "庚医院", "province": city.parent, "city": city})
    services.set_active(instance=customer, actor=clerk, active=False, reason="Excel import")
    with translation.override("zh-hans"):
        reason = history_for([customer], user=clerk)[0].reason
    assert reason != "Excel import"


def test_changing_a_staff_members_regions_shows_before_and_after_in_one_entry(db):
    from apps.accounts import services as staff_services
    from apps.accounts.tests.factories import ProvinceFactory

    admin = UserFactory(role=Role.ADMIN, name="管理员")
    guangdong, hunan = ProvinceFactory(name="广东省"), ProvinceFactory(name="湖南省")
    engineer = staff_services.staff_create(
        actor=admin,
        data={"username": "gong", "role": Role.ENGINEER, "password": "x-Secret-1"},
        m2m={"regions": [guangdong]},
    )
    staff_services.staff_update(
        actor=admin,
        instance=engineer,
        data={"name": "龚工"},
        expected_version=engineer.version,
        m2m={"regions": [hunan]},
    )
    latest = history_for([engineer], user=admin)[0]
    assert {c.field: (c.old, c.new) for c in latest.changes} == {
        "name": ("—", "龚工"),
        "regions": ("广东省", "湖南省"),
    }


def test_a_dealers_regions_are_audited(db):
    from apps.accounts.tests.factories import ProvinceFactory
    from apps.customers.tests.factories import DealerFactory

    admin = UserFactory(role=Role.ADMIN)
    dealer = DealerFactory()
    services.dealer_update(
        actor=admin,
        instance=dealer,
        data={},
        expected_version=dealer.version,
        m2m={"regions": [ProvinceFactory(name="江西省")]},
    )
    [change] = history_for([dealer], user=admin)[0].changes
    assert (change.field, change.old, change.new) == ("regions", "—", "江西省")


def test_a_password_change_leaves_no_empty_history_entry(db):
    from apps.accounts import services as staff_services

    admin = UserFactory(role=Role.ADMIN)
    engineer = UserFactory(role=Role.ENGINEER)
    before = engineer.history.count()
    staff_services.staff_update(
        actor=admin, instance=engineer, data={"password": "New-Secret-9"}, expected_version=engineer.version
    )
    engineer.refresh_from_db()
    assert engineer.check_password("New-Secret-9")
    assert engineer.history.count() == before
