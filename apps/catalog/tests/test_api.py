from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.catalog.choices import ItemKind
from apps.catalog.models import CatalogItem, Lot, LotMatch
from apps.catalog.tests.factories import CatalogItemFactory, InstrumentModelFactory, LotFactory, LotMatchFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commerce(api_client):
    user = UserFactory(role=Role.COMMERCE)
    api_client.force_authenticate(user)
    return user


# --- who may do what -------------------------------------------------------------------------


def test_a_commerce_user_creates_an_item_with_compatible_models(api_client, commerce):
    yh30 = InstrumentModelFactory(code="YH-30")
    response = api_client.post(
        "/api/v1/catalog-items/",
        {"code": "R-HBA1C", "name": "糖化血红蛋白测定试剂盒", "kind": "reagent", "tests_per_ml": "2.50",
         "compatible_models": [yh30.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["compatible_models"] == [yh30.pk]
    assert response.json()["version"] == 1
    # Created, then linked to its models: both entries by the same user.
    assert {h.history_user for h in CatalogItem.objects.get(code="R-HBA1C").history.all()} == {commerce}


def test_a_sales_user_reads_the_catalogue_but_may_not_add_to_it(api_client):
    CatalogItemFactory()
    api_client.force_authenticate(UserFactory(role=Role.SALES))
    assert api_client.get("/api/v1/catalog-items/").status_code == 200
    response = api_client.post("/api/v1/catalog-items/", {"code": "X", "name": "X", "kind": "reagent"}, format="json")
    assert response.status_code == 403
    assert CatalogItem.objects.count() == 1


def test_a_dealer_may_not_deactivate_a_lot(api_client):
    lot = LotFactory()
    api_client.force_authenticate(UserFactory(role=Role.DEALER))
    response = api_client.post(f"/api/v1/lots/{lot.pk}/deactivate/", {"reason": "x"}, format="json")
    assert response.status_code == 403


def test_nobody_anonymous_reads_the_catalogue(api_client):
    assert api_client.get("/api/v1/lots/").status_code in (401, 403)


# --- lots ------------------------------------------------------------------------------------


def test_a_lot_says_whether_it_is_expired_and_that_cannot_be_written(api_client, commerce):
    item = CatalogItemFactory()
    expired = LotFactory(item=item, expired=True)
    fresh = LotFactory(item=item)
    assert api_client.get(f"/api/v1/lots/{expired.pk}/").json()["is_expired"] is True
    assert api_client.get(f"/api/v1/lots/{fresh.pk}/").json()["is_expired"] is False
    response = api_client.post(
        "/api/v1/lots/",
        {"item": item.pk, "lot_no": "NEW1", "expires_on": "2000-01-01", "is_expired": False},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["is_expired"] is True


def test_a_lot_of_a_spare_part_is_a_400_with_the_reason(api_client, commerce):
    part = CatalogItemFactory(spare_part=True)
    response = api_client.post(
        "/api/v1/lots/", {"item": part.pk, "lot_no": "L1", "expires_on": "2030-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"item": ["Spare parts have no lots; use serial numbers."]}
    assert not Lot.objects.exists()


def test_a_lot_expiring_before_it_was_made_is_a_400_on_the_expiry_date(api_client, commerce):
    response = api_client.post(
        "/api/v1/lots/",
        {"item": CatalogItemFactory().pk, "lot_no": "L1", "manufactured_on": "2025-06-01", "expires_on": "2025-05-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"expires_on": ["The expiry date must come after the manufacturing date."]}


def test_a_duplicate_lot_number_is_a_400_on_the_lot_number(api_client, commerce):
    lot = LotFactory(lot_no="20250101")
    response = api_client.post(
        "/api/v1/lots/", {"item": lot.item_id, "lot_no": "20250101", "expires_on": "2030-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"lot_no": ["This item already has a lot with this number."]}


def test_missing_fields_are_a_400_naming_each_field(api_client, commerce):
    response = api_client.post("/api/v1/lots/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"item", "lot_no", "expires_on"}


def test_the_lot_list_filters_expired_and_soon_expiring_lots(api_client, commerce):
    today = timezone.localdate()
    gone = LotFactory(expired=True)
    soon = LotFactory(expires_on=today + timedelta(days=5), item__calibrator=True)
    later = LotFactory(expires_on=today + timedelta(days=300))

    def ids(**params):
        return {row["id"] for row in api_client.get("/api/v1/lots/", params).json()["results"]}

    assert ids(expired="true") == {gone.pk}
    assert ids(expired="false") == {soon.pk, later.pk}
    assert ids(expiring_within=30) == {soon.pk}
    assert ids(item_kind="calibrator") == {soon.pk}
    assert ids(item=later.item_id) == {later.pk}


def test_a_partial_update_with_a_stale_version_is_a_409_and_changes_nothing(api_client, commerce):
    lot = LotFactory(lot_no="A1")
    url = f"/api/v1/lots/{lot.pk}/"
    first = api_client.patch(url, {"lot_no": "A2", "version": 1}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = api_client.patch(url, {"lot_no": "A3", "version": 1}, format="json")
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.json()["detail"]
    lot.refresh_from_db()
    assert lot.lot_no == "A2"


def test_an_update_without_a_version_is_a_400(api_client, commerce):
    lot = LotFactory()
    response = api_client.patch(f"/api/v1/lots/{lot.pk}/", {"lot_no": "B1"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_a_lot_is_deactivated_with_a_reason_and_its_history_says_why(api_client, commerce):
    lot = LotFactory()
    missing_reason = api_client.post(f"/api/v1/lots/{lot.pk}/deactivate/", {}, format="json")
    assert missing_reason.status_code == 400
    response = api_client.post(f"/api/v1/lots/{lot.pk}/deactivate/", {"reason": "召回", "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    history = api_client.get(f"/api/v1/lots/{lot.pk}/history/").json()
    assert history[0]["action"] == "deactivated"
    assert history[0]["reason"] == "召回"


def test_an_inactive_lot_can_be_read_and_reactivated(api_client, commerce):
    lot = LotFactory(is_active=False)
    assert api_client.get(f"/api/v1/lots/{lot.pk}/").status_code == 200
    response = api_client.post(f"/api/v1/lots/{lot.pk}/reactivate/", {"reason": "误操作"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is True


# --- lot matches -----------------------------------------------------------------------------


def test_a_reagent_lot_is_matched_with_a_calibrator_and_a_qc_lot(api_client, commerce):
    reagent = LotFactory()
    calibrator = LotFactory(item__calibrator=True)
    qc = LotFactory(item__qc=True)
    response = api_client.post(
        "/api/v1/lot-matches/",
        {"reagent_lot": reagent.pk, "calibrator_lot": calibrator.pk, "qc_lot": qc.pk},
        format="json",
    )
    assert response.status_code == 201
    assert LotMatch.objects.get().lots == [reagent, calibrator, qc]


def test_it_refuses_a_lot_match_whose_reagent_lot_is_a_calibrator(api_client, commerce):
    calibrator = LotFactory(item__calibrator=True)
    response = api_client.post(
        "/api/v1/lot-matches/",
        {"reagent_lot": calibrator.pk, "calibrator_lot": LotFactory(item__calibrator=True).pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"reagent_lot": ["This lot is not a Reagent lot."]}
    assert not LotMatch.objects.exists()


def test_it_refuses_a_lot_match_whose_calibrator_lot_is_a_qc_material(api_client, commerce):
    response = api_client.post(
        "/api/v1/lot-matches/",
        {"reagent_lot": LotFactory().pk, "calibrator_lot": LotFactory(item__qc=True).pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"calibrator_lot": ["This lot is not a Calibrator lot."]}


def test_it_refuses_a_lot_match_with_only_a_reagent_lot(api_client, commerce):
    response = api_client.post("/api/v1/lot-matches/", {"reagent_lot": LotFactory().pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"calibrator_lot": ["Name a calibrator lot, a QC lot or both."]}


def test_the_same_match_recorded_twice_is_a_400_not_a_500(api_client, commerce):
    existing = LotMatchFactory(qc_lot=None)
    payload = {"reagent_lot": existing.reagent_lot_id, "calibrator_lot": existing.calibrator_lot_id}
    response = api_client.post("/api/v1/lot-matches/", payload, format="json")
    assert response.status_code == 400
    assert "These lots are already recorded as a match." in str(response.json())
    full = LotMatchFactory()
    payload = {"reagent_lot": full.reagent_lot_id, "calibrator_lot": full.calibrator_lot_id, "qc_lot": full.qc_lot_id}
    response = api_client.post("/api/v1/lot-matches/", payload, format="json")
    assert response.status_code == 400
    assert LotMatch.objects.count() == 2


def test_the_lot_match_list_finds_every_match_of_a_lot(api_client, commerce):
    match = LotMatchFactory()
    LotMatchFactory()
    for lot in match.lots:
        rows = api_client.get("/api/v1/lot-matches/", {"lot": lot.pk}).json()["results"]
        assert [row["id"] for row in rows] == [match.pk]


# --- instrument models and items -------------------------------------------------------------


def test_a_spare_part_with_tests_per_ml_is_a_400(api_client, commerce):
    response = api_client.post(
        "/api/v1/catalog-items/", {"code": "SP1", "name": "色谱柱", "kind": "spare_part", "tests_per_ml": "3"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"tests_per_ml": ["A spare part has no tests per mL."]}


def test_an_unknown_kind_or_family_is_a_400_naming_the_field(api_client, commerce):
    item = api_client.post("/api/v1/catalog-items/", {"code": "X", "name": "X", "kind": "gizmo"}, format="json")
    assert item.status_code == 400 and "kind" in item.json()
    model = api_client.post("/api/v1/instrument-models/", {"code": "X", "name": "X", "family": "x"}, format="json")
    assert model.status_code == 400 and "family" in model.json()


def test_a_duplicate_instrument_model_code_is_a_400(api_client, commerce):
    InstrumentModelFactory(code="YH-30")
    response = api_client.post(
        "/api/v1/instrument-models/", {"code": "YH-30", "name": "又一台", "family": "hba1c"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()


def test_the_item_list_filters_by_kind_model_and_search(api_client, commerce):
    poct = InstrumentModelFactory(code="FIA-8", family="poct")
    card = CatalogItemFactory(name="CRP检测卡", compatible_models=[poct], registration_no="国械注准20223400999")
    CatalogItemFactory(spare_part=True)

    def ids(**params):
        return {row["id"] for row in api_client.get("/api/v1/catalog-items/", params).json()["results"]}

    assert ids(kind=ItemKind.REAGENT) == {card.pk}
    assert ids(compatible_model=poct.pk) == {card.pk}
    assert ids(q="20223400999") == {card.pk}


# --- query counts ----------------------------------------------------------------------------


def _make(resource: str, n: int):
    for _ in range(n):
        if resource == "instrument-models":
            CatalogItemFactory(compatible_models=[InstrumentModelFactory()])
        elif resource == "catalog-items":
            CatalogItemFactory(compatible_models=[InstrumentModelFactory(), InstrumentModelFactory()])
        elif resource == "lots":
            LotFactory()
        else:
            LotMatchFactory()


@pytest.mark.parametrize("resource", ["instrument-models", "catalog-items", "lots", "lot-matches"])
def test_an_api_list_makes_the_same_number_of_queries_however_many_rows(
    api_client, commerce, resource, django_assert_max_num_queries
):
    url = f"/api/v1/{resource}/"
    _make(resource, 2)
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(url).status_code == 200
    _make(resource, 15)
    with django_assert_max_num_queries(len(few)):
        response = api_client.get(url)
    assert response.json()["count"] >= 17
