"""Regressions found in review of issue 4 (surveys)."""

import datetime as dt

import pytest

from apps.surveys import services
from apps.surveys.choices import SurveyChannel, SurveyState
from apps.surveys.tests._helpers import refreshed, sheet, survey_for
from apps.workorders import services as wo_services
from apps.workorders.tests._world import MONDAY, register, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_survey_the_customer_answered_while_the_job_was_being_reopened_stays_answered(world, monkeypatch):
    order = register(world)
    wo_services.workorder_resolve_remotely(order=order, actor=world.clerk, solution="远程解决", at=MONDAY)
    survey = survey_for(world, order)
    lock = services._lock_survey

    def customer_answers_first(survey_, expected_version=None):
        # The customer submits the link while the reopen has read the survey as pending.
        monkeypatch.setattr(services, "_lock_survey", lock)
        services.survey_answer(
            survey=survey_,
            actor=None,
            channel=SurveyChannel.LINK,
            link_nonce=survey_.link_nonce,
            answers=sheet(),
            respondent_name="张主任",
            at=MONDAY + dt.timedelta(minutes=30),
        )
        return lock(survey_, expected_version)

    monkeypatch.setattr(services, "_lock_survey", customer_answers_first)
    wo_services.workorder_reopen(order=order, actor=world.clerk, reason="又报警", at=MONDAY + dt.timedelta(hours=1))

    survey = refreshed(survey)
    assert survey.state == SurveyState.ANSWERED
    assert survey.answers.count() > 0
