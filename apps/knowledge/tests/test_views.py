"""The library's pages: ranked search with marks, filters, a case's page, writing from a complaint
or a job, editing, deactivating, the intake suggestions and the panel on a work order's page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.complaints.tests._world import register as register_complaint
from apps.knowledge.models import Case
from apps.knowledge.tests._library import library_fixture, world_fixture, write  # noqa: F401
from apps.workorders.choices import Status
from apps.workorders.tests._world import register as register_order
from apps.workorders.tests._world import walk

LIST = reverse("knowledge:list")
ADD = reverse("knowledge:add")
SUGGEST = reverse("knowledge:suggest")


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response


def titles(response) -> list[str]:
    html = response.content.decode()
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r'<h2><a href="/cases/\d+/">(.*?)</a></h2>', html)]


# --- the library ---------------------------------------------------------------------------------


def test_a_search_lists_the_best_case_first_with_the_matched_words_marked(client, world, library):
    response = page(client, world.clerk, LIST, q="开机后温度报警")
    assert response.status_code == 200
    assert titles(response)[0] == "反应盘温控异常"
    html = response.content.decode()
    assert "<mark>温度报警</mark>" in html  # in the symptom
    assert "<mark>温控</mark>" in html  # a synonym of 温度, in the title


def test_without_a_query_the_latest_cases_are_listed(client, world, library):
    response = page(client, world.engineer, LIST)
    assert len(titles(response)) == 15
    assert "15 cases" in response.content.decode()


def test_the_filters_narrow_by_model_reagent_and_lot(client, world, library):
    hba1c = library.models["hba1c"]
    assert set(titles(page(client, world.clerk, LIST, model=hba1c.pk))) == {
        "糖化血红蛋白色谱柱压力过高",
        "糖化结果整体偏低",
    }
    assert titles(page(client, world.clerk, LIST, lot_no="20260301")) == ["葡萄糖试剂新批号质控偏高"]
    assert titles(page(client, world.clerk, LIST, reagent="葡萄糖")) == ["葡萄糖试剂新批号质控偏高"]
    assert titles(page(client, world.clerk, LIST, q="偏低", model=hba1c.pk)) == ["糖化结果整体偏低"]


def test_a_search_with_no_match_says_so(client, world, library):
    response = page(client, world.clerk, LIST, q="空调漏水")
    assert "No case matches these words" in response.content.decode()


def test_htmx_gets_only_the_results(client, world, library):
    client.force_login(world.clerk)
    response = client.get(LIST, {"q": "条码"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "1 case matches" in html and "样本<mark>条码</mark>无法识别" in html


def test_the_results_are_paginated(client, world, library):
    for n in range(25):
        write(world, title=f"报警案例{n}", symptom="仪器报警")
    response = page(client, world.clerk, LIST, q="报警")
    assert len(titles(response)) == 20
    assert 'rel="next"' in response.content.decode()
    assert len(titles(page(client, world.clerk, LIST, q="报警", page=2))) > 0


def test_drafts_of_others_stay_out_of_the_list(client, world, library):
    write(world, actor=world.engineer, title="温度报警草稿", symptom="温度报警", published=False)
    assert "温度报警草稿" in titles(page(client, world.engineer, LIST, q="温度报警"))
    assert "温度报警草稿" in titles(page(client, world.tech_head, LIST, q="温度报警"))
    assert "温度报警草稿" not in titles(page(client, world.engineer2, LIST, q="温度报警"))
    assert "温度报警草稿" not in titles(page(client, world.clerk, LIST, q="温度报警"))


def _count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "报警 偏高"}, {"q": "报警", "model": "chem"}])
def test_the_list_makes_the_same_number_of_queries_however_many_cases(
    client, world, library, params, django_assert_max_num_queries
):
    if params.get("model") == "chem":
        params = {**params, "model": library.models["chem"].pk}
    client.force_login(world.engineer)
    _count_queries(client, LIST, params)
    few = _count_queries(client, LIST, params)
    for n in range(12):
        write(
            world,
            title=f"报警偏高{n}",
            symptom="仪器报警，结果偏高",
            instrument_model=library.models["chem"],
            lot=world.lot,
        )
    with django_assert_max_num_queries(few):
        client.get(LIST, params)


@pytest.mark.parametrize("role", ["dealer"])
def test_dealers_do_not_read_the_library(client, world, role):
    assert page(client, world.users[role], LIST).status_code == 403
    assert page(client, world.users[role], SUGGEST, q="报警").status_code == 403


@pytest.mark.parametrize("role", ["clerk", "engineer", "sales", "finance", "quality", "tech_head", "general_manager"])
def test_internal_staff_read_the_library(client, world, role):
    assert page(client, world.users[role], LIST).status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"), [("engineer", True), ("quality", True), ("clerk", False), ("sales", False)]
)
def test_who_may_write_a_case(client, world, role, allowed):
    response = page(client, world.users[role], ADD)
    assert response.status_code == (200 if allowed else 403)
    assert ("Write a case" in page(client, world.users[role], LIST).content.decode()) is allowed


# --- one case ------------------------------------------------------------------------------------


def test_a_case_page_shows_symptom_cause_fix_and_history(client, world, library):
    case = library.cases["temp"]
    html = page(client, world.clerk, case.get_absolute_url()).content.decode()
    for text in (case.symptom, case.cause, case.fix, "BS-800", "History"):
        assert text in html


def test_a_draft_is_not_found_by_others(client, world):
    draft = write(world, actor=world.engineer, title="草稿", published=False)
    assert page(client, world.engineer, draft.get_absolute_url()).status_code == 200
    assert page(client, world.engineer2, draft.get_absolute_url()).status_code == 404
    assert page(client, world.supervisor, draft.get_absolute_url()).status_code == 200


# --- writing -------------------------------------------------------------------------------------


def test_a_case_from_a_complaint_starts_from_its_description_and_investigation(client, world):
    complaint = register_complaint(world, lot=world.lot, item=world.reagent)
    Case.objects.none()  # (nothing written yet)
    complaint.root_cause = "新批号未重新定标"
    complaint.correction = "重新定标后质控在控"
    complaint.save(update_fields=["root_cause", "correction"])
    response = page(client, world.quality, ADD, complaint=complaint.pk)
    html = response.content.decode()
    assert "质控持续偏高" in html and "新批号未重新定标" in html and "重新定标后质控在控" in html
    assert f'name="complaint" value="{complaint.pk}"' in html
    assert "Written from complaint" in html
    form = response.context["form"]
    assert form.initial["lot"] == world.lot.pk and form.initial["lot_no"] == "20260301"

    response = client.post(
        ADD,
        {
            "title": "葡萄糖新批号质控偏高",
            "symptom": form.initial["symptom"],
            "lot": world.lot.pk,
            "cause": "新批号未重新定标",
            "fix": "重新定标",
            "published": "on",
            "complaint": complaint.pk,
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert case.complaint == complaint and case.author == world.quality and case.item == world.reagent
    assert complaint.cases.exists()


def test_a_case_from_a_solved_job_starts_from_the_engineers_findings_and_work(client, world):
    order = walk(world, register_order(world), Status.COMPLETED)
    order.visits.update(findings="预柱滤芯堵塞", work_done="更换预柱滤芯，反冲色谱柱")
    html = page(client, world.engineer, ADD, work_order=order.pk).content.decode()
    assert "仪器报警 E021，无法进样" in html
    assert "预柱滤芯堵塞" in html and "更换预柱滤芯，反冲色谱柱" in html
    assert "Written from work order" in html


def test_a_source_out_of_scope_is_ignored(client, world):
    order = register_order(world)
    html = page(client, world.other_engineer, ADD, work_order=order.pk).content.decode()
    assert "仪器报警" not in html and "Written from" not in html


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.engineer)
    response = client.post(ADD, {"title": "反应盘温控异常", "symptom": "温度报警", "published": "on"})
    assert response.status_code == 200
    assert "A published case says what fixed the problem." in response.content.decode()
    assert "反应盘温控异常" in response.content.decode()
    assert not Case.objects.exists()


def test_the_author_edits_and_the_index_follows(client, world):
    case = write(world, actor=world.engineer, title="光源灯能量低", symptom="能量低")
    client.force_login(world.engineer)
    url = reverse("knowledge:edit", args=[case.pk])
    response = client.post(
        url,
        {
            "title": "条码阅读器故障",
            "symptom": "扫不出条码",
            "fix": "清洁窗口",
            "published": "on",
            "expected_version": 1,
        },
    )
    assert response.status_code == 302
    assert titles(client.get(LIST, {"q": "条码"})) == ["条码阅读器故障"]
    assert titles(client.get(LIST, {"q": "光源灯"})) == []


def test_another_engineer_may_not_edit(client, world):
    case = write(world, actor=world.engineer, title="光源灯能量低")
    assert page(client, world.engineer2, reverse("knowledge:edit", args=[case.pk])).status_code == 403
    assert "Edit" not in page(client, world.engineer2, case.get_absolute_url()).content.decode().split("<main>")[1]


def test_a_stale_edit_keeps_the_input_and_says_somebody_changed_it(client, world):
    case = write(world, actor=world.engineer, title="光源灯能量低")
    write_data = {"title": "我的新标题", "symptom": "现象", "fix": "处理", "published": "on", "expected_version": 1}
    from apps.knowledge import services

    services.case_update(actor=world.tech_head, instance=case, data={"cause": "灯老化"}, expected_version=1)
    client.force_login(world.engineer)
    response = client.post(reverse("knowledge:edit", args=[case.pk]), write_data)
    html = response.content.decode()
    assert response.status_code == 200 and "我的新标题" in html and "Current saved values" in html
    assert Case.objects.get(pk=case.pk).title == "光源灯能量低"


def test_a_head_deactivates_a_case_with_a_reason(client, world):
    case = write(world, title="过时的案例")
    url = reverse("knowledge:deactivate", args=[case.pk])
    client.force_login(world.engineer)
    assert client.post(url, {"reason": "过时", "expected_version": 1}).status_code == 403
    client.force_login(world.quality)
    client.post(url, {"reason": "过时", "expected_version": 1})
    case.refresh_from_db()
    assert not case.is_active
    assert titles(page(client, world.clerk, LIST, q="过时")) == []


# --- suggestions while a request is registered ---------------------------------------------------


def test_suggestions_show_the_most_similar_cases_first(client, world, library):
    response = page(client, world.clerk, SUGGEST, description="糖化仪开机柱压高报警，进不了样")
    html = response.content.decode()
    assert "<html" not in html
    shown = re.findall(r'href="/cases/(\d+)/"', html)
    assert len(shown) <= 5 and int(shown[0]) == library.cases["column"].pk
    assert "反冲色谱柱" in html  # the fix's first line


def test_suggestions_prefer_the_model_on_the_intake_form(client, world, library):
    hba1c = library.models["hba1c"]
    html = page(client, world.clerk, SUGGEST, q="结果偏低", instrument_model=hba1c.pk).content.decode()
    assert int(re.findall(r'href="/cases/(\d+)/"', html)[0]) == library.cases["hba1c_low"].pk
    html = page(client, world.clerk, SUGGEST, q="结果偏低", instrument=world.instrument.pk).content.decode()
    assert int(re.findall(r'href="/cases/(\d+)/"', html)[0]) == library.cases["hba1c_low"].pk  # its model: YH-30


def test_suggestions_leave_drafts_out_even_for_their_author(client, world):
    write(world, actor=world.engineer, title="温度报警草稿", symptom="温度报警", published=False)
    html = page(client, world.engineer, SUGGEST, q="温度报警").content.decode()
    assert "温度报警草稿" not in html and "No similar case in the library yet." in html


def test_suggestions_ask_for_a_description_first(client, world):
    html = page(client, world.clerk, SUGGEST).content.decode()
    assert "Describe the problem" in html


def test_suggestions_make_the_same_number_of_queries_however_many_cases(
    client, world, library, django_assert_max_num_queries
):
    client.force_login(world.clerk)
    params = {"q": "报警 偏高", "instrument": world.instrument.pk}
    _count_queries(client, SUGGEST, params)
    few = _count_queries(client, SUGGEST, params)
    for n in range(10):
        write(world, title=f"报警偏高{n}", symptom="报警，结果偏高")
    with django_assert_max_num_queries(few):
        client.get(SUGGEST, params)


def test_the_intake_form_asks_for_suggestions_as_the_clerk_types(client, world):
    html = page(client, world.clerk, reverse("workorders:create")).content.decode()
    assert SUGGEST in html and "keyup changed delay:800ms from:#id_description" in html
    assert SUGGEST not in page(client, world.dealer, reverse("workorders:create")).content.decode()


# --- the panel on a work order's page ------------------------------------------------------------


def test_a_work_order_page_shows_the_similar_cases(client, world, library):
    order = register_order(world)  # "仪器报警 E021，无法进样" on the YH-30
    html = page(client, world.clerk, order.get_absolute_url()).content.decode()
    assert 'id="cases"' in html and "Similar cases" in html
    panel = html.split('id="cases"')[1]
    assert panel.index("糖化血红蛋白色谱柱压力过高") < panel.index("</section>")
    assert "Write a case from this job" not in panel  # not solved yet


def test_a_solved_job_offers_to_write_a_case_and_lists_the_cases_written(client, world, library):
    order = walk(world, register_order(world), Status.COMPLETED)
    html = page(client, world.engineer, order.get_absolute_url()).content.decode()
    assert f"{ADD}?work_order={order.pk}" in html
    write(world, actor=world.engineer, title="E021 柱压报警处理", work_order=order, published=False)
    html = page(client, world.engineer, order.get_absolute_url()).content.decode()
    assert "Cases written from this job" in html and "E021 柱压报警处理" in html


def test_roles_that_do_not_write_cases_get_no_write_link(client, world, library):
    order = walk(world, register_order(world), Status.COMPLETED)
    html = page(client, world.clerk, order.get_absolute_url()).content.decode()
    assert "Similar cases" in html and f"{ADD}?work_order=" not in html


def test_a_dealer_sees_no_library_panel(client, world, library):
    order = register_order(world)
    response = page(client, world.dealer, order.get_absolute_url())
    assert response.status_code == 200 and 'id="cases"' not in response.content.decode()
