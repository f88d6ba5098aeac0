import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.customers.tests.factories import CustomerFactory
from apps.instruments.choices import InstrumentStatus, Ownership
from apps.instruments.models import Instrument
from apps.instruments.services import instrument_create, instrument_update, set_active
from apps.instruments.tests.factories import InstrumentModelFactory


def _data(base, **overrides):
    data = {
        "serial_no": "YH30-2026-0001",
        "model": InstrumentModelFactory(),
        "customer": base.customer_a,
        "department": base.department_a,
        "ownership": Ownership.CUSTOMER,
        "install_date": dt.date(2026, 3, 10),
        "acceptance_date": dt.date(2026, 3, 15),
        "warranty_months": 12,
    }
    data.update(overrides)
    return data


def test_an_engineer_registers_an_instrument_at_a_customer_in_his_region(base):
    instrument = instrument_create(actor=base.engineer, data=_data(base))
    assert instrument.warranty_end == dt.date(2027, 3, 14)
    assert instrument.history.get().history_user == base.engineer


def test_an_engineer_may_not_attach_an_instrument_to_a_customer_outside_his_regions(base):
    with pytest.raises(ValidationError) as error:
        instrument_create(actor=base.engineer, data=_data(base, customer=base.customer_b, department=None))
    assert "customer" in error.value.message_dict
    assert not Instrument.objects.filter(serial_no="YH30-2026-0001").exists()


def test_an_engineer_may_not_move_an_instrument_to_a_customer_outside_his_regions(base):
    instrument = base.instrument_a
    with pytest.raises(ValidationError) as error:
        instrument_update(
            actor=base.engineer, instance=instrument, data={"customer": base.customer_b},
            expected_version=instrument.version,
        )
    assert "customer" in error.value.message_dict
    instrument.refresh_from_db()
    assert instrument.customer == base.customer_a


def test_the_technical_head_may_register_an_instrument_anywhere(base):
    instrument = instrument_create(actor=base.head, data=_data(base, customer=base.customer_b, department=None))
    assert instrument.customer == base.customer_b


def test_an_instrument_is_not_registered_at_an_inactive_customer(base):
    closed = CustomerFactory(city=base.city_a, is_active=False)
    with pytest.raises(ValidationError) as error:
        instrument_create(actor=base.head, data=_data(base, customer=closed, department=None))
    assert "customer" in error.value.message_dict


def test_a_dealer_placed_instrument_without_its_dealer_is_refused(base):
    with pytest.raises(ValidationError) as error:
        instrument_create(actor=base.head, data=_data(base, ownership=Ownership.DEALER))
    assert "dealer" in error.value.message_dict


def test_acceptance_before_installation_is_refused(base):
    with pytest.raises(ValidationError) as error:
        instrument_create(actor=base.head, data=_data(base, acceptance_date=dt.date(2026, 3, 1)))
    assert "acceptance_date" in error.value.message_dict


def test_an_update_recomputes_the_warranty_end_and_records_before_and_after(base):
    instrument = base.instrument_a
    updated = instrument_update(
        actor=base.engineer, instance=instrument, data={"warranty_months": 24},
        expected_version=instrument.version,
    )
    assert updated.version == instrument.version + 1
    assert updated.warranty_end == dt.date(2028, 3, 14)
    latest = history_for([updated], user=base.head)[0]
    assert latest.who == base.engineer.name
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes["warranty_months"] == ("12", "24")
    assert changes["warranty_end"] == ("2027-03-14", "2028-03-14")


def test_a_stale_version_is_refused_and_nothing_changes(base):
    instrument = base.instrument_a
    instrument_update(
        actor=base.head, instance=instrument, data={"status": InstrumentStatus.UNDER_REPAIR},
        expected_version=instrument.version,
    )
    with pytest.raises(ConflictError):
        instrument_update(
            actor=base.engineer, instance=instrument, data={"status": InstrumentStatus.IDLE},
            expected_version=instrument.version,
        )
    instrument.refresh_from_db()
    assert instrument.status == InstrumentStatus.UNDER_REPAIR


def test_a_retired_unit_is_deactivated_with_a_reason_and_never_twice(base):
    instrument = set_active(instance=base.instrument_a, actor=base.head, active=False, reason="scrapped")
    assert not instrument.is_active
    assert instrument.history.first().history_change_reason == "scrapped"
    with pytest.raises(ConflictError):
        set_active(instance=instrument, actor=base.head, active=False, reason="again")
