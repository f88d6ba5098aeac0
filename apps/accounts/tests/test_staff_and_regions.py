import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.choices import CityTier, RegionLevel, Role
from apps.accounts.models import Region, User
from apps.accounts.selectors import engineers_qualified_for
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.catalog.tests.factories import InstrumentModelFactory


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMIN, username="boss")


def test_an_admin_creates_an_engineer_who_can_then_log_in(client, admin):
    province = ProvinceFactory(name="广东省")
    client.force_login(admin)
    response = client.post(
        reverse("accounts:staff_add"),
        {
            "username": "zhanggong", "name": "张工", "role": Role.ENGINEER, "phone": "13600000000",
            "regions": [province.pk], "skill_groups": [1, 5], "password": "Secret-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()
    engineer = User.objects.get(username="zhanggong")
    assert list(engineer.regions.all()) == [province]
    assert engineer.skill_groups.count() == 2
    client.logout()
    assert client.login(username="zhanggong", password="Secret-2026")


def test_editing_a_staff_member_without_a_password_keeps_the_old_one(client, admin):
    engineer = UserFactory(role=Role.ENGINEER, username="li")
    client.force_login(admin)
    response = client.post(
        reverse("accounts:staff_edit", args=[engineer.pk]),
        {"username": "li", "name": "李工", "role": Role.ENGINEER, "password": "", "expected_version": engineer.version},
    )
    assert response.status_code == 302, response.content.decode()
    engineer.refresh_from_db()
    assert engineer.name == "李工"
    assert engineer.check_password("pass-12345")


def test_a_dealer_login_must_name_its_dealer(api_client, admin):
    api_client.force_authenticate(admin)
    response = api_client.post(
        "/api/v1/staff/", {"username": "d1", "role": Role.DEALER, "password": "Secret-2026"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"dealer": ["A dealer login must name its dealer."]}


def test_the_api_never_shows_a_password(api_client, admin):
    api_client.force_authenticate(admin)
    body = api_client.get(f"/api/v1/staff/{admin.pk}/").json()
    assert "password" not in body
    history = api_client.get(f"/api/v1/staff/{admin.pk}/history/").json()
    assert "password" not in str(history)


def test_a_deactivated_staff_member_can_no_longer_log_in(client, admin):
    engineer = UserFactory(role=Role.ENGINEER, username="wang")
    client.force_login(admin)
    client.post(reverse("accounts:staff_deactivate", args=[engineer.pk]), {"reason": "离职", "expected_version": 1})
    client.logout()
    assert not client.login(username="wang", password="pass-12345")


def test_a_city_needs_a_province_and_a_tier(api_client, admin):
    api_client.force_authenticate(admin)
    response = api_client.post("/api/v1/regions/", {"name": "深圳市", "level": RegionLevel.CITY}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()
    province = ProvinceFactory(name="广东省")
    response = api_client.post(
        "/api/v1/regions/", {"name": "深圳市", "level": RegionLevel.CITY, "parent": province.pk}, format="json"
    )
    assert response.json() == {"tier": ["Choose the city tier."]}
    response = api_client.post(
        "/api/v1/regions/",
        {"name": "深圳市", "level": RegionLevel.CITY, "parent": province.pk, "tier": CityTier.TIER1},
        format="json",
    )
    assert response.status_code == 201
    assert str(Region.objects.get(name="深圳市")) == "广东省 / 深圳市"


def test_the_region_list_filters_by_tier_and_searches_chinese(client, admin):
    CityFactory(name="广州市", tier=CityTier.CAPITAL)
    CityFactory(name="佛山市", tier=CityTier.PREFECTURE)
    client.force_login(admin)
    page = client.get(reverse("accounts:region_list"), {"tier": CityTier.CAPITAL}).content.decode()
    assert "广州市" in page and "佛山市" not in page
    page = client.get(reverse("accounts:region_list"), {"q": "佛山"}).content.decode()
    assert "佛山市" in page and "广州市" not in page


def test_only_engineers_with_a_valid_qualification_are_qualified_for_a_model(db):
    model = InstrumentModelFactory(code="YH-30")
    valid = UserFactory(role=Role.ENGINEER)
    expired = UserFactory(role=Role.ENGINEER)
    valid.qualifications.create(instrument_model=model, valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2027, 1, 1))
    expired.qualifications.create(
        instrument_model=model, valid_from=dt.date(2024, 1, 1), valid_until=dt.date(2026, 6, 30)
    )
    qualified = engineers_qualified_for(instrument_model=model, on_date=dt.date(2026, 11, 23))
    assert list(qualified) == [valid]


def test_a_qualification_cannot_end_before_it_starts(api_client, admin):
    engineer = UserFactory(role=Role.ENGINEER)
    model = InstrumentModelFactory()
    api_client.force_authenticate(admin)
    response = api_client.post(
        "/api/v1/qualifications/",
        {
            "engineer": engineer.pk,
            "instrument_model": model.pk,
            "valid_from": "2026-05-01",
            "valid_until": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"valid_until": ["The end date must not be before the start date."]}


def test_a_customer_manager_sees_only_the_staff_of_his_regions(client, db):
    guangdong, hunan = ProvinceFactory(name="广东省"), ProvinceFactory(name="湖南省")
    manager = UserFactory(role=Role.CUSTOMER_MANAGER, regions=[guangdong])
    UserFactory(role=Role.ENGINEER, name="粤工程师", regions=[guangdong])
    UserFactory(role=Role.ENGINEER, name="湘工程师", regions=[hunan])
    client.force_login(manager)
    page = client.get(reverse("accounts:staff_list")).content.decode()
    assert "粤工程师" in page and "湘工程师" not in page


def test_list_pages_use_a_fixed_number_of_queries(client, admin, django_assert_max_num_queries):
    province = ProvinceFactory()
    for _ in range(30):
        UserFactory(role=Role.ENGINEER, regions=[province])
        CityFactory(parent=province)
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:staff_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:region_list")).status_code == 200


def test_the_tech_head_adds_a_qualification_from_the_engineers_page(client, db):
    head = UserFactory(role=Role.TECH_HEAD)
    engineer = UserFactory(role=Role.ENGINEER, name="钱工")
    client.force_login(head)
    page = client.get(reverse("accounts:staff_detail", args=[engineer.pk])).content.decode()
    link = f"{reverse('accounts:qualification_add')}?engineer={engineer.pk}"
    assert link in page
    form = client.get(link).content.decode()
    assert f'<option value="{engineer.pk}" selected>' in form


def test_a_user_changes_his_own_password(client, db):
    engineer = UserFactory(role=Role.ENGINEER, username="zhou")
    client.force_login(engineer)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-12345", "new_password1": "Xin-Mima-2026", "new_password2": "Xin-Mima-2026"},
    )
    assert response.status_code == 302
    client.logout()
    assert client.login(username="zhou", password="Xin-Mima-2026")


def test_there_is_no_unauthenticated_password_reset_page(client, db):
    assert client.get("/accounts/password_reset/").status_code == 404


def test_the_login_form_stops_checking_passwords_after_repeated_failures(client, settings, db):
    settings.LOGIN_MAX_FAILURES = 3
    UserFactory(username="wu")
    for _ in range(3):
        assert client.post(reverse("login"), {"username": "wu", "password": "wrong"}).status_code == 200
    blocked = client.post(reverse("login"), {"username": "wu", "password": "pass-12345"})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
