import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.instruments.choices import InstrumentStatus, Ownership
from apps.instruments.models import Instrument
from apps.instruments.tests.factories import InstrumentFactory

URL = "/api/v1/instruments/"


def _serials(api_client, user, **params):
    api_client.force_authenticate(user)
    response = api_client.get(URL, {"page_size": 200, **params})
    assert response.status_code == 200
    return {row["serial_no"] for row in response.json()["results"]}


def _payload(base, **overrides):
    payload = {
        "serial_no": "YH30-API-1",
        "model": base.instrument_a.model_id,
        "customer": base.customer_a.pk,
        "department": base.department_a.pk,
        "ownership": Ownership.CUSTOMER,
        "install_date": "2026-03-10",
        "acceptance_date": "2026-03-15",
        "warranty_months": 12,
    }
    payload.update(overrides)
    return payload


def test_each_user_lists_only_the_instruments_in_his_scope(base, api_client):
    assert _serials(api_client, base.engineer) == {"A-0001"}
    assert _serials(api_client, base.sales) == {"A-0001"}
    assert _serials(api_client, base.dealer_user) == {"A-0001", "B-PLACED"}
    assert _serials(api_client, base.clerk) == {"A-0001", "B-0001", "B-PLACED"}


def test_an_instrument_outside_the_scope_is_404(base, api_client):
    api_client.force_authenticate(base.engineer)
    assert api_client.get(f"{URL}{base.instrument_b.pk}/").status_code == 404
    assert api_client.get(f"{URL}{base.instrument_a.pk}/").status_code == 200


def test_an_engineer_registers_an_instrument_and_gets_its_warranty(base, api_client):
    api_client.force_authenticate(base.engineer)
    response = api_client.post(
        URL, _payload(base, warranty_end="2099-01-01", qr_token="mine", warranty_state="in"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["warranty_end"] == "2027-03-14"  # computed, the posted value ignored
    assert body["warranty_state"] in {"in", "out"}
    assert body["qr_token"] != "mine"
    assert body["qr_url"] == f"http://testserver/r/{body['qr_token']}/"
    assert body["version"] == 1
    assert Instrument.objects.get(pk=body["id"]).history.get().history_user == base.engineer


def test_an_instrument_not_yet_accepted_has_no_warranty(base, api_client):
    api_client.force_authenticate(base.head)
    response = api_client.post(URL, _payload(base, acceptance_date=None), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["warranty_end"] is None
    assert response.json()["warranty_state"] == "none"


def test_a_customer_outside_the_users_scope_is_refused_with_400(base, api_client):
    api_client.force_authenticate(base.engineer)
    response = api_client.post(URL, _payload(base, customer=base.customer_b.pk, department=None), format="json")
    assert response.status_code == 400
    assert "customer" in response.json()
    assert not Instrument.objects.filter(serial_no="YH30-API-1").exists()


def test_a_dealer_placed_unit_without_its_dealer_is_refused_with_a_message_on_dealer(base, api_client):
    api_client.force_authenticate(base.head)
    response = api_client.post(URL, _payload(base, ownership=Ownership.DEALER), format="json")
    assert response.status_code == 400
    assert response.json()["dealer"]


def test_acceptance_before_installation_is_refused(base, api_client):
    api_client.force_authenticate(base.head)
    response = api_client.post(URL, _payload(base, acceptance_date="2026-03-01"), format="json")
    assert response.status_code == 400
    assert response.json()["acceptance_date"]


def test_a_department_of_another_customer_is_refused(base, api_client):
    api_client.force_authenticate(base.head)
    response = api_client.post(URL, _payload(base, customer=base.customer_b.pk), format="json")
    assert response.status_code == 400
    assert response.json()["department"]


@pytest.mark.parametrize("role_attr", ["sales", "dealer_user"])
def test_sales_and_dealers_may_not_register_instruments(base, api_client, role_attr):
    api_client.force_authenticate(getattr(base, role_attr))
    assert api_client.post(URL, _payload(base), format="json").status_code == 403


def test_a_stale_version_is_refused_with_409_and_nothing_changes(base, api_client):
    instrument = base.instrument_a
    api_client.force_authenticate(base.head)
    first = api_client.patch(f"{URL}{instrument.pk}/", {"status": "repair", "version": 1}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 2
    api_client.force_authenticate(base.engineer)
    second = api_client.patch(f"{URL}{instrument.pk}/", {"status": "idle", "version": 1}, format="json")
    assert second.status_code == 409
    instrument.refresh_from_db()
    assert instrument.status == InstrumentStatus.UNDER_REPAIR


def test_an_update_must_name_its_version(base, api_client):
    api_client.force_authenticate(base.head)
    response = api_client.patch(f"{URL}{base.instrument_a.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_the_history_shows_before_and_after_of_an_edit(base, api_client):
    api_client.force_authenticate(base.engineer)
    url = f"{URL}{base.instrument_a.pk}/"
    assert api_client.patch(url, {"warranty_months": 24, "version": 1}, format="json").status_code == 200
    latest = api_client.get(f"{url}history/").json()[0]
    changes = {c["field"]: (c["old"], c["new"]) for c in latest["changes"]}
    assert changes["warranty_months"] == ("12", "24")
    assert changes["warranty_end"] == ("2027-03-14", "2028-03-14")


def test_only_managers_deactivate_and_they_give_a_reason(base, api_client):
    url = f"{URL}{base.instrument_a.pk}/deactivate/"
    api_client.force_authenticate(base.engineer)
    assert api_client.post(url, {"reason": "scrapped"}, format="json").status_code == 403
    api_client.force_authenticate(base.head)
    assert api_client.post(url, {}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "scrapped"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert _serials(api_client, base.head) == {"B-0001", "B-PLACED"}
    assert _serials(api_client, base.head, status="inactive") == {"A-0001"}


def test_the_api_filters_like_the_list_page(base, api_client):
    assert _serials(api_client, base.clerk, ownership="dealer") == {"B-PLACED"}
    assert _serials(api_client, base.clerk, customer=base.customer_a.pk) == {"A-0001"}
    assert _serials(api_client, base.clerk, q="长沙") == {"B-0001", "B-PLACED"}


def test_the_api_list_needs_no_more_queries_for_more_rows(base, api_client, django_assert_max_num_queries):
    api_client.force_authenticate(base.clerk)
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(URL).status_code == 200
    for _ in range(20):
        InstrumentFactory(customer=base.customer_b, ownership=Ownership.DEALER, dealer=base.dealer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_client.get(URL)
    assert response.json()["count"] == 23


def test_a_deactivated_instrument_is_read_and_reactivated_by_id(base, api_client):
    api_client.force_authenticate(base.head)
    url = f"{URL}{base.instrument_a.pk}/"
    assert api_client.post(f"{url}deactivate/", {"reason": "scrapped"}, format="json").status_code == 200
    assert api_client.get(url).json()["is_active"] is False
    again = api_client.post(f"{url}deactivate/", {"reason": "scrapped"}, format="json")
    assert again.status_code == 409
    response = api_client.post(f"{url}reactivate/", {"reason": "entered in error"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
