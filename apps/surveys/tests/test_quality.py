"""Service quality per engineer (SPEC SQ-4): the raters' scores and the surveys of his jobs make
one monthly record, computed here by hand on a small example."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.core.exceptions import ConflictError
from apps.surveys import selectors, services
from apps.surveys.choices import RaterGroup
from apps.surveys.models import EngineerRating
from apps.surveys.tests._helpers import answer, completed_job, survey_for
from apps.workorders.tests._world import local, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

JUNE = dt.date(2026, 6, 1)
END_OF_JUNE = local(2026, 6, 30, 17, 0)


def rate(rater, engineer, scores, *, month=JUNE, at=END_OF_JUNE, comment=""):
    attitude, professional, conduct = scores
    return services.rating_save(
        actor=rater,
        engineer=engineer,
        month=month,
        attitude=attitude,
        professional=professional,
        conduct=conduct,
        comment=comment,
        at=at,
    )


@pytest.fixture
def june(world):
    """The hand-computed example of the module docstring."""
    rate(world.tech_head, world.engineer, (5, 4, 5))  # technical head's phone survey
    rate(world.marketing_head, world.engineer, (4, 4, 4))  # leaders: means 4, 4, 3
    rate(world.general_manager, world.engineer, (4, 4, 2))
    # sales: world.sales is the customer's sales person and the engineer served the customer
    completed_job(world)
    rate(world.sales, world.engineer, (3, 5, 4))
    good = survey_for(world, completed_job(world, at=local(2026, 6, 9)))
    answer(good, actor=world.clerk, overall=5)
    bad = survey_for(world, completed_job(world, at=local(2026, 6, 10)))
    answer(bad, actor=world.clerk, overall=2)
    # Not June, or not his: left out.
    july = survey_for(world, completed_job(world, at=local(2026, 7, 6)))
    answer(july, actor=world.clerk, overall=1)
    other = survey_for(world, completed_job(world, at=local(2026, 6, 11), engineer=world.engineer2))
    answer(other, actor=world.clerk, overall=1)
    return world


def record_of(user, engineer, month=JUNE):
    (record,) = [r for r in selectors.engineer_quality(user=user, month=month) if r.engineer == engineer]
    return record


def test_the_monthly_record_combines_ratings_and_surveys_as_computed_by_hand(june):
    record = record_of(june.tech_head, june.engineer)
    groups = {g.group: g for g in record.groups}
    head = groups[RaterGroup.TECH_HEAD]
    assert (head.attitude, head.professional, head.conduct) == (Decimal("5.00"), Decimal("4.00"), Decimal("5.00"))
    assert groups[RaterGroup.LEADER].count == 2
    assert groups[RaterGroup.LEADER].conduct == Decimal("3.00")
    assert groups[RaterGroup.SALES].professional == Decimal("5.00")
    # attitude 0.4·5 + 0.3·4 + 0.3·3 = 4.1; professional 0.4·4 + 0.3·4 + 0.3·5 = 4.3;
    # conduct 0.4·5 + 0.3·3 + 0.3·4 = 4.1
    assert (record.attitude, record.professional, record.conduct) == (Decimal("4.10"), Decimal("4.30"), Decimal("4.10"))
    assert record.ratings == 4
    # two June surveys of his jobs: overall 5 and 2 → 3.5, one with a dissatisfied score
    assert (record.answered, record.average_overall, record.dissatisfied) == (2, Decimal("3.50"), 1)
    # 0.3·4.1 + 0.3·4.3 + 0.2·4.1 + 0.2·3.5 = 4.04 → 80.8 of 100, less 2 for the dissatisfied survey
    assert record.penalty == Decimal("2")
    assert record.score == Decimal("78.80")


def test_an_engineer_without_data_has_no_score_and_sorts_last(june):
    records = selectors.engineer_quality(user=june.tech_head, month=JUNE, sort="-score")
    assert records[0].engineer == june.engineer
    idle = [r for r in records if r.engineer == june.other_engineer][0]
    assert idle.score is None
    assert records[-1].score is None


def test_the_engineer_sees_only_his_own_record(june, client):
    assert [r.engineer for r in selectors.engineer_quality(user=june.engineer, month=JUNE)] == [june.engineer]
    assert selectors.engineer_quality(user=june.engineer, month=JUNE, engineer_id=june.engineer2.pk) == []
    client.force_login(june.engineer2)
    page = client.get(reverse("surveys:quality"), {"month": "2026-06"}).content.decode()
    assert str(june.engineer) not in page
    client.force_login(june.tech_head)
    page = client.get(reverse("surveys:quality"), {"month": "2026-06", "sort": "-score"}).content.decode()
    assert str(june.engineer) in page and "78.80" in page


def test_sales_and_clerks_do_not_read_the_records(june, client):
    assert selectors.engineer_quality(user=june.sales, month=JUNE) == []
    client.force_login(june.clerk)
    assert client.get(reverse("surveys:quality")).status_code == 403


def test_one_rating_per_rater_engineer_and_month_changed_with_its_version(world):
    rating = rate(world.tech_head, world.engineer, (4, 4, 4))
    assert rating.rater_group == RaterGroup.TECH_HEAD
    with pytest.raises(ConflictError):
        rate(world.tech_head, world.engineer, (5, 5, 5))
    changed = services.rating_save(
        actor=world.tech_head,
        engineer=world.engineer,
        month=dt.date(2026, 6, 17),  # any day names its month
        attitude=5,
        professional=4,
        conduct=4,
        expected_version=rating.version,
        at=END_OF_JUNE,
    )
    assert changed.pk == rating.pk and changed.version == rating.version + 1 and changed.attitude == 5
    with pytest.raises(ConflictError):
        services.rating_save(
            actor=world.tech_head,
            engineer=world.engineer,
            month=JUNE,
            attitude=1,
            professional=1,
            conduct=1,
            expected_version=rating.version,
            at=END_OF_JUNE,
        )
    assert EngineerRating.objects.get().attitude == 5


def test_who_may_rate_whom(world):
    with pytest.raises(PermissionDenied):
        rate(world.clerk, world.engineer, (5, 5, 5))
    with pytest.raises(PermissionDenied):
        rate(world.engineer2, world.engineer, (5, 5, 5))
    with pytest.raises(ValidationError) as refused:
        rate(world.sales, world.engineer, (5, 5, 5))  # has not served his customers yet
    assert "engineer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        rate(world.tech_head, world.clerk, (5, 5, 5))
    assert "engineer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        rate(world.tech_head, world.engineer, (5, 6, 0), month=dt.date(2026, 8, 1))
    assert set(refused.value.message_dict) == {"month", "professional", "conduct"}
    leader = rate(world.general_manager, world.engineer, (4, 4, 4))
    assert leader.rater_group == RaterGroup.LEADER


def test_the_rating_page_saves_and_shows_the_record(world, client, settings):
    admin = UserFactory(role=Role.ADMIN, username="admin2")
    client.force_login(admin)
    this_month = selectors.current_month().strftime("%Y-%m")
    response = client.post(
        reverse("surveys:rating_add"),
        {"engineer": world.engineer.pk, "month": this_month, "attitude": "5", "professional": "4", "conduct": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rating = EngineerRating.objects.get()
    assert (rating.rater, rating.attitude, rating.conduct) == (admin, 5, 3)
    edit = client.get(reverse("surveys:rating_edit", args=[rating.pk]))
    assert edit.status_code == 200
    client.force_login(world.tech_head)  # another rater's rating is not his to edit
    assert client.get(reverse("surveys:rating_edit", args=[rating.pk])).status_code == 404
