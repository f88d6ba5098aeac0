"""The tokeniser: Chinese cut into words (domain words whole), codes kept, noise dropped."""

from pathlib import Path

from django.conf import settings
from django.template import Context, Template

from apps.knowledge import search


def test_domain_words_stay_whole():
    assert {"反应盘", "温控"} <= set(search.terms("反应盘温控异常"))
    assert "加样针" in search.terms("加样针撞针")
    assert "比色杯" in search.terms("比色杯污染")
    assert "携带污染" in search.terms("携带污染严重")


def test_a_long_word_also_yields_the_words_inside_it():
    terms = search.terms("糖化血红蛋白偏低")
    assert {"糖化血红蛋白", "糖化", "血红", "蛋白", "偏低"} <= set(terms)


def test_punctuation_and_whitespace_are_dropped():
    assert search.terms("报警！，。；、（E021）  \n…") == ["报警", "e021"]


def test_model_codes_stay_whole_and_are_also_found_without_the_hyphen():
    assert search.terms("YH-30报警")[:2] == ["yh-30", "yh30"]
    assert search.terms("ＹＨ－３０")[:1] == ["yh-30"]  # full-width, as a Chinese input method types it
    assert "hba1c" in search.terms("HbA1c结果")


def test_stop_words_and_quantities_go_but_lot_numbers_stay():
    assert search.terms("开机后温度报警") == ["开机", "温度", "报警"]
    assert search.terms("约30分钟后，批号20260301") == ["约", "分钟", "批号", "20260301"]


def test_a_query_counts_each_word_once_and_brings_its_synonyms_with_less_weight():
    weights = search.weighted_query("告警 告警 温控")
    assert weights["告警"] == 1.0 and weights["温控"] == 1.0
    assert 0 < weights["报警"] < 1 and 0 < weights["温度"] < 1
    assert list(weights).count("告警") == 1


def test_a_pasted_report_is_cut_to_a_sane_query():
    assert len(search.query_terms("报警" + "".join(f"E{n:03d} " for n in range(200)))) == 32


def test_jieba_loads_once_per_process_with_its_cache_under_the_data_directory():
    assert search.tokenizer() is search.tokenizer()
    assert Path(search.tokenizer().tmp_dir) == Path(settings.DATA_DIR) / "cache" / "jieba"


def test_highlighting_marks_whole_matches_and_merges_overlaps():
    pieces = search.highlight("开机约30分钟后反应盘温度报警", {"温度", "报警", "反应盘", "反应"})
    assert pieces == [("开机约30分钟后", False), ("反应盘温度报警", True)]


def test_the_highlight_filter_escapes_the_text_around_the_marks():
    html = Template("{% load knowledge %}{{ text|highlight:terms }}").render(
        Context({"text": "<b>报警</b>", "terms": {"报警"}})
    )
    assert html == "&lt;b&gt;<mark>报警</mark>&lt;/b&gt;"


def test_a_snippet_shows_the_part_of_a_long_text_around_the_first_match():
    text = "前言很长。" * 40 + "反应盘温度报警" + "后记。" * 40
    pieces = search.snippet(text, {"报警"}, width=40)
    shown = "".join(part for part, _ in pieces)
    assert shown.startswith("…") and shown.endswith("…") and "温度报警" in shown
    assert ("报警", True) in pieces
