from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.catalog.choices import ItemKind, ProductFamily
from apps.catalog.models import CatalogItem, LotMatch
from apps.catalog.tests.factories import CatalogItemFactory, InstrumentModelFactory, LotFactory, LotMatchFactory

pytestmark = pytest.mark.django_db


def login(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


# --- who may do what -------------------------------------------------------------------------


def test_a_commerce_user_creates_a_reagent_compatible_with_two_models(client):
    login(client, Role.COMMERCE)
    yh30, yh31 = InstrumentModelFactory(code="YH-30"), InstrumentModelFactory(code="YH-31")
    response = client.post(
        reverse("catalog:item_add"),
        {
            "code": "R-GLU", "name": "葡萄糖测定试剂盒", "kind": ItemKind.REAGENT, "pack_size": "R1 2×60 mL",
            "tests_per_ml": "2.5", "storage": "2–8 °C", "compatible_models": [yh30.pk, yh31.pk],
        },
    )
    item = CatalogItem.objects.get(code="R-GLU")
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert set(item.compatible_models.all()) == {yh30, yh31}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_sales_user_may_not_add_an_item(client, method):
    login(client, Role.SALES)
    response = getattr(client, method)(reverse("catalog:item_add"), {"code": "X", "name": "X", "kind": "reagent"})
    assert response.status_code == 403
    assert not CatalogItem.objects.exists()


def test_a_sales_user_may_not_deactivate_a_lot(client):
    lot = LotFactory()
    login(client, Role.SALES)
    response = client.post(reverse("catalog:lot_deactivate", args=[lot.pk]), {"reason": "x"})
    assert response.status_code == 403
    lot.refresh_from_db()
    assert lot.is_active


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.SALES, Role.DEALER, Role.LOGISTICS])
def test_every_role_reads_the_catalogue_without_edit_buttons(client, role):
    item = CatalogItemFactory(name="总胆固醇测定试剂盒")
    login(client, role)
    listing = client.get(reverse("catalog:item_list"))
    assert "总胆固醇测定试剂盒" in text(listing)
    assert reverse("catalog:item_add") not in text(listing)
    detail = client.get(item.get_absolute_url())
    assert detail.status_code == 200
    assert reverse("catalog:item_edit", args=[item.pk]) not in text(detail)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("catalog:lot_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- forms -----------------------------------------------------------------------------------


def test_the_lot_match_form_refuses_a_calibrator_lot_given_as_the_reagent(client):
    login(client, Role.QUALITY)
    calibrator = LotFactory(item__calibrator=True, lot_no="CAL001")
    other_calibrator = LotFactory(item__calibrator=True)
    response = client.post(
        reverse("catalog:lotmatch_add"),
        {"reagent_lot": calibrator.pk, "calibrator_lot": other_calibrator.pk, "note": "试剂批号填错"},
    )
    assert response.status_code == 200
    assert "This lot is not a Reagent lot." in text(response)
    assert "试剂批号填错" in text(response)
    assert not LotMatch.objects.exists()


def test_the_lot_match_form_searches_lots_of_the_right_kind_as_you_type(client):
    login(client, Role.QUALITY)
    response = client.get(reverse("catalog:lotmatch_add"))
    lookup = reverse("catalog:lot_lookup")
    assert f'hx-get="{lookup}?kind=reagent"' in text(response)
    assert f'hx-get="{lookup}?kind=calibrator"' in text(response)
    assert f'hx-get="{lookup}?kind=qc"' in text(response)


def test_the_lot_lookup_offers_only_active_lots_of_the_kind_asked_for(client):
    login(client, Role.QUALITY)
    wanted = LotFactory(item__calibrator=True, lot_no="C2025")
    LotFactory(item__kind=ItemKind.REAGENT, lot_no="R2025")
    LotFactory(item__calibrator=True, lot_no="C2025X", is_active=False)
    response = client.get(reverse("catalog:lot_lookup"), {"q": "2025", "kind": "calibrator"})
    assert f'value="{wanted.pk}"' in text(response)
    assert "R2025" not in text(response)
    assert "C2025X" not in text(response)


def test_the_item_lookup_for_a_lot_leaves_out_spare_parts(client):
    login(client, Role.QUALITY)
    CatalogItemFactory(name="色谱柱", spare_part=True)
    reagent = CatalogItemFactory(name="色谱试剂")
    response = client.get(reverse("catalog:item_lookup"), {"q": "色谱", "kind": "reagent,calibrator,qc"})
    assert f'value="{reagent.pk}"' in text(response)
    assert "色谱柱" not in text(response)


def test_a_lot_for_a_spare_part_is_refused_with_the_reason(client):
    login(client, Role.COMMERCE)
    part = CatalogItemFactory(spare_part=True)
    response = client.post(
        reverse("catalog:lot_add"), {"item": part.pk, "lot_no": "L1", "expires_on": "2030-01-01"}
    )
    assert response.status_code == 200
    assert "Spare parts have no lots; use serial numbers." in text(response)


def test_new_lot_from_an_item_page_starts_with_that_item_chosen(client):
    login(client, Role.COMMERCE)
    item = CatalogItemFactory(code="R-TC")
    response = client.get(reverse("catalog:lot_add"), {"item": item.pk})
    assert f'<option value="{item.pk}" selected>{item}</option>' in text(response)


def test_a_stale_edit_shows_an_error_and_keeps_what_the_user_typed(client):
    login(client, Role.COMMERCE)
    item = CatalogItemFactory(name="原名称")
    url = reverse("catalog:item_edit", args=[item.pk])
    form = {"code": item.code, "name": "我的修改", "kind": item.kind, "expected_version": 1}
    CatalogItem.objects.filter(pk=item.pk).update(name="同事的修改", version=2)
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Someone else changed this record" in text(response)
    assert 'value="我的修改"' in text(response)
    item.refresh_from_db()
    assert item.name == "同事的修改"


def test_deactivating_an_item_needs_a_reason_and_shows_on_its_page(client):
    login(client, Role.COMMERCE)
    item = CatalogItemFactory()
    url = reverse("catalog:item_deactivate", args=[item.pk])
    client.post(url, {"reason": "", "expected_version": 1})
    item.refresh_from_db()
    assert item.is_active
    response = client.post(url, {"reason": "停产", "expected_version": 1}, follow=True)
    item.refresh_from_db()
    assert not item.is_active
    assert "停产" in text(response)


# --- detail pages ----------------------------------------------------------------------------


def test_an_item_page_lists_its_lots_with_the_expired_one_flagged_and_its_models(client):
    login(client, Role.ENGINEER)
    yh30 = InstrumentModelFactory(code="YH-30", name="糖化血红蛋白分析仪")
    item = CatalogItemFactory(compatible_models=[yh30])
    LotFactory(item=item, lot_no="OLD001", expired=True)
    LotFactory(item=item, lot_no="NEW001")
    page = text(client.get(item.get_absolute_url()))
    assert "YH-30 糖化血红蛋白分析仪" in page
    old_line = page[page.index("OLD001"):].split("</li>")[0]
    new_line = page[page.index("NEW001"):].split("</li>")[0]
    assert "expired" in old_line
    assert "expired" not in new_line


def test_an_instrument_model_page_lists_the_items_that_run_on_it(client):
    login(client, Role.CLERK)
    biochem = InstrumentModelFactory(code="BS-240", family=ProductFamily.BIOCHEMISTRY)
    CatalogItemFactory(name="肌酐测定试剂盒", compatible_models=[biochem])
    CatalogItemFactory(name="别的试剂")
    page = text(client.get(biochem.get_absolute_url()))
    assert "肌酐测定试剂盒" in page
    assert "别的试剂" not in page


def test_a_lot_page_shows_its_matching_lots_in_both_directions(client):
    login(client, Role.COMMERCE)
    match = LotMatchFactory(reagent_lot__lot_no="R777", calibrator_lot__lot_no="C888", qc_lot__lot_no="Q999")
    reagent_page = text(client.get(match.reagent_lot.get_absolute_url()))
    assert "C888" in reagent_page and "Q999" in reagent_page
    calibrator_page = text(client.get(match.calibrator_lot.get_absolute_url()))
    assert "R777" in calibrator_page and "Q999" in calibrator_page


def test_an_expired_lot_is_flagged_on_its_own_page_and_in_the_list(client):
    login(client, Role.QUALITY)
    lot = LotFactory(lot_no="EXP123", expired=True)
    assert "badge warn" in text(client.get(lot.get_absolute_url()))
    listing = text(client.get(reverse("catalog:lot_list")))
    row = listing[listing.index("EXP123"):].split("</tr>")[0]
    assert "expired" in row


def test_the_detail_page_history_shows_before_and_after_of_an_edit(client):
    user = login(client, Role.COMMERCE)
    user.name = "商务小王"
    user.save()
    item = CatalogItemFactory(storage="2–8 °C")
    response = client.post(
        reverse("catalog:item_edit", args=[item.pk]),
        {"code": item.code, "name": item.name, "kind": item.kind, "storage": "-20 °C", "expected_version": 1},
    )
    assert response.status_code == 302
    page = text(client.get(item.get_absolute_url()))
    history = page[page.index('id="history"'):]
    assert "商务小王" in history
    assert '<td class="old">2–8 °C</td><td class="new">-20 °C</td>' in history


# --- list filters ----------------------------------------------------------------------------


def test_the_lot_list_filters_expired_and_soon_expiring_lots(client):
    login(client, Role.QUALITY)
    today = timezone.localdate()
    LotFactory(lot_no="GONE01", expired=True)
    LotFactory(lot_no="SOON01", expires_on=today + timedelta(days=20))
    LotFactory(lot_no="LATE01", expires_on=today + timedelta(days=300))
    url = reverse("catalog:lot_list")
    expired = text(client.get(url, {"expired": "true"}))
    assert "GONE01" in expired and "SOON01" not in expired and "LATE01" not in expired
    fresh = text(client.get(url, {"expired": "false"}))
    assert "GONE01" not in fresh and "SOON01" in fresh and "LATE01" in fresh
    soon = text(client.get(url, {"expiring_within": "30"}))
    assert "SOON01" in soon and "GONE01" not in soon and "LATE01" not in soon


def test_the_lot_list_filters_by_item_kind_item_and_search(client):
    login(client, Role.QUALITY)
    reagent_lot = LotFactory(lot_no="RL0001", item__name="尿酸测定试剂盒")
    LotFactory(lot_no="CL0001", item__calibrator=True)
    url = reverse("catalog:lot_list")
    by_kind = text(client.get(url, {"item_kind": "calibrator"}))
    assert "CL0001" in by_kind and "RL0001" not in by_kind
    by_item = text(client.get(url, {"item": reagent_lot.item_id}))
    assert "RL0001" in by_item and "CL0001" not in by_item
    by_name = text(client.get(url, {"q": "尿酸"}))
    assert "RL0001" in by_name and "CL0001" not in by_name


def test_the_item_list_filters_by_kind_model_and_registration_number(client):
    login(client, Role.ENGINEER)
    poct = InstrumentModelFactory(code="FIA-8", family=ProductFamily.POCT)
    CatalogItemFactory(name="CRP检测卡", compatible_models=[poct], registration_no="国械注准20223400999")
    CatalogItemFactory(name="色谱柱", spare_part=True)
    url = reverse("catalog:item_list")
    assert "色谱柱" not in text(client.get(url, {"kind": "reagent"}))
    by_model = text(client.get(url, {"compatible_model": poct.pk}))
    assert "CRP检测卡" in by_model and "色谱柱" not in by_model
    assert "CRP检测卡" in text(client.get(url, {"q": "20223400999"}))


def test_the_instrument_model_list_filters_third_party_analysers(client):
    login(client, Role.ENGINEER)
    InstrumentModelFactory(name="本厂分析仪")
    InstrumentModelFactory(name="友商分析仪", is_third_party=True, family=ProductFamily.BIOCHEMISTRY)
    page = text(client.get(reverse("catalog:instrumentmodel_list"), {"is_third_party": "true"}))
    assert "友商分析仪" in page and "本厂分析仪" not in page


def test_inactive_rows_are_hidden_until_asked_for(client):
    login(client, Role.ENGINEER)
    CatalogItemFactory(name="停用试剂", is_active=False)
    url = reverse("catalog:item_list")
    assert "停用试剂" not in text(client.get(url))
    assert "停用试剂" in text(client.get(url, {"status": "inactive"}))


# --- query counts ----------------------------------------------------------------------------


def _make_rows(kind: str, n: int):
    for _ in range(n):
        if kind == "instrumentmodel":
            CatalogItemFactory(compatible_models=[InstrumentModelFactory()])
        elif kind == "item":
            CatalogItemFactory(compatible_models=[InstrumentModelFactory(), InstrumentModelFactory()])
        elif kind == "lot":
            LotFactory()
        else:
            LotMatchFactory()


@pytest.mark.parametrize("kind", ["instrumentmodel", "item", "lot", "lotmatch"])
def test_a_list_page_makes_the_same_number_of_queries_however_many_rows(client, kind, django_assert_max_num_queries):
    login(client, Role.ADMIN)
    url = reverse(f"catalog:{kind}_list")
    _make_rows(kind, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_rows(kind, 15)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("kind", ["item", "lot"])
def test_a_detail_page_makes_the_same_number_of_queries_however_many_lots(client, kind, django_assert_max_num_queries):
    login(client, Role.ADMIN)
    item = CatalogItemFactory()
    reagent_lot = LotFactory(item=item)

    def more(n):
        for _ in range(n):
            LotMatchFactory(reagent_lot=LotFactory(item=item))
            LotMatchFactory(reagent_lot=reagent_lot, qc_lot=None)

    url = item.get_absolute_url() if kind == "item" else reagent_lot.get_absolute_url()
    more(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    more(8)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200
