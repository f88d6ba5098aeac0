import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, UserFactory
from apps.customers import services
from apps.customers.models import Customer
from apps.customers.tests.factories import ContactFactory, CustomerFactory, DealerFactory


@pytest.fixture
def clerk(db):
    return UserFactory(role=Role.CLERK)


@pytest.mark.parametrize("query", ["第一人民", "gzsdyrm", "guangzhoushi", "13812345678", "5678", "KH09999"])
def test_the_hotline_finds_a_customer_by_name_pinyin_code_or_a_contacts_phone(clerk, query):
    from apps.customers.selectors import customer_list, customer_search

    target = CustomerFactory(code="KH09999", name="广州市第一人民医院")
    ContactFactory(customer=target, mobile="13812345678")
    CustomerFactory(name="长沙市中心医院")
    found = list(customer_search(customer_list(user=clerk), query, user=clerk))
    assert found == [target]


def test_roles_that_see_masked_phones_cannot_search_by_phone(db):
    from apps.customers.selectors import customer_list, customer_search

    finance = UserFactory(role=Role.FINANCE)
    ContactFactory(customer__name="广州市第一人民医院", mobile="13812345678")
    assert list(customer_search(customer_list(user=finance), "1381234", user=finance)) == []


def test_a_new_customer_without_a_code_gets_one(clerk):
    city = CityFactory()
    customer = services.customer_create(actor=clerk, data={"name": "新医院", "province": city.parent, "city": city})
    assert customer.code.startswith("KH") and len(customer.code) == 10
    assert customer.name_initials == "xyy"


def test_two_customers_of_the_same_name_in_one_city_are_refused(api_client, clerk):
    existing = CustomerFactory(name="人民医院")
    api_client.force_authenticate(clerk)
    response = api_client.post(
        "/api/v1/customers/",
        {"name": "人民医院", "province": existing.province_id, "city": existing.city_id},
        format="json",
    )
    assert response.status_code == 400
    assert Customer.objects.filter(name="人民医院").count() == 1


def test_a_clerk_creates_a_customer_in_the_form_and_lands_on_its_page(client, clerk):
    city = CityFactory(name="佛山市")
    client.force_login(clerk)
    response = client.post(
        reverse("customers:customer_add"),
        {
            "name": "佛山市妇幼保健院",
            "kind": "hospital",
            "grade": "3A",
            "province": city.parent_id,
            "city": city.pk,
            "tier": "normal",
            "product_line_usage": "full",
            "in_arrears": "on",
            "arrears_note": "2026年欠款3万",
        },
    )
    customer = Customer.objects.get(name="佛山市妇幼保健院")
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    page = client.get(customer.get_absolute_url()).content.decode()
    assert "In arrears" in page and "2026年欠款3万" in page


def test_a_form_with_errors_keeps_the_input_and_names_the_problem(client, clerk):
    city, other = CityFactory(name="佛山市"), CityFactory(name="株洲市")
    client.force_login(clerk)
    response = client.post(
        reverse("customers:customer_add"),
        {
            "name": "某医院",
            "kind": "hospital",
            "grade": "3A",
            "province": city.parent_id,
            "city": other.pk,
            "tier": "normal",
            "product_line_usage": "full",
            "address": "很长的地址",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    # The form offers only the province's cities, so a foreign city is refused as a choice.
    assert "Select a valid choice" in page
    assert "很长的地址" in page
    assert not Customer.objects.filter(name="某医院").exists()


def test_a_contact_is_added_from_the_customer_page(client, clerk):
    customer = CustomerFactory()
    client.force_login(clerk)
    response = client.post(
        reverse("customers:contact_add", args=[customer.pk]),
        {"customer": customer.pk, "name": "陈主任", "role": "lab_director", "mobile": "13511112222"},
    )
    assert response.status_code == 302
    assert customer.contacts.get().name == "陈主任"


def test_inactive_customers_are_hidden_until_asked_for(client, clerk):
    CustomerFactory(name="已合并医院", is_active=False)
    CustomerFactory(name="在用医院")
    client.force_login(clerk)
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert "在用医院" in page and "已合并医院" not in page
    page = client.get(reverse("customers:customer_list"), {"status": "inactive"}).content.decode()
    assert "已合并医院" in page and "在用医院" not in page


def test_the_lookup_offers_matching_active_customers_for_search_selects(client, clerk):
    CustomerFactory(name="湘雅医院")
    CustomerFactory(name="湘雅二医院", is_active=False)
    client.force_login(clerk)
    html = client.get(reverse("customers:customer_lookup"), {"q": "湘雅"}).content.decode()
    assert "湘雅医院" in html and "湘雅二医院" not in html


def test_list_pages_do_not_make_a_query_per_row(client, api_client, clerk, django_assert_max_num_queries):
    dealer = DealerFactory()
    sales = UserFactory(role=Role.SALES)
    for _ in range(30):
        ContactFactory(customer=CustomerFactory(dealer=dealer, responsible_sales=sales))
    client.force_login(clerk)
    api_client.force_authenticate(clerk)
    for name in ("customers:customer_list", "customers:contact_list", "customers:dealer_list"):
        url = reverse(name)
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
    for url in ("/api/v1/customers/", "/api/v1/contacts/", "/api/v1/dealers/"):
        with django_assert_max_num_queries(8):
            assert api_client.get(url).status_code == 200


def test_the_customer_form_offers_only_the_cities_of_the_chosen_province(client, clerk):
    foshan = CityFactory(name="佛山市")
    CityFactory(name="株洲市")
    client.force_login(clerk)
    options = client.get(reverse("accounts:city_options"), {"province": foshan.parent_id}).content.decode()
    assert "佛山市" in options and "株洲市" not in options
    customer = CustomerFactory(city=foshan)
    form = client.get(reverse("customers:customer_edit", args=[customer.pk])).content.decode()
    assert "佛山市" in form and "株洲市" not in form


def test_a_contact_who_left_is_deactivated_from_the_customer_page_and_can_come_back(client, clerk):
    contact = ContactFactory(name="离职主任")
    client.force_login(clerk)
    page = client.get(contact.customer.get_absolute_url()).content.decode()
    deactivate = reverse("customers:contact_deactivate", args=[contact.pk])
    assert deactivate in page
    client.post(deactivate, {"reason": "已离职", "expected_version": contact.version})
    contact.refresh_from_db()
    assert not contact.is_active
    page = client.get(contact.customer.get_absolute_url()).content.decode()
    assert reverse("customers:contact_reactivate", args=[contact.pk]) in page
    client.post(
        reverse("customers:contact_reactivate", args=[contact.pk]),
        {"reason": "返聘", "expected_version": contact.version},
    )
    contact.refresh_from_db()
    assert contact.is_active
