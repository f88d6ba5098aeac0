"""Test helpers of the surveys: a job walked to completion through the real work-order services
(apps/workorders/tests/_world.py), its survey, and answer sheets."""

from __future__ import annotations

import datetime as dt

from apps.surveys import services
from apps.surveys.choices import Item, SurveyChannel
from apps.workorders.choices import Status
from apps.workorders.tests._world import MONDAY, World, register, walk

COMPLETED_AT = MONDAY + dt.timedelta(hours=1)


def completed_job(w: World, *, at=MONDAY, engineer=None, customer=None, **kwargs):
    """A repair registered at `at` and walked to COMPLETED by the real services."""
    order = register(w, at=at, customer=customer, **kwargs)
    return walk(w, order, Status.COMPLETED, at=at + dt.timedelta(minutes=10), engineer=engineer)


def survey_for(w: World, order, *, at=None):
    """The job's survey (created by the completion hook, or here: the call is idempotent)."""
    order.refresh_from_db()
    actor = order.engineer or w.clerk
    return services.survey_create_for_work_order(order=order, actor=actor, at=at or order.completed_at)


def sheet(default=5, **scores) -> dict:
    """Answers for every item: `default` unless named (a score, "na", or (score, comment))."""
    answers = {}
    for item in Item.values:
        value = scores.get(item, default)
        comment = ""
        if isinstance(value, tuple):
            value, comment = value
        if value == "na":
            answers[item] = {"score": None, "not_applicable": True, "comment": comment}
        else:
            answers[item] = {"score": value, "not_applicable": False, "comment": comment}
    return answers


def answer(survey, *, actor, channel=SurveyChannel.PHONE, at=None, respondent="张主任", **scores):
    survey.refresh_from_db()
    return services.survey_answer(
        survey=survey,
        actor=actor,
        channel=channel,
        answers=sheet(**scores),
        respondent_name=respondent,
        respondent_position="检验科主任",
        expected_version=survey.version,
        at=at or survey.link_issued_at + dt.timedelta(hours=2),
    )


def refreshed(obj):
    obj.refresh_from_db()
    return obj
