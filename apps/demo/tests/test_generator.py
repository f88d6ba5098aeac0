import datetime as dt
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


def test_a_newcomer_finds_follow_ups_surveys_vip_and_survival_alive():
    from django.utils import timezone

    from apps.followups.choices import SheetState, Stage, Trend
    from apps.followups.models import FollowUpSheet
    from apps.followups.selectors import call_list, leader_queue
    from apps.surveys.choices import OPEN_CASE_STATES, Item, RaterGroup, SurveyChannel, SurveyState
    from apps.surveys.models import EngineerRating, Survey, SurveyCase
    from apps.survival.models import ProjectCheck
    from apps.vip.choices import VisitState
    from apps.vip.models import VipMembership, VipVisit

    out = io.StringIO()
    counts = generate(seed=42, scale=1, stdout=out)
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.all()}

    # FU-2: the hotline's and the engineer's call lists have work today; the installation whose
    # results were worse than usual is called every day now.
    assert call_list(user=users["clerk"], day=today).exists()
    engineer_calls = call_list(user=users["engineer"], day=today)
    assert engineer_calls.filter(stage=Stage.POOR_DAILY).exists()
    assert engineer_calls.model.objects.filter(trend=Trend.WORSE, done_by=users["engineer"]).count() == 2
    # FU-3: one problem waits for the leader's handling plan; one customer was not reached.
    assert leader_queue(user=users["techhead"]).count() == 1
    assert engineer_calls.model.objects.filter(attempts=1).exists()
    # FU-4: the engineer's follow-up sheet waits for the supervisor.
    assert FollowUpSheet.objects.filter(caller=users["engineer"], state=SheetState.SUBMITTED).exists()

    # SQ-1/SQ-2: answered on site, through the link and by phone; a low product-quality score
    # opened a case that is being worked; other surveys wait with a live link.
    assert {SurveyChannel.ON_SITE, SurveyChannel.LINK, SurveyChannel.PHONE} <= set(
        Survey.objects.filter(state=SurveyState.ANSWERED).values_list("channel", flat=True)
    )
    case = SurveyCase.objects.get(state__in=OPEN_CASE_STATES)
    assert case.item == Item.PRODUCT_QUALITY and case.score == 2 and case.cause
    assert Survey.objects.filter(state=SurveyState.PENDING, link_expires_at__gt=timezone.now()).exists()
    # SQ-4: last month's ratings from the three rater groups.
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert set(EngineerRating.objects.filter(month=last_month).values_list("rater_group", flat=True)) == set(
        RaterGroup.values
    )

    # FU-5: VIP members with a fixed engineer, planned visits, one announced, one done.
    members = VipMembership.objects.filter(is_active=True)
    assert members.count() == 10 and not members.filter(engineer=None).exists()
    assert {VisitState.PLANNED, VisitState.ANNOUNCED, VisitState.DONE} <= set(
        VipVisit.objects.values_list("state", flat=True)
    )
    assert Customer.objects.filter(tier="vip").count() == 10
    # FU-6: the new project's first monthly check is recorded.
    check = ProjectCheck.objects.get(recorded_at__isnull=False)
    assert check.month == 1 and check.in_use is True and check.usage > 0

    assert counts["followups"] > 10 and counts["vip_members"] == 10 and counts["new_projects"] == 1
    assert "aftercare:" in out.getvalue()
