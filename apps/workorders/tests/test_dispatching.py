"""Dispatch suggestions, the dispatch page and the dispatch board (SPEC WO-4 … WO-6, WO-15)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.models import Qualification
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.catalog.tests.factories import InstrumentModelFactory
from apps.customers.tests.factories import CustomerFactory
from apps.instruments.tests.factories import InstrumentFactory
from apps.workorders import services
from apps.workorders.choices import Billing, EventKind, Status, Urgency, WorkType
from apps.workorders.dispatching import dispatch_board, haversine_km, suggest_engineers
from apps.workorders.models import PaidService, WorkOrder
from apps.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 29)


def _engineer(username, regions, skills=("hw_hba1c",), **kwargs):
    return UserFactory(
        username=username, name=username, role=Role.ENGINEER, regions=regions, skill_groups=skills, **kwargs
    )


def _qualify(engineer, model, *, until=dt.date(2027, 3, 31), since=dt.date(2024, 4, 1)):
    return Qualification.objects.create(engineer=engineer, instrument_model=model, valid_from=since, valid_until=until)


@pytest.fixture
def world(db):
    jiangsu = ProvinceFactory(name="江苏省")
    nanjing = CityFactory(name="南京市", parent=jiangsu)
    suzhou = CityFactory(name="苏州市", parent=jiangsu)
    shanghai_p = ProvinceFactory(name="上海市")
    shanghai = CityFactory(name="上海市", parent=shanghai_p)
    model = InstrumentModelFactory(code="YH-30", family="hba1c")
    sales = UserFactory(role=Role.SALES, username="sales")
    customer = CustomerFactory(
        name="南京市第一人民医院",
        city=nanjing,
        responsible_sales=sales,
        latitude=Decimal("32.060000"),
        longitude=Decimal("118.790000"),
    )
    instrument = InstrumentFactory(customer=customer, model=model)
    # Engineers' bases: the customers they are responsible for.
    resident = _engineer("resident", [jiangsu])
    remote = _engineer("remote", [shanghai])
    CustomerFactory(city=suzhou, responsible_engineer=resident, latitude=Decimal("31.30"), longitude=Decimal("120.60"))
    CustomerFactory(city=shanghai, responsible_engineer=remote, latitude=Decimal("31.23"), longitude=Decimal("121.47"))
    _qualify(resident, model)
    _qualify(remote, model)
    head = UserFactory(role=Role.TECH_HEAD, username="head")
    manager = UserFactory(role=Role.CUSTOMER_MANAGER, username="cm_js", regions=[jiangsu])
    other_manager = UserFactory(role=Role.CUSTOMER_MANAGER, username="cm_sh", regions=[shanghai_p])
    return SimpleNamespace(
        jiangsu=jiangsu,
        nanjing=nanjing,
        shanghai=shanghai,
        shanghai_p=shanghai_p,
        model=model,
        sales=sales,
        customer=customer,
        instrument=instrument,
        resident=resident,
        remote=remote,
        head=head,
        manager=manager,
        other_manager=other_manager,
    )


def _order(world, **kwargs):
    kwargs.setdefault("customer", world.customer)
    kwargs.setdefault("instrument", world.instrument)
    return WorkOrderFactory(**kwargs)


def _names(suggestions):
    return [s.engineer.username for s in suggestions]


# --- ranking ---------------------------------------------------------------------------------


def test_a_resident_skilled_qualified_engineer_ranks_above_one_from_another_region(world):
    order = _order(world, status=Status.APPROVED)

    suggestions = suggest_engineers(order=order, on=ON)

    assert _names(suggestions) == ["resident", "remote"]
    best, other = suggestions
    assert best.score > other.score
    assert best.resident and best.skilled and best.qualified
    assert not other.resident


def test_each_suggestion_says_why_it_is_ranked_there(world):
    order = _order(world, status=Status.APPROVED)

    best, other = suggest_engineers(order=order, on=ON)

    assert "resident in 江苏省" in best.reasons
    assert "qualified for YH-30 until 2027-03-31" in best.reasons
    assert "no open jobs" in best.reasons
    assert any(r.startswith("skill group: ") for r in best.reasons)
    assert any(r.startswith("≈ ") and r.endswith(" km") for r in best.reasons)
    assert "not resident here — covers 上海市" in other.reasons
    # Suzhou → Nanjing is about 190 km, Shanghai → Nanjing about 270 km.
    assert 150 < best.distance_km < 230 < other.distance_km < 320


def test_a_city_resident_is_named_by_his_city(world):
    city_man = _engineer("city_man", [world.nanjing])
    order = _order(world, status=Status.APPROVED)

    suggestion = next(s for s in suggest_engineers(order=order, on=ON) if s.engineer == city_man)

    assert "resident in 南京市" in suggestion.reasons


def test_an_expired_qualification_is_named_and_costs_the_points(world):
    expired = _engineer("expired", [world.jiangsu])
    _qualify(expired, world.model, until=dt.date(2026, 1, 31))
    _engineer("unqualified", [world.jiangsu])
    order = _order(world, status=Status.APPROVED)

    suggestions = {s.engineer.username: s for s in suggest_engineers(order=order, on=ON)}

    assert "qualification for YH-30 expired on 2026-01-31" in suggestions["expired"].reasons
    assert suggestions["expired"].qualified is False
    assert "no qualification for YH-30" in suggestions["unqualified"].reasons
    assert suggestions["resident"].score > suggestions["expired"].score


def test_open_jobs_lower_the_rank(world):
    busy = _engineer("busy", [world.jiangsu])
    _qualify(busy, world.model)
    CustomerFactory(
        city=world.nanjing, responsible_engineer=busy, latitude=Decimal("32.05"), longitude=Decimal("118.78")
    )
    order = _order(world, status=Status.APPROVED)
    assert _names(suggest_engineers(order=order, on=ON))[0] == "busy", "nearer, as good, idle: first"

    for status in (Status.DISPATCHED, Status.SCHEDULED, Status.ON_SITE):
        _order(world, status=status, engineer=busy)
    _order(world, status=Status.CLOSED, engineer=busy)  # a closed job is no load

    suggestions = {s.engineer.username: s for s in suggest_engineers(order=order, on=ON)}
    assert suggestions["busy"].load == 3
    assert "3 open jobs" in suggestions["busy"].reasons
    assert suggestions["busy"].score < suggestions["resident"].score
    assert _names(suggest_engineers(order=order, on=ON))[0] == "resident"


def test_without_a_resident_engineer_the_others_are_still_suggested(world):
    far_customer = CustomerFactory(city=CityFactory(name="拉萨市"))
    order = WorkOrderFactory(customer=far_customer, instrument=None, status=Status.APPROVED)

    suggestions = suggest_engineers(order=order, on=ON)

    assert set(_names(suggestions)) == {"resident", "remote"}
    assert not any(s.resident for s in suggestions)
    assert "no instrument model on the order: qualification not checked" in suggestions[0].reasons
    assert "distance unknown: the customer has no coordinates (no penalty)" in suggestions[0].reasons


def test_the_engineer_who_has_the_job_is_not_suggested_again(world):
    order = _order(world, status=Status.DISPATCHED, engineer=world.resident)

    assert _names(suggest_engineers(order=order, on=ON)) == ["remote"]


def test_ranking_takes_the_same_number_of_queries_for_2_or_12_engineers(world):
    order = _order(world, status=Status.APPROVED)
    order = WorkOrder.objects.select_related("customer", "instrument_model").get(pk=order.pk)
    _engineer("regional", [world.jiangsu])  # based on his region's customers (one more query)
    with CaptureQueriesContext(connection) as few:
        suggest_engineers(order=order, on=ON)
    for i in range(9):
        engineer = _engineer(f"more{i}", [world.jiangsu if i % 2 else world.shanghai])
        _qualify(engineer, world.model)
        _order(world, status=Status.DISPATCHED, engineer=engineer)
    with CaptureQueriesContext(connection) as many:
        result = suggest_engineers(order=order, on=ON, limit=0)
    assert len(result) == 12
    assert len(many) == len(few) <= 6


def test_haversine_knows_nanjing_to_shanghai():
    assert 260 < haversine_km((32.06, 118.79), (31.23, 121.47)) < 280


# --- the dispatch page -----------------------------------------------------------------------


def _url(order, mode=""):
    url = reverse("workorders:dispatch", args=[order.pk])
    return f"{url}?mode={mode}" if mode else url


def _post(client, order, mode="", **data):
    data.setdefault("expected_version", order.version)
    if mode:
        data["mode"] = mode
    return client.post(_url(order, mode), data)


def test_sales_may_not_open_the_dispatch_page(world, client):
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.sales)

    assert client.get(_url(order)).status_code == 403
    assert _post(client, order, engineer=world.resident.pk).status_code == 403
    order.refresh_from_db()
    assert order.engineer is None


def test_the_technical_head_sees_the_ranked_engineers_and_dispatches(world, client):
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.head)

    page = client.get(_url(order))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("resident in 江苏省") < html.index("not resident here")
    assert "qualified for YH-30 until 2027-03-31" in html

    response = _post(client, order, engineer=world.resident.pk, reason="请今天联系客户")

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert order.engineer == world.resident and order.dispatched_by == world.head
    assert order.events.filter(kind=EventKind.DISPATCH).exists()


def test_another_engineer_can_be_picked_from_the_full_list(world, client):
    somebody = _engineer("somebody", [world.shanghai], skills=())
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.head)

    response = _post(client, order, engineer=world.resident.pk, other_engineer=somebody.pk)

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.engineer == somebody


def test_no_engineer_chosen_is_a_field_error(world, client):
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.head)

    response = _post(client, order, reason="x")

    assert response.status_code == 200
    assert "Choose the engineer." in response.content.decode()


def test_arrears_without_agreement_is_a_field_error_and_the_input_is_kept(world, client):
    world.customer.in_arrears = True
    world.customer.save()
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.head)

    page = client.get(_url(order))
    assert "The customer is in arrears." in page.content.decode()
    response = _post(client, order, engineer=world.resident.pk, reason="带上备件 XYZ-123")

    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "带上备件 XYZ-123" in html
    order.refresh_from_db()
    assert order.status == Status.APPROVED

    response = _post(client, order, engineer=world.resident.pk, arrears_agreement="销售李经理电话同意")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.arrears_agreement == "销售李经理电话同意" and order.arrears_agreed_by == world.head


def test_a_stale_form_is_refused_with_the_input_kept(world, client):
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.head)

    response = _post(client, order, engineer=world.resident.pk, reason="旧版本", expected_version=order.version - 1)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html
    assert "旧版本" in html
    assert f'name="expected_version" value="{order.version}"' in html
    order.refresh_from_db()
    assert order.status == Status.APPROVED


def test_dispatching_an_order_that_is_not_approved_is_refused_with_409(world, client):
    order = _order(world, status=Status.NEW)
    client.force_login(world.head)

    response = _post(client, order, mode="dispatch", engineer=world.resident.pk)

    assert response.status_code == 409
    assert "cannot be moved" in response.content.decode()
    assert "?mode=emergency" in response.content.decode(), "the possible move is offered"


def test_emergency_dispatch_needs_a_reason_and_flags_the_missing_application(world, client):
    order = _order(world, status=Status.NEW, urgency=Urgency.URGENT)
    client.force_login(world.head)
    page = client.get(_url(order, "emergency"))
    assert "application missing" in page.content.decode()

    response = _post(client, order, mode="emergency", engineer=world.resident.pk)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()

    response = _post(client, order, mode="emergency", engineer=world.resident.pk, reason="主任电话催促，王总同意")
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED and order.emergency and order.application_missing


def test_a_paid_order_without_a_confirmed_deposit_is_not_offered_for_dispatch(world, client):
    order = _order(world, status=Status.PENDING_APPROVAL, billing=Billing.PAID)
    PaidService.objects.create(work_order=order)
    client.force_login(world.head)

    page = client.get(_url(order, "emergency"))
    assert "finance has not confirmed" in page.content.decode()
    assert 'name="engineer"' not in page.content.decode()

    response = _post(client, order, mode="emergency", engineer=world.resident.pk, reason="急")
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL


def test_the_customer_manager_of_the_orders_region_reallocates(world, client):
    order = _order(world, status=Status.DISPATCHED, engineer=world.remote)
    client.force_login(world.manager)

    page = client.get(_url(order, "reallocate"))
    assert page.status_code == 200
    response = _post(client, order, mode="reallocate", engineer=world.resident.pk, reason="本地工程师更近")

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.engineer == world.resident and order.status == Status.DISPATCHED
    assert order.events.filter(kind=EventKind.REALLOCATION).exists()


def test_a_customer_manager_of_another_region_may_not_reallocate(world, client):
    # The order's engineer belongs to the other manager's region, so he can see the order.
    world.shanghai_p.customer_manager = world.other_manager
    world.shanghai_p.save()
    order = _order(world, status=Status.DISPATCHED, engineer=world.remote)
    client.force_login(world.other_manager)

    assert client.get(_url(order, "reallocate")).status_code in (403, 404)
    response = _post(client, order, mode="reallocate", engineer=world.resident.pk, reason="想换人")

    assert response.status_code in (403, 404)
    order.refresh_from_db()
    assert order.engineer == world.remote


def test_a_customer_manager_may_not_dispatch(world, client):
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.manager)

    assert client.get(_url(order, "dispatch")).status_code == 403


def test_an_order_out_of_scope_is_not_found(world, client):
    order = _order(world, status=Status.APPROVED)
    client.force_login(world.other_manager)

    assert client.get(_url(order, "reallocate")).status_code == 404


# --- the board -------------------------------------------------------------------------------


def _board_world(world, n):
    """n orders in every board column, some with real clocks (registered through the service)."""
    clerk = UserFactory(role=Role.CLERK)
    now = timezone.now()
    for i in range(n):
        for status in (Status.NEW, Status.PENDING_APPROVAL, Status.APPROVED):
            _order(world, status=status)
        _order(world, status=Status.DISPATCHED, engineer=world.resident, on_hold=bool(i % 2), hold_reason="等配件")
        _order(world, status=Status.SCHEDULED, engineer=world.remote, appointment_at=now + dt.timedelta(minutes=5))
        _order(world, status=Status.ON_SITE, engineer=world.resident, application_missing=True, emergency=True)
        services.workorder_create(
            actor=clerk,
            customer=world.customer,
            instrument=world.instrument,
            work_type=WorkType.REPAIR,
            urgency=Urgency.URGENT,
            description="无法开机",
        )


def test_the_board_takes_the_same_number_of_queries_for_few_or_many_orders(world, client):
    client.force_login(world.head)
    _board_world(world, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("workorders:board")).status_code == 200
    _board_world(world, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("workorders:board"))
    assert response.status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"][:300] for q in many.captured_queries)


def test_engineers_and_sales_may_not_open_the_board(world, client):
    for user in (world.resident, world.sales):
        client.force_login(user)
        assert client.get(reverse("workorders:board")).status_code == 403


def test_the_board_shows_todays_open_jobs_in_columns_with_flags_and_clocks(world, client):
    now = timezone.now()
    clerk = UserFactory(role=Role.CLERK)
    urgent = services.workorder_create(
        actor=clerk,
        customer=world.customer,
        instrument=world.instrument,
        work_type=WorkType.REPAIR,
        urgency=Urgency.URGENT,
        description="急诊生化仪停机",
        at=now - dt.timedelta(days=3),  # its clocks are long overdue
    )
    calm = _order(world, status=Status.NEW)
    missing = _order(world, status=Status.DISPATCHED, engineer=world.resident, emergency=True, application_missing=True)
    later = _order(world, status=Status.SCHEDULED, engineer=world.remote, appointment_at=now + dt.timedelta(days=3))
    done = _order(world, status=Status.CLOSED)
    client.force_login(world.head)

    board = dispatch_board(user=world.head, now=now)
    columns = {c.key: c for c in board.columns}
    assert [c.order for c in columns["new"].cards] == [urgent, calm], "the overdue first"
    assert columns["new"].cards[0].overdue and columns["new"].cards[0].clocks
    assert [c.order for c in columns["dispatched"].cards] == [missing]
    assert "application missing" in columns["dispatched"].cards[0].flags
    shown = {card.order for c in board.columns for card in c.cards}
    assert later not in shown and done not in shown, "future visits and closed orders stay off"
    assert world.resident in [row.engineer for row in board.engineers]

    html = client.get(reverse("workorders:board")).content.decode()
    assert urgent.number in html and "sla-clock" in html and "application missing" in html
    assert f"{reverse('workorders:dispatch', args=[urgent.pk])}?mode=emergency" in html


def test_a_full_column_shows_how_many_more_there_are(world):
    for _ in range(15):
        _order(world, status=Status.APPROVED)

    board = dispatch_board(user=world.head)

    column = next(c for c in board.columns if c.key == "approved")
    assert column.total == 15 and len(column.cards) == 12 and column.more == 3
    assert column.more_url == f"{reverse('workorders:list')}?state=approved"
    narrowed = dispatch_board(user=world.head, region_id=world.nanjing.pk)
    assert narrowed.columns[2].more_url.endswith(f"?state=approved&province={world.jiangsu.pk}")


def test_a_customer_manager_sees_his_regions_and_can_filter_by_region(world, client):
    ours = _order(world, status=Status.APPROVED)
    theirs = WorkOrderFactory(customer=CustomerFactory(city=world.shanghai), status=Status.APPROVED)
    client.force_login(world.manager)

    html = client.get(reverse("workorders:board")).content.decode()
    assert ours.number in html and theirs.number not in html
    assert "remote" not in [row.engineer.username for row in dispatch_board(user=world.manager).engineers]

    client.force_login(world.head)
    html = client.get(reverse("workorders:board"), {"region": world.shanghai_p.pk}).content.decode()
    assert theirs.number in html and ours.number not in html


def test_the_refresh_returns_only_the_board_body(world, client):
    _order(world, status=Status.APPROVED)
    client.force_login(world.head)

    page = client.get(reverse("workorders:board")).content.decode()
    assert 'hx-trigger="every 60s"' in page
    partial = client.get(reverse("workorders:board"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "board-column" in partial


def test_a_poct_specialist_is_no_skill_match_for_a_biochemistry_repair():
    from apps.workorders import policies

    assert policies.skills_for("repair", "biochem") == ("hw_biochem_repair",)
    assert policies.skills_for("repair", "poct") == ("hw_poct",)
    # Unknown family: every hardware group of the work type still fits.
    assert policies.skills_for("repair", None) == ("hw_biochem_repair", "hw_hba1c", "hw_poct")
    # Application work is not narrowed by the family.
    assert policies.skills_for("app_new_project", "biochem") == ("app_reagent",)
