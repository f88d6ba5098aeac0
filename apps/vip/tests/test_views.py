"""The VIP pages as their users meet them: who may open what (403), whose rows they see (404
outside), the announce form on a phone, re-tiering with its preview, purchase volumes, and
lists whose query count does not grow with their rows."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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

MEMBERS = reverse("vip:member_list")
VISITS = reverse("vip:visit_list")
MINE = reverse("vip:visit_mine")
TIERS = reverse("vip:tier_list")
VOLUMES = reverse("vip:volume_list")
RETIER = reverse("vip:retier")

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
# Roles that see the Guangzhou member only (their region, their customer, their fixed VIP).
SCOPED = {Role.CUSTOMER_MANAGER, Role.ENGINEER, Role.SALES}


@pytest.fixture
def members(world, vip):
    """A member in Guangzhou (the world's customer, engineer `engineer`) and one in Changsha."""
    guangzhou = make_member(world)
    changsha = make_member(world, vip.hunan, amount="1500000")
    plan(dt.date(2026, 7, 1))
    return guangzhou, changsha


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_sees_the_vip_customers_it_may_and_no_others(client, world, members, role):
    guangzhou, changsha = members
    client.force_login(world.users[role])
    response = client.get(MEMBERS, {"status": "all"})
    if role not in READERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    page = response.content.decode()
    assert guangzhou.customer.name in page
    assert (changsha.customer.name in page) == (role not in SCOPED)
    detail = client.get(changsha.get_absolute_url())
    assert detail.status_code == (404 if role in SCOPED else 200)


def test_an_engineer_sees_the_vips_he_is_the_fixed_engineer_of_outside_his_regions(client, world, members):
    _guangzhou, changsha = members
    VipMembership.objects.filter(pk=changsha.pk).update(engineer=world.engineer)
    client.force_login(world.engineer)
    assert client.get(changsha.get_absolute_url()).status_code == 200


def test_the_members_list_filters_by_tier_region_engineer_and_overdue(client, world, vip, members):
    guangzhou, changsha = members
    client.force_login(world.tech_head)

    def names(**query):
        page = client.get(MEMBERS, query).content.decode()
        return {m.customer.name for m in (guangzhou, changsha) if m.customer.name in page}

    assert names(tier=vip.gold.pk) == {changsha.customer.name}
    assert names(region=world.city.parent_id) == {guangzhou.customer.name}
    assert names(engineer=world.other_engineer.pk) == {changsha.customer.name}
    VipMembership.objects.update(next_visit_due=dt.date(2099, 1, 1))
    assert names(overdue="true") == set()
    VipMembership.objects.filter(pk=guangzhou.pk).update(next_visit_due=dt.date(2020, 1, 1))
    assert names(overdue="true") == {guangzhou.customer.name}
    assert "overdue" in client.get(MEMBERS).content.decode()


def test_the_members_list_query_count_does_not_grow_with_its_rows(client, world, vip):
    client.force_login(world.tech_head)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MEMBERS).status_code == 200
        return len(queries)

    for _i in range(3):
        make_member(world, CustomerFactory(city=world.city, responsible_engineer=world.engineer))
    few = count()
    for _i in range(12):
        make_member(world, CustomerFactory(city=world.city, responsible_engineer=world.engineer))
    assert VipMembership.objects.count() == 15
    assert count() == few


def test_the_visits_list_query_count_does_not_grow_with_its_rows(client, world, vip):
    client.force_login(world.engineer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(VISITS).status_code == 200
            assert client.get(MINE).status_code == 200
        return len(queries)

    for _i in range(2):
        make_member(world, CustomerFactory(city=world.city, responsible_engineer=world.engineer))
    plan(dt.date(2026, 7, 1))
    few = count()
    for _i in range(8):
        make_member(world, CustomerFactory(city=world.city, responsible_engineer=world.engineer))
    plan(dt.date(2026, 7, 1))
    assert count() == few


def test_the_member_page_shows_the_cycle_visits_and_timeline(client, world, members):
    guangzhou, _changsha = members
    client.force_login(world.tech_head)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert "Silver" in page and "2026-07-08" in page
    assert "Joined the VIP programme" in page and "Visit planned" in page
    assert reverse("vip:member_engineer", args=[guangzhou.pk]) in page
    client.force_login(world.engineer)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert reverse("vip:member_engineer", args=[guangzhou.pk]) not in page


def test_the_technical_head_changes_the_cycle_on_the_member_page(client, world, members):
    guangzhou, _changsha = members
    client.force_login(world.tech_head)
    url = reverse("vip:member_cycle", args=[guangzhou.pk])
    response = client.post(url, {"cycle_days": "45", "reason": "", "expected_version": guangzhou.version})
    assert response.status_code == 400
    response = client.post(url, {"cycle_days": "45", "reason": "季度政策", "expected_version": guangzhou.version})
    assert response.status_code == 302
    guangzhou.refresh_from_db()
    assert guangzhou.visit_cycle_days == 45
    stale = client.post(url, {"cycle_days": "30", "reason": "x", "expected_version": guangzhou.version - 1})
    assert stale.status_code == 409
    client.force_login(world.engineer)
    assert client.post(url, {"cycle_days": "30", "reason": "x", "expected_version": 1}).status_code == 403


def test_my_vip_visits_lists_the_engineers_open_visits_on_cards(client, world, members):
    guangzhou, changsha = members
    client.force_login(world.engineer)
    page = client.get(MINE).content.decode()
    assert guangzhou.customer.name in page and changsha.customer.name not in page
    assert reverse("vip:visit_announce", args=[open_visit(guangzhou).pk]) in page
    assert 'name="viewport"' in page  # the base page is the phone layout
    client.force_login(world.sales)
    assert client.get(MINE).status_code == 200  # open to readers; the menu shows it to engineers
    from apps.core.navigation import menu_for

    assert "vip_visits_mine" in [item["key"] for item in menu_for(world.engineer)]
    assert "vip_visits_mine" not in [item["key"] for item in menu_for(world.sales)]


def test_the_engineer_announces_his_visit_and_the_work_order_is_registered(client, world, vip, members):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    url = reverse("vip:visit_announce", args=[visit.pk])
    client.force_login(world.engineer)
    form = client.get(url)
    assert form.status_code == 200
    assert "仪器保养" in form.content.decode()  # the tier's service content is the default

    response = client.post(
        url,
        {
            "contact": vip.lab_head.pk,
            "contact_name": "",
            "agreed_at": "2030-07-07T09:30",
            "content": "保养与质控回顾",
            "special_requests": "讲解新项目",
            "expected_version": visit.version,
        },
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == VisitState.ANNOUNCED
    assert WorkOrder.objects.filter(work_type=WorkType.VIP_VISIT, customer=world.customer).count() == 1
    again = client.get(url)
    assert again.status_code == 409


def test_announcing_without_whom_is_a_form_error_and_nothing_is_registered(client, world, members):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    client.force_login(world.engineer)
    response = client.post(
        reverse("vip:visit_announce", args=[visit.pk]),
        {"agreed_at": "2030-07-07T09:30", "content": "保养", "expected_version": visit.version},
    )
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    "who, status",
    [("engineer2", 403), ("other_engineer", 404), ("sales", 403), ("tech_head", 200), ("marketing_head", 403)],
)
def test_who_may_open_the_announce_form(client, world, members, who, status):
    guangzhou, _changsha = members
    user = getattr(world, who) if who in ("engineer2", "other_engineer") else world.users[who]
    client.force_login(user)
    assert client.get(reverse("vip:visit_announce", args=[open_visit(guangzhou).pk])).status_code == status


def test_the_visit_page_offers_only_the_moves_the_user_may_make(client, world, members):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    client.force_login(world.engineer)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert reverse("vip:visit_announce", args=[visit.pk]) in page
    client.force_login(world.customer_manager)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert reverse("vip:visit_announce", args=[visit.pk]) not in page
    assert reverse("vip:visit_cancel", args=[visit.pk]) not in page


def test_the_engineer_cancels_his_planned_visit_from_the_page(client, world, members):
    guangzhou, _changsha = members
    visit = open_visit(guangzhou)
    client.force_login(world.engineer)
    response = client.post(
        reverse("vip:visit_cancel", args=[visit.pk]), {"reason": "客户装修", "expected_version": visit.version}
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.state == VisitState.CANCELLED


def test_re_tiering_shows_a_preview_before_applying(client, world, vip):
    joins = CustomerFactory(city=world.city, name="番禺区人民医院")
    volume(joins, "750000")
    client.force_login(world.tech_head)

    preview = client.get(RETIER, {"year": YEAR})

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "番禺区人民医院" in page and "Joins" in page
    assert not VipMembership.objects.exists()

    response = client.post(RETIER, {"year": YEAR})
    assert response.status_code == 302
    assert VipMembership.objects.filter(customer=joins, is_active=True).exists()

    client.force_login(world.engineer)
    assert client.get(RETIER, {"year": YEAR}).status_code == 403
    assert client.post(RETIER, {"year": YEAR}).status_code == 403


@pytest.mark.parametrize(
    "role, view, edit",
    [
        (Role.TECH_HEAD, 200, 200),
        (Role.ADMIN, 200, 200),
        (Role.COMMERCE, 200, 403),
        (Role.ENGINEER, 200, 403),
        (Role.FINANCE, 403, 403),
        (Role.DEALER, 403, 403),
    ],
)
def test_tiers_are_edited_by_the_technical_head_and_admins(client, world, vip, role, view, edit):
    client.force_login(world.users[role])
    assert client.get(TIERS).status_code == view
    assert client.get(reverse("vip:tier_edit", args=[vip.gold.pk])).status_code == edit


def test_a_tier_edit_is_saved_through_the_page(client, world, vip):
    client.force_login(world.tech_head)
    response = client.post(
        reverse("vip:tier_edit", args=[vip.gold.pk]),
        {
            "code": "GOLD",
            "name": "Gold",
            "min_annual_volume": "900000",
            "visit_cycle_days": "45",
            "service_content": "",
            "position": "1",
            "expected_version": vip.gold.version,
        },
    )
    assert response.status_code == 302
    vip.gold.refresh_from_db()
    assert vip.gold.visit_cycle_days == 45


def test_commerce_enters_purchase_volumes_and_others_may_not(client, world, vip):
    client.force_login(world.commerce)
    data = {"customer": world.customer.pk, "year": YEAR, "amount": "654321.00", "note": "ERP"}
    assert client.post(reverse("vip:volume_add"), data).status_code == 302
    assert PurchaseVolume.objects.get(customer=world.customer, year=YEAR).amount == 654321
    duplicate = client.post(reverse("vip:volume_add"), data)
    assert duplicate.status_code == 200 and "already has a purchase volume" in duplicate.content.decode()
    client.force_login(world.engineer)
    assert client.get(VOLUMES).status_code == 403
    client.force_login(world.sales)
    assert client.get(VOLUMES).status_code == 200
    assert client.get(reverse("vip:volume_add")).status_code == 403


def test_sales_see_only_their_customers_volumes(client, world, vip):
    volume(world.customer, "100")
    volume(vip.hunan, "200")
    client.force_login(world.sales)
    page = client.get(VOLUMES, {"year": YEAR}).content.decode()
    assert world.customer.name in page and vip.hunan.name not in page


def test_purchase_volumes_go_out_to_excel_and_come_back_in(client, world, vip):
    import openpyxl

    volume(world.customer, "1234567.8")
    client.force_login(world.commerce)
    export = client.get(reverse("vip:volume_export"))
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("客户编码", "客户名称", "年度", "进货额(元)")
    assert rows[1][0] == world.customer.code and rows[1][2] == YEAR

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["客户编码", "年度", "进货额(元)", "备注"])
    ws.append([world.customer.code, YEAR, 2000000, "更正"])
    ws.append([vip.hunan.code, YEAR, "880,000.50", ""])
    ws.append([vip.hunan.code, YEAR - 1, 10, ""])
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    upload.name = "volumes.xlsx"
    response = client.post(reverse("vip:volume_import"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    token = response["Location"].split("token=")[1]
    done = client.post(reverse("vip:volume_import"), {"token": token, "confirm": "1"})
    assert done.status_code == 302
    assert PurchaseVolume.objects.get(customer=world.customer, year=YEAR).amount == 2000000
    assert PurchaseVolume.objects.get(customer=vip.hunan, year=YEAR).amount == 880000.50
    assert PurchaseVolume.objects.filter(customer=vip.hunan).count() == 2
