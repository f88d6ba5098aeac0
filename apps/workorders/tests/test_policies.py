"""The approval rules of SPEC WO-9 (free vs paid hardware service) and WO-10 (warranty), as
policy data and as the sales person, approvers and finance meet them through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.customers.choices import ProductLineUsage
from apps.notifications.models import Message
from apps.sla import policies as sla_policies
from apps.workorders import policies, services, transitions
from apps.workorders.choices import (
    APPROVERS,
    ApplicationState,
    ApprovalStep,
    Billing,
    Decision,
    EventKind,
    Status,
    WorkType,
)
from apps.workorders.models import ServiceApplication
from apps.workorders.tests._world import (  # noqa: F401
    MONDAY,
    approve_all,
    last_event,
    messages_for,
    register,
    walk,
    world_fixture,
)

pytestmark = pytest.mark.django_db

AT = MONDAY + dt.timedelta(minutes=30)
LATER = AT + dt.timedelta(hours=1)


def using(w, usage):
    w.customer.product_line_usage = usage
    w.customer.save(update_fields=["product_line_usage"])


def out_of_warranty_repair(w, **kwargs):
    return register(w, instrument=w.old_instrument, **kwargs)


def file(w, order, billing, **kwargs):
    return services.workorder_file_application(order=order, actor=w.sales, billing=billing, at=AT, **kwargs)


def decide(w, order, actor, decision=Decision.APPROVE, **kwargs):
    kwargs.setdefault("at", LATER)
    return services.workorder_decide(order=order, actor=actor, decision=decision, **kwargs)


# --- the route as data ------------------------------------------------------------------------

HW = WorkType.REPAIR
ROUTES = [
    # (work type, in warranty, usage, billing asked, repeat free prospect) → (billing, steps)
    ((HW, False, ProductLineUsage.FULL, Billing.FREE, False), (Billing.FREE, [ApprovalStep.MARKETING_HEAD])),
    ((HW, False, ProductLineUsage.PARTIAL, Billing.FREE, False), (Billing.FREE, [ApprovalStep.MARKETING_HEAD])),
    ((HW, False, ProductLineUsage.PROSPECT, Billing.FREE, False), (Billing.FREE, [ApprovalStep.MARKETING_HEAD])),
    (
        (HW, False, ProductLineUsage.PROSPECT, Billing.FREE, True),
        (Billing.FREE, [ApprovalStep.MARKETING_HEAD, ApprovalStep.GENERAL_MANAGER]),
    ),
    ((HW, True, ProductLineUsage.PROSPECT, Billing.FREE, True), (Billing.WARRANTY, [ApprovalStep.TECH_HEAD])),
    ((HW, True, ProductLineUsage.FULL, Billing.WARRANTY, False), (Billing.WARRANTY, [ApprovalStep.TECH_HEAD])),
    (
        (HW, False, ProductLineUsage.FULL, Billing.PAID, False),
        (
            Billing.PAID,
            [
                ApprovalStep.QUOTE,
                ApprovalStep.CUSTOMER_AGREEMENT,
                ApprovalStep.DEPOSIT,
                ApprovalStep.DEPOSIT_CONFIRMED,
            ],
        ),
    ),
    (
        (WorkType.APP_NEW_PROJECT, False, ProductLineUsage.PROSPECT, Billing.FREE, True),
        (Billing.FREE, [ApprovalStep.TECH_HEAD]),
    ),
]


@pytest.mark.parametrize(("facts", "expected"), ROUTES)
def test_the_approval_route_follows_wo9_and_wo10(facts, expected):
    work_type, in_warranty, usage, billing, repeat = facts
    route = policies.approval_route(
        work_type=work_type, in_warranty=in_warranty, usage=usage, billing=billing, repeat_free_prospect=repeat
    )
    assert (route.billing, list(route.steps)) == expected
    assert route.explanation


def test_every_step_a_route_can_take_has_an_approver():
    assert set(APPROVERS) == set(ApprovalStep.values)
    assert all(APPROVERS[step] for step in APPROVERS)


def test_the_numbers_of_wo9_and_wo16_are_the_spec_ones():
    assert policies.DEPOSIT_SHARE == Decimal("0.50")
    assert policies.BALANCE_DUE_WORKING_DAYS == 3
    assert policies.PAID_PARTS_WARRANTY_MONTHS == 6
    assert policies.PART_ARRIVAL_REMINDER_DAYS == 10
    # SPEC WO-2: the call-back within one hour is the seeded SLA time limit.
    assert sla_policies.CALLBACK_APPLICATION_WITHIN == dt.timedelta(hours=1)
    # SPEC WO-9: free service never includes parts.
    assert Billing.FREE not in policies.PARTS_ALLOWED_BILLING


def test_every_work_type_has_a_readiness_checklist_and_skill_groups():
    for work_type in WorkType.values:
        assert work_type in policies.READINESS_CHECKLISTS
        assert policies.SKILLS_FOR_TYPE[work_type]
    codes = [code for code, _label in policies.checklist_for(WorkType.INSTALLATION)]
    assert {"site_space", "water", "power", "environment", "instrument_arrived", "calibrators_arrived"} <= set(codes)


# --- full-line user: free, marketing head, with the user's and dealer's agreement -------------


def test_free_service_for_a_full_line_user_is_refused_without_the_user_and_dealer_agreeing(world):
    using(world, ProductLineUsage.FULL)
    order = out_of_warranty_repair(world)

    with pytest.raises(ValidationError) as error:
        file(world, order, Billing.FREE)

    assert "user_and_dealer_agree" in error.value.message_dict
    assert "agreement" in error.value.message_dict["user_and_dealer_agree"][0]
    order.refresh_from_db()
    assert order.status == Status.NEW
    assert not ServiceApplication.objects.filter(work_order=order).exists()


def test_free_service_for_a_full_line_user_goes_to_the_marketing_head(world):
    using(world, ProductLineUsage.FULL)
    order = out_of_warranty_repair(world)

    application = file(world, order, Billing.FREE, user_and_dealer_agree=True, work_content="更换进样针")

    order.refresh_from_db()
    assert (order.status, order.billing) == (Status.PENDING_APPROVAL, Billing.FREE)
    assert application.route == [ApprovalStep.MARKETING_HEAD]
    assert application.user_and_dealer_agree is True
    event = last_event(order, kind=EventKind.APPLICATION)
    assert (event.actor, event.to_status, event.text) == (world.sales, Status.PENDING_APPROVAL, "更换进样针")
    assert messages_for(world.marketing_head, contains="waits for you")
    # The technical head does not decide a free service …
    with pytest.raises(transitions.NotPermitted):
        decide(world, order, world.tech_head)
    # … the marketing-centre head does, and the order is ready for dispatch.
    decide(world, order, world.marketing_head, reason="全线用户，同意免费")
    order.refresh_from_db()
    assert order.status == Status.APPROVED
    assert order.application.state == ApplicationState.APPROVED
    event = last_event(order, kind=EventKind.APPROVAL)
    assert (event.actor, event.to_status, event.text) == (world.marketing_head, Status.APPROVED, "全线用户，同意免费")
    assert messages_for(world.tech_head, contains="ready for dispatch")
    assert messages_for(world.sales, contains="ready for dispatch")


def test_free_service_for_a_partial_user_goes_to_the_marketing_head_without_further_agreement(world):
    using(world, ProductLineUsage.PARTIAL)
    order = out_of_warranty_repair(world)

    application = file(world, order, Billing.FREE)

    assert application.route == [ApprovalStep.MARKETING_HEAD]
    decide(world, order, world.marketing_head)
    order.refresh_from_db()
    assert order.status == Status.APPROVED


# --- prospects: a repeat free service goes up to the general manager --------------------------


def test_a_prospects_first_free_service_needs_only_the_marketing_head(world):
    using(world, ProductLineUsage.PROSPECT)
    application = file(world, out_of_warranty_repair(world), Billing.FREE)
    assert application.route == [ApprovalStep.MARKETING_HEAD]


def test_a_repeat_free_service_for_a_prospect_goes_on_to_the_general_manager(world):
    using(world, ProductLineUsage.PROSPECT)
    first = out_of_warranty_repair(world)
    file(world, first, Billing.FREE)
    decide(world, first, world.marketing_head)

    second = out_of_warranty_repair(world, at=MONDAY + dt.timedelta(minutes=1))
    application = file(world, second, Billing.FREE)

    assert application.route == [ApprovalStep.MARKETING_HEAD, ApprovalStep.GENERAL_MANAGER]
    assert "general manager" in application.route_explanation
    decide(world, second, world.marketing_head, reason="可行")
    second.refresh_from_db()
    assert second.status == Status.PENDING_APPROVAL
    assert second.application.step_code == ApprovalStep.GENERAL_MANAGER
    assert messages_for(world.general_manager, contains="waits for you")
    decide(world, second, world.general_manager, reason="最后一次免费")
    second.refresh_from_db()
    assert second.status == Status.APPROVED
    assert [d.decided_by for d in second.application.decisions.all()] == [world.marketing_head, world.general_manager]


def test_a_rejected_free_service_does_not_count_as_an_earlier_one(world):
    using(world, ProductLineUsage.PROSPECT)
    first = out_of_warranty_repair(world)
    file(world, first, Billing.FREE)
    decide(world, first, world.marketing_head, Decision.REJECT, reason="非我司仪器")
    application = file(world, out_of_warranty_repair(world), Billing.FREE)
    assert application.route == [ApprovalStep.MARKETING_HEAD]


# --- warranty (WO-10) -------------------------------------------------------------------------


def test_a_repair_in_warranty_is_free_and_confirmed_by_the_technical_head(world):
    using(world, ProductLineUsage.PROSPECT)
    order = register(world)  # accepted 2026-03-15 with 12 months: in warranty on MONDAY
    assert order.in_warranty and order.billing == Billing.WARRANTY

    application = file(world, order, Billing.FREE)

    order.refresh_from_db()
    assert (order.billing, application.billing, application.route) == (
        Billing.WARRANTY,
        Billing.WARRANTY,
        [ApprovalStep.TECH_HEAD],
    )
    decide(world, order, world.tech_head)
    order.refresh_from_db()
    assert order.status == Status.APPROVED


def test_warranty_billing_is_refused_for_an_instrument_out_of_warranty(world):
    order = out_of_warranty_repair(world)
    assert not order.in_warranty
    with pytest.raises(ValidationError) as error:
        file(world, order, Billing.WARRANTY)
    assert "billing" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == Status.NEW


# --- paid service: quote → agreement → deposit → finance → dispatch ----------------------------


def test_paid_service_walks_quote_agreement_deposit_and_finance_before_dispatch(world):
    order = out_of_warranty_repair(world)
    application = file(world, order, Billing.PAID)
    assert application.route == [
        ApprovalStep.QUOTE,
        ApprovalStep.CUSTOMER_AGREEMENT,
        ApprovalStep.DEPOSIT,
        ApprovalStep.DEPOSIT_CONFIRMED,
    ]

    def no_dispatch_yet():
        with pytest.raises(transitions.TransitionRefused):
            services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=LATER)
        order.refresh_from_db()
        assert (order.status, order.engineer) == (Status.PENDING_APPROVAL, None)

    # Quote: the amount is required; the deposit is 50 %, rounded half-up to the cent.
    with pytest.raises(ValidationError) as error:
        decide(world, order, world.tech_head)
    assert "quote_amount" in error.value.message_dict
    with pytest.raises(ValidationError):
        decide(world, order, world.tech_head, quote_amount="0")
    decide(world, order, world.tech_head, quote_amount="1234.57", quote_note="更换光源灯")
    order.paid.refresh_from_db()
    assert (order.paid.quote_amount, order.paid.deposit_amount) == (Decimal("1234.57"), Decimal("617.29"))
    assert order.paid.balance_amount == Decimal("617.28")
    no_dispatch_yet()

    # The customer agrees: the contract number is required.
    with pytest.raises(ValidationError) as error:
        decide(world, order, world.sales)
    assert "contract_no" in error.value.message_dict
    decide(world, order, world.sales, contract_no="HT-2026-0107")
    no_dispatch_yet()

    # The deposit is paid: the bank reference is required.
    with pytest.raises(ValidationError) as error:
        decide(world, order, world.sales)
    assert "deposit_reference" in error.value.message_dict
    decide(world, order, world.sales, deposit_reference="ICBC-0608-7781")
    no_dispatch_yet()

    # Only finance confirms the deposit; then the order is approved and can be dispatched.
    assert messages_for(world.finance, contains="waits for you")
    with pytest.raises(transitions.NotPermitted):
        decide(world, order, world.tech_head)
    decide(world, order, world.finance)

    order.refresh_from_db()
    paid = order.paid
    assert order.status == Status.APPROVED
    assert (paid.contract_no, paid.deposit_reference, paid.deposit_confirmed_by) == (
        "HT-2026-0107",
        "ICBC-0608-7781",
        world.finance,
    )
    assert paid.customer_agreed_at and paid.deposit_paid_at and paid.deposit_confirmed_at == LATER
    payments = order.events.filter(kind=EventKind.PAYMENT).order_by("id")
    assert [(e.data["step"], e.actor) for e in payments] == [
        (ApprovalStep.QUOTE, world.tech_head),
        (ApprovalStep.CUSTOMER_AGREEMENT, world.sales),
        (ApprovalStep.DEPOSIT, world.sales),
        (ApprovalStep.DEPOSIT_CONFIRMED, world.finance),
    ]
    services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=LATER)
    order.refresh_from_db()
    assert (order.status, order.engineer) == (Status.DISPATCHED, world.engineer)


# --- rejection (WO-4: the reason goes back to the sales person) -------------------------------


def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(world):
    order = out_of_warranty_repair(world)
    file(world, order, Billing.FREE)
    with pytest.raises(ValidationError) as error:
        decide(world, order, world.marketing_head, Decision.REJECT, reason="  ")
    assert "reason" in error.value.message_dict
    order.refresh_from_db()
    assert (order.status, order.application.state) == (Status.PENDING_APPROVAL, ApplicationState.PENDING)
    assert not order.application.decisions.exists()


def test_a_rejection_returns_the_reason_to_the_sales_person(world):
    order = out_of_warranty_repair(world)
    file(world, order, Billing.FREE)

    decide(world, order, world.marketing_head, Decision.REJECT, reason="该客户连续两年未采购试剂")

    order.refresh_from_db()
    assert (order.status, order.closing_reason) == (Status.REJECTED, "该客户连续两年未采购试剂")
    assert order.application.state == ApplicationState.REJECTED
    event = last_event(order, kind=EventKind.APPROVAL)
    assert (event.actor, event.from_status, event.to_status, event.text) == (
        world.marketing_head,
        Status.PENDING_APPROVAL,
        Status.REJECTED,
        "该客户连续两年未采购试剂",
    )
    message = Message.objects.get(recipient=world.sales, subject__contains="rejected", channel="in_app")
    assert message.body == "该客户连续两年未采购试剂"
    # A rejected order goes nowhere.
    with pytest.raises(transitions.TransitionRefused):
        services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=LATER)


def test_an_approved_order_takes_no_further_decision(world):
    order = walk(world, register(world), Status.APPROVED)
    with pytest.raises(transitions.TransitionRefused):
        decide(world, order, world.tech_head)


def test_a_second_application_for_the_same_order_is_refused(world):
    order = out_of_warranty_repair(world)
    file(world, order, Billing.FREE)
    with pytest.raises(transitions.TransitionRefused):
        file(world, order, Billing.PAID)
    assert ServiceApplication.objects.filter(work_order=order).count() == 1


def test_an_unknown_billing_is_refused_with_a_field_message(world):
    with pytest.raises(ValidationError) as error:
        file(world, out_of_warranty_repair(world), Billing.UNDECIDED)
    assert "billing" in error.value.message_dict
