"""The daily scan (SPEC CP-7): a threshold reached raises one signal per value and month and tells
the quality department; reruns raise nothing new."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.complaints.tests._world import register
from apps.trending import services, tasks
from apps.trending.models import TrendSignal, TrendThreshold
from apps.trending.tests._helpers import (
    complaint,
    fault,
    local,
    messages_for,
    second_instrument,
    world_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db

EARLY_APRIL = local(2026, 4, 2, 6, 40)


def lot_threshold() -> TrendThreshold:
    return TrendThreshold.objects.get(name="Complaints about one lot")


def test_the_installation_starts_with_the_four_default_thresholds():
    rules = sorted((t.source, t.dimension, t.cause, t.count) for t in TrendThreshold.objects.filter(is_active=True))
    assert rules == [
        ("both", "cause", "reagent_lot", 3),
        ("complaints", "lot", "", 3),
        ("faults", "model", "", 5),
        ("faults", "part", "", 3),
    ]


def test_three_complaints_on_a_lot_in_march_raise_one_signal_and_tell_quality(world):
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    complaint(world, local(2026, 4, 1))
    raised = services.trend_scan(now=EARLY_APRIL)
    assert [(s.threshold, s.value_label, s.month, s.count, s.limit, s.state) for s in raised] == [
        (lot_threshold(), "R-GLU / 20260301", dt.date(2026, 3, 1), 3, 3, "open")
    ]
    assert messages_for(world.quality, contains="Trend signal") == [
        "Trend signal: R-GLU / 20260301 — 3 complaints in 2026-03"
    ]
    assert messages_for(world.tech_head, contains="Trend signal") == []


def test_a_rerun_raises_nothing_and_tells_nobody_again(world):
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    services.trend_scan(now=EARLY_APRIL)
    complaint(world, local(2026, 3, 25))
    assert services.trend_scan(now=EARLY_APRIL + dt.timedelta(days=1)) == []
    signal = TrendSignal.objects.get()
    assert signal.count == 4  # the count so far, on the one signal
    assert len(messages_for(world.quality, contains="Trend signal")) == 1


def test_two_complaints_on_a_lot_raise_no_signal(world):
    complaint(world, local(2026, 3, 2))
    complaint(world, local(2026, 3, 3))
    complaint(world, local(2026, 4, 1))  # another month
    assert services.trend_scan(now=EARLY_APRIL) == []
    assert messages_for(world.quality, contains="Trend signal") == []


def test_an_inactive_threshold_raises_nothing(world):
    TrendThreshold.objects.filter(pk=lot_threshold().pk).update(is_active=False)
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    assert services.trend_scan(now=EARLY_APRIL) == []


def test_the_scan_looks_at_this_month_and_the_previous_one_only(world):
    for day in (2, 10, 20):
        complaint(world, local(2026, 2, day))
    assert services.trend_scan(now=EARLY_APRIL) == []
    assert [s.month for s in services.trend_scan(now=local(2026, 3, 1, 6, 40))] == [dt.date(2026, 2, 1)]


def test_a_threshold_for_one_model_watches_only_that_model(world):
    other = second_instrument(world)
    watched = TrendThreshold.objects.create(
        name="YH 两次维修", source="faults", dimension="model", instrument_model=world.instrument.model, count=2
    )
    for day in (2, 3):
        fault(world, local(2026, 4, day))
        fault(world, local(2026, 4, day), instrument=other)
    raised = services.trend_scan(now=EARLY_APRIL)
    assert [(s.threshold, s.value_label, s.count) for s in raised] == [(watched, str(world.instrument.model), 2)]


def test_a_signal_per_threshold_value_and_month(world):
    """Complaints and faults traced to a reagent lot: the cause threshold counts both sources."""
    for day in (2, 3):
        complaint(world, local(2026, 3, day), cause="reagent_lot")
    fault(world, local(2026, 3, 4), lot=world.lot, cause="reagent_lot")
    for day in (2, 3, 4):
        complaint(world, local(2026, 4, day), cause="reagent_lot")
    raised = services.trend_scan(now=EARLY_APRIL)
    assert sorted((s.dimension, s.value_label, f"{s.month:%Y-%m}", s.count) for s in raised) == [
        ("cause", "Reagent, calibrator or QC lot", "2026-03", 3),
        ("cause", "Reagent, calibrator or QC lot", "2026-04", 3),
        ("lot", "R-GLU / 20260301", "2026-04", 3),
    ]
    assert len(messages_for(world.quality, contains="Trend signal")) == 3


def test_the_scan_counts_once_per_source_and_dimension_however_many_thresholds(world):
    complaint(world, local(2026, 4, 1))
    with CaptureQueriesContext(connection) as few:
        services.trend_scan(now=EARLY_APRIL)
    for n in range(4):
        TrendThreshold.objects.create(name=f"lot {n}", source="complaints", dimension="lot", count=50 + n)
    complaint(world, local(2026, 4, 2))  # two now: still below every threshold
    with CaptureQueriesContext(connection) as many:
        services.trend_scan(now=EARLY_APRIL)
    assert len(many) == len(few)


def test_the_daily_task_scans_the_current_month(world):
    at = timezone.now() - dt.timedelta(minutes=30)
    for _n in range(3):
        register(world, at=at)
    tasks.trend_scan_daily()
    signal = TrendSignal.objects.get()
    assert (signal.value_label, signal.count) == ("R-GLU / 20260301", 3)
