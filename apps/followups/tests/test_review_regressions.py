"""Regressions found in review of issue 4: what a caller typed never turns into a server error,
and the pieces hanging from a job fit together."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.followups import services
from apps.followups.choices import Problem, Questionnaire, State
from apps.followups.models import FollowUp
from apps.survival.models import ProjectCheck
from apps.survival.tests._helpers import local, project, survival_world  # noqa: F401

pytestmark = pytest.mark.django_db


def _monthly_call(w):
    p = project(w, started_on=dt.date(2026, 4, 10), at=local(2026, 4, 20))
    check = p.checks.get(month=1)
    call = next(f for f in FollowUp.objects.filter(questionnaire=Questionnaire.NEW_PROJECT) if f.source == check)
    return p, check, call


@pytest.mark.parametrize("typed", ["1e400", "inf", "nan", "-inf"])
def test_a_number_that_is_not_a_finite_number_is_refused_under_its_question(world, typed):
    _p, _check, call = _monthly_call(world)
    with pytest.raises(ValidationError) as refused:
        services.followup_record(
            followup=call,
            actor=world.engineer,
            problem=Problem.NONE,
            answers={"in_use": "yes", "monthly_usage": typed},
            at=local(2026, 5, 10, 10),
        )
    assert "monthly_usage" in refused.value.message_dict
    call.refresh_from_db()
    assert call.state == State.PLANNED


def test_a_monthly_usage_too_large_to_store_is_refused_not_a_server_error(world):
    _p, check, call = _monthly_call(world)
    with pytest.raises(ValidationError) as refused:
        services.followup_record(
            followup=call,
            actor=world.engineer,
            problem=Problem.NONE,
            answers={"in_use": "yes", "monthly_usage": "99999999999999999999"},
            at=local(2026, 5, 10, 10),
        )
    assert "monthly_usage" in refused.value.message_dict
    assert ProjectCheck.objects.get(pk=check.pk).recorded_at is None


def test_a_reopened_remotely_solved_new_project_job_stops_its_tracking_and_the_real_completion_tracks_anew(world):
    from apps.survival.choices import ProjectState
    from apps.survival.models import NewProject
    from apps.workorders import services as wo_services
    from apps.workorders.choices import Status, WorkType
    from apps.workorders.tests._world import complete, register, walk

    order = register(world, work_type=WorkType.APP_NEW_PROJECT, description="新上胱抑素C项目", at=local(2026, 1, 5, 9))
    wo_services.workorder_resolve_remotely(
        order=order, actor=world.clerk, solution="电话指导设置参数", at=local(2026, 1, 5, 10)
    )
    first = NewProject.objects.get(work_order=order)
    calls = [f for f in FollowUp.objects.filter(questionnaire=Questionnaire.NEW_PROJECT) if f.source.project == first]
    assert len(calls) == 3

    wo_services.workorder_reopen(
        order=order, actor=world.clerk, reason="客户回电：项目仍未开展", at=local(2026, 1, 6, 9)
    )
    first.refresh_from_db()
    assert first.state == ProjectState.STOPPED  # not counted, no calls for a project that is not live
    assert "客户回电：项目仍未开展" in first.stop_reason
    assert {FollowUp.objects.get(pk=f.pk).state for f in calls} == {State.SUPERSEDED}

    walk(world, order, Status.ON_SITE, at=local(2026, 1, 12, 9))
    order.refresh_from_db()
    complete(order, actor=world.engineer, at=local(2026, 1, 14, 16))
    tracked = NewProject.objects.get(work_order=order)
    assert tracked.pk != first.pk and tracked.state == ProjectState.TRACKING
    assert tracked.started_on == dt.date(2026, 1, 14)
    assert NewProject.objects.filter(state=ProjectState.TRACKING).count() == 1


def test_stale_master_data_never_stops_the_engineer_from_completing_a_new_project_job(world):
    """The customer's sales person has since changed role, and the instrument moved to another
    customer: the job still completes, and the project is tracked without them."""
    from apps.accounts.choices import Role
    from apps.accounts.models import User
    from apps.instruments.models import Instrument
    from apps.survival.models import NewProject
    from apps.workorders.choices import Status, WorkType
    from apps.workorders.tests._world import complete, register, walk

    order = register(world, work_type=WorkType.APP_NEW_PROJECT, description="新上胱抑素C项目", at=local(2026, 1, 5, 9))
    walk(world, order, Status.ON_SITE, at=local(2026, 1, 5, 10))
    User.objects.filter(pk=world.sales.pk).update(role=Role.MARKETING_HEAD)
    Instrument.objects.filter(pk=world.instrument.pk).update(customer=world.changsha)
    order.refresh_from_db()

    complete(order, actor=world.engineer, at=local(2026, 1, 6, 16))

    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    tracked = NewProject.objects.get(work_order=order)
    assert tracked.sales is None and tracked.instrument is None
