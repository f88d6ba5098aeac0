"""Tiering customers by purchase volume (SPEC FU-5 1, 2): thresholds, boundaries, the fixed
engineer, leaving the programme, and the customer record's tier kept in step."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from apps.customers.choices import CustomerTier
from apps.customers.tests.factories import CustomerFactory
from apps.vip import selectors, services
from apps.vip.choices import EventKind, RetierChange, VisitState
from apps.vip.models import VipMembership, VipVisit
from apps.vip.tests._vip import (  # noqa: F401
    MONDAY,
    YEAR,
    announce,
    make_member,
    open_visit,
    plan,
    vip_fixture,
    volume,
    world_fixture,
)
from apps.workorders.choices import Status
from apps.workorders.models import WorkOrder


def _tier_of(customer):
    membership = VipMembership.objects.filter(customer=customer, is_active=True).select_related("tier").first()
    return membership.tier.code if membership else None


def test_customers_are_tiered_by_the_volume_of_the_year_with_thresholds_that_include_the_boundary(world, vip):
    city = world.city
    exactly_gold = CustomerFactory(city=city)
    just_below_gold = CustomerFactory(city=city)
    exactly_silver = CustomerFactory(city=city)
    just_below_silver = CustomerFactory(city=city)
    nothing_bought = CustomerFactory(city=city)
    only_last_year = CustomerFactory(city=city)
    volume(exactly_gold, "1000000.00")
    volume(just_below_gold, "999999.99")
    volume(exactly_silver, "500000.00")
    volume(just_below_silver, "499999.99")
    volume(only_last_year, "2000000", year=YEAR - 1)

    services.vip_retier(year=YEAR, actor=world.tech_head, at=MONDAY)

    assert _tier_of(exactly_gold) == "GOLD"
    assert _tier_of(just_below_gold) == "SILVER"
    assert _tier_of(exactly_silver) == "SILVER"
    assert _tier_of(just_below_silver) is None
    assert _tier_of(nothing_bought) is None
    assert _tier_of(only_last_year) is None
    for customer in (exactly_gold, just_below_gold, exactly_silver):
        customer.refresh_from_db()
        assert customer.tier == CustomerTier.VIP
    just_below_silver.refresh_from_db()
    assert just_below_silver.tier == CustomerTier.NORMAL


def test_a_deactivated_volume_row_does_not_count(world, vip):
    volume(world.customer, "800000", active=False)
    services.vip_retier(year=YEAR, actor=world.tech_head, at=MONDAY)
    assert _tier_of(world.customer) is None


def test_the_preview_counts_joiners_changes_and_leavers_and_changes_nothing(world, vip):
    stays = make_member(world, CustomerFactory(city=world.city), amount="600000")
    goes_up = make_member(world, CustomerFactory(city=world.city), amount="600000")
    leaves = make_member(world, CustomerFactory(city=world.city), amount="600000")
    joins = CustomerFactory(city=world.city)
    year = YEAR + 1
    volume(stays.customer, "550000", year=year)
    volume(goes_up.customer, "1500000", year=year)
    volume(leaves.customer, "10000", year=year)
    volume(joins, "700000", year=year)

    preview = selectors.retier_plan(year=year)

    assert (preview.joining, preview.changing, preview.leaving, preview.staying) == (1, 1, 1, 1)
    changes = {row.customer.pk: row.change for row in preview.rows}
    assert changes == {
        joins.pk: RetierChange.JOIN,
        goes_up.customer_id: RetierChange.CHANGE,
        leaves.customer_id: RetierChange.LEAVE,
    }
    assert not VipMembership.objects.filter(customer=joins).exists()
    leaves.refresh_from_db()
    assert leaves.is_active

    done = services.vip_retier(year=year, actor=world.tech_head, at=MONDAY)
    assert (done.joining, done.changing, done.leaving) == (1, 1, 1)
    assert _tier_of(joins) == "SILVER"
    assert _tier_of(goes_up.customer) == "GOLD"
    assert _tier_of(leaves.customer) is None


def test_re_tiering_again_on_the_same_year_changes_nothing(world, vip):
    make_member(world, amount="1200000")
    membership = VipMembership.objects.get(customer=world.customer)
    events = membership.events.count()

    again = services.vip_retier(year=YEAR, actor=world.tech_head, at=MONDAY + dt.timedelta(days=1))

    assert (again.joining, again.changing, again.leaving) == (0, 0, 0)
    membership.refresh_from_db()
    assert membership.events.count() == events
    assert membership.since == MONDAY.date()


def test_a_new_member_gets_the_customers_responsible_engineer_as_fixed_engineer(world, vip):
    membership = make_member(world)

    assert membership.engineer == world.engineer
    assert membership.since == dt.date(2026, 6, 8)
    assert (membership.basis_year, membership.basis_amount) == (YEAR, Decimal("600000.00"))
    # Never visited: the first visit within 30 days of joining (the tier's cycle is longer).
    assert membership.next_visit_due == dt.date(2026, 7, 8)
    assert membership.events.filter(kind=EventKind.JOINED).count() == 1
    from apps.workorders.tests._world import messages_for

    assert messages_for(world.engineer, contains="fixed engineer")


def test_the_customer_records_tier_is_written_with_history_and_a_new_version(world, vip):
    before = world.customer.version
    make_member(world)
    world.customer.refresh_from_db()
    assert world.customer.tier == CustomerTier.VIP
    assert world.customer.version == before + 1
    latest = world.customer.history.order_by("-history_date").first()
    assert latest.history_user == world.tech_head
    assert latest.tier == CustomerTier.VIP


def test_a_member_below_every_tier_leaves_with_its_planned_visit_cancelled_and_the_reason_shown(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = open_visit(membership)
    volume(world.customer, "120000", year=YEAR + 1)

    services.vip_retier(year=YEAR + 1, actor=world.tech_head, at=MONDAY + dt.timedelta(days=30))

    membership.refresh_from_db()
    visit.refresh_from_db()
    world.customer.refresh_from_db()
    assert not membership.is_active
    assert membership.left_on == dt.date(2026, 7, 8)
    assert world.customer.tier == CustomerTier.NORMAL
    assert visit.state == VisitState.CANCELLED
    assert "2026" in visit.cancel_reason and "120,000.00" in visit.cancel_reason
    removed = membership.events.get(kind=EventKind.REMOVED)
    assert "120,000.00" in removed.text and "cancelled" in removed.text
    assert membership.events.filter(kind=EventKind.VISIT_CANCELLED, visit=visit).exists()
    # Nobody plans visits for a former member.
    assert plan(dt.date(2026, 12, 1)).planned == 0


def test_a_leaver_whose_visit_was_announced_has_the_work_order_cancelled_too(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=MONDAY + dt.timedelta(days=20))
    order = visit.work_order

    volume(world.customer, "0", year=YEAR + 1)
    services.vip_retier(year=YEAR + 1, actor=world.tech_head, at=MONDAY + dt.timedelta(days=21))

    order.refresh_from_db()
    visit.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert "VIP" in order.closing_reason
    assert visit.state == VisitState.CANCELLED


def test_a_deactivated_customer_leaves_the_programme(world, vip):
    membership = make_member(world)
    world.customer.__class__.objects.filter(pk=world.customer.pk).update(is_active=False)
    services.vip_retier(year=YEAR, actor=world.tech_head, at=MONDAY)
    membership.refresh_from_db()
    assert not membership.is_active
    assert "deactivated" in membership.events.get(kind=EventKind.REMOVED).text


def test_a_member_who_returns_keeps_its_history_and_gets_a_fresh_start(world, vip):
    membership = make_member(world)
    volume(world.customer, "0", year=YEAR + 1)
    services.vip_retier(year=YEAR + 1, actor=world.tech_head, at=MONDAY)
    volume(world.customer, "1100000", year=YEAR + 2)

    services.vip_retier(year=YEAR + 2, actor=world.tech_head, at=MONDAY + dt.timedelta(days=365))

    again = VipMembership.objects.get(pk=membership.pk)
    assert again.is_active and again.tier == vip.gold
    assert again.since == dt.date(2027, 6, 8) and again.left_on is None
    assert again.engineer == world.engineer
    kinds = list(again.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [EventKind.JOINED, EventKind.REMOVED, EventKind.JOINED]


def test_a_changed_tier_re_dates_the_next_visit_by_the_new_cycle(world, vip):
    membership = make_member(world, amount="600000")
    VipMembership.objects.filter(pk=membership.pk).update(last_visit_on=dt.date(2026, 6, 1))
    volume(world.customer, "1000000", year=YEAR + 1)

    services.vip_retier(year=YEAR + 1, actor=world.tech_head, at=MONDAY)

    membership.refresh_from_db()
    assert membership.tier == vip.gold
    assert membership.next_visit_due == dt.date(2026, 7, 31)  # 2026-06-01 + 60 days
    assert membership.events.get(kind=EventKind.TIER_CHANGED).text.endswith("Silver → Gold")


def test_a_customer_flagged_vip_by_hand_without_membership_is_set_back_to_normal(world, vip):
    flagged = CustomerFactory(city=world.city, tier=CustomerTier.VIP)
    preview = selectors.retier_plan(year=YEAR)
    assert (flagged.pk, CustomerTier.NORMAL) in preview.flags_to_fix

    services.vip_retier(year=YEAR, actor=world.tech_head, at=MONDAY)

    flagged.refresh_from_db()
    assert flagged.tier == CustomerTier.NORMAL


def test_without_a_fixed_engineer_the_technical_head_is_told(world, vip):
    from apps.workorders.tests._world import messages_for

    orphan = CustomerFactory(city=world.city)
    membership = make_member(world, orphan)
    assert membership.engineer is None
    assert messages_for(world.tech_head, contains="no fixed engineer")


@pytest.mark.parametrize("role", ["engineer", "sales", "commerce", "customer_manager", "marketing_head"])
def test_only_the_technical_head_and_admins_re_tier(world, vip, role):
    with pytest.raises(PermissionDenied):
        services.vip_retier(year=YEAR, actor=world.users[role], at=MONDAY)


def test_nothing_but_the_plan_changes_when_no_visit_is_open(world, vip):
    make_member(world)
    assert not VipVisit.objects.exists()
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_every_installation_starts_with_the_default_tiers():
    from apps.vip.models import VipTier
    from apps.vip.policies import DEFAULT_TIERS

    tiers = {t.code: t for t in VipTier.objects.filter(is_active=True)}
    assert set(tiers) == {seed.code for seed in DEFAULT_TIERS}
    assert sorted(t.visit_cycle_days for t in tiers.values()) == [60, 90, 180]
