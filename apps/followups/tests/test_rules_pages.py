"""FU-1: the rules table an admin reads and changes at /follow-up-rules/, and what a change does
to the next completed job."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.followups.choices import Job, OffsetUnit, Stage
from apps.followups.models import FollowUp, FollowUpRule
from apps.workorders.choices import Status, WorkType
from apps.workorders.tests._world import complete, local, register, walk, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = "/follow-up-rules/"


def _installation_rule(sequence=1) -> FollowUpRule:
    return FollowUpRule.objects.get(job=Job.INSTALLATION, sequence=sequence, is_active=True)


def _form_data(rule: FollowUpRule, **changes) -> dict:
    data = {
        "job": rule.job,
        "sequence": rule.sequence,
        "stage": rule.stage,
        "offset": rule.offset,
        "unit": rule.unit,
        "channel": rule.channel,
        "assignee_role": rule.assignee_role,
        "questionnaire": rule.questionnaire,
        "interval_days": rule.interval_days,
        "horizon_days": rule.horizon_days,
        "note": rule.note,
        "expected_version": rule.version,
    }
    data.update(changes)
    return data


def _complete_installation(w, at):
    order = register(w, work_type=WorkType.INSTALLATION, at=at - dt.timedelta(days=2))
    walk(w, order, Status.ON_SITE, at=at - dt.timedelta(days=2) + dt.timedelta(minutes=10))
    order.refresh_from_db()
    return complete(order, actor=w.engineer, at=at)


def test_the_rules_table_explains_each_rule_in_plain_words_grouped_by_job(world, client):
    client.force_login(world.engineer)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Installation / upgrade / replacement: phone call 24 hours after completion, "
        "by the engineer who did the job." in page
    )
    assert "every 15 days after the last call while all is well, until 90 days after completion" in page
    # One heading per job, in the order of the written policy.
    body = page.split("<tbody>", 1)[1]
    headings = [str(label) for label in Job.labels if str(label) in body and label != Job.NEW_PROJECT.label]
    assert sorted(headings, key=body.index) == [
        "Installation / upgrade / replacement",
        "Repair / maintenance",
        "Technical support",
        "Paid hardware service",
        "Application work",
        "VIP on-site visit",
        "Complaint",
    ]
    # Reading is for everyone; changing is not offered to an engineer.
    assert reverse("followups:rule_add") not in page


def test_the_rules_list_needs_the_same_queries_however_many_rules(world, client):
    client.force_login(world.admin)
    client.get(LIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for sequence in range(10, 30):
        FollowUpRule.objects.create(
            job=Job.COMPLAINT,
            stage=Stage.FIXED,
            sequence=sequence,
            offset=sequence,
            unit=OffsetUnit.DAYS,
            questionnaire="complaint",
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert "29 calendar days after completion" in response.content.decode()
    assert len(many) == len(few)


def test_a_rule_page_shows_the_explanation_and_its_history(world, client):
    client.force_login(world.tech_head)
    rule = _installation_rule()
    response = client.post(reverse("followups:rule_edit", args=[rule.pk]), _form_data(rule, note="S1 三.1 改为12小时"))
    assert response.status_code == 302
    page = client.get(rule.get_absolute_url()).content.decode()
    assert "phone call 24 hours after completion" in page
    assert "S1 三.1 改为12小时" in page
    assert str(world.tech_head) in page.split('id="history"', 1)[1]


def test_an_admin_shortens_the_first_installation_call_to_12_hours_and_the_next_job_follows_it(world, client):
    client.force_login(world.admin)
    rule = _installation_rule()
    response = client.post(reverse("followups:rule_edit", args=[rule.pk]), _form_data(rule, offset=12))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.offset, rule.version) == (12, 2)

    order = _complete_installation(world, local(2026, 6, 8, 15, 0))

    first = FollowUp.objects.filter(work_order=order).order_by("due_at").first()
    assert first.due_at == local(2026, 6, 9, 3, 0)
    assert first.rule == rule
    assert FollowUp.objects.filter(work_order=order).count() == 2


def test_a_deactivated_rule_plans_nothing_for_the_next_job(world, client):
    client.force_login(world.admin)
    rule = _installation_rule(sequence=2)
    url = reverse("followups:rule_deactivate", args=[rule.pk])
    response = client.post(url, {"reason": "试行一次回访", "expected_version": rule.version})
    assert response.status_code == 302
    order = _complete_installation(world, local(2026, 6, 8, 15, 0))
    assert list(FollowUp.objects.filter(work_order=order).values_list("rule__sequence", flat=True)) == [1]


def test_an_edit_on_a_stale_version_keeps_the_input_and_changes_nothing(world, client):
    client.force_login(world.admin)
    rule = _installation_rule()
    stale = rule.version
    # Somebody else saved the rule meanwhile.
    client.post(reverse("followups:rule_edit", args=[rule.pk]), _form_data(rule, note="另一位管理员的修改"))

    response = client.post(
        reverse("followups:rule_edit", args=[rule.pk]),
        _form_data(rule, offset=6, note="我的修改：6小时", expected_version=stale),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this record" in page
    assert "我的修改：6小时" in page and 'value="6"' in page
    rule.refresh_from_db()
    assert (rule.offset, rule.note) == (24, "另一位管理员的修改")


def test_a_regular_rule_without_its_interval_is_refused_with_a_message(world, client):
    client.force_login(world.admin)
    rule = _installation_rule(sequence=4)
    response = client.post(reverse("followups:rule_edit", args=[rule.pk]), _form_data(rule, interval_days=0))
    assert response.status_code == 200
    assert "A regular follow-up needs both the interval and how long it repeats." in response.content.decode()
    rule.refresh_from_db()
    assert rule.interval_days == 15


def test_an_admin_adds_a_rule_and_a_second_one_with_the_same_order_is_refused(world, client):
    client.force_login(world.admin)
    data = {
        "job": Job.COMPLAINT,
        "sequence": 2,
        "stage": Stage.FIXED,
        "offset": 3,
        "unit": OffsetUnit.WORKING_DAYS,
        "channel": "visit",
        "assignee_role": "customer_engineer",
        "questionnaire": "complaint",
        "interval_days": 0,
        "horizon_days": 0,
        "note": "S4 回访",
    }
    response = client.post(reverse("followups:rule_add"), data)
    assert response.status_code == 302
    rule = FollowUpRule.objects.get(job=Job.COMPLAINT, sequence=2)
    assert "Complaint: on-site visit 3 working days after completion, by the customer&#x27;s responsible engineer." in (
        client.get(rule.get_absolute_url()).content.decode()
    )
    again = client.post(reverse("followups:rule_add"), data)
    assert again.status_code == 200
    assert "This job already has an active rule with this order number." in again.content.decode()


@pytest.mark.parametrize("role", ["engineer", "supervisor", "clerk", "customer_manager"])
def test_only_admins_and_the_technical_head_change_rules(world, client, role):
    client.force_login(world.users[role])
    rule = _installation_rule()
    assert client.get(reverse("followups:rule_edit", args=[rule.pk])).status_code == 403
    assert client.post(reverse("followups:rule_edit", args=[rule.pk]), _form_data(rule, offset=1)).status_code == 403
    assert client.get(reverse("followups:rule_add")).status_code == 403
    response = client.post(reverse("followups:rule_deactivate", args=[rule.pk]), {"reason": "x", "expected_version": 1})
    assert response.status_code == 403
    rule.refresh_from_db()
    assert (rule.offset, rule.is_active) == (24, True)


def test_dealers_do_not_see_the_rules_table(world, client):
    client.force_login(world.dealer)
    assert client.get(LIST).status_code == 403
