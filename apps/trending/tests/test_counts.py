"""Monthly counts of complaints and service faults per lot, model, part and cause (SPEC CP-7)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.tests.factories import CatalogItemFactory
from apps.trending import selectors
from apps.trending.tests._helpers import (
    complaint,
    fault,
    local,
    maintenance,
    other_lot,
    second_instrument,
    world_fixture,  # noqa: F401
)

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def table(source, dimension, months=(MARCH, APRIL)):
    result = selectors.trend_table(source=source, dimension=dimension, months=list(months))
    return {row.label: [cell.count for cell in row.cells] for row in result.rows}


def test_complaints_per_lot_are_counted_in_the_month_they_were_received(world):
    april_lot = other_lot(world)
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    complaint(world, local(2026, 4, 3))
    complaint(world, local(2026, 4, 5), lot=april_lot)
    assert table("complaints", "lot") == {"R-GLU / 20260301": [3, 1], "R-GLU / 20260415": [0, 1]}


def test_a_complaint_at_half_past_eleven_on_31_march_in_shanghai_counts_in_march(world):
    complaint(world, local(2026, 3, 31, 23, 30))
    # 00:30 on 1 April in Shanghai is still 31 March in UTC: it counts in April.
    complaint(world, local(2026, 4, 1, 0, 30))
    assert table("complaints", "lot") == {"R-GLU / 20260301": [1, 1]}


def test_a_complaint_found_not_to_be_a_complaint_is_not_counted(world):
    complaint(world, local(2026, 3, 2))
    complaint(world, local(2026, 3, 3), not_complaint=True)
    assert table("complaints", "lot") == {"R-GLU / 20260301": [1, 0]}


def test_months_outside_the_range_are_not_counted(world):
    complaint(world, local(2026, 2, 28, 23, 59))
    complaint(world, local(2026, 5, 1, 0, 0))
    assert table("complaints", "lot") == {}


def test_a_lot_number_that_matches_no_catalogue_lot_counts_under_that_number(world):
    complaint(world, local(2026, 3, 2), lot=None, lot_no="X9999")
    complaint(world, local(2026, 3, 9), lot=None, lot_no="X9999")
    assert table("complaints", "lot") == {"X9999 (not in the catalogue)": [2, 0]}


def test_complaints_per_instrument_model(world):
    other = second_instrument(world)
    complaint(world, local(2026, 3, 2), instrument=world.instrument)
    complaint(world, local(2026, 3, 3), instrument=world.instrument)
    complaint(world, local(2026, 4, 3), instrument=other)
    complaint(world, local(2026, 4, 4))  # no instrument named: not in the model table
    assert table("complaints", "model") == {str(world.instrument.model): [2, 0], str(other.model): [0, 1]}


def test_complaints_per_part_and_cause_come_from_the_investigation(world):
    valve = CatalogItemFactory(spare_part=True, name="进样阀")
    complaint(world, local(2026, 3, 2), cause="part_failure", part=world.part)
    complaint(world, local(2026, 3, 3), cause="part_failure", part=valve)
    complaint(world, local(2026, 4, 3), cause="reagent_lot")
    complaint(world, local(2026, 4, 4))  # not investigated yet: no cause, no part
    assert table("complaints", "part") == {str(world.part): [1, 0], str(valve): [1, 0]}
    assert table("complaints", "cause") == {"Part failure": [2, 0], "Reagent, calibrator or QC lot": [0, 1]}


def test_service_faults_are_repairs_and_jobs_with_a_fault_cause(world):
    other = second_instrument(world)
    fault(world, local(2026, 3, 2))
    fault(world, local(2026, 3, 3))
    fault(world, local(2026, 4, 3), instrument=other)
    maintenance(world, local(2026, 4, 4), cause="environment")  # a fault found during maintenance
    maintenance(world, local(2026, 4, 5))  # routine maintenance: not a fault
    maintenance(world, local(2026, 4, 6), cause="no_fault")  # nothing found: not a fault
    fault(world, local(2026, 4, 7), cancelled=True)  # registered by mistake
    assert table("faults", "model") == {str(world.instrument.model): [2, 1], str(other.model): [0, 1]}
    assert table("faults", "cause") == {"Site environment (power, water, temperature)": [0, 1]}


def test_service_faults_per_lot_and_part(world):
    valve = CatalogItemFactory(spare_part=True, name="进样阀")
    fault(world, local(2026, 3, 2), lot=world.lot, cause="reagent_lot")
    fault(world, local(2026, 3, 5), parts=[world.part, valve])
    fault(world, local(2026, 4, 6), parts=[world.part])
    # One order counts once per part, whatever the quantity (2 each here).
    assert table("faults", "part") == {str(world.part): [1, 1], str(valve): [1, 0]}
    assert table("faults", "lot") == {"R-GLU / 20260301": [1, 0]}


def test_both_adds_complaints_and_service_faults(world):
    complaint(world, local(2026, 3, 2), cause="reagent_lot")
    complaint(world, local(2026, 3, 3), cause="reagent_lot")
    fault(world, local(2026, 3, 4), lot=world.lot, cause="reagent_lot")
    fault(world, local(2026, 4, 4), lot=world.lot, cause="reagent_lot")
    assert table("both", "cause") == {"Reagent, calibrator or QC lot": [3, 1]}
    assert table("both", "lot") == {"R-GLU / 20260301": [3, 1]}


def test_values_come_most_counted_first_with_their_threshold(world):
    april_lot = other_lot(world)
    complaint(world, local(2026, 3, 2), lot=april_lot)
    for day in (3, 4, 5):
        complaint(world, local(2026, 3, day))
    result = selectors.trend_table(source="complaints", dimension="lot", months=[MARCH, APRIL])
    first, second = result.rows
    assert (first.label, first.total, first.limit, [c.over for c in first.cells]) == (
        "R-GLU / 20260301",
        3,
        3,
        [True, False],
    )
    assert (second.label, second.total, second.signalled) == ("R-GLU / 20260415", 1, False)


def test_counting_takes_one_query_per_source_whatever_the_rows(world, django_assert_num_queries):
    months = [MARCH, APRIL]
    with django_assert_num_queries(1):
        selectors.monthly_counts(source="complaints", dimension="lot", months=months)
    fault(world, local(2026, 3, 1))
    with CaptureQueriesContext(connection) as few:
        selectors.trend_table(source="both", dimension="model", months=months)
    other = second_instrument(world)
    for day in (2, 3, 4):
        complaint(world, local(2026, 3, day), instrument=other)
        fault(world, local(2026, 4, day))
    with django_assert_num_queries(len(few)):
        result = selectors.trend_table(source="both", dimension="model", months=months)
    assert [row.total for row in result.rows] == [4, 3]
    with django_assert_num_queries(2):
        selectors.monthly_counts(source="both", dimension="part", months=months)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [("2026-13", "", "from"), ("", "March", "to"), ("2026-05", "2026-04", "from"), ("2020-01", "2026-04", "from")],
)
def test_a_range_that_cannot_be_reported_says_why(first, last, field):
    with pytest.raises(selectors.RangeError) as refused:
        selectors.month_range(first, last)
    assert refused.value.field == field and refused.value.message


def test_the_default_range_is_the_last_twelve_months_up_to_this_one():
    months = selectors.month_range(at=local(2026, 4, 1, 0, 30))
    assert (months[0], months[-1], len(months)) == (dt.date(2025, 5, 1), APRIL, 12)


def test_a_region_bound_user_counts_only_what_he_may_open(world):
    from apps.customers.tests.factories import CustomerFactory

    changsha = CustomerFactory(name="长沙市中心医院", city=world.other_city)
    complaint(world, local(2026, 3, 2))
    complaint(world, local(2026, 3, 3), customer=changsha)
    fault(world, local(2026, 3, 4), lot=world.lot, cause="reagent_lot")
    fault(world, local(2026, 3, 5), customer=changsha, instrument=None, lot=world.lot, cause="reagent_lot")
    everyone = selectors.monthly_counts(source="both", dimension="lot", months=[MARCH])
    engineer = selectors.monthly_counts(source="both", dimension="lot", months=[MARCH], user=world.engineer)
    assert everyone == {str(world.lot.pk): {MARCH: 4}}
    assert engineer == {str(world.lot.pk): {MARCH: 2}}
