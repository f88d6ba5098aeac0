"""Suggestions as the technical head works them [S0 3.(四)二]: collected in writing (he is told at
once), discussed with the departments, decided, answered with a thank-you letter; who may make
which move, and what the status refuses."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts.choices import Role
from apps.core.exceptions import ConflictError
from apps.suggestions import services
from apps.suggestions.choices import TRANSITIONS, AnswerMethod, Category, Decision, Department, Source, Status
from apps.suggestions.models import Suggestion
from apps.suggestions.tests._helpers import MONDAY, collect, messages_for, suggestions_world, walk  # noqa: F401
from apps.suggestions.transitions import TransitionRefused

pytestmark = pytest.mark.django_db

LATER = MONDAY + dt.timedelta(hours=2)


# --- collecting --------------------------------------------------------------------------------


def test_a_customers_suggestion_is_numbered_and_the_technical_head_and_the_sales_person_are_told(world):
    suggestion = collect(world)
    assert suggestion.number == f"SG260608-{suggestion.pk:05d}"
    assert suggestion.status == Status.COLLECTED
    assert suggestion.received_on == dt.date(2026, 6, 8)
    assert suggestion.sales == world.sales and suggestion.received_by == world.clerk
    assert messages_for(world.tech_head, contains=suggestion.number) == [
        f"New suggestion {suggestion.number}: 试剂盒加防震内衬"
    ]
    assert messages_for(world.sales) == ["Your customer 广州市第一人民医院 made a suggestion: 试剂盒加防震内衬"]
    assert messages_for(world.quality) == []
    assert list(suggestion.events.values_list("kind", "actor")) == [("created", world.clerk.pk)]


def test_a_staff_suggestion_names_the_member_of_staff_who_made_it_by_default_the_recorder(world):
    suggestion = collect(
        world, actor=world.engineer, source=Source.STAFF, category=Category.SERVICE, customer=None, submitter_name=""
    )
    assert suggestion.submitter == world.engineer
    assert suggestion.submitter_name == str(world.engineer)
    assert suggestion.sales is None and suggestion.customer is None
    assert messages_for(world.tech_head, contains="New suggestion")


def test_a_leaders_suggestion_recorded_by_the_technical_head_does_not_notify_himself(world):
    suggestion = collect(
        world,
        actor=world.tech_head,
        source=Source.LEADER,
        customer=None,
        submitter=world.general_manager,
        submitter_name="",
    )
    assert suggestion.submitter == world.general_manager
    assert messages_for(world.tech_head) == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"customer": None}, "customer"),
        ({"submitter_name": "  "}, "submitter_name"),
        ({"content": ""}, "content"),
        ({"title": ""}, "title"),
        ({"category": "colour"}, "category"),
        ({"source": Source.STAFF}, "customer"),
        ({"source": Source.SALES, "customer": None, "submitter": "engineer"}, "submitter"),
        ({"received_on": dt.date(2026, 6, 9)}, "received_on"),
        ({"source": Source.LEADER, "customer": None}, "submitter"),
        ({"source": Source.LEADER, "customer": None, "submitter": "engineer"}, "submitter"),
    ],
)
def test_an_incomplete_or_wrong_suggestion_is_refused_and_nothing_is_saved(world, data, field):
    if data.get("submitter") == "engineer":
        data["submitter"] = world.engineer
    with pytest.raises(ValidationError) as error:
        collect(world, **data)
    assert field in error.value.message_dict
    assert not Suggestion.objects.exists()
    assert messages_for(world.tech_head) == []


def test_an_engineer_cannot_record_a_suggestion_for_a_customer_outside_his_regions(world):
    with pytest.raises(ValidationError) as error:
        collect(world, actor=world.engineer, customer=world.changsha)
    assert "customer" in error.value.message_dict


def test_a_dealer_may_not_record_suggestions(world):
    with pytest.raises(PermissionDenied):
        collect(world, actor=world.dealer)


# --- the state machine -------------------------------------------------------------------------


def test_the_whole_way_collected_discussed_decided_answered_leaves_a_timeline(world):
    suggestion = walk(world, collect(world), Status.ANSWERED)
    assert suggestion.departments == [Department.PRODUCTION, Department.RD]
    assert "生产中心认为可行" in suggestion.discussion
    assert suggestion.decision == Decision.ACCEPTED and suggestion.decided_by == world.tech_head
    assert suggestion.letter_number.startswith("TL2606")
    assert suggestion.letter_pdf and len(suggestion.letter_hash) == 64
    assert suggestion.answer_method == AnswerMethod.POST
    moves = list(suggestion.events.order_by("at", "id").values_list("kind", "from_status", "to_status"))
    assert moves == [
        ("created", "", "collected"),
        ("discussion", "collected", "discussion"),
        ("transition", "discussion", "decided"),
        ("transition", "decided", "answered"),
    ]


def test_a_discussion_is_recorded_as_often_as_the_departments_meet(world):
    suggestion = collect(world)
    services.suggestion_discuss(
        actor=world.tech_head, suggestion=suggestion, departments=["production"], record="第一次讨论", at=MONDAY
    )
    services.suggestion_discuss(
        actor=world.quality, suggestion=suggestion, departments=["quality", "production"], record="质量部意见", at=LATER
    )
    suggestion.refresh_from_db()
    assert suggestion.status == Status.DISCUSSION
    assert suggestion.departments == ["production", "quality"]
    assert "第一次讨论" in suggestion.discussion and "质量部意见" in suggestion.discussion
    assert suggestion.version == 3


def test_a_discussion_needs_the_departments_and_the_record(world):
    suggestion = collect(world)
    with pytest.raises(ValidationError) as error:
        services.suggestion_discuss(actor=world.tech_head, suggestion=suggestion, departments=[], record="x")
    assert "departments" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.suggestion_discuss(actor=world.tech_head, suggestion=suggestion, departments=["rd"], record=" ")
    assert "record" in error.value.message_dict


def test_a_product_suggestion_is_not_decided_before_another_department_discussed_it(world):
    suggestion = collect(world, category=Category.PRODUCT, title="增加小包装规格", content="建议增加 R1 20mL 小包装。")
    with pytest.raises(TransitionRefused, match="discussed with the heads of the departments"):
        services.suggestion_decide(actor=world.tech_head, suggestion=suggestion, decision="accepted", text="采纳")
    services.suggestion_discuss(
        actor=world.tech_head, suggestion=suggestion, departments=[Department.TECHNICAL], record="部门内部讨论"
    )
    with pytest.raises(TransitionRefused):
        services.suggestion_decide(actor=world.tech_head, suggestion=suggestion, decision="accepted", text="采纳")
    services.suggestion_discuss(
        actor=world.tech_head, suggestion=suggestion, departments=[Department.RD], record="研发中心评估可行"
    )
    decided = services.suggestion_decide(
        actor=world.tech_head, suggestion=suggestion, decision=Decision.PARTLY, text="先在华南试点"
    )
    assert decided.status == Status.DECIDED


def test_a_service_suggestion_may_be_decided_without_a_discussion(world):
    suggestion = collect(world, category=Category.SERVICE)
    decided = services.suggestion_decide(
        actor=world.tech_head, suggestion=suggestion, decision=Decision.NOT_ADOPTED, text="现行流程已覆盖"
    )
    assert decided.status == Status.DECIDED


def test_the_decision_needs_a_known_decision_and_the_conclusion(world):
    suggestion = collect(world, category=Category.SERVICE)
    with pytest.raises(ValidationError) as error:
        services.suggestion_decide(actor=world.tech_head, suggestion=suggestion, decision="maybe", text="x")
    assert "decision" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.suggestion_decide(actor=world.tech_head, suggestion=suggestion, decision="accepted", text="")
    assert "text" in error.value.message_dict


def test_the_decision_is_told_to_the_sales_person_and_the_staff_member_who_made_it(world):
    customers = walk(world, collect(world), Status.DECIDED)
    assert messages_for(world.sales, contains="decided") == [f"Suggestion {customers.number} decided: Accepted"]
    ours = collect(world, actor=world.engineer, source=Source.STAFF, customer=None, category=Category.SERVICE)
    services.suggestion_decide(actor=world.tech_head, suggestion=ours, decision=Decision.DEFERRED, text="明年再议")
    assert messages_for(world.engineer, contains="decided") == [f"Suggestion {ours.number} decided: Deferred"]


def test_the_answer_tells_the_sales_person_that_the_letter_went_out(world):
    suggestion = walk(world, collect(world), Status.ANSWERED)
    assert messages_for(world.sales, contains="answered") == [
        f"Suggestion {suggestion.number} answered with a thank-you letter"
    ]


# Who may make each move (from a status that allows it); everyone else gets 403.
MAY = {
    "discuss": {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR, Role.MARKETING_HEAD, Role.QUALITY},
    "decide": {Role.ADMIN, Role.TECH_HEAD, Role.MARKETING_HEAD},
    "answer": {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR},
    "withdraw": {Role.ADMIN, Role.TECH_HEAD, Role.SUPERVISOR},
}
READY = {
    "discuss": Status.COLLECTED,
    "decide": Status.DISCUSSION,
    "answer": Status.DECIDED,
    "withdraw": Status.COLLECTED,
}
ARGS = {
    "discuss": {"departments": ["rd"], "record": "讨论"},
    "decide": {"decision": "accepted", "text": "采纳"},
    "answer": {"method": "post"},
    "withdraw": {"reason": "重复登记"},
}


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_each_move_is_allowed_to_its_roles_and_refused_to_the_others(world, action, monkeypatch):
    monkeypatch.setattr("apps.suggestions.documents.letter_pdf", lambda suggestion: b"%PDF-1.7 test")
    move = services.MOVES[action]
    waiting = walk(world, collect(world), READY[action])
    version = waiting.version
    for role in sorted(set(Role.values) - MAY[action]):
        with pytest.raises(PermissionDenied):
            move(actor=world.users[role], suggestion=waiting, **ARGS[action])
    waiting.refresh_from_db()
    assert (waiting.status, waiting.version) == (READY[action], version)
    for role in sorted(MAY[action]):
        suggestion = walk(world, collect(world), READY[action])
        assert move(actor=world.users[role], suggestion=suggestion, **ARGS[action]).status == TRANSITIONS[action][1]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.COLLECTED, "answer"),
        (Status.DISCUSSION, "answer"),
        (Status.DECIDED, "discuss"),
        (Status.DECIDED, "decide"),
        (Status.ANSWERED, "withdraw"),
        (Status.ANSWERED, "decide"),
        (Status.WITHDRAWN, "discuss"),
    ],
)
def test_a_move_the_status_does_not_allow_is_a_conflict_and_changes_nothing(world, status, action, monkeypatch):
    monkeypatch.setattr("apps.suggestions.documents.letter_pdf", lambda suggestion: b"%PDF-1.7 test")
    suggestion = collect(world)
    if status == Status.WITHDRAWN:
        services.suggestion_withdraw(actor=world.tech_head, suggestion=suggestion, reason="重复")
    else:
        walk(world, suggestion, status)
    suggestion.refresh_from_db()
    version = suggestion.version
    with pytest.raises(ConflictError, match="Not possible while the suggestion is"):
        services.MOVES[action](actor=world.tech_head, suggestion=suggestion, **ARGS[action])
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.version) == (status, version)


def test_a_stale_version_is_refused(world):
    suggestion = collect(world)
    services.suggestion_discuss(actor=world.quality, suggestion=suggestion, departments=["quality"], record="意见")
    with pytest.raises(ConflictError, match="Someone else changed"):
        services.suggestion_withdraw(actor=world.tech_head, suggestion=suggestion, reason="重复", expected_version=1)


def test_withdrawing_needs_the_reason(world):
    suggestion = collect(world)
    with pytest.raises(ValidationError) as error:
        services.suggestion_withdraw(actor=world.tech_head, suggestion=suggestion, reason="")
    assert "reason" in error.value.message_dict
    withdrawn = services.suggestion_withdraw(actor=world.tech_head, suggestion=suggestion, reason="客户撤回")
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.withdraw_reason == "客户撤回"


def test_the_letter_cannot_be_dated_before_the_suggestion_was_received(world, monkeypatch):
    monkeypatch.setattr("apps.suggestions.documents.letter_pdf", lambda suggestion: b"%PDF-1.7 test")
    suggestion = walk(world, collect(world), Status.DECIDED)
    with pytest.raises(ValidationError) as error:
        services.suggestion_answer(
            actor=world.tech_head, suggestion=suggestion, method="post", letter_date=dt.date(2026, 6, 1)
        )
    assert "letter_date" in error.value.message_dict
    suggestion.refresh_from_db()
    assert suggestion.status == Status.DECIDED and not suggestion.letter_pdf
