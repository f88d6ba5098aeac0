"""Clocks as pages and boards show them: one query for a page of subjects, a status with its
colour, business time left, and the overdue board scoped to what the user may see."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from apps.accounts.choices import Role
from apps.accounts.tests.factories import CityFactory, ProvinceFactory, UserFactory
from apps.customers.tests.factories import CustomerFactory
from apps.sla import selectors, services
from apps.sla.choices import ClockStatus, PauseKind
from apps.sla.tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
H = dt.timedelta(hours=1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def clerk():
    return UserFactory(role=Role.CLERK)


@pytest.fixture
def four_hours():
    return SlaPolicyFactory(name="Repair: engineer contacts the customer", duration=4 * H, warn_before=H)


def start(subject, policy, started_at, actor, **kwargs):
    return services.clock_start(subject=subject, policy_code=policy.code, started_at=started_at, actor=actor, **kwargs)


def view_at(clock, now):
    clock = type(clock).objects.select_related("policy", "calendar").get(pk=clock.pk)
    return selectors.clock_view(clock, now=now)


def test_the_clocks_of_a_page_of_subjects_come_in_one_query(clerk, four_hours):
    other = SlaPolicyFactory()
    hospitals = [CustomerFactory() for _i in range(3)]
    for hospital in hospitals[:2]:
        start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    start(hospitals[0], other, at(2026, 10, 16, 10), clerk)
    with CaptureQueriesContext(connection) as queries:
        clocks = selectors.clocks_for(hospitals)
        labels = {pk: [c.policy.label for c in rows] for pk, rows in clocks.items()}
    assert len(queries) == 1
    assert labels == {hospitals[0].pk: [four_hours.label, other.label], hospitals[1].pk: [four_hours.label]}
    with CaptureQueriesContext(connection) as queries:
        views = selectors.clock_views_for(hospitals, now=at(2026, 10, 16, 11))
    assert len(queries) == 2  # the clocks; the office calendar's 2026 day overrides, once for all rows
    assert [v.label for v in views[hospitals[0].pk]] == [four_hours.label, other.label]
    assert all(view.status == ClockStatus.OK for row in views.values() for view in row)


def test_a_clock_shows_business_time_left_and_turns_amber_then_red(clerk, four_hours):
    clock = start(CustomerFactory(), four_hours, at(2026, 10, 16, 16), clerk)  # Friday; due Monday 11:00
    friday_evening = view_at(clock, at(2026, 10, 16, 17))
    assert (friday_evening.status, friday_evening.remaining) == (ClockStatus.OK, 3 * H)  # 0.5 h + 2.5 h on Monday
    assert friday_evening.css_class == "sla-ok ok"
    assert friday_evening.remaining_display == "3 h left"
    monday = view_at(clock, at(2026, 10, 19, 10, 30))
    assert (monday.status, monday.remaining, monday.css_class) == (ClockStatus.WARNING, 0.5 * H, "sla-warning warn")
    late = view_at(clock, at(2026, 10, 19, 14))
    assert (late.status, late.remaining) == (ClockStatus.BREACHED, -1.5 * H)  # 11:00–12:00, 13:30–14:00
    assert late.remaining_display == "1 h 30 min overdue" and "danger" in late.css_class


def test_a_paused_clock_shows_grey_with_its_reason_and_the_time_it_had_left(clerk, four_hours):
    clock = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_pause(
        clock=clock, at=at(2026, 10, 16, 10), reason="等配件到货", kind=PauseKind.WAITING_PARTS, actor=clerk
    )
    view = view_at(clock, at(2026, 10, 20, 9))
    assert (view.status, view.due_at, view.remaining, view.pause_reason) == (
        ClockStatus.PAUSED,
        None,
        3 * H,
        "等配件到货",
    )


def test_a_stopped_clock_shows_met_late_or_cancelled(clerk, four_hours):
    met = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_stop(clock=met, at=at(2026, 10, 16, 10), actor=clerk)
    late = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_stop(clock=late, at=at(2026, 10, 19, 10), actor=clerk)
    assert view_at(met, at(2026, 10, 20, 9)).status == ClockStatus.MET
    assert view_at(late, at(2026, 10, 20, 9)).status == ClockStatus.LATE
    hospital = CustomerFactory()
    cancelled = start(hospital, four_hours, at(2026, 10, 16, 9), clerk)
    services.clocks_cancel(subject=hospital, at=at(2026, 10, 16, 10), actor=clerk)
    view = view_at(cancelled, at(2026, 10, 20, 9))
    assert (view.status, view.css_class, view.remaining_display) == (ClockStatus.CANCELLED, "sla-cancelled", "")


def test_the_badges_render_each_clock_with_its_colour_due_time_and_reason(clerk, four_hours):
    running = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk)
    paused = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk)
    services.clock_pause(
        clock=paused, at=at(2026, 10, 16, 10), reason="客户实验室装修", kind=PauseKind.WAITING_CUSTOMER, actor=clerk
    )
    views = [view_at(running, at(2026, 10, 16, 15)), view_at(paused, at(2026, 10, 16, 15))]
    html = render_to_string("sla/_clock_badges.html", {"clock_views": views})
    assert html.count('class="badge sla-clock') == 2
    assert 'sla-breached danger" data-status="breached"' in html
    assert "10-16 14:30" in html and "30 min overdue" in html
    assert 'sla-paused" data-status="paused"' in html and "客户实验室装修" in html
    assert render_to_string("sla/_clock_badges.html", {"clock_views": []}).strip() == ""


def test_the_overdue_board_shows_each_user_the_clocks_he_may_see(clerk, four_hours):
    province_a, province_b = ProvinceFactory(), ProvinceFactory()
    city_a = CityFactory(parent=province_a)
    engineer_a = UserFactory(role=Role.ENGINEER, regions=[province_a])
    in_a = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk, region=city_a)
    in_b = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk, region=CityFactory(parent=province_b))
    own = start(CustomerFactory(), four_hours, at(2026, 10, 16, 9), clerk, owner=engineer_a)
    not_yet = start(CustomerFactory(), four_hours, at(2026, 10, 19, 9), clerk, region=city_a)
    now = at(2026, 10, 16, 15)

    def board(user, when=now, **kwargs):
        return {c.pk for c in selectors.overdue_clocks(user=user, now=when, **kwargs)}

    assert board(engineer_a) == {in_a.pk, own.pk}
    assert board(UserFactory(role=Role.TECH_HEAD)) == {in_a.pk, in_b.pk, own.pk}
    assert board(UserFactory(role=Role.SALES)) == set()
    # Monday's clock is due 14:30 and warns from 13:30: on the board with the near-breaches only.
    assert not_yet.pk in board(engineer_a, when=at(2026, 10, 19, 13, 45), include_warning=True)
    assert not_yet.pk not in board(engineer_a, when=at(2026, 10, 19, 13, 45))
