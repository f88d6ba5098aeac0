"""The complaint state machine as each role meets it: every move of choices.TRANSITIONS and every
activity of choices.ACTIVITIES, tried by every role on a product and on a service complaint in the
right status (allowed → done, others → PermissionDenied), and every move from a wrong status
(→ TransitionRefused, nothing changed).

Each role's attempt runs in a savepoint that is rolled back, so all roles meet the same complaint.
The expected tables are written out by hand (not derived from choices), so a change of the rules
shows up here as a readable difference."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.accounts.choices import Role as R
from apps.complaints import services, transitions
from apps.complaints.choices import ACTIVITIES, TRANSITIONS, Disposition, Kind, ReplyKind, ReplyMethod, Status
from apps.complaints.models import Capa, Complaint
from apps.complaints.tests._world import local, register, walk, world_fixture  # noqa: F401
from apps.complaints.transitions import TransitionRefused

ALL_ROLES = list(R.values)
AT = local(2026, 6, 9, 10, 0)  # the day after the complaint was received (Mon 2026-06-08 09:00)

HANDLERS_PRODUCT = {R.QUALITY, R.SUPERVISOR, R.ADMIN}
HANDLERS_SERVICE = {R.TECH_HEAD, R.SUPERVISOR, R.QUALITY, R.ADMIN}
QUALITY = {R.QUALITY, R.ADMIN}

# action -> (roles allowed on a product complaint, roles allowed on a service complaint)
EXPECTED_MOVES = {
    "evaluate": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "reject_as_not_complaint": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "decide_reportability": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "complete_investigation": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "waive_investigation": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "record_disposition": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "record_correction": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    # The hotline clerk may send the resolution reply (she is on the phone with the complainant).
    "send_resolution": (HANDLERS_PRODUCT | {R.CLERK}, HANDLERS_SERVICE | {R.CLERK}),
    # Only the quality department reviews and closes, whatever the kind.
    "close": (QUALITY, QUALITY),
    "return_for_rework": (QUALITY, QUALITY),
}
# activity -> (product, service); "invalid" marks roles the tables let through but the complaint
# has no such step (a product complaint has no apology, names no engineer).
EXPECTED_ACTIVITIES = {
    "edit": (HANDLERS_PRODUCT | {R.CLERK}, HANDLERS_SERVICE | {R.CLERK}),
    "reply": (HANDLERS_PRODUCT | {R.CLERK}, HANDLERS_SERVICE | {R.CLERK}),
    "revise_reportability": (QUALITY, QUALITY),
    "submit_report": (QUALITY, QUALITY),
    "link_capa": (HANDLERS_PRODUCT, HANDLERS_SERVICE),
    "apologise": ({"invalid": {R.ADMIN}}, {R.TECH_HEAD, R.ADMIN}),
    "talk_with_engineer": ({"invalid": {R.SUPERVISOR, R.ADMIN}}, {R.TECH_HEAD, R.SUPERVISOR, R.ADMIN}),
    # Only the engineer the complaint is about, and only on his own complaint.
    "self_assessment": (set(), {R.ENGINEER}),
    "note": (HANDLERS_PRODUCT | {R.CLERK}, HANDLERS_SERVICE | {R.CLERK}),
}

# Where the complaint must stand for each move / activity (and whether it needs reports).
NEEDS = {
    "evaluate": Status.RECEIVED,
    "reject_as_not_complaint": Status.RECEIVED,
    "decide_reportability": Status.REPORTABILITY,
    "complete_investigation": Status.INVESTIGATION,
    "waive_investigation": Status.INVESTIGATION,
    "record_disposition": Status.DISPOSITION,
    "record_correction": Status.CORRECTION,
    "send_resolution": Status.REPLY,
    "close": Status.REVIEW,
    "return_for_rework": Status.REVIEW,
    "edit": Status.RECEIVED,
    "reply": Status.REPORTABILITY,
    "revise_reportability": Status.INVESTIGATION,
    "submit_report": Status.INVESTIGATION,
    "link_capa": Status.RECEIVED,
    "apologise": Status.INVESTIGATION,
    "talk_with_engineer": Status.INVESTIGATION,
    "self_assessment": Status.INVESTIGATION,
    "note": Status.CLOSED,  # notes may be added even to a closed file
}


def _perform(key: str, w, complaint: Complaint, actor, *, at=AT):
    """Make the move / activity `key` with valid input, as `actor`."""
    s = services
    if key == "evaluate":
        s.complaint_evaluate(actor=actor, complaint=complaint, is_complaint=True, rationale="属于投诉", at=at)
    elif key == "reject_as_not_complaint":
        s.complaint_evaluate(actor=actor, complaint=complaint, is_complaint=False, rationale="咨询而非投诉", at=at)
    elif key == "decide_reportability":
        s.complaint_decide_reportability(actor=actor, complaint=complaint, reportable=False, rationale="无伤害", at=at)
    elif key == "complete_investigation":
        s.complaint_complete_investigation(
            actor=actor, complaint=complaint, findings="复测偏高", cause_category="reagent_lot", at=at
        )
    elif key == "waive_investigation":
        s.complaint_waive_investigation(actor=actor, complaint=complaint, reason="已知问题", at=at)
    elif key == "record_disposition":
        disposition = Disposition.NOT_APPLICABLE if complaint.kind == Kind.SERVICE else Disposition.LOT_HELD
        s.complaint_record_disposition(actor=actor, complaint=complaint, disposition=disposition, at=at)
    elif key == "record_correction":
        s.complaint_record_correction(
            actor=actor, complaint=complaint, correction="更换批号", no_capa_reason="单一事件", at=at
        )
    elif key == "send_resolution":
        s.complaint_send_resolution(actor=actor, complaint=complaint, method=ReplyMethod.PHONE, content="已解决", at=at)
    elif key == "close":
        s.complaint_close(actor=actor, complaint=complaint, review_note="审核通过", at=at)
    elif key == "return_for_rework":
        s.complaint_return_for_rework(actor=actor, complaint=complaint, reason="调查不充分", at=at)
    elif key == "edit":
        s.complaint_update(actor=actor, complaint=complaint, data={"summary": "质控结果持续偏高"}, at=at)
    elif key == "reply":
        s.complaint_add_reply(
            actor=actor, complaint=complaint, kind=ReplyKind.ACKNOWLEDGEMENT, method=ReplyMethod.PHONE,
            content="已收到，正在处理", at=at,
        )  # fmt: skip
    elif key == "revise_reportability":
        s.complaint_revise_reportability(
            actor=actor, complaint=complaint, reportable=True, events=["serious_injury"], rationale="复核", at=at
        )
    elif key == "submit_report":
        s.report_submit(actor=actor, report=complaint.reports.first(), report_number="MDAE-1", at=at)
    elif key == "link_capa":
        s.complaint_link_capa(actor=actor, complaint=complaint, capa=Capa.objects.get(number="CAPA-T1"), at=at)
    elif key == "apologise":
        s.complaint_apologise(actor=actor, complaint=complaint, text="代表技术部致歉", at=at)
    elif key == "talk_with_engineer":
        s.complaint_talk_with_engineer(actor=actor, complaint=complaint, note="已谈话", at=at)
    elif key == "self_assessment":
        s.complaint_self_assess(actor=actor, complaint=complaint, text="我迟到了，今后提前出发", at=at)
    elif key == "note":
        s.complaint_add_note(actor=actor, complaint=complaint, text="备注", at=at)
    else:  # pragma: no cover - a new key of the tables needs a line here
        raise AssertionError(key)


class _Undo(Exception):
    pass


def _attempt(key, w, complaint, actor) -> str:
    """'allowed', 'refused' (PermissionDenied) or 'invalid' (ValidationError), always undone."""
    try:
        with transaction.atomic():
            _perform(key, w, complaint, actor)
            raise _Undo
    except _Undo:
        return "allowed"
    except PermissionDenied:
        return "refused"
    except ValidationError:
        return "invalid"


def _prepared(w, key: str, kind: str) -> Complaint:
    """A complaint of `kind` standing where `key` can be done."""
    needs = NEEDS[key]
    events = ["death"] if key in ("submit_report", "revise_reportability") else []
    complaint = register(w, kind=kind)
    if key == "link_capa":
        services.capa_create(actor=w.quality, data={"number": "CAPA-T1", "title": "批间差"})
    if needs == Status.CLOSED:
        complaint = walk(w, complaint, Status.REVIEW)
        _do_service_steps(w, complaint)
        services.complaint_close(actor=w.quality, complaint=complaint, review_note="OK", at=AT - dt.timedelta(hours=1))
    elif needs != Status.RECEIVED:
        complaint = walk(w, complaint, needs, events=events)
        if key == "close":
            _do_service_steps(w, complaint)
    complaint.refresh_from_db()
    assert complaint.status == needs
    return complaint


def _do_service_steps(w, complaint):
    """CP-3: the apology, the talk and the self-assessment (a service complaint closes only after)."""
    if not complaint.is_service:
        return
    at = AT - dt.timedelta(hours=3)
    services.complaint_apologise(actor=w.tech_head, complaint=complaint, text="致歉", at=at)
    services.complaint_talk_with_engineer(actor=w.tech_head, complaint=complaint, note="谈话", at=at)
    services.complaint_self_assess(actor=w.engineer, complaint=complaint, text="自评", at=at)
    _share_case(w, complaint)


def _share_case(w, complaint):
    """CP-3: the case shared to the library, when the case library is installed."""
    if not hasattr(complaint, "cases"):
        return
    from apps.complaints.tests.test_services import share_case

    share_case(w, complaint)


def _outcomes(w, key, kind) -> dict[str, str]:
    complaint = _prepared(w, key, kind)
    before = Complaint.objects.get(pk=complaint.pk)
    outcomes = {role: _attempt(key, w, complaint, w.users[role]) for role in ALL_ROLES}
    after = Complaint.objects.get(pk=complaint.pk)
    assert (after.status, after.version) == (before.status, before.version)  # every attempt was undone
    return outcomes


def _expected(table_entry) -> dict[str, str]:
    if isinstance(table_entry, dict):
        invalid = table_entry["invalid"]
        return {role: "invalid" if role in invalid else "refused" for role in ALL_ROLES}
    return {role: "allowed" if role in table_entry else "refused" for role in ALL_ROLES}


def test_the_tables_here_cover_every_move_and_activity_of_the_state_machine():
    assert set(EXPECTED_MOVES) == set(TRANSITIONS)
    assert set(EXPECTED_ACTIVITIES) == set(ACTIVITIES)


@pytest.mark.parametrize("kind", [Kind.PRODUCT, Kind.SERVICE])
@pytest.mark.parametrize("action", list(EXPECTED_MOVES))
def test_each_role_may_or_may_not_make_each_move(world, action, kind):
    expected = _expected(EXPECTED_MOVES[action][0 if kind == Kind.PRODUCT else 1])
    assert _outcomes(world, action, kind) == expected


@pytest.mark.parametrize("kind", [Kind.PRODUCT, Kind.SERVICE])
@pytest.mark.parametrize("activity", list(EXPECTED_ACTIVITIES))
def test_each_role_may_or_may_not_record_each_activity(world, activity, kind):
    expected = _expected(EXPECTED_ACTIVITIES[activity][0 if kind == Kind.PRODUCT else 1])
    assert _outcomes(world, activity, kind) == expected


@pytest.mark.parametrize("kind", [Kind.PRODUCT, Kind.SERVICE])
def test_the_allowed_moves_and_activities_offered_match_what_the_services_let_through(world, kind):
    complaint = _prepared(world, "complete_investigation", kind)
    for role in ALL_ROLES:
        user = world.users[role]
        offered = set(transitions.allowed_actions(complaint, user))
        assert ("complete_investigation" in offered) == (
            _attempt("complete_investigation", world, complaint, user) == "allowed"
        ), role
        assert offered <= {"complete_investigation", "waive_investigation"}


def test_the_technical_head_handles_service_complaints_but_not_product_ones(world):
    product = register(world, kind=Kind.PRODUCT)
    service = register(world, kind=Kind.SERVICE, at=local(2026, 6, 8, 9, 5))
    with pytest.raises(PermissionDenied):
        services.complaint_evaluate(actor=world.tech_head, complaint=product, is_complaint=True, rationale="是", at=AT)
    services.complaint_evaluate(actor=world.tech_head, complaint=service, is_complaint=True, rationale="是", at=AT)
    product.refresh_from_db()
    service.refresh_from_db()
    assert (product.status, service.status) == (Status.RECEIVED, Status.REPORTABILITY)


def test_the_quality_department_and_the_supervisor_handle_both_kinds(world):
    for n, actor in enumerate([world.quality, world.supervisor]):
        for m, kind in enumerate([Kind.PRODUCT, Kind.SERVICE, Kind.BOTH]):
            complaint = register(world, kind=kind, at=local(2026, 6, 8, 9, n * 10 + m))
            services.complaint_evaluate(actor=actor, complaint=complaint, is_complaint=True, rationale="是", at=AT)
            complaint.refresh_from_db()
            assert complaint.status == Status.REPORTABILITY


def test_the_clerk_only_registers_edits_replies_notes_and_sends_the_resolution(world):
    complaint = register(world)
    clerk = world.clerk
    assert transitions.allowed_actions(complaint, clerk) == []
    assert transitions.allowed_activities(complaint, clerk) == ["edit", "note"]
    walk(world, complaint, Status.REPLY)
    complaint.refresh_from_db()
    assert transitions.allowed_actions(complaint, clerk) == ["send_resolution"]
    assert transitions.allowed_activities(complaint, clerk) == ["edit", "reply", "note"]


def test_the_engineer_writes_only_his_own_self_assessment(world):
    complaint = walk(world, register(world, kind=Kind.SERVICE), Status.INVESTIGATION)
    for stranger in (world.engineer2, world.other_engineer):
        with pytest.raises(PermissionDenied):
            services.complaint_self_assess(actor=stranger, complaint=complaint, text="不是我", at=AT)
    services.complaint_self_assess(actor=world.engineer, complaint=complaint, text="我迟到了", at=AT)
    complaint.refresh_from_db()
    assert complaint.self_assessment == "我迟到了"
    assert "self_assessment" in transitions.allowed_activities(complaint, world.engineer)
    assert "self_assessment" not in transitions.allowed_activities(complaint, world.engineer2)
    # Nothing else of the file is his to move.
    assert transitions.allowed_actions(complaint, world.engineer) == []


def test_nobody_writes_a_self_assessment_before_the_complaint_is_evaluated(world):
    complaint = register(world, kind=Kind.SERVICE)
    with pytest.raises(TransitionRefused):
        services.complaint_self_assess(actor=world.engineer, complaint=complaint, text="我迟到了", at=AT)


# --- wrong status ------------------------------------------------------------------------------


def _force_status(complaint, status):
    Complaint.objects.filter(pk=complaint.pk).update(status=status)
    complaint.refresh_from_db()
    return complaint


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_move_from_a_wrong_status_is_refused_and_changes_nothing(world, action):
    from_statuses = TRANSITIONS[action][0]
    complaint = register(world, kind=Kind.BOTH, engineer=world.engineer)
    services.capa_create(actor=world.quality, data={"number": "CAPA-T1", "title": "批间差"})
    wrong = [status for status in Status.values if status not in from_statuses]
    assert wrong
    for status in wrong:
        _force_status(complaint, status)
        version = complaint.version
        with pytest.raises(TransitionRefused):
            _perform(action, world, complaint, world.admin)
        complaint.refresh_from_db()
        assert (complaint.status, complaint.version) == (status, version), status


@pytest.mark.parametrize("activity", [key for key in ACTIVITIES if ACTIVITIES[key][0] != frozenset(Status.values)])
def test_every_activity_from_a_wrong_status_is_refused(world, activity):
    statuses = ACTIVITIES[activity][0]
    complaint = register(world, kind=Kind.BOTH, engineer=world.engineer)
    services.capa_create(actor=world.quality, data={"number": "CAPA-T1", "title": "批间差"})
    actor = world.engineer if activity == "self_assessment" else world.admin
    for status in [s for s in Status.values if s not in statuses]:
        _force_status(complaint, status)
        with pytest.raises(TransitionRefused):
            _perform(activity, world, complaint, actor)


def test_a_closed_complaint_is_read_only_with_a_clear_reason(world):
    complaint = walk(world, register(world), Status.REVIEW)
    services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    complaint.refresh_from_db()
    with pytest.raises(TransitionRefused) as refused:
        services.complaint_update(actor=world.quality, complaint=complaint, data={"summary": "改"}, at=AT)
    assert str(refused.value.message) == "The complaint is closed and can no longer be changed."
    assert transitions.allowed_actions(complaint, world.admin) == []
    assert transitions.allowed_activities(complaint, world.admin) == ["submit_report", "note"]


def test_a_refused_move_names_the_status_it_waits_in(world):
    complaint = register(world)
    with pytest.raises(TransitionRefused) as refused:
        services.complaint_close(actor=world.quality, complaint=complaint, review_note="OK", at=AT)
    assert str(refused.value.message) == "Not possible while the complaint is “Received — to evaluate”."
