"""Every role against every list and detail endpoint, in the UI and the API:
allowed, forbidden (403 / 404), and scoped (sees only his rows). Issue #2 'Access'."""

import pytest
from django.urls import reverse

from apps.accounts.choices import Role as R
from apps.core.tests.world import build_world

ALL = set(R.values)
SEES_ALL = {
    R.ADMIN,
    R.TECH_HEAD,
    R.SUPERVISOR,
    R.MARKETING_HEAD,
    R.GENERAL_MANAGER,
    R.CLERK,
    R.QUALITY,
    R.FINANCE,
    R.COMMERCE,
    R.LOGISTICS,
}
SCOPED_TO_A = {R.ENGINEER, R.CUSTOMER_MANAGER, R.SALES, R.DEALER}
PHONE_ROLES = {R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.ENGINEER, R.SALES, R.QUALITY}
STAFF_VIEWERS = {R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.MARKETING_HEAD, R.GENERAL_MANAGER, R.CLERK}

# resource: (UI list url, API list url, object in scope "A", object out of scope "B" (or None),
#            roles that may list, roles that see only A)
ENDPOINTS = {
    "customers": ("customers:customer_list", "/api/v1/customers/", "customer_a", "customer_b", ALL, SCOPED_TO_A),
    "contacts": ("customers:contact_list", "/api/v1/contacts/", "contact_a", "contact_b", ALL, SCOPED_TO_A),
    "departments": (None, "/api/v1/departments/", "department_a", "department_b", ALL, SCOPED_TO_A),
    "dealers": ("customers:dealer_list", "/api/v1/dealers/", "dealer_a", "dealer_b", ALL, {R.DEALER}),
    "regions": ("accounts:region_list", "/api/v1/regions/", "city_a", None, ALL - {R.DEALER}, set()),
    "staff": ("accounts:staff_list", "/api/v1/staff/", None, None, STAFF_VIEWERS, set()),
    "qualifications": (
        "accounts:qualification_list",
        "/api/v1/qualifications/",
        "qualification",
        None,
        STAFF_VIEWERS,
        set(),
    ),
    "instrument-models": ("catalog:instrumentmodel_list", "/api/v1/instrument-models/", "model", None, ALL, set()),
    "catalog-items": ("catalog:item_list", "/api/v1/catalog-items/", "item", None, ALL, set()),
    "lots": ("catalog:lot_list", "/api/v1/lots/", "lot", None, ALL, set()),
    "lot-matches": ("catalog:lotmatch_list", "/api/v1/lot-matches/", "lot_match", None, ALL, set()),
    "calendar-days": ("sla:override_list", "/api/v1/calendar-days/", "calendar_day", None, ALL - {R.DEALER}, set()),
    "instruments": (
        "instruments:instrument_list",
        "/api/v1/instruments/",
        "instrument_a",
        "instrument_b",
        ALL,
        SCOPED_TO_A,
    ),
}

# How each row shows on a list page.
LABEL = {
    "qualification": lambda o: o.engineer.name,
    "model": lambda o: o.code,
    "item": lambda o: o.code,
    "lot": lambda o: o.lot_no,
    "lot_match": lambda o: o.reagent_lot.lot_no,
    "instrument_a": lambda o: o.serial_no,
    "instrument_b": lambda o: o.serial_no,
}


def _label(world, key):
    obj = world.objects[key]
    return str(LABEL.get(key, lambda o: o.name)(obj))


ROLES = sorted(R.values)


@pytest.fixture
def world(db):
    return build_world()


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_role_lists_exactly_what_it_may_see_through_the_api(world, api_client, role, name):
    _ui, api_url, key_a, key_b, allowed, scoped = ENDPOINTS[name]
    api_client.force_authenticate(world.users[role])
    response = api_client.get(api_url, {"status": "all", "page_size": 200})
    if role not in allowed:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    ids = _ids(response)
    if key_a:
        assert world.objects[key_a].pk in ids
    if key_b:
        if role in scoped:
            assert world.objects[key_b].pk not in ids
        else:
            assert world.objects[key_b].pk in ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_role_gets_a_detail_only_when_in_scope_through_the_api(world, api_client, role, name):
    _ui, api_url, key_a, key_b, allowed, scoped = ENDPOINTS[name]
    api_client.force_authenticate(world.users[role])
    for key, expected_visible in ((key_a, True), (key_b, role not in scoped)):
        if key is None:
            continue
        response = api_client.get(f"{api_url}{world.objects[key].pk}/")
        if role not in allowed:
            assert response.status_code == 403
        elif expected_visible:
            assert response.status_code == 200
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(n for n, e in ENDPOINTS.items() if e[0]))
def test_each_role_sees_the_same_rows_on_the_list_page(world, client, role, name):
    ui, _api, key_a, key_b, allowed, scoped = ENDPOINTS[name]
    client.force_login(world.users[role])
    response = client.get(reverse(ui), {"status": "all"})
    if role not in allowed:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    page = response.content.decode()
    if key_a:
        assert _label(world, key_a) in page
    if key_b:
        assert (_label(world, key_b) in page) is (role not in scoped)


@pytest.mark.parametrize("role", ROLES)
def test_customer_detail_page_is_404_outside_the_users_scope(world, client, role):
    client.force_login(world.users[role])
    in_scope = client.get(world.objects["customer_a"].get_absolute_url())
    out_of_scope = client.get(world.objects["customer_b"].get_absolute_url())
    assert in_scope.status_code == 200
    assert out_of_scope.status_code == (404 if role in SCOPED_TO_A else 200)


@pytest.mark.parametrize("role", ROLES)
def test_contact_phones_are_shown_only_to_roles_that_call_customers(world, client, api_client, role):
    user = world.users[role]
    client.force_login(user)
    api_client.force_authenticate(user)
    page = client.get(world.objects["customer_a"].get_absolute_url()).content.decode()
    api_row = api_client.get(f"/api/v1/contacts/{world.objects['contact_a'].pk}/").json()
    if role in PHONE_ROLES:
        assert "13812345678" in page
        assert api_row["mobile"] == "13812345678"
    else:
        assert "13812345678" not in page
        assert "138****5678" in page
        assert api_row["mobile"] == "138****5678"


def test_anonymous_users_are_sent_to_login_and_refused_by_the_api(world, client, api_client):
    response = client.get(reverse("customers:customer_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert api_client.get("/api/v1/customers/").status_code in (401, 403)


CUSTOMER_WRITERS = {R.ADMIN, R.CLERK, R.TECH_HEAD, R.SUPERVISOR, R.CUSTOMER_MANAGER, R.SALES}


@pytest.mark.parametrize("role", ROLES)
def test_only_customer_editors_may_create_customers(world, api_client, role):
    api_client.force_authenticate(world.users[role])
    city = world.objects["city_a"]
    response = api_client.post(
        "/api/v1/customers/", {"name": f"新客户{role}", "province": city.parent_id, "city": city.pk}, format="json"
    )
    assert response.status_code == (201 if role in CUSTOMER_WRITERS else 403), response.content


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_may_deactivate_customers(world, api_client, role):
    api_client.force_authenticate(world.users[role])
    customer = world.objects["customer_a"]
    response = api_client.post(f"/api/v1/customers/{customer.pk}/deactivate/", {"reason": "closed"}, format="json")
    assert response.status_code == (200 if role in {R.ADMIN, R.TECH_HEAD} else 403)


def test_a_sales_person_cannot_edit_another_sales_persons_customer(world, api_client):
    api_client.force_authenticate(world.users[R.SALES])
    customer = world.objects["customer_b"]
    response = api_client.patch(
        f"/api/v1/customers/{customer.pk}/", {"notes": "mine now", "version": customer.version}, format="json"
    )
    assert response.status_code == 404
    customer.refresh_from_db()
    assert customer.notes == ""


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_a_home_page_with_its_own_navigation(world, client, role):
    client.force_login(world.users[role])
    page = client.get(reverse("home")).content.decode()
    assert reverse("customers:customer_list") in page
    assert (reverse("accounts:staff_list") in page) is (role in STAFF_VIEWERS)
    assert (reverse("accounts:region_list") in page) is (role != R.DEALER)


@pytest.mark.parametrize("role", ROLES)
def test_a_dealer_also_sees_the_units_it_placed_elsewhere(world, api_client, role):
    api_client.force_authenticate(world.users[role])
    ids = _ids(api_client.get("/api/v1/instruments/", {"page_size": 200}))
    placed = world.objects["instrument_placed"].pk
    assert (placed in ids) is (role not in {R.ENGINEER, R.CUSTOMER_MANAGER, R.SALES})


def test_an_engineer_cannot_hang_a_contact_on_a_customer_outside_his_regions(world, api_client):
    api_client.force_authenticate(world.users[R.ENGINEER])
    customer_b = world.objects["customer_b"]
    response = api_client.post("/api/v1/contacts/", {"customer": customer_b.pk, "name": "外区联系人"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"customer": ["Choose a customer you serve."]}
    contact = world.objects["contact_a"]
    response = api_client.patch(
        f"/api/v1/contacts/{contact.pk}/", {"customer": customer_b.pk, "version": contact.version}, format="json"
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.customer_id == world.objects["customer_a"].pk


def test_a_dealer_sees_no_other_dealers_or_sales_in_the_filters(world, client):
    client.force_login(world.users[R.DEALER])
    page = client.get(reverse("customers:customer_list")).content.decode()
    assert world.objects["dealer_a"].name in page
    assert world.objects["dealer_b"].name not in page
    assert world.objects["sales_b"].name not in page


def test_the_new_instrument_form_lists_no_departments_of_other_customers(world, client):
    client.force_login(world.users[R.ENGINEER])
    page = client.get(reverse("instruments:instrument_add")).content.decode()
    assert world.objects["customer_b"].name not in page
    options = client.get(
        reverse("customers:department_options"), {"customer": world.objects["customer_b"].pk}
    ).content.decode()
    assert "检验科" not in options
    options = client.get(
        reverse("customers:department_options"), {"customer": world.objects["customer_a"].pk}
    ).content.decode()
    assert "检验科" in options


def test_a_sales_person_who_registers_a_customer_becomes_its_responsible_sales(world, api_client):
    api_client.force_authenticate(world.users[R.SALES])
    city = world.objects["city_a"]
    response = api_client.post(
        "/api/v1/customers/", {"name": "新开发医院", "province": city.parent_id, "city": city.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["responsible_sales"] == world.users[R.SALES].pk
    assert api_client.get(f"/api/v1/customers/{response.json()['id']}/").status_code == 200


def test_a_finance_user_cannot_be_named_responsible_engineer(world, api_client):
    api_client.force_authenticate(world.users[R.ADMIN])
    customer = world.objects["customer_a"]
    response = api_client.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"responsible_engineer": world.users[R.FINANCE].pk, "version": customer.version},
        format="json",
    )
    assert response.status_code == 400
    assert "responsible_engineer" in response.json()


def test_a_dealer_sees_the_arrears_flag_but_not_the_internal_note(world, client, api_client):
    customer = world.objects["customer_a"]
    customer.in_arrears, customer.arrears_note = True, "逾期92天，约48万元"
    customer.save()
    for role, visible in ((R.DEALER, False), (R.CLERK, True)):
        client.force_login(world.users[role])
        api_client.force_authenticate(world.users[role])
        page = client.get(customer.get_absolute_url()).content.decode()
        body = api_client.get(f"/api/v1/customers/{customer.pk}/").json()
        assert "In arrears" in page and body["in_arrears"] is True
        assert ("逾期92天" in page) is visible
        assert (body["arrears_note"] == "逾期92天，约48万元") is visible


def test_a_dealers_excel_export_leaves_the_arrears_note_empty(world, client):
    import io

    import openpyxl

    customer = world.objects["customer_a"]
    customer.in_arrears, customer.arrears_note = True, "逾期92天"
    customer.save()
    for role, visible in ((R.DEALER, False), (R.CLERK, True)):
        client.force_login(world.users[role])
        response = client.get(reverse("customers:customer_export"))
        content = b"".join(response.streaming_content) if response.streaming else response.content
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
        assert ("逾期92天" in values) is visible


def test_a_customer_manager_cannot_register_or_move_a_customer_outside_his_region(world, api_client):
    api_client.force_authenticate(world.users[R.CUSTOMER_MANAGER])
    city_b = world.objects["city_b"]
    response = api_client.post(
        "/api/v1/customers/", {"name": "外省医院", "province": city_b.parent_id, "city": city_b.pk}, format="json"
    )
    assert response.status_code == 400
    customer = world.objects["customer_a"]
    response = api_client.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"province": city_b.parent_id, "city": city_b.pk, "version": customer.version},
        format="json",
    )
    assert response.status_code == 400
    customer.refresh_from_db()
    assert customer.city_id == world.objects["city_a"].pk


def test_a_sales_person_cannot_hand_a_new_customer_to_a_colleague(world, api_client):
    api_client.force_authenticate(world.users[R.SALES])
    city = world.objects["city_a"]
    response = api_client.post(
        "/api/v1/customers/",
        {
            "name": "转给同事",
            "province": city.parent_id,
            "city": city.pk,
            "responsible_sales": world.objects["sales_b"].pk,
        },
        format="json",
    )
    assert response.status_code == 400


def test_finance_cannot_recover_a_masked_phone_by_searching_contacts(world, client, api_client):
    api_client.force_authenticate(world.users[R.FINANCE])
    assert api_client.get("/api/v1/contacts/", {"q": "13812345678"}).json()["count"] == 0
    client.force_login(world.users[R.FINANCE])
    assert "张主任" not in client.get(reverse("customers:contact_list"), {"q": "1381234"}).content.decode()


def test_logging_in_writes_no_history_entry(world, client):
    engineer = world.users[R.ENGINEER]
    before = engineer.history.count()
    assert client.login(username=engineer.username, password="pass-12345")
    engineer.refresh_from_db()
    assert engineer.last_login is not None
    assert engineer.history.count() == before
