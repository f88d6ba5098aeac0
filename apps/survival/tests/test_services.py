"""SPEC FU-6: tracking starts from a completed new-project job (or by hand), one check a month on the
engineer's call list, not-in-use reasons go to sales at once, the period ends survived or lost."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.exceptions import ConflictError
from apps.followups import services as followups
from apps.followups.choices import State as FollowUpState
from apps.followups.models import FollowUp
from apps.survival import services
from apps.survival.choices import EventKind, ProjectState, Source
from apps.survival.models import NewProject, ProjectCheck
from apps.survival.tests._helpers import local, project, record, survival_world  # noqa: F401
from apps.workorders import services as wo_services
from apps.workorders.choices import Status, WorkType
from apps.workorders.tests._world import complete, messages_for, register, walk

pytestmark = pytest.mark.django_db


def _calls(p):
    """The project's calls on the call list: (month, local due, caller, state)."""
    rows = []
    for check in p.checks.order_by("month"):
        for f in FollowUp.objects.filter(source_id=check.pk, job="new_project").order_by("pk"):
            if f.source == check:
                rows.append(
                    (check.month, timezone.localtime(f.due_at).strftime("%Y-%m-%d %H:%M"), f.assignee.username, f.state)
                )
    return rows


JOB_REGISTERED = local(2026, 1, 29, 9, 0)


def _new_project_job(w, *, at=JOB_REGISTERED, description="新上胱抑素C (Cys-C) 项目", note=""):
    order = register(w, work_type=WorkType.APP_NEW_PROJECT, description=description, at=at)
    walk(w, order, Status.SCHEDULED, at=at + dt.timedelta(minutes=10))
    if note:  # the engineer lists the projects while preparing the visit
        wo_services.workorder_check_item(order=order, actor=w.engineer, code="project_list", done=True, note=note)
    walk(w, order, Status.ON_SITE, at=at + dt.timedelta(hours=2))
    order.refresh_from_db()
    return order


# --- starting to track --------------------------------------------------------------------------


def test_completing_a_new_project_job_starts_tracking_exactly_one_project(world):
    order = _new_project_job(world)
    complete(order, actor=world.engineer, at=local(2026, 1, 31, 16, 0))

    tracked = NewProject.objects.get()
    assert tracked.work_order == order and tracked.source == Source.WORK_ORDER
    assert tracked.customer == world.customer and tracked.instrument == world.instrument
    assert tracked.engineer == world.engineer and tracked.sales == world.sales and tracked.region == world.city
    assert tracked.name == "新上胱抑素C (Cys-C) 项目"
    assert tracked.started_on == dt.date(2026, 1, 31) and tracked.state == ProjectState.TRACKING
    # The hook runs again (a retry, a reopened job): still one project.
    again = services.project_track_from_work_order(order=order, actor=world.engineer, at=local(2026, 2, 1))
    assert again == tracked and NewProject.objects.count() == 1
    assert ProjectCheck.objects.count() == 3


def test_the_engineers_note_on_the_project_list_names_the_project_and_its_reagent(world):
    from apps.catalog.tests.factories import CatalogItemFactory

    reagent = CatalogItemFactory(name="胱抑素C测定试剂盒（乳胶增强免疫比浊法）")
    order = _new_project_job(world, description="客户要求上新项目，详见申请", note="胱抑素C")
    complete(order, actor=world.engineer, at=local(2026, 1, 31, 16, 0))
    tracked = NewProject.objects.get()
    assert tracked.name == "胱抑素C"
    assert tracked.item == reagent


def test_a_new_project_job_not_solved_on_site_starts_no_tracking(world):
    from apps.workorders.choices import Outcome

    order = _new_project_job(world)
    complete(order, actor=world.engineer, at=local(2026, 1, 31, 16, 0), outcome=Outcome.UNSOLVED)
    assert not NewProject.objects.exists()


def test_a_completed_repair_starts_no_tracking(world):
    order = register(world, at=local(2026, 1, 29))
    walk(world, order, Status.COMPLETED, at=local(2026, 1, 29, 9, 10))
    assert not NewProject.objects.exists()
    assert services.project_track_from_work_order(order=order, actor=world.engineer, at=local(2026, 2, 1)) is None


def test_monthly_checks_are_due_a_month_two_and_three_after_going_live_clamped_to_the_months_end(world):
    p = project(world, started_on=dt.date(2026, 1, 31), at=local(2026, 1, 31, 17, 0))
    assert [(c.month, c.due_on) for c in p.checks.order_by("month")] == [
        (1, dt.date(2026, 2, 28)),
        (2, dt.date(2026, 3, 31)),
        (3, dt.date(2026, 4, 30)),
    ]
    # Each check is a call on the engineer's list, due at 10:00 that day.
    assert _calls(p) == [
        (1, "2026-02-28 10:00", "engineer", FollowUpState.PLANNED),
        (2, "2026-03-31 10:00", "engineer", FollowUpState.PLANNED),
        (3, "2026-04-30 10:00", "engineer", FollowUpState.PLANNED),
    ]
    f = FollowUp.objects.filter(job="new_project").first()
    assert f.questionnaire == "new_project" and f.customer == world.customer


def test_a_project_going_live_mid_month_is_checked_on_the_same_day_of_each_month(world):
    p = project(world, started_on=dt.date(2026, 3, 15), at=local(2026, 3, 16))
    assert [c.due_on for c in p.checks.order_by("month")] == [
        dt.date(2026, 4, 15),
        dt.date(2026, 5, 15),
        dt.date(2026, 6, 15),
    ]


def test_staff_cannot_track_the_same_project_of_a_customer_twice(world):
    project(world, name="同型半胱氨酸")
    with pytest.raises(ValidationError) as refused:
        project(world, name="同型半胱氨酸 ")
    assert "name" in refused.value.message_dict


def test_a_project_cannot_be_tracked_from_a_day_that_has_not_come(world):
    with pytest.raises(ValidationError) as refused:
        project(world, started_on=dt.date(2026, 6, 1), at=local(2026, 5, 20))
    assert "started_on" in refused.value.message_dict


def test_the_hotline_cannot_enter_projects(world):
    with pytest.raises(PermissionDenied):
        project(world, actor=world.clerk)


def test_an_engineer_entering_a_project_is_its_engineer(world):
    p = services.project_create(
        actor=world.engineer2,
        customer=world.customer,
        name="糖化血红蛋白",
        started_on=dt.date(2026, 5, 1),
        at=local(2026, 5, 2),
    )
    assert p.engineer == world.engineer2 and p.sales == world.sales


# --- the monthly check ----------------------------------------------------------------------------


def test_not_in_use_without_a_reason_is_refused_and_nothing_is_saved(world):
    p = project(world)
    with pytest.raises(ValidationError) as refused:
        record(world, p, 1, in_use=False, reason="  ")
    assert "reason" in refused.value.message_dict
    assert not p.checks.get(month=1).recorded
    assert messages_for(world.sales) == []


def test_not_in_use_with_a_reason_goes_to_the_sales_person_at_once(world):
    p = project(world)
    check = record(
        world, p, 1, in_use=False, reason="医生不开单", reason_kind="demand", suggestion="请销售拜访临床科室"
    )
    assert check.in_use is False and check.reason == "医生不开单"
    subjects = messages_for(world.sales)
    assert len(subjects) == 1 and "not in use" in subjects[0] and "month 1" in subjects[0]
    assert check.sales_notified_at is not None
    assert p.events.filter(kind=EventKind.SALES_NOTIFIED, month=1).exists()
    # Nobody else's inbox: the other region's sales person hears nothing.
    assert messages_for(world.other_sales) == []


def test_in_use_tells_nobody_and_clears_a_reason_typed_by_mistake(world):
    p = project(world)
    check = record(world, p, 1, in_use=True, usage=120, reason="typed before switching to yes")
    assert check.reason == "" and check.usage == 120
    assert messages_for(world.sales) == []


def test_a_month_is_recorded_once_and_corrected_naming_its_version(world):
    p = project(world)
    first = record(world, p, 1, in_use=True, usage=80)
    with pytest.raises(ConflictError):
        record(world, p, 1, in_use=True, usage=90)  # a second "record" is not a duplicate
    with pytest.raises(ConflictError):
        record(world, p, 1, in_use=True, usage=90, expected_version=first.version - 1)
    corrected = record(world, p, 1, in_use=False, reason="试剂断货", expected_version=first.version)
    assert corrected.pk == first.pk and corrected.version == first.version + 1
    assert ProjectCheck.objects.filter(project=p, month=1).count() == 1
    assert p.events.filter(kind=EventKind.CHECK_CHANGED).count() == 1
    assert len(messages_for(world.sales)) == 1


def test_a_check_months_before_it_is_due_is_refused(world):
    p = project(world, started_on=dt.date(2026, 5, 1), at=local(2026, 5, 2))
    with pytest.raises(ValidationError) as refused:
        record(world, p, 3, at=local(2026, 5, 20))
    assert "month" in refused.value.message_dict


def test_a_shipment_check_needs_the_shipment_volume(world):
    p = project(world)
    with pytest.raises(ValidationError) as refused:
        record(world, p, 1, method="shipment")
    assert "shipment" in refused.value.message_dict
    assert record(world, p, 1, method="shipment", shipment=4).shipment == 4


def test_a_check_recorded_on_the_project_page_takes_the_call_off_the_list(world):
    p = project(world)
    record(world, p, 1)
    assert [row[3] for row in _calls(p)] == [FollowUpState.SUPERSEDED, FollowUpState.PLANNED, FollowUpState.PLANNED]


def test_answering_the_call_records_the_months_check_and_tells_sales(world):
    p = project(world)
    call = FollowUp.objects.get(source_id=p.checks.get(month=2).pk, job="new_project")
    followups.followup_record(
        followup=call,
        actor=world.engineer,
        problem="none",
        answers={"in_use": "no", "monthly_usage": "0", "reason_not_in_use": "更换了其他厂家试剂"},
        at=local(2026, 3, 31, 10, 30),
    )
    check = p.checks.get(month=2)
    assert check.recorded and check.in_use is False and check.method == "phone"
    assert check.reason == "更换了其他厂家试剂" and check.usage == 0 and check.recorded_by == world.engineer
    assert len(messages_for(world.sales)) == 1


def test_a_call_answered_without_saying_whether_the_project_is_in_use_is_refused(world):
    p = project(world)
    call = FollowUp.objects.get(source_id=p.checks.get(month=1).pk, job="new_project")
    with pytest.raises(ValidationError) as refused:
        followups.followup_record(followup=call, actor=world.engineer, problem="none", answers={})
    assert "in_use" in refused.value.message_dict


# --- correcting and stopping ------------------------------------------------------------------------


def test_a_new_engineer_takes_over_the_open_calls(world):
    p = project(world)
    record(world, p, 1)
    services.project_update(
        project=p,
        actor=world.tech_head,
        data={"engineer": world.engineer2},
        expected_version=p.version,
        at=local(2026, 3, 1),
    )
    planned = [row for row in _calls(p) if row[3] == FollowUpState.PLANNED]
    assert [(row[0], row[2]) for row in planned] == [(2, "engineer2"), (3, "engineer2")]
    superseded = [row for row in _calls(p) if row[3] == FollowUpState.SUPERSEDED]
    assert [row[0] for row in superseded] == [1, 2, 3]


def test_a_corrected_start_day_moves_the_checks_until_one_is_recorded(world):
    p = project(world, started_on=dt.date(2026, 1, 31))
    p = services.project_update(
        project=p, actor=world.engineer, data={"started_on": dt.date(2026, 2, 2)}, expected_version=p.version
    )
    assert [c.due_on for c in p.checks.order_by("month")] == [
        dt.date(2026, 3, 2),
        dt.date(2026, 4, 2),
        dt.date(2026, 5, 2),
    ]
    record(world, p, 1)
    with pytest.raises(ValidationError) as refused:
        services.project_update(
            project=p, actor=world.engineer, data={"started_on": dt.date(2026, 2, 3)}, expected_version=p.version
        )
    assert "started_on" in refused.value.message_dict


def test_a_stale_correction_is_refused(world):
    p = project(world)
    services.project_update(project=p, actor=world.engineer, data={"name": "胱抑素C"}, expected_version=p.version)
    with pytest.raises(ConflictError):
        services.project_update(project=p, actor=world.engineer, data={"name": "Cys-C"}, expected_version=p.version)
    p.refresh_from_db()
    assert p.name == "胱抑素C"


def test_stopping_withdraws_the_open_calls_and_refuses_further_checks(world):
    p = project(world)
    record(world, p, 1)
    p = services.project_stop(project=p, actor=world.engineer, reason="医院取消该项目", at=local(2026, 3, 5))
    assert p.state == ProjectState.STOPPED and p.ended_on == dt.date(2026, 3, 5)
    assert {row[3] for row in _calls(p)} == {FollowUpState.SUPERSEDED}
    with pytest.raises(ConflictError):
        record(world, p, 2)
    with pytest.raises(ValidationError):
        services.project_stop(project=p, actor=world.engineer, reason="")


# --- the end of the period and the monthly run ----------------------------------------------------


def test_the_period_ends_survived_when_the_last_check_found_the_project_in_use(world):
    survived = project(world, started_on=dt.date(2026, 1, 31), name="A")
    lost = project(world, started_on=dt.date(2026, 1, 31), name="B")
    project(world, started_on=dt.date(2026, 1, 31), name="C")  # never checked
    running = project(world, started_on=dt.date(2026, 2, 10), name="D")
    record(world, survived, 3, in_use=True)
    record(world, lost, 1, in_use=True)
    record(world, lost, 2, in_use=False)

    assert services.project_end_due(today=dt.date(2026, 4, 30)) == 0  # the last day is still the period
    assert services.project_end_due(today=dt.date(2026, 5, 1)) == 3
    states = {p.name: p.state for p in NewProject.objects.all()}
    assert states == {
        "A": ProjectState.IN_USE,
        "B": ProjectState.NOT_IN_USE,
        "C": ProjectState.NOT_IN_USE,
        "D": ProjectState.TRACKING,
    }
    assert NewProject.objects.get(name="A").ended_on == dt.date(2026, 4, 30)
    assert running.checks.count() == 3


def test_a_late_check_after_the_period_decides_the_final_state(world):
    p = project(world, started_on=dt.date(2026, 1, 31))
    services.project_end_due(today=dt.date(2026, 5, 1))
    p.refresh_from_db()
    assert p.state == ProjectState.NOT_IN_USE
    record(world, p, 3, in_use=True, at=local(2026, 5, 3))
    p.refresh_from_db()
    assert p.state == ProjectState.IN_USE
    assert p.events.filter(kind=EventKind.STATE).exists()


def test_the_monthly_summary_goes_to_the_marketing_centre_once(world):
    a = project(world, started_on=dt.date(2026, 2, 10), name="A")
    b = project(world, started_on=dt.date(2026, 2, 10), name="B")
    record(world, a, 1, in_use=True, at=local(2026, 3, 10))
    record(world, b, 1, in_use=False, reason="仪器通道不足", at=local(2026, 3, 10))
    services.survival_summary_send(month=dt.date(2026, 3, 1))
    services.survival_summary_send(month=dt.date(2026, 3, 1))
    subjects = messages_for(world.marketing_head)
    assert subjects == ["New-project survival 2026-03: 1 of 2 in use (50.0%)"]
    from apps.notifications.models import Message

    body = Message.objects.filter(recipient=world.marketing_head).first().body
    assert "仪器通道不足" in body and "广州市" in body


def test_a_month_without_tracked_projects_sends_no_empty_summary(world):
    assert services.survival_summary_send(month=dt.date(2026, 3, 1)) == []
    assert messages_for(world.marketing_head) == []


def test_the_monthly_task_ends_periods_and_reports_last_month(world, monkeypatch):
    from types import SimpleNamespace

    from apps.survival import tasks

    p = project(world, started_on=dt.date(2026, 1, 31))
    record(world, p, 2, in_use=True, at=local(2026, 3, 31))
    monkeypatch.setattr(tasks, "timezone", SimpleNamespace(localdate=lambda: dt.date(2026, 5, 1)))
    tasks.monthly_survival_run.call_local()
    p.refresh_from_db()
    assert p.state == ProjectState.IN_USE  # the month 3 call was never answered: month 2 decides
    # April: the month 3 check was due; the latest check (month 2) found it in use.
    assert messages_for(world.marketing_head) == ["New-project survival 2026-04: 1 of 1 in use (100.0%)"]
