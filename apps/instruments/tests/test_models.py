"""SPEC WO-10: warranty runs from acceptance for the contract's months; the last day is the day before."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.customers.tests.factories import DealerFactory, DepartmentFactory
from apps.instruments.choices import Ownership, WarrantyState
from apps.instruments.tests.factories import InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("acceptance", "months", "end"),
    [
        (dt.date(2026, 3, 15), 12, dt.date(2027, 3, 14)),
        # 31 Jan + 1 month is clamped to 28 Feb; the warranty ends the day before.
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 27)),
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 28)),  # 29 Feb 2028 (leap) − 1 day
        (dt.date(2026, 1, 1), 24, dt.date(2027, 12, 31)),
    ],
)
def test_warranty_end_is_acceptance_plus_months_minus_one_day(acceptance, months, end):
    instrument = InstrumentFactory(acceptance_date=acceptance, warranty_months=months)
    instrument.refresh_from_db()
    assert instrument.warranty_end == end


def test_an_instrument_not_yet_accepted_has_no_warranty_end():
    instrument = InstrumentFactory(acceptance_date=None)
    assert instrument.warranty_end is None
    assert instrument.warranty_state() == WarrantyState.NOT_ACCEPTED


def test_warranty_end_follows_a_changed_acceptance_date_on_save():
    instrument = InstrumentFactory(acceptance_date=dt.date(2026, 3, 15), warranty_months=12)
    instrument.acceptance_date = dt.date(2026, 4, 1)
    instrument.save()
    assert instrument.warranty_end == dt.date(2027, 3, 31)


def test_the_last_day_of_warranty_is_still_in_warranty():
    instrument = InstrumentFactory(acceptance_date=dt.date(2026, 3, 15), warranty_months=12)
    assert instrument.warranty_state(today=dt.date(2027, 3, 14)) == WarrantyState.IN_WARRANTY
    assert instrument.warranty_state(today=dt.date(2027, 3, 15)) == WarrantyState.EXPIRED


def test_each_instrument_gets_its_own_qr_token():
    first, second = InstrumentFactory(), InstrumentFactory()
    assert len(first.qr_token) >= 16
    assert first.qr_token != second.qr_token


def test_a_dealer_placed_instrument_must_name_its_dealer():
    instrument = InstrumentFactory.build(ownership=Ownership.DEALER, dealer=None)
    with pytest.raises(ValidationError) as error:
        instrument.clean()
    assert "dealer" in error.value.message_dict


def test_a_customer_owned_instrument_names_no_placing_dealer():
    instrument = InstrumentFactory.build(ownership=Ownership.CUSTOMER, dealer=DealerFactory())
    with pytest.raises(ValidationError) as error:
        instrument.clean()
    assert "dealer" in error.value.message_dict


def test_acceptance_cannot_come_before_installation():
    instrument = InstrumentFactory.build(install_date=dt.date(2026, 5, 1), acceptance_date=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError) as error:
        instrument.clean()
    assert "acceptance_date" in error.value.message_dict


def test_the_department_must_belong_to_the_instruments_customer():
    instrument = InstrumentFactory()
    instrument.department = DepartmentFactory()  # another customer's
    with pytest.raises(ValidationError) as error:
        instrument.clean()
    assert "department" in error.value.message_dict
