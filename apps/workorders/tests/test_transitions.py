"""Who may make which move from which state (SPEC WO-18), through the services.

The cases are generated from choices.TRANSITIONS and choices.APPROVERS, so a change of the
table changes the tests; the literal pins at the end hold the SPEC's own words, so the table
cannot drift from the SPEC silently.
"""

import datetime as dt

import pytest

from apps.accounts.choices import Role
from apps.workorders import services, transitions
from apps.workorders.choices import (
    APPROVERS,
    TRANSITIONS,
    Action,
    ApplicationState,
    ApprovalStep,
    Billing,
    Decision,
    Outcome,
    Status,
)
from apps.workorders.models import PaidService, ServiceApplication, Visit, WorkOrder
from apps.workorders.tests._world import MONDAY, PAID_DATA, World, complete, world_fixture  # noqa: F401
from apps.workorders.tests.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)
AT = MONDAY + dt.timedelta(hours=1)
PAID_STEPS = {
    ApprovalStep.QUOTE,
    ApprovalStep.CUSTOMER_AGREEMENT,
    ApprovalStep.DEPOSIT,
    ApprovalStep.DEPOSIT_CONFIRMED,
}
DISPATCHED_OR_LATER = {Status.DISPATCHED, Status.SCHEDULED, Status.ON_SITE, Status.COMPLETED, Status.CLOSED}


def first_from(action: str) -> str:
    """The first state (in Status order) the action may start from."""
    return next(s for s in Status.values if s in TRANSITIONS[action][0])


def stage(w: World, status: str, action: str, *, step: str = ApprovalStep.TECH_HEAD) -> WorkOrder:
    """An order of the world's customer standing in `status`, with what `action` needs around it
    (a pending application at `step` to decide, an open visit to complete)."""
    engineer = w.engineer if status in DISPATCHED_OR_LATER else None
    billing = Billing.PAID if step in PAID_STEPS else Billing.WARRANTY
    order = WorkOrderFactory(
        customer=w.customer,
        instrument=w.instrument,
        status=status,
        in_warranty=True,
        billing=billing,
        engineer=engineer,
        dispatched_by=w.tech_head if engineer else None,
        dispatched_at=MONDAY if engineer else None,
        appointment_at=MONDAY + dt.timedelta(days=1) if status == Status.SCHEDULED else None,
        complaint_assessed=False if status in (Status.COMPLETED, Status.CLOSED) else None,
        created_by=w.clerk,
    )
    if action in ("approve", "reject"):
        ServiceApplication.objects.create(
            work_order=order, filed_by=w.sales, filed_at=MONDAY, billing=billing, route=[step], current_step=0
        )
        if billing == Billing.PAID:
            PaidService.objects.create(
                work_order=order, quote_amount=PAID_DATA["quote_amount"], deposit_amount="1234.45"
            )
    if action == "complete":
        Visit.objects.create(work_order=order, engineer=w.engineer, checked_in_at=MONDAY)
    return order


# One call of the service behind each action, with valid input: only the state and the
# person can stand in its way.
DRIVERS = {
    "resolve_remotely": lambda w, o, a: services.workorder_resolve_remotely(
        order=o, actor=a, solution="指导客户清洗样本针后恢复正常", at=AT
    ),
    "reopen": lambda w, o, a: services.workorder_reopen(order=o, actor=a, reason="客户来电：故障再次出现", at=AT),
    "file_application": lambda w, o, a: services.workorder_file_application(
        order=o, actor=a, billing=Billing.WARRANTY, work_content="更换进样针", at=AT
    ),
    "approve": lambda w, o, a: services.workorder_decide(
        order=o, actor=a, decision=Decision.APPROVE, reason="同意", at=AT, **PAID_DATA
    ),
    "reject": lambda w, o, a: services.workorder_decide(
        order=o, actor=a, decision=Decision.REJECT, reason="不在服务范围", at=AT
    ),
    "dispatch": lambda w, o, a: services.workorder_dispatch(order=o, actor=a, engineer=w.engineer, at=AT),
    "emergency_dispatch": lambda w, o, a: services.workorder_emergency_dispatch(
        order=o, actor=a, engineer=w.engineer, reason="急诊科停机，总监口头同意", at=AT
    ),
    "reallocate": lambda w, o, a: services.workorder_reallocate(
        order=o, actor=a, engineer=w.engineer2, reason="原工程师出差", at=AT
    ),
    "schedule": lambda w, o, a: services.workorder_schedule(
        order=o, actor=a, appointment_at=AT + dt.timedelta(days=1), agreed_with="张主任", at=AT
    ),
    "reschedule": lambda w, o, a: services.workorder_reschedule(
        order=o, actor=a, appointment_at=AT + dt.timedelta(days=2), reason="配件未到", customer_informed=True, at=AT
    ),
    "check_in": lambda w, o, a: services.workorder_check_in(order=o, actor=a, at=AT),
    "complete": lambda w, o, a: complete(o, actor=a, at=AT, outcome=Outcome.SOLVED),
    "close": lambda w, o, a: services.workorder_close(order=o, actor=a, note="回访完成", at=AT),
    "cancel": lambda w, o, a: services.workorder_cancel(order=o, actor=a, reason="客户自行解决", at=AT),
}


def person(w: World, role: str):
    """The user of that role who would pass every row rule: the dispatched engineer, the
    customer's own sales person …"""
    return w.users[role]


def test_every_action_of_the_table_is_driven_by_these_tests():
    assert set(DRIVERS) == set(TRANSITIONS) == set(Action.values)


# --- every action × every role ----------------------------------------------------------------


ROLE_CASES = [(action, role) for action in TRANSITIONS if action not in ("approve", "reject") for role in ROLES]


@pytest.mark.parametrize(("action", "role"), ROLE_CASES)
def test_an_action_is_open_exactly_to_the_roles_of_the_table(world, action, role):
    from_status = first_from(action)
    to_status = TRANSITIONS[action][1]
    order = stage(world, from_status, action)
    actor = person(world, role)
    events_before = order.events.count()

    if role in TRANSITIONS[action][2]:
        DRIVERS[action](world, order, actor)
        order.refresh_from_db()
        assert order.status == to_status
        event = order.events.filter(action=action).latest("id")
        assert (event.actor, event.from_status, event.to_status) == (actor, from_status, to_status)
    else:
        with pytest.raises(transitions.NotPermitted):
            DRIVERS[action](world, order, actor)
        order.refresh_from_db()
        assert order.status == from_status
        assert order.events.count() == events_before


STEP_CASES = [
    (action, step, role) for action in ("approve", "reject") for step in ApprovalStep.values for role in ROLES
]


@pytest.mark.parametrize(("action", "step", "role"), STEP_CASES)
def test_only_the_approver_of_the_current_step_approves_or_rejects(world, action, step, role):
    order = stage(world, Status.PENDING_APPROVAL, action, step=step)
    actor = person(world, role)
    allowed = role == Role.ADMIN or role in APPROVERS[step]
    assert (role in TRANSITIONS[action][2]) or not allowed  # the table's roles cover every approver

    if allowed:
        DRIVERS[action](world, order, actor)
        order.refresh_from_db()
        assert order.status == TRANSITIONS[action][1]
        decision = order.application.decisions.get()
        assert (decision.step, decision.decided_by) == (step, actor)
    else:
        with pytest.raises(transitions.NotPermitted):
            DRIVERS[action](world, order, actor)
        order.refresh_from_db()
        assert order.status == Status.PENDING_APPROVAL
        assert order.application.state == ApplicationState.PENDING
        assert not order.application.decisions.exists()


# --- every action from every state it may not start from --------------------------------------


STATE_CASES = [
    (action, status) for action in TRANSITIONS for status in Status.values if status not in TRANSITIONS[action][0]
]


@pytest.mark.parametrize(("action", "status"), STATE_CASES)
def test_an_action_from_a_state_outside_its_from_set_is_refused_as_a_conflict(world, action, status):
    order = stage(world, status, action)
    version, events_before = order.version, order.events.count()

    with pytest.raises(transitions.TransitionRefused):
        DRIVERS[action](world, order, world.admin)

    order.refresh_from_db()
    assert (order.status, order.version, order.events.count()) == (status, version, events_before)


# --- row rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["schedule", "reschedule", "check_in", "complete"])
def test_only_the_dispatched_engineer_books_checks_in_and_completes(world, action):
    order = stage(world, first_from(action), action)
    with pytest.raises(transitions.NotPermitted):
        DRIVERS[action](world, order, world.engineer2)
    order.refresh_from_db()
    assert order.status == first_from(action)

    DRIVERS[action](world, order, world.engineer)
    order.refresh_from_db()
    assert order.status == TRANSITIONS[action][1]


def test_an_engineer_solves_remotely_only_an_order_that_is_not_another_engineers(world):
    order = stage(world, Status.NEW, "resolve_remotely")
    WorkOrder.objects.filter(pk=order.pk).update(engineer=world.engineer)
    with pytest.raises(transitions.NotPermitted):
        DRIVERS["resolve_remotely"](world, order, world.engineer2)
    DRIVERS["resolve_remotely"](world, order, world.engineer)
    order.refresh_from_db()
    assert order.status == Status.REMOTE_RESOLVED


def test_only_the_customers_sales_person_files_the_application(world):
    order = stage(world, Status.NEW, "file_application")
    with pytest.raises(transitions.NotPermitted):
        DRIVERS["file_application"](world, order, world.other_sales)
    assert not ServiceApplication.objects.filter(work_order=order).exists()

    DRIVERS["file_application"](world, order, world.sales)
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL
    assert order.application.filed_by == world.sales


def test_the_customers_responsible_sales_files_even_when_the_order_names_another(world):
    order = stage(world, Status.NEW, "file_application")
    WorkOrder.objects.filter(pk=order.pk).update(sales=world.other_sales)
    DRIVERS["file_application"](world, order, world.sales)
    order.refresh_from_db()
    assert order.status == Status.PENDING_APPROVAL


def test_a_second_step_is_decided_by_its_own_approver_not_by_the_first_ones(world):
    order = stage(world, Status.PENDING_APPROVAL, "approve", step=ApprovalStep.MARKETING_HEAD)
    ServiceApplication.objects.filter(work_order=order).update(
        route=[ApprovalStep.MARKETING_HEAD, ApprovalStep.GENERAL_MANAGER]
    )
    services.workorder_decide(order=order, actor=world.marketing_head, decision=Decision.APPROVE, at=AT)
    with pytest.raises(transitions.NotPermitted):
        services.workorder_decide(order=order, actor=world.marketing_head, decision=Decision.APPROVE, at=AT)
    services.workorder_decide(order=order, actor=world.general_manager, decision=Decision.APPROVE, at=AT)
    order.refresh_from_db()
    assert order.status == Status.APPROVED


# --- what the screens ask: the buttons of each person -----------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_buttons_offered_are_exactly_the_moves_the_table_allows(world, role):
    actor = person(world, role)
    order = stage(world, Status.NEW, "approve", step=ApprovalStep.MARKETING_HEAD)
    order.engineer = world.engineer
    order.application  # noqa: B018 — cached for the row rule of approve/reject
    for status in Status.values:
        order.status = status
        expected = [
            action
            for action, (from_statuses, _to, roles) in TRANSITIONS.items()
            if status in from_statuses
            and role in roles
            and (action not in ("approve", "reject") or role in APPROVERS[ApprovalStep.MARKETING_HEAD] | {Role.ADMIN})
        ]
        assert transitions.allowed_actions(order, actor) == expected, status


# --- the SPEC in its own words (the table must not drift) -------------------------------------


def roles_of(action: str) -> set[str]:
    return set(TRANSITIONS[action][2])


def test_only_the_technical_head_and_the_admin_dispatch():
    # SPEC WO-4: no dispatch without the technical head (无派工不出工); WO-5 the emergency too.
    assert roles_of("dispatch") == {Role.TECH_HEAD, Role.ADMIN}
    assert roles_of("emergency_dispatch") == {Role.TECH_HEAD, Role.ADMIN}


def test_sales_may_not_dispatch(world):
    order = stage(world, Status.APPROVED, "dispatch")
    with pytest.raises(transitions.NotPermitted):
        services.workorder_dispatch(order=order, actor=world.sales, engineer=world.engineer, at=AT)
    order.refresh_from_db()
    assert order.status == Status.APPROVED and order.engineer is None


def test_a_customer_manager_may_reallocate_but_not_dispatch(world):
    # SPEC WO-6: regional customer managers may re-allocate engineers.
    assert Role.CUSTOMER_MANAGER in roles_of("reallocate")
    assert Role.CUSTOMER_MANAGER not in roles_of("dispatch")
    order = stage(world, Status.APPROVED, "dispatch")
    with pytest.raises(transitions.NotPermitted):
        services.workorder_dispatch(order=order, actor=world.customer_manager, engineer=world.engineer, at=AT)
    services.workorder_dispatch(order=order, actor=world.tech_head, engineer=world.engineer, at=AT)
    services.workorder_reallocate(
        order=order, actor=world.customer_manager, engineer=world.engineer2, reason="原工程师出差", at=AT
    )
    order.refresh_from_db()
    assert (order.status, order.engineer) == (Status.DISPATCHED, world.engineer2)


def test_only_the_customer_manager_of_the_orders_region_reallocates(world):
    order = stage(world, Status.DISPATCHED, "reallocate")
    with pytest.raises(transitions.NotPermitted):
        DRIVERS["reallocate"](world, order, world.other_manager)
    DRIVERS["reallocate"](world, order, world.customer_manager)
    order.refresh_from_db()
    assert order.engineer == world.engineer2


def test_finance_and_only_finance_confirms_the_deposit():
    # SPEC WO-9: "50 % deposit by bank transfer → finance confirms the deposit → only then dispatch".
    assert APPROVERS[ApprovalStep.DEPOSIT_CONFIRMED] == {Role.FINANCE}
    assert Role.FINANCE not in APPROVERS[ApprovalStep.QUOTE]


def test_the_technical_head_quotes_the_marketing_head_and_general_manager_approve_free_service():
    # SPEC WO-9.
    assert APPROVERS[ApprovalStep.QUOTE] == {Role.TECH_HEAD}
    assert APPROVERS[ApprovalStep.MARKETING_HEAD] == {Role.MARKETING_HEAD}
    assert APPROVERS[ApprovalStep.GENERAL_MANAGER] == {Role.GENERAL_MANAGER}


def test_the_engineer_not_sales_books_the_visit():
    # SPEC WO-7: the engineer agrees the visit time; sales may only tell the customer.
    assert Role.ENGINEER in roles_of("schedule") and Role.ENGINEER in roles_of("reschedule")
    assert Role.SALES not in roles_of("schedule") | roles_of("reschedule") | roles_of("check_in")


def test_sales_files_the_application_and_engineers_do_not():
    # SPEC WO-3: regional sales files the application.
    assert Role.SALES in roles_of("file_application")
    assert Role.ENGINEER not in roles_of("file_application")


def test_nobody_approves_a_free_service_by_being_an_engineer_or_the_hotline():
    for step in ApprovalStep.values:
        assert not {Role.ENGINEER, Role.CLERK} & set(APPROVERS[step]), step


def test_the_main_line_of_states_follows_the_spec():
    # SPEC WO-18: new → application filed → approved → dispatched → scheduled → on site →
    # completed → closed; cancelled / rejected with reason; new → solved remotely.
    line = [
        ("file_application", Status.NEW, Status.PENDING_APPROVAL),
        ("approve", Status.PENDING_APPROVAL, Status.APPROVED),
        ("dispatch", Status.APPROVED, Status.DISPATCHED),
        ("schedule", Status.DISPATCHED, Status.SCHEDULED),
        ("check_in", Status.SCHEDULED, Status.ON_SITE),
        ("complete", Status.ON_SITE, Status.COMPLETED),
        ("close", Status.COMPLETED, Status.CLOSED),
        ("resolve_remotely", Status.NEW, Status.REMOTE_RESOLVED),
        ("reject", Status.PENDING_APPROVAL, Status.REJECTED),
    ]
    for action, source, target in line:
        assert source in TRANSITIONS[action][0] and TRANSITIONS[action][1] == target, action
    assert TRANSITIONS["cancel"][1] == Status.CANCELLED
    # Nothing leaves a final state except a remote solution that turns out not to hold.
    for action, (from_statuses, _to, _roles) in TRANSITIONS.items():
        leaves = set(from_statuses) & {Status.CLOSED, Status.CANCELLED, Status.REJECTED}
        assert not leaves, action
    assert [a for a, (f, _t, _r) in TRANSITIONS.items() if Status.REMOTE_RESOLVED in f] == ["reopen"]
    # No visit without a dispatch (WO-4): the only way into "scheduled" is from "dispatched".
    assert TRANSITIONS["schedule"][0] == {Status.DISPATCHED}


@pytest.mark.parametrize("step", [ApprovalStep.CUSTOMER_AGREEMENT, ApprovalStep.DEPOSIT])
def test_a_sales_step_is_decided_by_the_customers_sales_person_not_by_any_sales(world, step):
    order = stage(world, Status.PENDING_APPROVAL, "approve", step=step)
    with pytest.raises(transitions.NotPermitted):
        DRIVERS["approve"](world, order, world.other_sales)
    DRIVERS["approve"](world, order, world.sales)
    order.refresh_from_db()
    assert order.status == Status.APPROVED
