"""/api/v1/vip-tiers/, purchase-volumes/, vip-members/, vip-visits/: the same rules as the pages
— 403 for the wrong role, 404 outside the scope, 409 on a stale version or a state that does not
allow the move, 400 naming the field."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.choices import Role
from apps.customers.tests.factories import CustomerFactory
from apps.vip.choices import VisitState
from apps.vip.models import PurchaseVolume, VipMembership
from apps.vip.tests._vip import (  # noqa: F401
    YEAR,
    make_member,
    open_visit,
    plan,
    vip_fixture,
    volume,
    world_fixture,
)
from apps.workorders.choices import WorkType
from apps.workorders.models import WorkOrder

READERS = {
    Role.ADMIN,
    Role.TECH_HEAD,
    Role.SUPERVISOR,
    Role.CLERK,
    Role.CUSTOMER_MANAGER,
    Role.ENGINEER,
    Role.SALES,
    Role.MARKETING_HEAD,
    Role.GENERAL_MANAGER,
}
SCOPED = {Role.CUSTOMER_MANAGER, Role.ENGINEER, Role.SALES}


@pytest.fixture
def members(world, vip):
    guangzhou = make_member(world)
    changsha = make_member(world, vip.hunan, amount="1500000")
    plan(dt.date(2026, 7, 1))
    return guangzhou, changsha


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_lists_the_members_and_visits_it_may_see(api_client, world, members, role):
    guangzhou, changsha = members
    api_client.force_authenticate(world.users[role])
    for url, a, b in (
        ("/api/v1/vip-members/", guangzhou.pk, changsha.pk),
        ("/api/v1/vip-visits/", open_visit(guangzhou).pk, open_visit(changsha).pk),
    ):
        response = api_client.get(url, {"page_size": 200})
        if role not in READERS:
            assert response.status_code == 403
            continue
        assert response.status_code == 200
        ids = _ids(response)
        assert a in ids
        assert (b in ids) == (role not in SCOPED)
        assert api_client.get(f"{url}{b}/").status_code == (404 if role in SCOPED else 200)


def test_a_member_reads_with_its_cycle_and_due_date(api_client, world, members):
    guangzhou, _changsha = members
    api_client.force_authenticate(world.engineer)
    data = api_client.get(f"/api/v1/vip-members/{guangzhou.pk}/").json()
    assert data["tier_name"] == "Silver" and data["visit_cycle_days"] == 90
    assert data["next_visit_due"] == "2026-07-08"
    assert data["engineer"] == world.engineer.pk
    timeline = api_client.get(f"/api/v1/vip-members/{guangzhou.pk}/timeline/").json()
    assert [e["kind"] for e in timeline] == ["visit_planned", "joined"]


def test_the_members_list_filters_by_tier_and_region_ids(api_client, world, vip, members):
    guangzhou, changsha = members
    api_client.force_authenticate(world.tech_head)
    assert _ids(api_client.get("/api/v1/vip-members/", {"tier": vip.gold.pk})) == {changsha.pk}
    assert _ids(api_client.get("/api/v1/vip-members/", {"region": world.city.pk})) == {guangzhou.pk}
    assert _ids(api_client.get("/api/v1/vip-members/", {"engineer": world.engineer.pk})) == {guangzhou.pk}


def test_the_members_api_query_count_does_not_grow_with_its_rows(api_client, world, vip):
    api_client.force_authenticate(world.tech_head)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api_client.get("/api/v1/vip-members/").status_code == 200
            assert api_client.get("/api/v1/vip-visits/").status_code == 200
        return len(queries)

    for _i in range(2):
        make_member(world, CustomerFactory(city=world.city, responsible_engineer=world.engineer))
    plan(dt.date(2026, 7, 1))
    few = count()
    for _i in range(8):
        make_member(world, CustomerFactory(city=world.city, responsible_engineer=world.engineer))
    plan(dt.date(2026, 7, 1))
    assert count() == few


def test_the_engineer_announces_through_the_api(api_client, world, vip, members):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    url = f"/api/v1/vip-visits/{visit.pk}/announce/"
    body = {
        "version": visit.version,
        "contact": vip.lab_head.pk,
        "agreed_at": "2030-07-07T09:30:00+08:00",
        "content": "保养与质控回顾",
        "special_requests": "",
    }
    api_client.force_authenticate(world.engineer)
    assert api_client.get(f"/api/v1/vip-visits/{visit.pk}/").json()["allowed_actions"] == ["announce", "cancel"]

    assert api_client.post(url, {**body, "version": visit.version + 5}, format="json").status_code == 409
    response = api_client.post(url, body, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == VisitState.ANNOUNCED and data["work_order_number"]
    assert data["allowed_actions"] == []  # an engineer no longer cancels once the order exists
    assert WorkOrder.objects.filter(work_type=WorkType.VIP_VISIT).count() == 1
    again = api_client.post(url, {**body, "version": data["version"]}, format="json")
    assert again.status_code == 409
    assert WorkOrder.objects.count() == 1
    cancel = api_client.post(
        f"/api/v1/vip-visits/{visit.pk}/cancel/", {"version": data["version"], "reason": "改期"}, format="json"
    )
    assert cancel.status_code == 403


def test_an_announcement_without_content_is_a_400_naming_the_field(api_client, world, members):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    api_client.force_authenticate(world.engineer)
    response = api_client.post(
        f"/api/v1/vip-visits/{visit.pk}/announce/",
        {"version": visit.version, "contact_name": "张主任", "agreed_at": "2030-07-07T09:30:00+08:00", "content": " "},
        format="json",
    )
    assert response.status_code == 400
    assert "content" in response.json()


@pytest.mark.parametrize("who, status", [("engineer2", 403), ("other_engineer", 404), ("sales", 403)])
def test_others_may_not_announce_the_visit(api_client, world, members, who, status):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    user = getattr(world, who) if who != "sales" else world.sales
    api_client.force_authenticate(user)
    response = api_client.post(
        f"/api/v1/vip-visits/{visit.pk}/announce/",
        {"version": visit.version, "contact_name": "张主任", "agreed_at": "2030-07-07T09:30:00+08:00", "content": "x"},
        format="json",
    )
    assert response.status_code == status
    assert not WorkOrder.objects.exists()


def test_managers_change_the_engineer_and_the_cycle(api_client, world, members):
    guangzhou, _changsha = members
    api_client.force_authenticate(world.tech_head)
    response = api_client.post(
        f"/api/v1/vip-members/{guangzhou.pk}/engineer/",
        {"version": guangzhou.version, "engineer": world.engineer2.pk, "reason": "调整"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["engineer"] == world.engineer2.pk
    version = response.json()["version"]
    wrong = api_client.post(
        f"/api/v1/vip-members/{guangzhou.pk}/engineer/",
        {"version": version, "engineer": world.other_engineer.pk},
        format="json",
    )
    assert wrong.status_code == 400 and "engineer" in wrong.json()
    cycle = api_client.post(
        f"/api/v1/vip-members/{guangzhou.pk}/cycle/",
        {"version": version, "cycle_days": 30, "reason": "重点客户"},
        format="json",
    )
    assert cycle.status_code == 200 and cycle.json()["visit_cycle_days"] == 30
    api_client.force_authenticate(world.engineer2)
    denied = api_client.post(
        f"/api/v1/vip-members/{guangzhou.pk}/cycle/",
        {"version": cycle.json()["version"], "cycle_days": 20, "reason": "x"},
        format="json",
    )
    assert denied.status_code == 403


def test_re_tiering_through_the_api_previews_then_applies(api_client, world, vip):
    volume(world.customer, "1000000")
    api_client.force_authenticate(world.tech_head)
    preview = api_client.post("/api/v1/vip-members/retier/", {"year": YEAR}, format="json")
    assert preview.status_code == 200
    assert preview.json()["joining"] == 1 and not preview.json()["applied"]
    assert not VipMembership.objects.exists()
    applied = api_client.post("/api/v1/vip-members/retier/", {"year": YEAR, "apply": True}, format="json")
    assert applied.json()["rows"][0]["new_tier"] == "GOLD"
    assert VipMembership.objects.filter(customer=world.customer, is_active=True).exists()
    api_client.force_authenticate(world.commerce)
    assert api_client.post("/api/v1/vip-members/retier/", {"year": YEAR}, format="json").status_code == 403
    api_client.force_authenticate(world.tech_head)
    assert api_client.post("/api/v1/vip-members/retier/", {"year": 1900}, format="json").status_code == 400


def test_tiers_are_changed_with_their_version(api_client, world, vip):
    api_client.force_authenticate(world.tech_head)
    url = f"/api/v1/vip-tiers/{vip.gold.pk}/"
    ok = api_client.patch(url, {"visit_cycle_days": 30, "version": vip.gold.version}, format="json")
    assert ok.status_code == 200 and ok.json()["visit_cycle_days"] == 30
    assert (
        api_client.patch(url, {"visit_cycle_days": 31, "version": vip.gold.version}, format="json").status_code == 409
    )
    same = api_client.post(
        "/api/v1/vip-tiers/",
        {"code": "X", "name": "X", "min_annual_volume": "1000000.00", "visit_cycle_days": 30},
        format="json",
    )
    assert same.status_code == 400
    api_client.force_authenticate(world.commerce)
    assert api_client.get("/api/v1/vip-tiers/").status_code == 200
    assert api_client.patch(url, {"visit_cycle_days": 20, "version": 2}, format="json").status_code == 403


def test_commerce_enters_purchase_volumes_through_the_api(api_client, world, vip):
    api_client.force_authenticate(world.commerce)
    body = {"customer": world.customer.pk, "year": YEAR, "amount": "520000.00"}
    created = api_client.post("/api/v1/purchase-volumes/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["customer_code"] == world.customer.code
    duplicate = api_client.post("/api/v1/purchase-volumes/", body, format="json")
    assert duplicate.status_code == 400
    negative = api_client.post("/api/v1/purchase-volumes/", {**body, "year": YEAR - 1, "amount": "-1"}, format="json")
    assert negative.status_code == 400 and "amount" in negative.json()
    assert PurchaseVolume.objects.count() == 1
    api_client.force_authenticate(world.engineer)
    assert api_client.get("/api/v1/purchase-volumes/").status_code == 403
    api_client.force_authenticate(world.sales)
    assert api_client.post("/api/v1/purchase-volumes/", {**body, "year": 2024}, format="json").status_code == 403
    volume(vip.hunan, "1")
    assert {row["customer"] for row in api_client.get("/api/v1/purchase-volumes/").json()["results"]} == {
        world.customer.pk
    }
