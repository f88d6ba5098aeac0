"""The follow-up pages as their users meet them: the call list, one call, the list of all
follow-ups, the leaders' queue and the engineers' phone load (SPEC FU-1 … FU-3, FU-7).

The pages work on "today", so the follow-ups here are due relative to the real clock."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.followups import policies, services
from apps.followups.choices import Job, LeaderState, Problem, Questionnaire, Stage, State, Trend
from apps.followups.models import FollowUp
from apps.workorders.choices import Status, WorkType
from apps.workorders.tests._world import complete, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

CALLS = reverse("followups:calls")
LIST = reverse("followups:list")
QUEUE = reverse("followups:leader_queue")
LOAD = reverse("followups:load")
MOBILE = "13912345678"


def _now():
    return timezone.now()


def _later_today():
    """A time still ahead today (Shanghai): halfway between now and midnight."""
    now = timezone.localtime()
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return now + (midnight - now) / 2


def _completed(w, work_type=WorkType.INSTALLATION, *, hours_ago=50):
    """A job the engineer completed `hours_ago` hours ago, through the real services: its
    follow-up plan comes from the rules table."""
    done = _now() - dt.timedelta(hours=hours_ago)
    start = done - dt.timedelta(days=2)
    order = register(w, work_type=work_type, at=start)
    walk(w, order, Status.ON_SITE, at=start + dt.timedelta(minutes=10))
    order.refresh_from_db()
    return complete(order, actor=w.engineer, at=done)


def _plan(order):
    return list(FollowUp.objects.filter(work_order=order).order_by("due_at", "pk"))


def _schedule(w, *, due, assignee=None, customer=None, order=None, questionnaire=Questionnaire.SERVICE):
    """One follow-up planned by hand (a clerk's pool call when no assignee)."""
    if order is None:
        order = register(w, customer=customer, instrument=None) if customer else register(w)
    return services.followup_schedule(
        source=order,
        customer=order.customer,
        job=Job.REPAIR,
        questionnaire=questionnaire,
        due_at=due,
        reason="按计划回访",
        actor=w.tech_head,
        assignee=assignee,
    )


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _answer_data(followup, **overrides):
    data = {
        "expected_version": followup.version,
        "spoke_with": "生化组 李组长",
        "q_device_status": "yes",
        "q_output_quality": "质控在控",
        "q_operator_compliance": "yes",
        "trend": Trend.AS_USUAL,
        "problem": Problem.NONE,
        "record": "仪器运行正常，结果满意",
        "remarks": "",
        "plan_told": "",
        "open_questions": "",
    }
    if followup.questionnaire == Questionnaire.INSTALLATION:
        data.update({"q_adoption": "已开展", "q_device_use": "每日开机"})
    data.update(overrides)
    return data


# --- the call list ---------------------------------------------------------------------------------


def test_the_call_list_shows_an_engineer_his_calls_overdue_first_and_the_next_days_below(world, client):
    ContactFactory(customer=world.customer, name="李组长", mobile=MOBILE, is_primary=True)
    other = CustomerFactory(name="广州市妇幼保健院", city=world.city)
    today = _schedule(world, due=_later_today(), assignee=world.engineer, customer=other)
    overdue = _schedule(world, due=_now() - dt.timedelta(days=1), assignee=world.engineer)
    coming = _schedule(world, due=_now() + dt.timedelta(days=3), assignee=world.engineer)
    someone_elses = _schedule(world, due=_now() - dt.timedelta(hours=2), assignee=world.engineer2)
    pool = _schedule(world, due=_now() - dt.timedelta(hours=2))
    done = _schedule(world, due=_now() - dt.timedelta(hours=3), assignee=world.engineer)
    services.followup_record(followup=done, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL)

    client.force_login(world.engineer)
    page = _page(client, CALLS)

    assert page.index(overdue.number) < page.index(today.number) < page.index(coming.number)
    assert re.search(rf'class="fu-card overdue" id="call-{overdue.pk}"', page)
    assert f'id="call-{today.pk}"' in page and f'class="fu-card overdue" id="call-{today.pk}"' not in page
    assert f'id="call-{coming.pk}"' not in page  # below, in the next seven days — not a card of today
    for absent in (someone_elses, pool, done):
        assert absent.number not in page
    # Labelled by hospital, with whom to ring (an engineer may see the number) and the job.
    assert "广州市妇幼保健院" in page and world.customer.name in page
    assert f'href="tel:{MOBILE}"' in page
    assert overdue.work_order.get_absolute_url() in page


def test_a_clerk_sees_the_hotline_pool_but_not_the_engineers_calls(world, client):
    pool = _schedule(world, due=_now() - dt.timedelta(hours=1))
    engineers = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    client.force_login(world.clerk)
    page = _page(client, CALLS)
    assert pool.number in page and "Hotline pool" in page
    assert engineers.number not in page


def test_a_completed_job_puts_its_first_follow_up_on_the_engineers_list(world, client):
    order = _completed(world, WorkType.REPAIR, hours_ago=60)  # the 48-hour call is 12 hours late
    first, second = _plan(order)
    client.force_login(world.engineer)
    page = _page(client, CALLS)
    assert first.number in page and "Repair / maintenance" in page
    assert second.number not in page  # the one-week call is the hotline's, in five days


def test_an_engineers_load_banner_warns_when_his_phone_calls_pass_one_day_in_five(world, client, monkeypatch):
    monkeypatch.setattr(policies, "PHONE_FOLLOWUP_MINUTES", 120)
    capacity = services.week_capacity(timezone.localdate())
    allowed = int(capacity["limit_minutes"] // 120)
    for _ in range(allowed):
        _schedule(world, due=_now(), assignee=world.engineer)
    client.force_login(world.engineer)
    page = _page(client, CALLS)
    assert 'class="fu-load" id="phone-load"' in page and "Over the limit" not in page

    _schedule(world, due=_now(), assignee=world.engineer)
    page = _page(client, CALLS)
    assert 'class="fu-load over" id="phone-load"' in page and "Over the limit" in page
    assert f"{allowed + 1} phone follow-ups this week" in page


def test_the_call_list_runs_the_same_number_of_queries_for_3_and_15_calls(world, client):
    ContactFactory(customer=world.customer, mobile=MOBILE, is_primary=True)
    client.force_login(world.engineer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            _page(client, CALLS)
        return len(queries)

    for days in (-1, 0, 2):
        _schedule(world, due=_now() + dt.timedelta(days=days), assignee=world.engineer)
    few = count()
    for days in (-2, -1, 0, 0, 1, 2, 3, 4, 5, 6, -3, 0):
        other = CustomerFactory(city=world.city)
        ContactFactory(customer=other, is_primary=True)
        _schedule(world, due=_now() + dt.timedelta(days=days), assignee=world.engineer, customer=other)
    assert count() == few


def test_a_clerk_gets_no_load_banner(world, client):
    client.force_login(world.clerk)
    assert 'id="phone-load"' not in _page(client, CALLS)


# --- one call -------------------------------------------------------------------------------------------


def test_answering_through_the_page_records_the_answers_and_plans_the_next_follow_up(world, client):
    order = _completed(world, WorkType.INSTALLATION, hours_ago=50)
    first, second = _plan(order)
    client.force_login(world.engineer)

    page = _page(client, first.get_absolute_url())
    assert "Hello, this is" in page and world.engineer.name in page  # the script, with the caller
    assert 'name="q_adoption"' in page and 'name="trend"' in page

    for followup in (first, second):
        response = client.post(reverse("followups:answer", args=[followup.pk]), _answer_data(followup))
        assert response.status_code == 302 and response["Location"] == followup.get_absolute_url()

    first.refresh_from_db()
    assert first.state == State.DONE and first.done_by == world.engineer
    assert first.answers["operator_compliance"] is True and first.answers["adoption"] == "已开展"
    third = FollowUp.objects.get(work_order=order, stage=Stage.AFTER_GOOD, state=State.PLANNED)

    page = _page(client, second.get_absolute_url())
    # The answers read back, the whole plan with the new third call, and the timeline.
    assert "质控在控" in page and "仪器运行正常，结果满意" in page
    assert 'name="q_adoption"' not in page
    assert third.number in page and "Once all is well" in page
    assert 'id="timeline"' in page and "Done" in page


def test_worse_than_usual_through_the_page_plans_a_call_every_next_day(world, client):
    order = _completed(world, WorkType.INSTALLATION, hours_ago=50)
    first, second = _plan(order)
    client.force_login(world.engineer)
    client.post(reverse("followups:answer", args=[first.pk]), _answer_data(first))
    data = _answer_data(
        second, trend=Trend.WORSE, problem=Problem.SOLVED_BY_PHONE, record="质控偏高", plan_told="重新定标后复测"
    )
    assert client.post(reverse("followups:answer", args=[second.pk]), data).status_code == 302
    daily = FollowUp.objects.get(work_order=order, stage=Stage.POOR_DAILY, state=State.PLANNED)
    assert timezone.now() + dt.timedelta(hours=23) < daily.due_at <= timezone.now() + dt.timedelta(days=1)
    assert daily.number in _page(client, second.get_absolute_url())


def test_a_corrected_answer_through_the_page_replans_and_shows_why_the_old_call_went(world, client):
    order = _completed(world, WorkType.INSTALLATION, hours_ago=50)
    first, second = _plan(order)
    client.force_login(world.engineer)
    for followup in (first, second):
        client.post(reverse("followups:answer", args=[followup.pk]), _answer_data(followup))
    third = FollowUp.objects.get(work_order=order, stage=Stage.AFTER_GOOD, state=State.PLANNED)
    second.refresh_from_db()

    response = client.post(
        reverse("followups:correct", args=[second.pk]),
        {
            "expected_version": second.version,
            "trend": Trend.WORSE,
            "problem": Problem.NONE,
            "record": "",
            "reason": "主任回电：结果偏高",
        },
    )

    assert response.status_code == 302
    third.refresh_from_db()
    assert third.state == State.SUPERSEDED
    daily = FollowUp.objects.get(work_order=order, stage=Stage.POOR_DAILY, state=State.PLANNED)
    page = _page(client, second.get_absolute_url())
    assert daily.number in page and third.number in page
    assert f"The answer of {second.number} changed the plan" in page  # why the third call went
    assert "主任回电：结果偏高" in page  # on the timeline


def test_open_questions_are_answered_later_by_the_caller(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    client.force_login(world.engineer)
    data = _answer_data(followup, open_questions="新批号校准品何时到货？")
    client.post(reverse("followups:answer", args=[followup.pk]), data)
    followup.refresh_from_db()
    assert 'id="questions"' in _page(client, followup.get_absolute_url())
    client.force_login(world.supervisor)
    assert followup.number in _page(client, LIST, open_questions="true", state="all")

    client.force_login(world.engineer)
    response = client.post(
        reverse("followups:questions", args=[followup.pk]),
        {"expected_version": followup.version, "answer": "下周一随货发出"},
    )
    assert response.status_code == 302
    page = _page(client, followup.get_absolute_url())
    assert "下周一随货发出" in page and 'id="questions"' not in page


def test_a_stale_version_keeps_the_input_and_shows_the_conflict(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    client.force_login(world.engineer)
    stale = _answer_data(followup, record="客户说一切正常，下周再联系")
    # Meanwhile the supervisor tried the number himself: the follow-up's version moves on.
    services.followup_not_reached(followup=followup, actor=world.supervisor, note="占线")

    response = client.post(reverse("followups:answer", args=[followup.pk]), stale)

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not saved" in page and "Someone else changed this record" in page
    assert "客户说一切正常，下周再联系" in page  # the typed record is still in the form
    followup.refresh_from_db()
    assert followup.state == State.PLANNED and followup.record == ""
    # The kept form now carries the current version: submitting again saves.
    assert f'name="expected_version" value="{followup.version}"' in page
    stale["expected_version"] = followup.version
    assert client.post(reverse("followups:answer", args=[followup.pk]), stale).status_code == 302


def test_an_answer_to_a_call_someone_already_made_keeps_the_input_with_the_reason(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1))
    other_clerk = UserFactory(role=Role.CLERK, username="clerk2")
    data = _answer_data(followup, record="我这边也打通了")
    services.followup_record(followup=followup, actor=other_clerk, problem=Problem.NONE, trend=Trend.AS_USUAL)
    client.force_login(world.clerk)
    response = client.post(reverse("followups:answer", args=[followup.pk]), data)
    assert response.status_code == 409
    assert "我这边也打通了" in response.content.decode()


def test_a_service_refusal_lands_under_its_field_and_saves_nothing(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    client.force_login(world.engineer)
    data = _answer_data(followup, problem=Problem.SOLVED_BY_PHONE, record="进样针堵", plan_told="")
    response = client.post(reverse("followups:answer", args=[followup.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write down the solution you told the customer." in page
    assert "进样针堵" in page
    followup.refresh_from_db()
    assert followup.state == State.PLANNED


def test_a_number_question_refuses_words(world, client):
    followup = _schedule(
        world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer, questionnaire=Questionnaire.LAB_PHONE
    )
    client.force_login(world.engineer)
    data = {"expected_version": followup.version, "problem": Problem.NONE, "q_daily_samples": "很多"}
    response = client.post(reverse("followups:answer", args=[followup.pk]), data)
    assert response.status_code == 200 and "Enter a number." in response.content.decode()
    assert 'name="trend"' not in response.content.decode()  # the lab questionnaire has no trend


def test_not_reached_puts_the_call_back_on_the_list_later(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    due = followup.due_at
    client.force_login(world.engineer)
    response = client.post(
        reverse("followups:not_reached", args=[followup.pk]), {"expected_version": followup.version, "note": "无人接听"}
    )
    assert response.status_code == 302 and response["Location"] == CALLS
    followup.refresh_from_db()
    assert followup.attempts == 1 and followup.due_at > due and followup.state == State.PLANNED
    assert "Attempt 1: not reached. 无人接听" in _page(client, followup.get_absolute_url())


def test_the_contact_phone_is_masked_for_a_role_without_personal_data(world, client):
    ContactFactory(customer=world.customer, name="李组长", mobile=MOBILE, is_primary=True)
    followup = _schedule(world, due=_now(), assignee=world.engineer)
    client.force_login(world.marketing_head)
    page = _page(client, followup.get_absolute_url())
    assert "139****5678" in page and MOBILE not in page
    assert 'action="' + reverse("followups:answer", args=[followup.pk]) not in page  # nothing to record


def test_the_page_links_to_register_a_work_order_for_the_customer(world, client):
    followup = _schedule(world, due=_now(), assignee=world.engineer)
    client.force_login(world.engineer)
    page = _page(client, followup.get_absolute_url())
    assert f"{reverse('workorders:create')}?customer={world.customer.pk}" in page
    intake = _page(client, reverse("workorders:create"), customer=world.customer.pk)
    assert world.customer.name in intake  # the intake opens with the customer chosen


# --- who may ---------------------------------------------------------------------------------------------


def test_a_wrong_role_gets_403_and_a_follow_up_out_of_scope_404(world, client):
    followup = _schedule(world, due=_now(), assignee=world.engineer)
    answer = reverse("followups:answer", args=[followup.pk])

    client.force_login(world.finance)  # sees follow-ups, records none
    assert client.get(followup.get_absolute_url()).status_code == 200
    assert client.post(answer, _answer_data(followup)).status_code == 403

    client.force_login(world.engineer2)  # same region, not his call
    assert client.get(followup.get_absolute_url()).status_code == 200
    assert client.post(answer, _answer_data(followup)).status_code == 403

    client.force_login(world.sales)
    assert client.get(QUEUE).status_code == 403
    client.force_login(world.engineer)
    assert client.get(LOAD).status_code == 403
    assert client.post(reverse("followups:decide", args=[followup.pk]), {"expected_version": 1}).status_code == 403

    client.force_login(world.other_engineer)  # another region
    assert client.get(followup.get_absolute_url()).status_code == 404
    assert client.post(answer, _answer_data(followup)).status_code == 404
    assert followup.number not in _page(client, LIST, state="all")
    followup.refresh_from_db()
    assert followup.state == State.PLANNED


def test_a_dealer_sees_no_follow_ups(world, client):
    followup = _schedule(world, due=_now(), assignee=world.engineer)
    client.force_login(world.dealer)
    for url in (CALLS, LIST, QUEUE, LOAD, followup.get_absolute_url()):
        assert client.get(url).status_code == 403
    assert client.post(reverse("followups:answer", args=[followup.pk]), _answer_data(followup)).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert CALLS not in home and LIST not in home


def test_the_menu_puts_the_call_list_first_for_clerks_and_engineers(world):
    from apps.core.navigation import menu_for

    assert menu_for(world.clerk)[0]["url"] == CALLS
    assert menu_for(world.engineer)[0]["url"] == CALLS
    assert QUEUE in [item["url"] for item in menu_for(world.supervisor)]
    assert QUEUE not in [item["url"] for item in menu_for(world.clerk)]


# --- the list ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "engineer"])
def test_the_list_runs_the_same_number_of_queries_for_3_and_15_follow_ups(world, client, role):
    client.force_login(getattr(world, role))
    order = register(world)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"state": "all"})
        assert response.status_code == 200
        return len(queries)

    for _ in range(3):
        _schedule(world, due=_now(), assignee=world.engineer, order=order)
    few = count()
    for _ in range(12):
        _schedule(world, due=_now(), assignee=world.engineer2, order=order)
    _schedule(world, due=_now(), order=order)
    assert count() == few


def test_the_list_shows_open_follow_ups_first_and_filters_by_caller_and_overdue(world, client):
    late = _schedule(world, due=_now() - dt.timedelta(days=2), assignee=world.engineer)
    soon = _schedule(world, due=_now() + dt.timedelta(days=2), assignee=world.engineer2)
    done = _schedule(world, due=_now() - dt.timedelta(days=1), assignee=world.engineer)
    services.followup_record(followup=done, actor=world.engineer, problem=Problem.NONE, trend=Trend.AS_USUAL)
    client.force_login(world.supervisor)

    page = _page(client, LIST)
    assert late.number in page and soon.number in page and done.number not in page
    assert done.number in _page(client, LIST, state="all")
    page = _page(client, LIST, assignee=world.engineer2.pk)
    assert soon.number in page and late.number not in page
    page = _page(client, LIST, overdue="true")
    assert late.number in page and soon.number not in page
    page = _page(client, LIST, q=world.customer.name[:4], state="all")
    assert late.number in page and done.number in page


@pytest.mark.parametrize("sort", ["due_at", "-due_at", "customer", "-assignee", "work_order", "state", "-done_at"])
def test_the_list_sorts_by_its_columns(world, client, sort):
    _schedule(world, due=_now(), assignee=world.engineer)
    _schedule(world, due=_now())
    client.force_login(world.clerk)
    assert client.get(LIST, {"sort": sort, "state": "all"}).status_code == 200


def test_the_list_is_a_partial_for_htmx(world, client):
    followup = _schedule(world, due=_now(), assignee=world.engineer)
    client.force_login(world.clerk)
    response = client.get(LIST, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert followup.number in page and "<html" not in page


# --- FU-3: the leaders' queue -------------------------------------------------------------------------------


def test_a_problem_needing_a_leader_goes_through_the_queue_until_the_customer_is_told(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    client.force_login(world.engineer)
    data = _answer_data(followup, problem=Problem.NEEDS_LEADER, record="反复报警，需更换部件", trend=Trend.WORSE)
    response = client.post(reverse("followups:answer", args=[followup.pk]), data)
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.leader_state == LeaderState.PENDING

    client.force_login(world.supervisor)
    page = _page(client, QUEUE)
    assert "反复报警，需更换部件" in page and followup.number in page
    response = client.post(
        reverse("followups:decide", args=[followup.pk]),
        {"expected_version": followup.version, "plan": "周三派工程师上门更换", "next": QUEUE},
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    page = _page(client, QUEUE)
    assert "周三派工程师上门更换" in page and "Nothing waits for a handling plan." in page

    client.force_login(world.engineer)
    followup.refresh_from_db()
    assert 'id="told"' in _page(client, followup.get_absolute_url())
    client.post(reverse("followups:told", args=[followup.pk]), {"expected_version": followup.version, "note": "已告知"})
    followup.refresh_from_db()
    assert followup.leader_state == LeaderState.TOLD
    client.force_login(world.supervisor)
    assert followup.number not in _page(client, QUEUE)


def test_a_leader_reassigns_a_call_to_the_hotline_pool(world, client):
    followup = _schedule(world, due=_now() - dt.timedelta(hours=1), assignee=world.engineer)
    client.force_login(world.tech_head)
    response = client.post(
        reverse("followups:reassign", args=[followup.pk]),
        {"expected_version": followup.version, "assignee": "", "reason": "本周电话回访超量"},
    )
    assert response.status_code == 302
    client.force_login(world.clerk)
    assert followup.number in _page(client, CALLS)
    client.force_login(world.engineer)
    assert followup.number not in _page(client, CALLS)


def test_cancelling_needs_a_reason(world, client):
    followup = _schedule(world, due=_now(), assignee=world.engineer)
    client.force_login(world.supervisor)
    url = reverse("followups:cancel", args=[followup.pk])
    response = client.post(url, {"expected_version": followup.version, "reason": ""})
    assert response.status_code == 200 and "Say why the follow-up is cancelled." in response.content.decode()
    client.post(url, {"expected_version": followup.version, "reason": "客户已停用该仪器"})
    followup.refresh_from_db()
    assert followup.state == State.CANCELLED


# --- FU-7: the phone load page ------------------------------------------------------------------------------


def test_the_load_page_shows_the_engineer_over_the_limit_first_with_a_link_to_his_calls(world, client, monkeypatch):
    monkeypatch.setattr(policies, "PHONE_FOLLOWUP_MINUTES", 120)
    capacity = services.week_capacity(timezone.localdate())
    over = int(capacity["limit_minutes"] // 120) + 1
    for _ in range(over):
        _schedule(world, due=_now(), assignee=world.engineer2)
    _schedule(world, due=_now(), assignee=world.engineer)

    client.force_login(world.tech_head)
    page = _page(client, LOAD)
    assert page.index(f'id="engineer-{world.engineer2.pk}"') < page.index(f'id="engineer-{world.engineer.pk}"')
    assert f'class="fu-card over" id="engineer-{world.engineer2.pk}"' in page
    link = f"{LIST}?assignee={world.engineer2.pk}&amp;state=planned"
    assert link in page
    listing = _page(client, LIST, assignee=world.engineer2.pk, state="planned")
    assert f"{over} follow-ups" in listing

    previous = _page(client, LOAD, week=(timezone.localdate() - dt.timedelta(days=7)).isoformat())
    assert "Over the limit" not in previous


def test_a_customer_manager_sees_the_load_of_the_engineers_of_his_regions(world, client):
    client.force_login(world.customer_manager)
    page = _page(client, LOAD)
    assert f'id="engineer-{world.engineer.pk}"' in page
    assert f'id="engineer-{world.other_engineer.pk}"' not in page


def test_the_call_list_shows_a_decided_plan_the_caller_must_tell_the_customer(world, client):
    order = register(world, work_type=WorkType.INSTALLATION)
    walk(world, order, Status.COMPLETED)
    followup = FollowUp.objects.filter(work_order=order).order_by("due_at").first()
    services.followup_record(
        followup=followup,
        actor=world.engineer,
        problem=Problem.NEEDS_LEADER,
        trend=Trend.WORSE,
        record="结果偏高，需更换批号",
    )
    services.followup_leader_decide(followup=followup, actor=world.supervisor, plan="免费更换一盒质控品")
    client.force_login(world.engineer)
    page = client.get(reverse("followups:calls")).content.decode()
    assert "Handling plan decided: tell the customer" in page and followup.number in page
