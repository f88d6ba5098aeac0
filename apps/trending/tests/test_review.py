"""The quality department reviews a signal: a CAPA opened and linked, or no action with the reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.complaints.models import Capa
from apps.complaints.services import capa_create
from apps.core.exceptions import ConflictError
from apps.trending import services
from apps.trending.tests._helpers import complaint, local, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

REVIEWED_AT = local(2026, 4, 3, 10)


@pytest.fixture
def signal(world):
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    (raised,) = services.trend_scan(now=local(2026, 4, 2, 6, 40))
    return raised


def test_a_review_that_opens_a_capa_creates_and_links_it(world, signal):
    reviewed = services.signal_review(
        actor=world.quality,
        signal=signal,
        decision="capa",
        reason="三起同批号质控偏高，留样复测确认",
        capa_title="批号20260301 质控偏高",
        expected_version=signal.version,
        at=REVIEWED_AT,
    )
    capa = Capa.objects.get()
    assert (reviewed.state, reviewed.decision, reviewed.capa, reviewed.reviewed_by) == (
        "reviewed",
        "capa",
        capa,
        world.quality,
    )
    assert (capa.title, capa.owner, capa.state, capa.number) == (
        "批号20260301 质控偏高",
        world.quality,
        "open",
        f"CAPA26-{capa.pk:04d}",
    )
    assert "三起同批号质控偏高" in capa.description


def test_a_review_can_link_an_open_capa_instead(world, signal):
    capa = capa_create(actor=world.quality, data={"title": "试剂批间差"}, at=REVIEWED_AT)
    reviewed = services.signal_review(
        actor=world.quality, signal=signal, decision="capa", capa=capa, expected_version=signal.version
    )
    assert reviewed.capa == capa and Capa.objects.count() == 1


def test_no_action_needs_the_reason(world, signal):
    with pytest.raises(ValidationError) as refused:
        services.signal_review(actor=world.quality, signal=signal, decision="no_action", expected_version=1)
    assert "reason" in refused.value.message_dict
    signal.refresh_from_db()
    assert (signal.state, signal.version) == ("open", 1)
    reviewed = services.signal_review(
        actor=world.quality, signal=signal, decision="no_action", reason="同一客户重复登记", expected_version=1
    )
    assert (reviewed.state, reviewed.decision, reviewed.reason, reviewed.capa) == (
        "reviewed",
        "no_action",
        "同一客户重复登记",
        None,
    )


def test_a_capa_without_a_title_is_refused_and_nothing_is_opened(world, signal):
    with pytest.raises(ValidationError) as refused:
        services.signal_review(actor=world.quality, signal=signal, decision="capa", expected_version=1)
    assert "capa_title" in refused.value.message_dict
    assert Capa.objects.count() == 0


def test_a_stale_version_is_refused(world, signal):
    services.signal_review(actor=world.quality, signal=signal, decision="no_action", reason="已知", expected_version=1)
    with pytest.raises(ConflictError):
        services.signal_review(
            actor=world.admin, signal=signal, decision="no_action", reason="再审", expected_version=1
        )


def test_a_reviewed_signal_cannot_be_reviewed_again(world, signal):
    services.signal_review(actor=world.quality, signal=signal, decision="no_action", reason="已知", expected_version=1)
    with pytest.raises(ConflictError):
        services.signal_review(
            actor=world.quality, signal=signal, decision="no_action", reason="再审", expected_version=2
        )


@pytest.mark.parametrize("role", ["tech_head", "supervisor", "general_manager", "clerk"])
def test_only_the_quality_department_reviews(world, signal, role):
    with pytest.raises(PermissionDenied):
        services.signal_review(
            actor=world.users[role], signal=signal, decision="no_action", reason="看过了", expected_version=1
        )
