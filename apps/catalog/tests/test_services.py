from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.catalog import selectors, services
from apps.catalog.choices import ItemKind, ProductFamily
from apps.catalog.models import CatalogItem, Lot
from apps.catalog.tests.factories import CatalogItemFactory, InstrumentModelFactory, LotFactory, LotMatchFactory
from apps.core.exceptions import ConflictError

pytestmark = pytest.mark.django_db


@pytest.fixture
def commerce():
    return UserFactory(role=Role.COMMERCE)


def messages_of(excinfo, field):
    return excinfo.value.message_dict[field]


def test_it_creates_an_item_with_its_compatible_models_and_records_who_did_it(commerce):
    yh30 = InstrumentModelFactory(code="YH-30", family=ProductFamily.HBA1C)
    item = services.item_create(
        actor=commerce,
        data={"code": "R-HBA1C", "name": "糖化血红蛋白测定试剂盒", "kind": ItemKind.REAGENT, "tests_per_ml": "2.5"},
        m2m={"compatible_models": [yh30]},
    )
    assert list(item.compatible_models.all()) == [yh30]
    assert {h.history_user for h in item.history.all()} == {commerce}


def test_it_refuses_a_spare_part_with_tests_per_ml(commerce):
    with pytest.raises(ValidationError) as excinfo:
        services.item_create(
            actor=commerce, data={"code": "SP-1", "name": "色谱柱", "kind": ItemKind.SPARE_PART, "tests_per_ml": 3}
        )
    assert messages_of(excinfo, "tests_per_ml") == ["A spare part has no tests per mL."]
    assert not CatalogItem.objects.exists()


def test_it_refuses_to_serial_track_a_reagent(commerce):
    with pytest.raises(ValidationError) as excinfo:
        services.item_create(
            actor=commerce, data={"code": "R-1", "name": "试剂", "kind": ItemKind.REAGENT, "serial_tracked": True}
        )
    assert messages_of(excinfo, "serial_tracked") == ["Only spare parts are serial-tracked."]


def test_it_refuses_a_lot_of_a_spare_part(commerce):
    part = CatalogItemFactory(spare_part=True)
    with pytest.raises(ValidationError) as excinfo:
        services.lot_create(
            actor=commerce, data={"item": part, "lot_no": "L1", "expires_on": timezone.localdate()}
        )
    assert messages_of(excinfo, "item") == ["Spare parts have no lots; use serial numbers."]


def test_it_refuses_a_lot_that_expires_before_it_was_made(commerce):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        services.lot_create(
            actor=commerce,
            data={"item": CatalogItemFactory(), "lot_no": "L1", "manufactured_on": today, "expires_on": today},
        )
    assert messages_of(excinfo, "expires_on") == ["The expiry date must come after the manufacturing date."]


def test_it_refuses_the_same_lot_number_twice_for_one_item_but_not_for_another(commerce):
    lot = LotFactory(lot_no="20250101")
    with pytest.raises(ValidationError) as excinfo:
        services.lot_create(
            actor=commerce, data={"item": lot.item, "lot_no": "20250101", "expires_on": lot.expires_on}
        )
    assert messages_of(excinfo, "lot_no") == ["This item already has a lot with this number."]
    other = services.lot_create(
        actor=commerce, data={"item": CatalogItemFactory(), "lot_no": "20250101", "expires_on": lot.expires_on}
    )
    assert other.pk


def test_a_lot_is_expired_from_the_day_after_its_expiry_date():
    today = timezone.localdate()
    assert not LotFactory(expires_on=today).is_expired
    assert LotFactory(expires_on=today - timedelta(days=1)).is_expired


def test_it_records_a_reagent_lot_with_its_calibrator_and_qc_lots(commerce):
    reagent = LotFactory(item__kind=ItemKind.REAGENT)
    calibrator = LotFactory(item__calibrator=True)
    qc = LotFactory(item__qc=True)
    match = services.lot_match_create(
        actor=commerce, data={"reagent_lot": reagent, "calibrator_lot": calibrator, "qc_lot": qc}
    )
    assert match.lots == [reagent, calibrator, qc]


def test_it_refuses_a_lot_match_whose_reagent_lot_is_a_calibrator(commerce):
    calibrator = LotFactory(item__calibrator=True)
    with pytest.raises(ValidationError) as excinfo:
        services.lot_match_create(
            actor=commerce, data={"reagent_lot": calibrator, "calibrator_lot": LotFactory(item__calibrator=True)}
        )
    assert messages_of(excinfo, "reagent_lot") == ["This lot is not a Reagent lot."]


def test_it_refuses_a_lot_match_whose_qc_lot_is_a_reagent(commerce):
    with pytest.raises(ValidationError) as excinfo:
        services.lot_match_create(actor=commerce, data={"reagent_lot": LotFactory(), "qc_lot": LotFactory()})
    assert messages_of(excinfo, "qc_lot") == ["This lot is not a QC material lot."]


def test_it_refuses_a_lot_match_that_names_only_the_reagent_lot(commerce):
    with pytest.raises(ValidationError) as excinfo:
        services.lot_match_create(actor=commerce, data={"reagent_lot": LotFactory()})
    assert messages_of(excinfo, "calibrator_lot") == ["Name a calibrator lot, a QC lot or both."]


def test_it_refuses_the_same_reagent_and_calibrator_pair_twice_even_without_a_qc_lot(commerce):
    existing = LotMatchFactory(qc_lot=None)
    with pytest.raises(ValidationError) as excinfo:
        services.lot_match_create(
            actor=commerce, data={"reagent_lot": existing.reagent_lot, "calibrator_lot": existing.calibrator_lot}
        )
    assert excinfo.value.messages == ["These lots are already recorded as a match."]


def test_a_match_can_be_edited_without_tripping_over_itself(commerce):
    match = LotMatchFactory()
    updated = services.lot_match_update(
        actor=commerce, instance=match, data={"note": "厂家确认"}, expected_version=match.version
    )
    assert updated.note == "厂家确认"
    assert updated.version == match.version + 1


def test_it_refuses_an_update_based_on_a_stale_version_and_keeps_the_saved_values(commerce):
    item = CatalogItemFactory(name="旧名称")
    services.item_update(actor=commerce, instance=item, data={"name": "第一次修改"}, expected_version=1)
    with pytest.raises(ConflictError):
        services.item_update(actor=commerce, instance=item, data={"name": "第二次修改"}, expected_version=1)
    item.refresh_from_db()
    assert (item.name, item.version) == ("第一次修改", 2)


def test_an_update_that_changes_nothing_writes_no_history(commerce):
    item = CatalogItemFactory()
    services.item_update(actor=commerce, instance=item, data={"name": item.name}, expected_version=1)
    item.refresh_from_db()
    assert item.version == 1
    assert item.history.count() == 1


def test_changing_only_the_compatible_models_is_a_change(commerce):
    item = CatalogItemFactory()
    model = InstrumentModelFactory()
    updated = services.item_update(
        actor=commerce, instance=item, data={}, m2m={"compatible_models": [model]}, expected_version=1
    )
    assert updated.version == 2
    assert list(updated.compatible_models.all()) == [model]


def test_a_deactivated_lot_keeps_the_reason_and_can_be_reactivated(commerce):
    lot = LotFactory()
    lot = services.set_active(actor=commerce, instance=lot, active=False, reason="召回", expected_version=1)
    assert not lot.is_active
    assert lot.history.latest().history_change_reason == "召回"
    with pytest.raises(ConflictError):
        services.set_active(actor=commerce, instance=lot, active=False, reason="again")
    lot = services.set_active(actor=commerce, instance=lot, active=True, reason="误操作")
    assert lot.is_active


def test_the_expiry_selectors_tell_expired_from_soon_expiring_lots():
    today = timezone.localdate()
    expired = LotFactory(expired=True)
    soon = LotFactory(expires_on=today + timedelta(days=10))
    later = LotFactory(expires_on=today + timedelta(days=200))
    lots = Lot.objects.all()
    assert list(selectors.lots_expired(lots)) == [expired]
    assert set(selectors.lots_expired(lots, expired=False)) == {soon, later}
    assert list(selectors.lots_expiring_within(lots, 30)) == [soon]


def test_an_item_is_found_by_its_registration_number():
    item = CatalogItemFactory(registration_no="国械注准20213400123")
    CatalogItemFactory()
    assert list(selectors.item_search(CatalogItem.objects.all(), "20213400123")) == [item]


def test_a_lots_matches_are_found_whichever_role_it_plays():
    match = LotMatchFactory()
    user = UserFactory(role=Role.ENGINEER)
    for lot in match.lots:
        assert list(selectors.lot_matches_for(user=user, lot=lot)) == [match]
