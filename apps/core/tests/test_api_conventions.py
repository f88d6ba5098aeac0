"""Bad input is a 400 with field messages, never a 500; the schema and docs are served."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, UserFactory
from apps.customers.models import Customer


@pytest.fixture
def clerk(db):
    return UserFactory(role=Role.CLERK)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({}, "name"),
        ({"name": "甲医院", "province": 999999, "city": 999999}, "province"),
        ({"name": "甲医院", "grade": "5Z"}, "grade"),
        ({"name": "甲医院", "latitude": "north"}, "latitude"),
        ({"name": "x" * 500}, "name"),
    ],
)
def test_bad_customer_input_is_a_400_naming_the_field(api_client, clerk, payload, field):
    api_client.force_authenticate(clerk)
    response = api_client.post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Customer.objects.count() == 0


def test_a_city_outside_the_province_is_refused_by_the_model_rule(api_client, clerk):
    guangzhou = CityFactory(name="广州市")
    changsha = CityFactory(name="长沙市")
    api_client.force_authenticate(clerk)
    response = api_client.post(
        "/api/v1/customers/", {"name": "甲医院", "province": guangzhou.parent_id, "city": changsha.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"city": ["The city must lie in the chosen province."]}


def test_validation_messages_come_in_the_users_language(api_client, clerk):
    api_client.force_authenticate(clerk)
    response = api_client.post("/api/v1/customers/", {}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.json()["name"] == ["该字段是必填项。"]


def test_lists_are_paginated_and_filterable(api_client, clerk):
    city = CityFactory()
    for i in range(30):
        Customer.objects.create(
            code=f"C{i:03d}", name=f"医院{i}", province=city.parent, city=city, grade="3A" if i % 2 else "2A"
        )
    api_client.force_authenticate(clerk)
    page = api_client.get("/api/v1/customers/", {"grade": "3A", "page_size": 10}).json()
    assert page["count"] == 15
    assert len(page["results"]) == 10
    assert page["next"]
    ordered = api_client.get("/api/v1/customers/", {"ordering": "-code", "page_size": 1}).json()
    assert ordered["results"][0]["code"] == "C029"


def test_the_openapi_schema_and_docs_are_served(client, clerk):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/customers/" in schema.content
    client.force_login(clerk)
    assert client.get("/api/docs/").status_code == 200


def test_the_openapi_schema_is_valid_without_warnings(tmp_path, db):
    """Clients generate code from the schema: a warning (an ambiguous enum name, an unknown
    field type) changes their generated names, so the schema must be clean."""
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/work-orders/{id}/dispatch/:" in text
    assert "StaffRoleEnum" in text


def test_a_token_is_issued_for_a_username_and_password(api_client, clerk):
    response = api_client.post("/api/v1/auth/token/", {"username": clerk.username, "password": "pass-12345"})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/customers/").status_code == 200


def test_nothing_can_be_deleted_through_the_api(api_client, db):
    admin = UserFactory(role=Role.ADMIN)
    city = CityFactory()
    customer = Customer.objects.create(code="C1", name="甲", province=city.parent, city=city)
    api_client.force_authenticate(admin)
    assert api_client.delete(f"/api/v1/customers/{customer.pk}/").status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/contacts/?customer=99999999999999999999999",
        "/api/v1/instruments/?customer=abc",
        "/contacts/?customer=99999999999999999999999",
        "/instruments/?customer=-5",
        "/instruments/add/?customer=99999999999999999999999",
        "/customers/?per_page=100000",
    ],
)
def test_malformed_ids_in_the_query_string_never_cause_a_500(client, api_client, url, db):
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    api_client.force_authenticate(admin)
    response = (api_client if url.startswith("/api/") else client).get(url)
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("body", [["a list"], "a string", {"reason": "x" * 101}, {"reason": ""}])
def test_a_malformed_deactivation_request_is_a_400(api_client, body, db):
    from apps.customers.tests.factories import CustomerFactory

    api_client.force_authenticate(UserFactory(role=Role.ADMIN))
    customer = CustomerFactory()
    response = api_client.post(f"/api/v1/customers/{customer.pk}/deactivate/", body, format="json")
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.is_active


@pytest.mark.parametrize(
    "changes, field",
    [({"warranty_months": 100000}, "warranty_months"), ({"acceptance_date": "9999-12-01"}, "acceptance_date")],
)
def test_implausible_instrument_values_are_a_400(api_client, changes, field, db):
    from apps.instruments.tests.factories import InstrumentFactory

    api_client.force_authenticate(UserFactory(role=Role.ADMIN))
    instrument = InstrumentFactory()
    response = api_client.patch(
        f"/api/v1/instruments/{instrument.pk}/", {**changes, "version": instrument.version}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_a_lookup_only_answers_get(client, db):
    client.force_login(UserFactory(role=Role.CLERK))
    assert client.post("/customers/lookup/", {"q": "x"}).status_code == 405


def test_the_api_docs_load_their_scripts_from_this_server(client, db):
    client.force_login(UserFactory(role=Role.CLERK))
    page = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in page and "unpkg" not in page
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in page


def test_password_guessing_on_the_token_endpoint_is_throttled(api_client, settings, db):
    from django.core.cache import cache

    cache.clear()
    UserFactory(username="target")
    answers = [
        api_client.post("/api/v1/auth/token/", {"username": "target", "password": f"guess{i}"}).status_code
        for i in range(25)
    ]
    assert answers[0] == 400
    assert answers[-1] == 429
    cache.clear()


@pytest.mark.parametrize(
    "url, data",
    [
        ("/staff/add/", {"username": "x", "role": "engineer", "password": "Aa-123456789", "regions": [str(2**70)]}),
        ("/customers/add/", {"name": "x", "province": str(2**70), "city": "1"}),
        ("/catalog-items/add/", {"code": "X1", "name": "x", "kind": "reagent", "compatible_models": [str(2**70)]}),
    ],
)
def test_impossible_ids_in_a_form_are_a_form_error_not_a_500(client, url, data, db):
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page or "is not a valid value" in page


def test_a_province_with_cities_cannot_become_a_city(api_client, db):
    from apps.accounts.models import Region

    api_client.force_authenticate(UserFactory(role=Role.ADMIN))
    city = CityFactory(name="石家庄市")
    province = city.parent
    other = CityFactory().parent
    response = api_client.patch(
        f"/api/v1/regions/{province.pk}/",
        {"level": "city", "parent": other.pk, "tier": "capital", "version": province.version},
        format="json",
    )
    assert response.status_code == 400
    assert Region.objects.get(pk=province.pk).level == "province"


def test_an_item_with_lots_keeps_its_kind(api_client, db):
    from apps.catalog.tests.factories import LotFactory

    api_client.force_authenticate(UserFactory(role=Role.ADMIN))
    lot = LotFactory()
    item = lot.item
    response = api_client.patch(
        f"/api/v1/catalog-items/{item.pk}/", {"kind": "qc", "version": item.version}, format="json"
    )
    assert response.status_code == 400
    assert "kind" in response.json()


def test_the_hotline_home_page_leads_to_registering_a_request(client, clerk):
    client.force_login(clerk)
    page = client.get("/").content.decode()
    assert 'href="/work-orders/new/"' in page


def test_roles_that_cannot_register_requests_get_no_such_tile(client, db):
    from apps.accounts.choices import Role
    from apps.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.FINANCE))
    assert 'href="/work-orders/new/"' not in client.get("/").content.decode()
