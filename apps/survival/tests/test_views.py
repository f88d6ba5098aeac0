"""The new-project pages as their users meet them: who sees what, recording a check on the
project page, correcting with a version, the report and its Excel export."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.choices import Role
from apps.survival.choices import ProjectState
from apps.survival.models import NewProject
from apps.survival.tests._helpers import local, project, record, survival_world  # noqa: F401
from apps.workorders.tests._world import messages_for

pytestmark = pytest.mark.django_db

LIST = reverse("survival:project_list")
ADD = reverse("survival:project_add")
REPORT = reverse("survival:report")
EXPORT = reverse("survival:report_export")

VIEWERS = {
    Role.ADMIN,
    Role.TECH_HEAD,
    Role.SUPERVISOR,
    Role.CUSTOMER_MANAGER,
    Role.MARKETING_HEAD,
    Role.GENERAL_MANAGER,
    Role.ENGINEER,
    Role.SALES,
}


@pytest.fixture
def projects(world):
    guangzhou = project(world, name="胱抑素C", started_on=dt.date(2026, 1, 31), at=local(2026, 4, 1))
    changsha = project(
        world,
        name="同型半胱氨酸",
        customer=world.changsha,
        engineer=world.other_engineer,
        started_on=dt.date(2026, 2, 1),
        at=local(2026, 4, 1),
    )
    record(world, guangzhou, 1, in_use=False, reason="检验科暂未收费立项", at=local(2026, 4, 1))
    return guangzhou, changsha


def _check_post(project_, **overrides):
    data = {
        "month": "2",
        "method": "on_site",
        "in_use": "yes",
        "usage": "240",
        "usage_unit": "tests",
        "shipment": "",
        "reason_kind": "",
        "reason": "",
        "suggestion": "",
        "note": "现场查看仪器，运行正常",
        "expected_version": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_role_opens_the_list_and_the_report_only_if_it_may(client, world, projects, role):
    client.force_login(world.users[role])
    expected = 200 if role in VIEWERS else 403
    assert client.get(LIST).status_code == expected
    assert client.get(REPORT).status_code == expected


def test_an_engineer_sees_his_regions_projects_and_not_the_others(client, world, projects):
    guangzhou, changsha = projects
    client.force_login(world.engineer)
    page = client.get(LIST).content.decode()
    assert "胱抑素C" in page and "同型半胱氨酸" not in page
    assert client.get(guangzhou.get_absolute_url()).status_code == 200
    assert client.get(changsha.get_absolute_url()).status_code == 404
    assert client.post(reverse("survival:project_check", args=[changsha.pk]), _check_post(changsha)).status_code == 404


def test_the_responsible_engineer_sees_his_project_in_another_region(client, world, projects):
    _guangzhou, changsha = projects
    changsha.engineer = world.engineer
    changsha.save()
    client.force_login(world.engineer)
    assert client.get(changsha.get_absolute_url()).status_code == 200


def test_sales_reads_his_customers_projects_with_the_reasons_but_records_nothing(client, world, projects):
    guangzhou, changsha = projects
    client.force_login(world.sales)
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert "检验科暂未收费立项" in page
    assert 'id="record"' not in page
    assert client.get(changsha.get_absolute_url()).status_code == 404
    response = client.post(reverse("survival:project_check", args=[guangzhou.pk]), _check_post(guangzhou))
    assert response.status_code == 403


def test_the_marketing_head_and_the_general_manager_read_every_project(client, world, projects):
    for user in (world.marketing_head, world.general_manager):
        client.force_login(user)
        page = client.get(LIST).content.decode()
        assert "胱抑素C" in page and "同型半胱氨酸" in page


def test_the_engineer_records_the_months_check_on_the_project_page(client, world, projects):
    guangzhou, _changsha = projects
    client.force_login(world.engineer)
    response = client.post(reverse("survival:project_check", args=[guangzhou.pk]), _check_post(guangzhou))
    assert response.status_code == 302
    check = guangzhou.checks.get(month=2)
    assert check.recorded and check.in_use and check.usage == 240 and check.method == "on_site"
    page = client.get(guangzhou.get_absolute_url()).content.decode()
    assert "240" in page and "in use" in page
    # The month's call is shown with its check, taken off the call list with the reason.
    from apps.followups.models import FollowUp

    call = FollowUp.objects.get(source_id=check.pk, job="new_project")
    assert call.number in page and call.state == "superseded"


def test_not_in_use_without_a_reason_is_shown_on_the_form_and_nothing_is_saved(client, world, projects):
    guangzhou, _changsha = projects
    client.force_login(world.engineer)
    response = client.post(
        reverse("survival:project_check", args=[guangzhou.pk]), _check_post(guangzhou, in_use="no", reason="")
    )
    assert response.status_code == 400
    assert "sales person needs to know" in response.content.decode()
    assert not guangzhou.checks.get(month=2).recorded


def test_recording_a_recorded_month_again_is_a_conflict_that_keeps_the_input(client, world, projects):
    guangzhou, _changsha = projects
    client.force_login(world.engineer)
    url = reverse("survival:project_check", args=[guangzhou.pk])
    response = client.post(url, _check_post(guangzhou, month="1", in_use="no", reason="仍未立项，下月再访"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "already recorded" in page and "仍未立项，下月再访" in page
    # The form now carries the current version: saving again corrects the month.
    check = guangzhou.checks.get(month=1)
    assert f'value="{check.version}"' in page
    again = client.post(
        url, _check_post(guangzhou, month="1", in_use="no", reason="仍未立项，下月再访", expected_version=check.version)
    )
    assert again.status_code == 302
    assert guangzhou.checks.get(month=1).reason == "仍未立项，下月再访"
    assert len(messages_for(world.sales)) == 2  # the first reason, then the new one


def test_the_page_opens_a_month_for_correction(client, world, projects):
    guangzhou, _changsha = projects
    client.force_login(world.engineer)
    import re

    page = client.get(guangzhou.get_absolute_url() + "?month=1").content.decode()
    assert re.search(r'<input[^>]*name="in_use"[^>]*value="no"[^>]*checked', page)
    assert re.search(r"<textarea[^>]*name=\"reason\"[^>]*>\s*检验科暂未收费立项", page)


def test_an_engineer_enters_a_new_customers_project(client, world):
    client.force_login(world.engineer)
    assert client.get(ADD).status_code == 200
    response = client.post(
        ADD,
        {
            "customer": world.customer.pk,
            "name": "糖化血红蛋白 HbA1c",
            "item": "",
            "instrument": world.instrument.pk,
            "engineer": "",
            "sales": "",
            "started_on": "2026-01-06",
            "note": "新客户首批项目",
        },
    )
    created = NewProject.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.engineer == world.engineer and created.sales == world.sales
    assert created.checks.count() == 3


def test_the_hotline_may_not_enter_projects(client, world):
    client.force_login(world.clerk)
    assert client.get(ADD).status_code == 403


def test_a_stale_correction_is_refused_and_the_users_input_kept(client, world, projects):
    guangzhou, _changsha = projects
    client.force_login(world.engineer)
    url = reverse("survival:project_edit", args=[guangzhou.pk])
    assert client.get(url).status_code == 200
    data = {
        "name": "胱抑素C (Cys-C)",
        "item": "",
        "instrument": "",
        "engineer": world.engineer.pk,
        "sales": world.sales.pk,
        "started_on": "2026-01-31",
        "note": "",
        "expected_version": guangzhou.version - 1,
    }
    response = client.post(url, data)
    assert response.status_code == 409 and "胱抑素C (Cys-C)" in response.content.decode()
    data["expected_version"] = guangzhou.version
    assert client.post(url, data).status_code == 302
    guangzhou.refresh_from_db()
    assert guangzhou.name == "胱抑素C (Cys-C)"


def test_stopping_tracking_needs_a_reason(client, world, projects):
    guangzhou, _changsha = projects
    client.force_login(world.engineer)
    url = reverse("survival:project_stop", args=[guangzhou.pk])
    assert client.post(url, {"reason": "", "expected_version": guangzhou.version}).status_code == 400
    assert client.post(url, {"reason": "医院取消", "expected_version": guangzhou.version}).status_code == 302
    guangzhou.refresh_from_db()
    assert guangzhou.state == ProjectState.STOPPED


def test_the_report_shows_the_month_columns_and_the_rates(client, world, projects):
    client.force_login(world.tech_head)
    page = client.get(REPORT, {"month": "2026-02"}).content.decode()
    assert "Survival rate 2026-02" in page
    assert "Month 3" in page and "检验科暂未收费立项"[:10] in page
    # February: the 广州 project's month 1 check found it not in use: 0 of 1.
    assert "0.0%" in page
    region = client.get(REPORT, {"month": "2026-03", "region": world.other_city.pk}).content.decode()
    assert "同型半胱氨酸" in region and "胱抑素C" not in region


def test_the_report_refuses_a_malformed_month_filter_without_failing(client, world, projects):
    client.force_login(world.tech_head)
    response = client.get(REPORT, {"start_month": "2026-13", "month": "garbage"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_the_excel_export_has_every_project_with_its_months_and_the_rates(client, world, projects):
    import openpyxl

    client.force_login(world.marketing_head)
    response = client.get(EXPORT, {"month": "2026-02"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    table, rates = workbook.worksheets
    rows = list(table.values)
    assert len(rows) == 3  # header + both projects
    by_project = {row[1]: row for row in rows[1:]}
    # Nine columns of the project, then per month: due, in use, usage, unit, shipment, method, reason.
    guangzhou = by_project["胱抑素C"]
    assert guangzhou[0] == world.customer.name and guangzhou[7].date() == dt.date(2026, 1, 31)
    assert guangzhou[9].date() == dt.date(2026, 2, 28) and guangzhou[10] in ("否", "no")
    assert guangzhou[15] == "检验科暂未收费立项"
    assert by_project["同型半胱氨酸"][16].date() == dt.date(2026, 4, 1)  # month 2 due, not recorded
    assert by_project["同型半胱氨酸"][17] in ("", None)  # empty cell
    rate_rows = list(rates.values)
    assert rate_rows[1][2:6] == (1, 0, 1, 0)


def test_an_engineers_menu_leads_to_the_new_projects(client, world):
    client.force_login(world.engineer)
    page = client.get(reverse("home")).content.decode()
    assert LIST in page


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [LIST, REPORT + "?month=2026-03"])
def test_the_list_and_the_report_make_the_same_number_of_queries_however_many_projects(
    client, world, projects, url, django_assert_max_num_queries
):
    client.force_login(world.customer_manager)
    _count_queries(client, url)  # warm caches (content types, sessions)
    few = _count_queries(client, url)
    for n in range(8):
        p = project(world, name=f"项目{n}", started_on=dt.date(2026, 2, 1 + n), at=local(2026, 4, 1))
        record(world, p, 1, in_use=bool(n % 2), at=local(2026, 4, 1))
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_project_page_makes_the_same_number_of_queries_however_many_checks_are_recorded(
    client, world, projects, django_assert_max_num_queries
):
    guangzhou, _changsha = projects
    client.force_login(world.tech_head)
    url = guangzhou.get_absolute_url()
    _count_queries(client, url)
    few = _count_queries(client, url)
    record(world, guangzhou, 2, at=local(2026, 4, 1))
    record(world, guangzhou, 3, at=local(2026, 4, 30))
    with django_assert_max_num_queries(few):
        client.get(url)
