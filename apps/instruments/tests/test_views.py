import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.instruments.choices import InstrumentStatus, Ownership
from apps.instruments.models import Instrument
from apps.instruments.qr import qr_svg, report_url
from apps.instruments.services import instrument_update
from apps.instruments.tests.factories import InstrumentFactory, InstrumentModelFactory

LIST = reverse("instruments:instrument_list")


def _listed(client, user, **params):
    client.force_login(user)
    response = client.get(LIST, params)
    assert response.status_code == 200
    page = response.content.decode()
    return {serial for serial in ("A-0001", "B-0001", "B-PLACED") if serial in page}


def _form_data(instrument, **overrides):
    data = {
        "serial_no": instrument.serial_no,
        "model": instrument.model_id,
        "customer": instrument.customer_id,
        "department": instrument.department_id or "",
        "ownership": instrument.ownership,
        "dealer": instrument.dealer_id or "",
        "install_date": instrument.install_date.isoformat() if instrument.install_date else "",
        "acceptance_date": instrument.acceptance_date.isoformat() if instrument.acceptance_date else "",
        "warranty_months": instrument.warranty_months,
        "contract_no": instrument.contract_no,
        "status": instrument.status,
        "notes": instrument.notes,
        "expected_version": instrument.version,
    }
    data.update(overrides)
    return data


# --- scoping -----------------------------------------------------------------------------------


def test_an_engineer_of_region_a_lists_a_instruments_not_bs(base, client):
    assert _listed(client, base.engineer) == {"A-0001"}


def test_a_dealer_lists_the_unit_he_placed_at_a_customer_he_does_not_serve(base, client):
    assert _listed(client, base.dealer_user) == {"A-0001", "B-PLACED"}
    response = client.get(base.placed_b.get_absolute_url())
    assert response.status_code == 200
    # No link to a customer page the dealer may not open.
    assert base.customer_b.get_absolute_url() not in response.content.decode()


def test_a_sales_person_lists_only_his_customers_instruments(base, client):
    assert _listed(client, base.sales) == {"A-0001"}


def test_an_instrument_outside_the_users_scope_is_404(base, client):
    client.force_login(base.engineer)
    assert client.get(base.instrument_b.get_absolute_url()).status_code == 404
    assert client.get(reverse("instruments:instrument_edit", args=[base.instrument_b.pk])).status_code == 404
    assert client.get(reverse("instruments:instrument_qr", args=[base.instrument_b.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(base, client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- filters -----------------------------------------------------------------------------------


def test_the_list_filters_by_warranty_state(base, client):
    base.instrument_b.acceptance_date = dt.date(2020, 1, 1)
    base.instrument_b.install_date = dt.date(2020, 1, 1)
    base.instrument_b.save()
    base.placed_b.acceptance_date = None
    base.placed_b.save()
    base.instrument_a.acceptance_date = timezone.localdate()
    base.instrument_a.install_date = None
    base.instrument_a.save()
    assert _listed(client, base.clerk, warranty="in") == {"A-0001"}
    assert _listed(client, base.clerk, warranty="out") == {"B-0001"}
    assert _listed(client, base.clerk, warranty="none") == {"B-PLACED"}


def test_the_list_filters_by_status_ownership_customer_dealer_province_and_family(base, client):
    base.instrument_b.status = InstrumentStatus.UNDER_REPAIR
    base.instrument_b.save()
    assert _listed(client, base.clerk, instrument_status="repair") == {"B-0001"}
    assert _listed(client, base.clerk, ownership=Ownership.DEALER) == {"B-PLACED"}
    assert _listed(client, base.clerk, dealer=base.dealer.pk) == {"B-PLACED"}
    assert _listed(client, base.clerk, customer=base.customer_a.pk) == {"A-0001"}
    assert _listed(client, base.clerk, province=base.province_b.pk) == {"B-0001", "B-PLACED"}
    base.instrument_a.model = InstrumentModelFactory(family="biochem")
    base.instrument_a.save()
    assert _listed(client, base.clerk, family="biochem") == {"A-0001"}
    assert _listed(client, base.clerk, q="b-placed") == {"B-PLACED"}


def test_the_list_page_needs_no_more_queries_for_more_rows(base, client, django_assert_max_num_queries):
    client.force_login(base.clerk)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for _ in range(20):
        InstrumentFactory(customer=base.customer_b, ownership=Ownership.DEALER, dealer=base.dealer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.content.decode().count("SN0") >= 20


# --- create / edit -----------------------------------------------------------------------------


def test_the_add_form_searches_customers_on_the_server_and_takes_a_preselected_customer(base, client):
    client.force_login(base.engineer)
    response = client.get(reverse("instruments:instrument_add"), {"customer": base.customer_a.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("customers:customer_lookup") in page
    assert f'<option value="{base.customer_a.pk}" selected>' in page
    assert base.customer_b.name not in page  # only the chosen customer is rendered


def test_an_engineer_registers_an_instrument_through_the_form(base, client):
    client.force_login(base.engineer)
    template = InstrumentFactory.build(
        serial_no="YH30-NEW", model=base.instrument_a.model, customer=base.customer_a, department=base.department_a
    )
    response = client.post(reverse("instruments:instrument_add"), _form_data(template, expected_version=""))
    instrument = Instrument.objects.get(serial_no="YH30-NEW")
    assert response.status_code == 302
    assert response["Location"] == instrument.get_absolute_url()
    assert instrument.warranty_end == dt.date(2027, 3, 14)
    assert instrument.history.get().history_user == base.engineer


def test_the_form_refuses_a_customer_outside_the_engineers_regions(base, client):
    client.force_login(base.engineer)
    template = InstrumentFactory.build(serial_no="YH30-NEW", model=base.instrument_a.model, customer=base.customer_b)
    response = client.post(reverse("instruments:instrument_add"), _form_data(template, expected_version=""))
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not Instrument.objects.filter(serial_no="YH30-NEW").exists()


def test_the_form_asks_for_the_dealer_of_a_dealer_placed_unit(base, client):
    client.force_login(base.head)
    response = client.post(
        reverse("instruments:instrument_edit", args=[base.instrument_a.pk]),
        _form_data(base.instrument_a, ownership=Ownership.DEALER),
    )
    assert response.status_code == 200
    assert "dealer" in response.context["form"].errors


def test_a_stale_edit_shows_an_error_and_keeps_the_users_input(base, client):
    instrument = base.instrument_a
    stale = _form_data(instrument, notes="换了新的色谱柱")
    instrument_update(actor=base.head, instance=instrument, data={"contract_no": "HT-9"}, expected_version=1)
    client.force_login(base.engineer)
    response = client.post(reverse("instruments:instrument_edit", args=[instrument.pk]), stale)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this record" in page
    assert "换了新的色谱柱" in page
    instrument.refresh_from_db()
    assert instrument.notes == ""
    assert instrument.contract_no == "HT-9"


def test_the_detail_page_shows_before_and_after_values_of_an_edit(base, client):
    client.force_login(base.engineer)
    response = client.post(
        reverse("instruments:instrument_edit", args=[base.instrument_a.pk]),
        _form_data(base.instrument_a, warranty_months=24),
    )
    assert response.status_code == 302
    page = client.get(base.instrument_a.get_absolute_url()).content.decode()
    assert '<td class="old">12</td><td class="new">24</td>' in page
    assert '<td class="old">2027-03-14</td><td class="new">2028-03-14</td>' in page


def test_only_managers_deactivate_an_instrument_and_must_give_a_reason(base, client):
    url = reverse("instruments:instrument_deactivate", args=[base.instrument_a.pk])
    client.force_login(base.engineer)
    assert client.post(url, {"reason": "scrapped"}).status_code == 403
    client.force_login(base.head)
    client.post(url, {"reason": ""})
    base.instrument_a.refresh_from_db()
    assert base.instrument_a.is_active
    response = client.post(url, {"reason": "scrapped", "expected_version": base.instrument_a.version})
    assert response.status_code == 302
    base.instrument_a.refresh_from_db()
    assert not base.instrument_a.is_active
    client.post(reverse("instruments:instrument_reactivate", args=[base.instrument_a.pk]), {"reason": "error"})
    base.instrument_a.refresh_from_db()
    assert base.instrument_a.is_active


def test_the_lookup_offers_only_instruments_the_user_may_see(base, client):
    client.force_login(base.engineer)
    response = client.get(reverse("instruments:instrument_lookup"), {"q": "0001"})
    page = response.content.decode()
    assert f'value="{base.instrument_a.pk}"' in page
    assert f'value="{base.instrument_b.pk}"' not in page


# --- detail, QR code and the public page --------------------------------------------------------


def test_the_detail_page_shows_warranty_customer_ownership_and_the_qr_code(base, client):
    client.force_login(base.engineer)
    page = client.get(base.instrument_a.get_absolute_url()).content.decode()
    assert "In warranty until 2027-03-14" in page or "Warranty expired on 2027-03-14" in page
    assert base.customer_a.get_absolute_url() in page
    assert "Customer-owned" in page
    assert reverse("instruments:instrument_qr", args=[base.instrument_a.pk]) in page
    assert base.instrument_a.qr_token in page


@pytest.mark.parametrize(
    ("acceptance", "text"),
    [(None, "Not yet accepted"), (dt.date(2020, 1, 1), "Warranty expired on 2020-12-31")],
)
def test_the_detail_page_names_the_warranty_state(base, client, acceptance, text):
    base.instrument_a.install_date = None
    base.instrument_a.acceptance_date = acceptance
    base.instrument_a.save()
    client.force_login(base.engineer)
    assert text in client.get(base.instrument_a.get_absolute_url()).content.decode()


def test_the_qr_code_is_an_svg_of_the_absolute_report_url(base, client):
    client.force_login(base.engineer)
    response = client.get(reverse("instruments:instrument_qr", args=[base.instrument_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    expected_url = f"http://testserver/r/{base.instrument_a.qr_token}/"
    assert response.content == qr_svg(expected_url, title=base.instrument_a.serial_no)
    assert response.content.startswith(b"<svg")


def test_a_configured_public_base_url_goes_into_the_qr_code(base, settings):
    settings.PUBLIC_BASE_URL = "https://service.example.cn/"
    assert report_url(base.instrument_a) == f"https://service.example.cn/r/{base.instrument_a.qr_token}/"


def test_the_qr_code_needs_a_login(base, client):
    response = client.get(reverse("instruments:instrument_qr", args=[base.instrument_a.pk]))
    assert response.status_code == 302


def test_the_page_behind_the_qr_code_is_public_and_names_the_unit(base, client):
    response = client.get(f"/r/{base.instrument_a.qr_token}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert base.instrument_a.serial_no in page
    assert base.instrument_a.model.code in page
    assert base.customer_a.name in page
    assert "opens soon" in page


def test_an_unknown_qr_token_is_404(base, client):
    assert client.get("/r/not-a-token/").status_code == 404
