"""Returns and exchanges as S4 has them (退换货 3.1–3.4): an application within the allowed period
with the proof of purchase, the device's data and the fault; cause and responsibility assessed;
repair or replacement, a refund only when neither solves it; finance confirms a refund."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.choices import Role
from apps.catalog.choices import ItemKind
from apps.catalog.models import Lot
from apps.catalog.tests.factories import CatalogItemFactory
from apps.core.exceptions import ConflictError
from apps.returns import services
from apps.returns.choices import TRANSITIONS, PeriodRule, ProductKind, Remedy, Responsibility, Status
from apps.returns.models import ReturnRequest
from apps.returns.tests._helpers import (  # noqa: F401
    MONDAY,
    apply,
    apply_reagent,
    changsha_fixture,
    invoice,
    messages_for,
    photo,
    walk,
    world_fixture,
)
from apps.returns.transitions import TransitionRefused

pytestmark = pytest.mark.django_db


# --- the application [S4 3.1] --------------------------------------------------------------------


def test_an_application_with_its_proof_within_the_warranty_is_recorded_and_the_assessors_are_told(world):
    rr = apply(world, photos=[photo()])
    assert rr.number == f"RT260608-{rr.pk:05d}"
    assert rr.status == Status.APPLIED
    assert rr.product_kind == ProductKind.INSTRUMENT and rr.serial_no == "YH30-0001" and rr.quantity == 1
    assert (rr.period_ends_on, rr.period_rule, rr.in_period) == (dt.date(2027, 3, 14), PeriodRule.WARRANTY, True)
    assert rr.sales == world.sales and rr.created_by == world.clerk
    assert sorted(rr.attachments.values_list("kind", "original_name")) == [
        ("fault", "报警截图.jpg"),
        ("proof", "发票.pdf"),
    ]
    subject = f"New return / exchange {rr.number}: {rr.product_name} — 广州市第一人民医院"
    assert messages_for(world.quality) == [subject]
    assert messages_for(world.tech_head) == [subject]
    assert messages_for(world.sales) == [subject]
    assert messages_for(world.finance) == []


def test_an_application_without_the_proof_of_purchase_is_refused(world):
    with pytest.raises(ValidationError) as error:
        apply(world, proofs=[])
    assert error.value.message_dict["proof"] == ["Attach the proof of purchase (invoice, delivery note or contract)."]
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"fault_description": " "}, "fault_description"),
        ({"purchase_document": ""}, "purchase_document"),
        ({"applicant_name": ""}, "applicant_name"),
        ({"requested_remedy": "gift"}, "requested_remedy"),
        ({"purchased_on": dt.date(2026, 6, 9)}, "purchased_on"),
        ({"purchased_on": None}, "purchased_on"),
        ({"instrument": None}, "item"),
        ({"quantity": 2}, "quantity"),
    ],
)
def test_an_incomplete_application_is_refused_and_nothing_is_saved(world, data, field):
    with pytest.raises(ValidationError) as error:
        apply(world, **data)
    assert field in error.value.message_dict
    assert not ReturnRequest.objects.exists()
    assert messages_for(world.quality) == []


def test_a_file_of_an_unknown_type_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as error:
        apply(world, proofs=[SimpleUploadedFile("发票.exe", b"MZ")])
    assert "proof" in error.value.message_dict


def test_an_instrument_out_of_warranty_is_refused_with_the_day_the_period_ended(world):
    with pytest.raises(ValidationError) as error:
        apply(world, instrument=world.old_instrument, purchased_on=dt.date(2024, 1, 5))
    [message] = error.value.message_dict["purchased_on"]
    assert "Outside the allowed period" in message and "2025-01-09" in message
    assert "The technical head or the quality department may accept it with a reason." in message
    assert not ReturnRequest.objects.exists()


def test_the_technical_head_accepts_an_application_outside_the_period_with_a_reason(world):
    with pytest.raises(ValidationError) as error:
        apply(world, actor=world.tech_head, instrument=world.old_instrument, purchased_on=dt.date(2024, 1, 5))
    assert "override_reason" in error.value.message_dict
    rr = apply(
        world,
        actor=world.tech_head,
        instrument=world.old_instrument,
        purchased_on=dt.date(2024, 1, 5),
        override_reason="重点客户，营销中心同意按保内处理",
    )
    assert rr.in_period is False and rr.override_by == world.tech_head
    assert rr.override_reason == "重点客户，营销中心同意按保内处理"
    assert "Accepted outside the allowed period (ended 2025-01-09)" in rr.events.get().text


def test_a_clerks_override_reason_does_not_open_the_period(world):
    with pytest.raises(ValidationError) as error:
        apply(world, instrument=world.old_instrument, purchased_on=dt.date(2024, 1, 5), override_reason="客户坚持")
    assert "purchased_on" in error.value.message_dict


def test_a_reagent_is_taken_back_until_its_lot_expires(world):
    rr = apply_reagent(world)
    assert rr.product_kind == ProductKind.CONSUMABLE and rr.lot_no == "20260301" and rr.quantity == 3
    assert (rr.period_ends_on, rr.period_rule) == (dt.date(2027, 8, 31), PeriodRule.LOT_EXPIRY)
    expired = Lot.objects.create(item=world.reagent, lot_no="20240101", expires_on=dt.date(2026, 6, 7))
    with pytest.raises(ValidationError) as error:
        apply_reagent(world, lot=expired, purchased_on=dt.date(2025, 6, 1))
    assert "2026-06-07" in error.value.message_dict["purchased_on"][0]


def test_a_reagent_without_a_known_lot_needs_the_lot_number_and_has_six_months(world):
    with pytest.raises(ValidationError) as error:
        apply_reagent(world, lot=None)
    assert "lot_no" in error.value.message_dict
    rr = apply_reagent(world, lot=None, lot_no="20251201", purchased_on=dt.date(2026, 1, 8))
    assert (rr.period_ends_on, rr.period_rule) == (dt.date(2026, 7, 7), PeriodRule.CONSUMABLE_MONTHS)


def test_a_spare_part_may_be_returned_within_six_months_of_purchase(world):
    rr = apply(world, instrument=None, item=world.part, serial_no="P-778", purchased_on=dt.date(2025, 12, 9))
    assert (rr.product_kind, rr.period_ends_on) == (ProductKind.PART, dt.date(2026, 6, 8))
    with pytest.raises(ValidationError):
        apply(world, instrument=None, item=world.part, purchased_on=dt.date(2025, 12, 8))


def test_an_application_from_a_complaint_takes_its_product_and_must_be_the_same_customer(world, changsha):
    from apps.complaints.tests._world import register

    complaint = register(world)  # 葡萄糖试剂, lot 20260301, 广州市第一人民医院
    rr = apply(world, instrument=None, complaint=complaint, customer=None, purchased_on=dt.date(2026, 5, 6))
    assert rr.customer == world.customer and rr.lot == world.lot and rr.item == world.reagent
    assert rr.complaint == complaint
    with pytest.raises(ValidationError) as error:
        apply(world, actor=world.tech_head, complaint=complaint, customer=changsha, instrument=None, item=world.part)
    assert "complaint" in error.value.message_dict


def test_a_sales_person_applies_only_for_his_customers_and_engineers_not_at_all(world, changsha):
    with pytest.raises(ValidationError) as error:
        apply(world, actor=world.sales, customer=changsha, instrument=None, item=world.part)
    assert "customer" in error.value.message_dict
    assert apply(world, actor=world.sales).created_by == world.sales
    with pytest.raises(PermissionDenied):
        apply(world, actor=world.engineer)


def test_an_instrument_of_another_customer_is_refused(world, changsha):
    with pytest.raises(ValidationError) as error:
        apply(world, actor=world.tech_head, customer=changsha)
    assert "instrument" in error.value.message_dict


# --- assessment and remedy [S4 3.2–3.4] ----------------------------------------------------------


def test_a_repair_from_application_to_closure_leaves_a_timeline(world):
    rr = walk(world, apply(world), Status.CLOSED)
    assert rr.responsibility == Responsibility.COMPANY and rr.assessed_by == world.quality
    assert rr.remedy == Remedy.REPAIR and rr.chargeable is False
    assert rr.work_done == "更换进样针并校准" and rr.completed_on == dt.date(2026, 6, 8)
    assert list(rr.events.order_by("at", "id").values_list("from_status", "to_status")) == [
        ("", "applied"),
        ("applied", "assessed"),
        ("assessed", "decided"),
        ("decided", "completed"),
        ("completed", "closed"),
    ]


def test_the_assessment_needs_the_cause_and_the_responsibility(world):
    rr = apply(world)
    with pytest.raises(ValidationError) as error:
        services.return_assess(actor=world.quality, return_request=rr, cause="", responsibility="company")
    assert "cause" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.return_assess(actor=world.quality, return_request=rr, cause="x", responsibility="god")
    assert "responsibility" in error.value.message_dict


def test_the_sales_person_hears_the_assessment(world):
    rr = walk(world, apply(world), Status.ASSESSED)
    assert messages_for(world.sales, contains="assessed") == [f"{rr.number} assessed: Our company (product quality)"]


def test_a_refund_needs_the_basis_and_the_reason_why_repair_or_replacement_does_not_solve_it(world):
    rr = walk(world, apply(world), Status.ASSESSED)
    with pytest.raises(ValidationError) as error:
        services.return_decide(actor=world.tech_head, return_request=rr, remedy=Remedy.REFUND)
    assert {"refund_basis", "refund_reason"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.return_decide(
            actor=world.tech_head, return_request=rr, remedy=Remedy.REFUND, refund_basis="impossible", refund_reason=" "
        )
    assert "refund_reason" in error.value.message_dict
    rr.refresh_from_db()
    assert rr.status == Status.ASSESSED and rr.remedy == ""
    decided = services.return_decide(
        actor=world.tech_head,
        return_request=rr,
        remedy=Remedy.REFUND,
        refund_basis="impossible",
        refund_reason="该型号已停产，无同型号替换机",
    )
    assert decided.status == Status.DECIDED and decided.refund_reason == "该型号已停产，无同型号替换机"


def test_damage_by_the_customer_is_charged_and_never_refunded(world):
    rr = walk(world, apply(world), Status.ASSESSED, responsibility=Responsibility.CUSTOMER)
    with pytest.raises(ValidationError) as error:
        services.return_decide(
            actor=world.tech_head, return_request=rr, remedy=Remedy.REFUND, refund_basis="impossible", refund_reason="x"
        )
    assert "remedy" in error.value.message_dict
    decided = services.return_decide(actor=world.tech_head, return_request=rr, remedy=Remedy.REPAIR)
    assert decided.chargeable is True


def test_the_decision_tells_commerce_and_for_a_refund_finance_too(world):
    repair = walk(world, apply(world), Status.DECIDED)
    assert messages_for(world.commerce) == [f"{repair.number}: Repair decided — 广州市第一人民医院"]
    assert messages_for(world.finance) == []
    refund = walk(world, apply_reagent(world), Status.DECIDED, remedy=Remedy.REFUND)
    assert messages_for(world.finance) == [f"{refund.number}: Return and refund decided — 广州市第一人民医院"]
    assert messages_for(world.sales, contains="decided")


def test_a_refund_is_completed_only_by_finance_with_the_amount_day_and_reference(world):
    rr = walk(world, apply_reagent(world), Status.DECIDED, remedy=Remedy.REFUND)
    with pytest.raises(PermissionDenied, match="completed by finance"):
        services.return_complete(actor=world.tech_head, return_request=rr, work_done="已退款")
    with pytest.raises(ValidationError) as error:
        services.return_complete(actor=world.finance, return_request=rr, work_done="已退款", at=MONDAY)
    assert {"refund_amount", "refund_paid_on", "refund_reference"} <= set(error.value.message_dict)
    done = services.return_complete(
        actor=world.finance,
        return_request=rr,
        work_done="收到退回试剂 3 盒，已退款",
        refund_amount="1380.5",
        refund_paid_on=dt.date(2026, 6, 8),
        refund_reference="ICBC-0608-01",
        at=MONDAY + dt.timedelta(hours=5),
    )
    assert done.status == Status.COMPLETED and done.refund_amount == Decimal("1380.50")
    assert messages_for(world.quality, contains="completed") == [
        f"{rr.number} completed: Return and refund — 广州市第一人民医院"
    ]


def test_finance_does_not_complete_a_repair(world):
    rr = walk(world, apply(world), Status.DECIDED)
    with pytest.raises(PermissionDenied):
        services.return_complete(actor=world.finance, return_request=rr, work_done="修好了")


def test_a_rejection_needs_the_reason_and_tells_the_applicant_and_the_sales_person(world):
    rr = apply(world, actor=world.customer_manager)
    with pytest.raises(ValidationError):
        services.return_reject(actor=world.quality, return_request=rr, reason="")
    rejected = services.return_reject(actor=world.quality, return_request=rr, reason="人为摔坏，客户不接受有偿维修")
    assert rejected.status == Status.REJECTED
    assert messages_for(world.customer_manager, contains="rejected") == [
        f"{rr.number} rejected: 人为摔坏，客户不接受有偿维修"
    ]
    assert messages_for(world.sales, contains="rejected")


# --- who may move it, and when -----------------------------------------------------------------

MAY = {
    "assess": {Role.ADMIN, Role.QUALITY, Role.TECH_HEAD, Role.SUPERVISOR},
    "decide": {Role.ADMIN, Role.QUALITY, Role.TECH_HEAD, Role.MARKETING_HEAD},
    "complete": {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR, Role.QUALITY, Role.COMMERCE},  # a repair
    "close": {Role.ADMIN, Role.QUALITY, Role.TECH_HEAD},
    "reject": {Role.ADMIN, Role.QUALITY, Role.TECH_HEAD, Role.SUPERVISOR},
}
READY = {
    "assess": Status.APPLIED,
    "decide": Status.ASSESSED,
    "complete": Status.DECIDED,
    "close": Status.COMPLETED,
    "reject": Status.APPLIED,
}
ARGS = {
    "assess": {"cause": "来料缺陷", "responsibility": "supplier"},
    "decide": {"remedy": "replacement"},
    "complete": {"work_done": "已更换"},
    "close": {"note": "客户确认"},
    "reject": {"reason": "超出范围"},
}


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_each_move_is_allowed_to_its_roles_and_refused_to_the_others(world, action):
    move = services.MOVES[action]
    waiting = walk(world, apply(world), READY[action])
    version = waiting.version
    for role in sorted(set(Role.values) - MAY[action]):
        with pytest.raises(PermissionDenied):
            move(actor=world.users[role], return_request=waiting, **ARGS[action])
    waiting.refresh_from_db()
    assert (waiting.status, waiting.version) == (READY[action], version)
    for role in sorted(MAY[action]):
        rr = walk(world, apply(world), READY[action])
        assert move(actor=world.users[role], return_request=rr, **ARGS[action]).status == TRANSITIONS[action][1]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.APPLIED, "decide"),
        (Status.APPLIED, "complete"),
        (Status.ASSESSED, "assess"),
        (Status.DECIDED, "reject"),
        (Status.COMPLETED, "decide"),
        (Status.CLOSED, "close"),
        (Status.CLOSED, "reject"),
    ],
)
def test_a_move_the_status_does_not_allow_is_a_conflict_and_changes_nothing(world, status, action):
    rr = walk(world, apply(world), status)
    version = rr.version
    with pytest.raises(TransitionRefused, match="Not possible while the application is"):
        services.MOVES[action](actor=world.admin, return_request=rr, **ARGS[action])
    rr.refresh_from_db()
    assert (rr.status, rr.version) == (status, version)


def test_a_stale_version_is_refused(world):
    rr = apply(world)
    with pytest.raises(ConflictError, match="Someone else changed"):
        services.return_assess(
            actor=world.quality, return_request=rr, cause="x", responsibility="company", expected_version=2
        )


def test_files_are_added_while_open_and_not_after_closing(world):
    rr = apply(world)
    attachment = services.return_attach(actor=world.quality, return_request=rr, upload=photo("现场.jpg"))
    assert attachment.kind == "fault" and rr.events.filter(kind="attachment").count() == 1
    rr = walk(world, rr, Status.CLOSED)
    with pytest.raises(ConflictError):
        services.return_attach(actor=world.quality, return_request=rr, upload=photo())


def test_a_replacement_part_spare_part_kind_is_found_from_the_catalogue(world):
    calibrator = CatalogItemFactory(kind=ItemKind.CALIBRATOR, code="C-GLU", name="葡萄糖校准品")
    rr = apply(world, instrument=None, item=calibrator, lot_no="C2026", purchased_on=dt.date(2026, 6, 1))
    assert rr.product_kind == ProductKind.CONSUMABLE and rr.product_name == "葡萄糖校准品"
