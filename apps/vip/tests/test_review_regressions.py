"""Regressions found in review of issue 4 (VIP visits)."""

import datetime as dt

import pytest

from apps.vip.choices import VisitState
from apps.vip.models import VipVisit
from apps.vip.tests._vip import announce, local, make_member, open_visit, plan, vip_fixture, world_fixture  # noqa: F401
from apps.workorders import services as workorders
from apps.workorders.tests._world import walk

pytestmark = pytest.mark.django_db


def test_a_visit_order_solved_by_phone_then_reopened_and_visited_counts_as_the_members_visit(world, vip):
    membership = make_member(world)
    plan(dt.date(2026, 7, 1))
    visit = announce(world, open_visit(membership), at=local(2026, 7, 2, 10, 0))
    order = workorders.workorder_resolve_remotely(
        order=visit.work_order, actor=world.clerk, solution="电话指导", at=local(2026, 7, 2, 11, 0)
    )
    plan(dt.date(2026, 7, 3))  # the daily job releases the visit (no visit took place) and plans anew
    assert VipVisit.objects.get(pk=visit.pk).state == VisitState.CANCELLED
    workorders.workorder_reopen(order=order, actor=world.clerk, reason="客户要求上门", at=local(2026, 7, 3, 9, 0))

    walk(world, order, "completed", at=local(2026, 7, 6, 9, 0))

    membership.refresh_from_db()
    assert membership.last_visit_on == dt.date(2026, 7, 6)
    done = VipVisit.objects.get(pk=visit.pk)
    assert done.state == VisitState.DONE and done.work_order == order and done.done_at is not None
    # The visit planned after the release moves a cycle on (due 10-04, before the holidays).
    assert open_visit(membership).planned_on == dt.date(2026, 9, 30)
