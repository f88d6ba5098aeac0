"""/api/v1/follow-ups/, follow-up-rules/, follow-up-sheets/ and follow-up-loads/ as a client meets
them: scoped lists, one POST per move naming the version, 400 with field messages, 403 for the
wrong person, 404 outside the scope, 409 on a stale version or a move the state does not allow."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.followups import services
from apps.followups.choices import Job, LeaderState, Problem, Questionnaire, SheetState, Stage, State, Trend
from apps.followups.models import FollowUp, FollowUpRule, FollowUpSheet
from apps.workorders.choices import Status, WorkType
from apps.workorders.tests._world import complete, local, messages_for, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/follow-ups/"
RULES = "/api/v1/follow-up-rules/"
SHEETS = "/api/v1/follow-up-sheets/"
LOADS = "/api/v1/follow-up-loads/"


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(pk, move=""):
    return f"{URL}{pk}/{move + '/' if move else ''}"


def _ok(response, code=200):
    assert response.status_code == code, (response.status_code, response.content[:500])
    return response.json()


@pytest.fixture(name="installed")
def installed_fixture(world):
    """An installation completed by the engineer on Mon 8 Jun 2026 15:00: two calls planned."""
    order = register(world, work_type=WorkType.INSTALLATION, at=local(2026, 6, 6, 15, 0))
    walk(world, order, Status.ON_SITE, at=local(2026, 6, 6, 15, 10))
    order.refresh_from_db()
    return complete(order, actor=world.engineer, at=local(2026, 6, 8, 15, 0))


def _calls(order):
    return list(FollowUp.objects.filter(work_order=order).order_by("due_at", "pk"))


def _schedule(w, *, due_at, assignee=None, order=None, customer=None):
    source = order or w.customer
    return services.followup_schedule(
        source=source,
        customer=customer or w.customer,
        job=Job.REPAIR,
        questionnaire=Questionnaire.SERVICE,
        due_at=due_at,
        reason="电话回访",
        actor=w.tech_head,
        assignee=assignee,
        at=due_at - dt.timedelta(days=2),
    )


# --- reading --------------------------------------------------------------------------------------


def test_the_list_shows_the_engineers_calls_with_the_customer_and_the_questions(world, installed):
    body = _ok(_as(world.engineer).get(URL))
    assert body["count"] == 2
    first = body["results"][0]
    assert first["number"].startswith("FU260608-")
    assert (first["state"], first["job"], first["stage"], first["due_at"]) == (
        "planned",
        "installation",
        "fixed",
        "2026-06-09T15:00:00+08:00",
    )
    assert (first["customer_name"], first["work_order_number"], first["assignee_name"]) == (
        "广州市第一人民医院",
        installed.number,
        str(world.engineer),
    )
    assert first["source_type"] == "workorders.workorder" and first["source_id"] == installed.pk
    assert first["overdue"] is True  # June 2026 is past
    assert [q["code"] for q in first["questions"]][:2] == ["adoption", "device_use"]
    assert len(first["questions"]) == 7 and first["questions"][0]["answer"] is None


def test_the_list_is_scoped_and_closed_to_dealers_and_strangers(world, installed):
    assert _ok(_as(world.other_engineer).get(URL))["count"] == 0
    assert _ok(_as(world.clerk).get(URL))["count"] == 2
    assert _as(world.dealer).get(URL).status_code == 403
    assert APIClient().get(URL).status_code in (401, 403)


def test_the_list_filters_by_state_caller_dates_overdue_customer_leader_state_and_text(world, installed):
    first, second = _calls(installed)
    services.followup_record(
        followup=first,
        actor=world.engineer,
        problem=Problem.NEEDS_LEADER,
        trend=Trend.WORSE,
        record="质控偏高，客户要求换机",
        at=local(2026, 6, 9, 16, 0),
    )
    pool = _schedule(world, due_at=local(2099, 1, 5, 10, 0))
    head = _as(world.tech_head)

    def ids(**params):
        return [row["id"] for row in _ok(head.get(URL, params))["results"]]

    assert ids(state="done") == [first.pk]
    assert ids(state=["done", "planned"]) == [first.pk, second.pk, pool.pk]
    assert ids(assignee=world.engineer.pk, state="planned") == [second.pk]
    assert ids(pool="true") == [pool.pk]
    assert ids(due_after="2026-06-10", due_before="2026-06-30") == [second.pk]
    assert ids(overdue="true") == [second.pk]
    assert ids(overdue="false") == [first.pk, pool.pk]
    assert ids(leader_state="pending") == [first.pk]
    assert ids(customer=world.customer.pk, job="installation") == [first.pk, second.pk]
    assert ids(q="换机") == [first.pk]
    assert ids(q=installed.number) == [first.pk, second.pk]
    assert ids(ordering="-due_at")[0] == pool.pk
    assert head.get(URL, {"state": "lost"}).status_code == 400
    assert head.get(URL, {"assignee": "abc"}).status_code == 400


def test_the_list_takes_the_same_number_of_queries_for_3_or_30_follow_ups(world):
    order = register(world, at=local(2026, 6, 8, 9, 0))
    head = _as(world.tech_head)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            body = _ok(head.get(URL, {"page_size": 100}))
        return len(queries), body["count"]

    for n in range(3):
        _schedule(world, due_at=local(2026, 6, 10, 9 + n), assignee=world.engineer, order=order)
    few = count_queries()
    for n in range(27):
        _schedule(world, due_at=local(2026, 6, 11, 0) + dt.timedelta(hours=n), assignee=world.engineer2)
    many = count_queries()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0]


def test_the_detail_has_the_answers_the_plan_and_the_timeline(world, installed):
    first, second = _calls(installed)
    services.followup_not_reached(followup=first, actor=world.engineer, at=local(2026, 6, 9, 15, 5))
    body = _ok(_as(world.engineer).get(_url(first.pk)))
    assert body["chain"] == [first.pk, second.pk]
    assert [e["kind"] for e in body["events"]] == ["planned", "attempt"]
    assert body["events"][1]["actor_name"] == str(world.engineer)
    assert (body["attempts"], body["due_at"], body["version"]) == (1, "2026-06-10T10:05:00+08:00", 2)
    assert body["may_record"] is True and body["trend_required"] is True
    assert _ok(_as(world.engineer2).get(_url(first.pk)))["may_record"] is False


def test_a_follow_up_outside_the_scope_or_with_a_bad_id_is_404(world, installed):
    first = _calls(installed)[0]
    assert _as(world.other_engineer).get(_url(first.pk)).status_code == 404
    assert _as(world.tech_head).get(_url("abc")).status_code == 404
    assert _as(world.tech_head).get(_url(10**30)).status_code == 404
    body = {"version": 1, "problem": "none", "trend": "as_usual"}
    assert _as(world.other_engineer).post(_url(first.pk, "record"), body, format="json").status_code == 404


def test_the_call_list_has_my_calls_due_by_the_end_of_the_day_and_the_pool_for_clerks(world, installed):
    first, second = _calls(installed)
    pool = _schedule(world, due_at=local(2026, 6, 9, 11, 0))
    mine = _ok(_as(world.engineer).get(f"{URL}calls/", {"day": "2026-06-09"}))
    assert [row["id"] for row in mine["results"]] == [first.pk]
    assert [row["id"] for row in _ok(_as(world.engineer).get(f"{URL}calls/", {"day": "2026-06-10"}))["results"]] == [
        first.pk,
        second.pk,
    ]
    assert [row["id"] for row in _ok(_as(world.clerk).get(f"{URL}calls/", {"day": "2026-06-09"}))["results"]] == [
        pool.pk
    ]
    assert "day" in _ok(_as(world.clerk).get(f"{URL}calls/", {"day": "9 June"}), 400)
    assert _as(world.dealer).get(f"{URL}calls/").status_code == 403


# --- planning by hand --------------------------------------------------------------------------------


def test_a_clerk_plans_a_follow_up_by_hand_for_a_work_order(world, installed):
    body = {
        "work_order": installed.pk,
        "questionnaire": "service",
        "due_at": "2026-06-20T10:00:00+08:00",
        "assignee": world.engineer2.pk,
        "reason": "客户要求下周再回访",
    }
    created = _ok(_as(world.clerk).post(URL, body, format="json"), 201)
    assert (created["job"], created["stage"], created["assignee"], created["assignee_role"]) == (
        "installation",
        "manual",
        world.engineer2.pk,
        "engineer",
    )
    assert created["work_order"] == installed.pk and created["reason"] == "客户要求下周再回访"
    assert created["events"][0]["actor"] == world.clerk.pk
    pool = _ok(_as(world.clerk).post(URL, {**body, "assignee": None, "job": "complaint"}, format="json"), 201)
    assert (pool["assignee"], pool["assignee_role"], pool["job"]) == (None, "clerk", "complaint")


def test_planning_by_hand_names_what_is_wrong(world, installed):
    clerk = _as(world.clerk)
    errors = _ok(clerk.post(URL, {"work_order": "x", "questionnaire": "nps"}, format="json"), 400)
    assert {"work_order", "questionnaire", "due_at"} <= set(errors)
    base = {"work_order": installed.pk, "questionnaire": "service", "due_at": "2026-06-20T10:00:00+08:00"}
    assert "assignee" in _ok(clerk.post(URL, {**base, "assignee": world.sales.pk}, format="json"), 400)
    training = register(world, work_type=WorkType.TRAINING, at=local(2026, 6, 8, 9, 0))
    assert "job" in _ok(clerk.post(URL, {**base, "work_order": training.pk}, format="json"), 400)
    # A work order the user cannot see does not exist for him.
    assert "work_order" in _ok(_as(world.other_engineer).post(URL, base, format="json"), 400)
    assert _as(world.finance).post(URL, base, format="json").status_code == 403


# --- moves ---------------------------------------------------------------------------------------------


def test_recording_a_call_replans_and_needs_the_version(world, installed):
    first, second = _calls(installed)
    engineer = _as(world.engineer)
    answer = {
        "problem": "none",
        "trend": "as_usual",
        "answers": {"adoption": "已开展", "operator_compliance": "yes", "shoe_size": 42},
        "spoke_with": "张主任",
    }
    assert "version" in _ok(engineer.post(_url(first.pk, "record"), answer, format="json"), 400)
    assert "trend" in _ok(
        engineer.post(_url(first.pk, "record"), {**answer, "trend": "", "version": 1}, format="json"), 400
    )
    assert (
        _as(world.engineer2).post(_url(first.pk, "record"), {**answer, "version": 1}, format="json").status_code == 403
    )
    body = _ok(engineer.post(_url(first.pk, "record"), {**answer, "version": 1}, format="json"))
    assert (body["state"], body["problem"], body["spoke_with"], body["version"]) == ("done", "none", "张主任", 2)
    assert body["answers"] == {"adoption": "已开展", "operator_compliance": True}
    assert {q["code"]: q["answer"] for q in body["questions"]}["operator_compliance"] is True
    again = engineer.post(_url(first.pk, "record"), {**answer, "version": 2}, format="json")
    assert again.status_code == 409
    second_body = {**answer, "version": 1}
    _ok(engineer.post(_url(second.pk, "record"), second_body, format="json"))
    third = FollowUp.objects.get(work_order=installed, stage=Stage.AFTER_GOOD)
    assert _ok(engineer.get(_url(first.pk)))["chain"] == [first.pk, second.pk, third.pk]


def test_a_stale_version_is_409_and_changes_nothing(world, installed):
    first = _calls(installed)[0]
    services.followup_not_reached(followup=first, actor=world.engineer, at=local(2026, 6, 9, 15, 5))
    response = _as(world.engineer).post(_url(first.pk, "not-reached"), {"version": 1}, format="json")
    assert response.status_code == 409
    first.refresh_from_db()
    assert (first.attempts, first.version) == (1, 2)


def test_not_reached_moves_the_call_and_a_wrong_answer_is_corrected(world, installed):
    first, second = _calls(installed)
    engineer = _as(world.engineer)
    body = _ok(engineer.post(_url(first.pk, "not-reached"), {"version": 1, "note": "占线"}, format="json"))
    assert body["attempts"] == 1 and body["state"] == "planned"
    body = _ok(
        engineer.post(_url(first.pk, "record"), {"version": 2, "problem": "none", "trend": "as_usual"}, format="json")
    )
    corrected = {"version": body["version"], "problem": "none", "trend": "worse"}
    assert "reason" in _ok(engineer.post(_url(first.pk, "correct"), corrected, format="json"), 400)
    body = _ok(engineer.post(_url(first.pk, "correct"), {**corrected, "reason": "主任回电：偏高"}, format="json"))
    assert body["trend"] == "worse" and body["events"][-1]["kind"] == "corrected"
    # A planned follow-up cannot be corrected.
    response = engineer.post(_url(second.pk, "correct"), {**corrected, "version": 1, "reason": "x"}, format="json")
    assert response.status_code == 409


def test_only_leaders_reassign_and_cancel(world, installed):
    first, second = _calls(installed)
    move = {"version": 1, "assignee": world.engineer2.pk, "reason": "出差"}
    assert _as(world.engineer).post(_url(first.pk, "reassign"), move, format="json").status_code == 403
    assert (
        _as(world.clerk).post(_url(second.pk, "cancel"), {"version": 1, "reason": "x"}, format="json").status_code
        == 403
    )
    assert "assignee" in _ok(
        _as(world.supervisor).post(_url(first.pk, "reassign"), {**move, "assignee": world.sales.pk}, format="json"),
        400,
    )
    body = _ok(_as(world.supervisor).post(_url(first.pk, "reassign"), move, format="json"))
    assert (body["assignee"], body["events"][-1]["kind"]) == (world.engineer2.pk, "reassigned")
    body = _ok(_as(world.supervisor).post(_url(first.pk, "reassign"), {"version": 2, "assignee": None}, format="json"))
    assert (body["assignee"], body["assignee_role"]) == (None, "clerk")
    assert "reason" in _ok(_as(world.tech_head).post(_url(second.pk, "cancel"), {"version": 1}, format="json"), 400)
    body = _ok(
        _as(world.tech_head).post(_url(second.pk, "cancel"), {"version": 1, "reason": "客户停机"}, format="json")
    )
    assert body["state"] == "cancelled"
    response = _as(world.tech_head).post(_url(second.pk, "cancel"), {"version": 2, "reason": "再次"}, format="json")
    assert response.status_code == 409


def test_a_problem_goes_to_the_leader_who_decides_then_the_caller_tells_the_customer(world, installed):
    first = _calls(installed)[0]
    engineer = _as(world.engineer)
    body = _ok(
        engineer.post(
            _url(first.pk, "record"),
            {
                "version": 1,
                "problem": "needs_leader",
                "trend": "worse",
                "record": "要求换机",
                "open_questions": "保修期？",
            },
            format="json",
        )
    )
    assert body["leader_state"] == "pending"
    version = body["version"]
    assert (
        engineer.post(
            _url(first.pk, "leader-decision"), {"version": version, "plan": "换灯"}, format="json"
        ).status_code
        == 403
    )
    assert "plan" in _ok(
        _as(world.supervisor).post(_url(first.pk, "leader-decision"), {"version": version}, format="json"), 400
    )
    body = _ok(
        _as(world.supervisor).post(
            _url(first.pk, "leader-decision"), {"version": version, "plan": "先换光源灯"}, format="json"
        )
    )
    assert (body["leader_state"], body["leader_plan"], body["leader"]) == ("decided", "先换光源灯", world.supervisor.pk)
    assert messages_for(world.engineer, contains="Handling plan")
    body = _ok(
        engineer.post(_url(first.pk, "plan-told"), {"version": body["version"], "note": "已告知"}, format="json")
    )
    assert body["leader_state"] == "told"
    response = engineer.post(_url(first.pk, "plan-told"), {"version": body["version"]}, format="json")
    assert response.status_code == 409
    body = _ok(
        engineer.post(
            _url(first.pk, "answer-questions"), {"version": body["version"], "answer": "保修至 2027-06"}, format="json"
        )
    )
    assert body["questions_answer"] == "保修至 2027-06" and body["questions_answered_at"]
    assert FollowUp.objects.get(pk=first.pk).leader_state == LeaderState.TOLD


# --- the rules table ---------------------------------------------------------------------------------


def test_everyone_inside_reads_the_rules_only_managers_change_them(world):
    body = _ok(_as(world.engineer).get(RULES, {"job": "repair"}))
    assert [(r["sequence"], r["stage"], r["offset"], r["unit"]) for r in body["results"]] == [
        (1, "fixed", 48, "hours"),
        (2, "fixed", 7, "days"),
    ]
    assert _as(world.dealer).get(RULES).status_code == 403
    new = {
        "job": "complaint",
        "stage": "fixed",
        "sequence": 2,
        "offset": 90,
        "unit": "days",
        "assignee_role": "clerk",
        "questionnaire": "complaint",
        "note": "三个月后再回访",
    }
    assert _as(world.supervisor).post(RULES, new, format="json").status_code == 403
    created = _ok(_as(world.tech_head).post(RULES, new, format="json"), 201)
    assert (created["version"], created["is_active"], created["channel"]) == (1, True, "phone")
    assert "non_field_errors" in _ok(_as(world.admin).post(RULES, new, format="json"), 400)
    recurring = {**new, "sequence": 3, "stage": "recurring"}
    assert "interval_days" in _ok(_as(world.admin).post(RULES, recurring, format="json"), 400)

    url = f"{RULES}{created['id']}/"
    assert "version" in _ok(_as(world.tech_head).patch(url, {"offset": 60}, format="json"), 400)
    changed = _ok(_as(world.tech_head).patch(url, {"offset": 60, "version": 1}, format="json"))
    assert (changed["offset"], changed["version"]) == (60, 2)
    assert _as(world.tech_head).patch(url, {"offset": 30, "version": 1}, format="json").status_code == 409
    assert _as(world.engineer).patch(url, {"offset": 30, "version": 2}, format="json").status_code == 403
    off = _ok(_as(world.admin).post(f"{url}deactivate/", {"reason": "试行结束", "version": 2}, format="json"))
    assert off["is_active"] is False
    assert not FollowUpRule.objects.get(pk=created["id"]).is_active
    assert len(_ok(_as(world.engineer).get(f"{url}history/"))) == 3  # created, changed, switched off
    assert _ok(_as(world.engineer).get(RULES, {"job": "complaint"}))["count"] == 1
    assert _ok(_as(world.engineer).get(RULES, {"job": "complaint", "status": "all"}))["count"] == 2


# --- the follow-up sheet (FU-4) ------------------------------------------------------------------------


def _done(world, installed):
    first = _calls(installed)[0]
    return services.followup_record(
        followup=first,
        actor=world.engineer,
        problem=Problem.NONE,
        trend=Trend.AS_USUAL,
        record="运行正常",
        remarks="主任满意",
        at=local(2026, 6, 9, 16, 0),
    )


def test_the_sheet_is_made_submitted_reviewed_and_signed(world, installed):
    done = _done(world, installed)
    engineer = _as(world.engineer)
    period = {"period_start": "2026-06-01", "period_end": "2026-06-30"}
    sheet = _ok(engineer.post(SHEETS, period, format="json"), 201)
    assert (sheet["caller"], sheet["state"], sheet["version"]) == (world.engineer.pk, "draft", 1)
    assert [(line["number"], line["customer_name"], line["record"], line["remarks"]) for line in sheet["lines"]] == [
        (done.number, "广州市第一人民医院", "运行正常", "主任满意")
    ]
    assert "period_start" in _ok(engineer.post(SHEETS, period, format="json"), 400)  # nothing left to collect
    url = f"{SHEETS}{sheet['id']}/"
    assert _as(world.engineer2).get(url).status_code == 404
    assert _as(world.customer_manager).get(SHEETS).status_code == 403

    assert _ok(engineer.post(f"{url}submit/", {"version": 1}, format="json"))["state"] == "submitted"
    assert engineer.post(f"{url}submit/", {"version": 2}, format="json").status_code == 409
    assert engineer.post(f"{url}review/", {"version": 2, "comment": "好"}, format="json").status_code == 403
    assert _as(world.tech_head).post(f"{url}sign/", {"version": 2}, format="json").status_code == 409
    assert "comment" in _ok(_as(world.supervisor).post(f"{url}review/", {"version": 2}, format="json"), 400)
    reviewed = _ok(_as(world.supervisor).post(f"{url}review/", {"version": 2, "comment": "记录完整"}, format="json"))
    assert (reviewed["state"], reviewed["reviewer"]) == ("reviewed", world.supervisor.pk)
    assert _as(world.supervisor).post(f"{url}sign/", {"version": 3}, format="json").status_code == 403
    signed = _ok(_as(world.tech_head).post(f"{url}sign/", {"version": 3, "note": "同意"}, format="json"))
    assert (signed["state"], signed["signer"], signed["sign_comment"]) == ("signed", world.tech_head.pk, "同意")
    assert FollowUpSheet.objects.get().state == SheetState.SIGNED
    listed = _ok(_as(world.supervisor).get(SHEETS, {"state": "signed"}))
    assert [row["id"] for row in listed["results"]] == [sheet["id"]]


def test_a_returned_sheet_is_a_draft_again_and_only_leaders_make_sheets_for_others(world, installed):
    _done(world, installed)
    period = {"period_start": "2026-06-01", "period_end": "2026-06-30"}
    assert _as(world.engineer2).post(SHEETS, {**period, "caller": world.engineer.pk}, format="json").status_code == 403
    assert "period_end" in _ok(
        _as(world.engineer).post(SHEETS, {"period_start": "2026-06-30", "period_end": "2026-06-01"}, format="json"), 400
    )
    sheet = _ok(_as(world.supervisor).post(SHEETS, {**period, "caller": world.engineer.pk}, format="json"), 201)
    url = f"{SHEETS}{sheet['id']}/"
    _ok(_as(world.engineer).post(f"{url}submit/", {"version": 1}, format="json"))
    returned = _ok(_as(world.supervisor).post(f"{url}return/", {"version": 2, "comment": "补充备注"}, format="json"))
    assert (returned["state"], returned["review_comment"]) == ("draft", "补充备注")
    assert messages_for(world.engineer, contains="returned to you")


# --- FU-7 ---------------------------------------------------------------------------------------------


def test_the_heads_see_each_engineers_phone_load_for_a_week(world):
    for n in range(25):
        _schedule(world, due_at=local(2026, 9, 28, 9) + dt.timedelta(minutes=10 * n), assignee=world.engineer2)
    body = _ok(_as(world.tech_head).get(LOADS, {"week": "2026-09-30"}))
    assert (body["week_start"], body["week_end"], body["working_days"], body["limit_minutes"]) == (
        "2026-09-28",
        "2026-10-04",
        3,
        288.0,
    )
    rows = {row["engineer"]: row for row in body["engineers"]}
    assert (
        rows[world.engineer2.pk]["count"],
        rows[world.engineer2.pk]["minutes"],
        rows[world.engineer2.pk]["over"],
    ) == (
        25,
        500,
        True,
    )
    assert (rows[world.engineer.pk]["count"], rows[world.engineer.pk]["over"]) == (0, False)
    assert _ok(_as(world.supervisor).get(LOADS, {"week": "2026-06-08"}))["working_days"] == 5
    assert "week" in _ok(_as(world.tech_head).get(LOADS, {"week": "next week"}), 400)
    assert _as(world.engineer).get(LOADS).status_code == 403
    assert _as(world.clerk).get(LOADS).status_code == 403


def test_everything_refuses_a_malformed_body(world, installed):
    first = _calls(installed)[0]
    engineer = _as(world.engineer)
    assert "version" in _ok(
        engineer.post(_url(first.pk, "record"), {"version": "x", "problem": "none"}, format="json"), 400
    )
    assert "problem" in _ok(
        engineer.post(_url(first.pk, "record"), {"version": 1, "problem": "maybe"}, format="json"), 400
    )
    assert "answers" in _ok(
        engineer.post(_url(first.pk, "record"), {"version": 1, "problem": "none", "answers": [1]}, format="json"), 400
    )
    assert FollowUp.objects.get(pk=first.pk).state == State.PLANNED
