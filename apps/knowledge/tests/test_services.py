"""Writes of the case library and the index that goes with them."""

from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from apps.complaints.choices import Kind
from apps.complaints.tests._world import register as register_complaint
from apps.core.exceptions import ConflictError
from apps.knowledge import selectors, services
from apps.knowledge.models import Case, CaseTerm, IndexStat
from apps.knowledge.tests._library import world_fixture, write  # noqa: F401


def found(text, user=None, world=None) -> list[str]:
    queryset = selectors.case_list(user=user) if user else Case.objects.all()
    return [c.title for c in selectors.case_search(queryset, text)]


def test_a_new_case_is_searchable_at_once(world):
    write(world, title="反应盘温控异常", symptom="开机后温度报警")
    assert found("温度报警") == ["反应盘温控异常"]
    assert CaseTerm.objects.filter(term="反应盘", field="title").exists()


def test_an_update_rebuilds_the_index_so_old_words_no_longer_match(world):
    case = write(world, title="光源灯能量低", symptom="自检提示光源灯能量低")
    services.case_update(
        actor=world.tech_head,
        instance=case,
        data={"title": "条码阅读器故障", "symptom": "样本条码扫不出来"},
        expected_version=case.version,
    )
    assert found("光源灯") == []
    assert found("条码") == ["条码阅读器故障"]


def field_totals() -> dict[str, int]:
    """Terms per field over all cases, counted from the postings themselves."""
    lengths = set(CaseTerm.objects.values_list("case", "field", "length"))
    totals = {}
    for _case, field, length in lengths:
        totals[field] = totals.get(field, 0) + length
    return totals


def test_the_index_totals_follow_every_write_and_a_rebuild_recounts_the_same(world):
    write(world, title="反应盘温控异常", symptom="开机后温度报警")
    case = write(world, title="光源灯能量低", symptom="自检提示光源灯能量低")
    services.case_update(actor=world.tech_head, instance=case, data={"symptom": "能量低"}, expected_version=1)
    before = {s.field: (s.documents, s.tokens) for s in IndexStat.objects.all()}
    assert before["title"][0] == before["lessons"][0] == 2
    assert {field: tokens for field, (_d, tokens) in before.items() if tokens} == field_totals()
    postings = CaseTerm.objects.count()
    call_command("knowledge_rebuild_index", stdout=StringIO())
    assert {s.field: (s.documents, s.tokens) for s in IndexStat.objects.all()} == before
    assert CaseTerm.objects.count() == postings


def test_the_rebuild_command_says_how_many_cases_it_indexed(world, capsys):
    write(world, title="反应盘温控异常")
    CaseTerm.objects.all().delete()  # e.g. after a change of the dictionary
    assert found("反应盘") == []
    call_command("knowledge_rebuild_index")
    assert "1 cases indexed" in capsys.readouterr().out
    assert found("反应盘") == ["反应盘温控异常"]


def test_a_draft_is_seen_by_its_author_and_the_heads_only(world):
    write(world, actor=world.engineer, title="反应盘温控异常", published=False)
    assert found("反应盘", user=world.engineer) == ["反应盘温控异常"]
    assert found("反应盘", user=world.tech_head) == ["反应盘温控异常"]
    assert found("反应盘", user=world.quality) == ["反应盘温控异常"]
    assert found("反应盘", user=world.clerk) == []
    assert found("反应盘", user=world.engineer2) == []


def test_a_deactivated_case_leaves_the_library_but_the_heads_still_find_it(world):
    case = write(world, title="反应盘温控异常")
    services.case_set_active(actor=world.quality, instance=case, active=False, reason="已过时", expected_version=1)
    assert found("反应盘", user=world.clerk) == []
    assert found("反应盘", user=world.tech_head) == ["反应盘温控异常"]
    assert selectors.similar_cases(user=world.tech_head, text="反应盘") == []


def test_only_the_author_or_a_head_changes_a_case(world):
    case = write(world, actor=world.engineer, title="反应盘温控异常")
    with pytest.raises(PermissionDenied):
        services.case_update(actor=world.engineer2, instance=case, data={"title": "改"}, expected_version=1)
    case = services.case_update(actor=world.supervisor, instance=case, data={"cause": "加热膜老化"}, expected_version=1)
    assert case.cause == "加热膜老化" and case.version == 2


def test_a_stale_version_is_refused_and_changes_nothing(world):
    case = write(world, title="反应盘温控异常")
    services.case_update(actor=world.tech_head, instance=case, data={"title": "反应盘温度报警"}, expected_version=1)
    with pytest.raises(ConflictError):
        services.case_update(actor=world.tech_head, instance=case, data={"title": "另一个标题"}, expected_version=1)
    assert Case.objects.get(pk=case.pk).title == "反应盘温度报警"


def test_roles_outside_the_library_cannot_write_or_deactivate(world):
    with pytest.raises(PermissionDenied):
        write(world, actor=world.dealer)
    with pytest.raises(PermissionDenied):
        write(world, actor=world.clerk)
    case = write(world, actor=world.engineer)
    with pytest.raises(PermissionDenied):
        services.case_set_active(actor=world.engineer, instance=case, active=False, reason="x", expected_version=1)


def test_a_published_case_says_what_fixed_it(world):
    with pytest.raises(ValidationError) as refused:
        write(world, title="反应盘温控异常", fix="")
    assert "fix" in refused.value.message_dict
    draft = write(world, title="反应盘温控异常", fix="", published=False)
    assert draft.published_at is None


def test_publishing_a_draft_records_when(world):
    draft = write(world, actor=world.engineer, title="反应盘温控异常", published=False)
    case = services.case_update(actor=world.engineer, instance=draft, data={"published": True}, expected_version=1)
    assert case.published and case.published_at is not None


def test_the_lot_brings_its_item_and_number_and_must_belong_to_the_item(world):
    case = write(world, title="葡萄糖质控偏高", lot=world.lot)
    assert case.item == world.reagent and case.lot_no == "20260301"
    assert found("20260301") == ["葡萄糖质控偏高"]
    with pytest.raises(ValidationError) as refused:
        write(world, title="另一个", item=world.part, lot=world.lot)
    assert "lot" in refused.value.message_dict


def test_a_case_shared_from_a_complaint_counts_for_the_complaint(world):
    complaint = register_complaint(world, kind=Kind.SERVICE)
    assert not complaint.cases.exists()
    write(world, title="工程师迟到", complaint=complaint)
    assert complaint.cases.exists()


def test_a_case_cannot_be_written_from_a_complaint_out_of_the_writers_scope(world):
    complaint = register_complaint(world)
    with pytest.raises(ValidationError) as refused:
        write(world, actor=world.other_engineer, title="x", complaint=complaint)
    assert "complaint" in refused.value.message_dict


def test_the_source_of_a_case_does_not_change(world):
    complaint = register_complaint(world)
    case = write(world, title="x", complaint=complaint)
    with pytest.raises(ValidationError):
        services.case_update(actor=world.tech_head, instance=case, data={"complaint": None}, expected_version=1)


def test_every_change_is_in_the_history(world):
    case = write(world, title="反应盘温控异常")
    services.case_update(actor=world.tech_head, instance=case, data={"fix": "更换加热膜"}, expected_version=1)
    assert [h.history_user for h in case.history.order_by("history_id")] == [world.tech_head, world.tech_head]
    assert case.history.latest("history_id").fix == "更换加热膜"
