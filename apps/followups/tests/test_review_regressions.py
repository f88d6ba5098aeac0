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
