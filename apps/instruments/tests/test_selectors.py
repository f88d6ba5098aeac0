"""Who sees which unit of the installed base (SPEC §0; scoping lives only in the selectors)."""

from apps.instruments.selectors import instrument_for_qr, instrument_list, instrument_search


def _serials(user):
    return set(instrument_list(user=user).values_list("serial_no", flat=True))


def test_an_engineer_sees_his_regions_instruments_only(base):
    assert _serials(base.engineer) == {"A-0001"}
    assert _serials(base.engineer_b) == {"B-0001", "B-PLACED"}


def test_a_sales_person_sees_only_his_customers_instruments(base):
    assert _serials(base.sales) == {"A-0001"}


def test_a_dealer_sees_his_customers_units_and_the_units_he_placed_elsewhere(base):
    assert _serials(base.dealer_user) == {"A-0001", "B-PLACED"}


def test_the_hotline_and_the_technical_head_see_every_instrument(base):
    assert _serials(base.clerk) == _serials(base.head) == {"A-0001", "B-0001", "B-PLACED"}


def test_the_hotline_finds_a_unit_by_serial_model_or_hospital(base):
    everything = instrument_list(user=base.clerk)
    assert set(instrument_search(everything, "b-placed").values_list("serial_no", flat=True)) == {"B-PLACED"}
    assert set(instrument_search(everything, "长沙").values_list("serial_no", flat=True)) == {"B-0001", "B-PLACED"}
    code = base.instrument_a.model.code
    assert "A-0001" in set(instrument_search(everything, code).values_list("serial_no", flat=True))


def test_a_qr_token_finds_only_an_active_instrument(base):
    assert instrument_for_qr(base.instrument_a.qr_token) == base.instrument_a
    assert instrument_for_qr("no-such-token") is None
    base.instrument_a.is_active = False
    base.instrument_a.save()
    assert instrument_for_qr(base.instrument_a.qr_token) is None
