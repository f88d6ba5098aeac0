import io

import pytest
from django.core.management import call_command
from django.db import transaction

from apps.accounts.choices import CityTier, RegionLevel, Role
from apps.accounts.models import Region, User
from apps.catalog.choices import ItemKind, ProductFamily
from apps.catalog.models import CatalogItem, Lot, LotMatch
from apps.customers.models import Contact, Customer
from apps.demo.generator import ANCHOR, DEMO_PASSWORD, generate
from apps.instruments.choices import Ownership
from apps.instruments.models import Instrument

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _snapshot(seed: int) -> dict:
    """Generate into the test database, read what a user would see, and roll it all back."""
    try:
        with transaction.atomic():
            generate(seed=seed, scale=1, stdout=io.StringIO())
            snapshot = {
                "customers": list(Customer.objects.order_by("code").values_list("code", "name", "grade", "city__name")),
                "contacts": list(Contact.objects.order_by("customer__code", "name").values_list("name", "mobile")),
                "instruments": list(
                    Instrument.objects.order_by("serial_no").values_list(
                        "serial_no", "model__code", "customer__code", "install_date", "warranty_end", "qr_token"
                    )
                ),
                "lots": list(
                    Lot.objects.order_by("item__code", "lot_no").values_list("item__code", "lot_no", "expires_on")
                ),
            }
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


def test_it_writes_the_promised_minimums_and_a_second_run_adds_nothing():
    counts = generate(seed=42, scale=1, stdout=io.StringIO())

    assert counts["provinces"] >= 10
    assert counts["customers"] >= 80
    assert counts["staff"] >= 25
    assert counts["instruments"] >= 500
    assert counts["dealers"] >= 6
    assert counts["lots"] > 0 and counts["lot_matches"] > 0
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert set(Instrument.objects.values_list("model__family", flat=True)) == set(ProductFamily.values)
    assert set(Instrument.objects.values_list("ownership", flat=True)) == set(Ownership.values)
    assert CatalogItem.objects.filter(kind=ItemKind.REAGENT).count() >= 40
    assert {"北京市", "上海市", "广州市", "深圳市"} == set(
        Region.objects.filter(level=RegionLevel.CITY, tier=CityTier.TIER1).values_list("name", flat=True)
    )
    assert Lot.objects.filter(expires_on__lt=ANCHOR).exists(), "some lots have expired"
    assert LotMatch.objects.filter(qc_lot__isnull=False, calibrator_lot__isnull=False).exists()

    # Every bulk-written row still has its "created" history entry.
    assert Customer.history.filter(history_type="+").count() == counts["customers"]
    assert Instrument.history.filter(history_type="+").count() == counts["instruments"]
    # save() is skipped by bulk_create, so the generator computed these itself.
    assert not Customer.objects.filter(name_initials="").exists()
    sample = Instrument.objects.exclude(acceptance_date=None).first()
    assert sample.warranty_end == sample.compute_warranty_end()

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.role == Role.ADMIN and admin.check_password(DEMO_PASSWORD)
    assert User.objects.get(username="dealer").dealer is not None

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "demo data already present" in out.getvalue()
    assert "techhead" in out.getvalue()  # the logins table
    assert generate(seed=42, scale=1, stdout=io.StringIO()) == counts


def test_the_same_seed_writes_the_same_data_and_another_seed_does_not():
    first = _snapshot(42)
    assert first == _snapshot(42)
    assert first["customers"][:20] != _snapshot(7)["customers"][:20]
