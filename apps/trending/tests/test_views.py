"""Pages of trending: the report and its Excel export, the thresholds, the signals and their review."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.complaints.models import Capa
from apps.trending import services
from apps.trending.models import TrendSignal, TrendThreshold
from apps.trending.tests._helpers import complaint, local, other_lot, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

REPORT = "/trends/"
MARCH_APRIL = {"source": "complaints", "dimension": "lot", "from": "2026-03", "to": "2026-04"}


@pytest.fixture
def march(world):
    """Three complaints on lot 20260301 in March, one in April; one on lot 20260415 in April."""
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    complaint(world, local(2026, 4, 3))
    complaint(world, local(2026, 4, 5), lot=other_lot(world))
    return world


@pytest.fixture
def signal(march):
    (raised,) = services.trend_scan(now=local(2026, 4, 2, 6, 40))
    return raised


def test_the_report_is_a_table_of_months_and_lots_with_the_threshold_highlighted(client, march):
    client.force_login(march.quality)
    page = client.get(REPORT, MARCH_APRIL)
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("trending:report") == REPORT
    assert '<th scope="col">2026-03</th>' in html and '<th scope="col">2026-04</th>' in html
    row = html.split("R-GLU / 20260301", 1)[1].split("</tr>", 1)[0]
    assert 'class="over" title="At or over the threshold">3</td>' in row
    assert "<td>1</td>" in row and "<strong>4</strong>" in row
    assert "<svg" in row and 'class="over"' in row  # the March bar is red
    assert "signal at 3" in row
    other = html.split("R-GLU / 20260415", 1)[1].split("</tr>", 1)[0]
    assert 'class="over"' not in other
    assert "Export to Excel" in html and "Signals (0 to review)" in html


def test_the_report_defaults_to_complaints_per_lot_over_twelve_months(client, world):
    client.force_login(world.quality)
    page = client.get(REPORT)
    assert page.status_code == 200
    assert page.context["table"].source == "complaints" and len(page.context["table"].months) == 12
    assert "Nothing was counted in these months." in page.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-05", "to": "2026-04"}, "The first month comes after the last one."),
        ({"to": "next"}, "Give the last month as YYYY-MM."),
        ({"dimension": "colour"}, "Select a valid choice."),
    ],
)
def test_a_bad_query_says_what_is_wrong_and_keeps_the_input(client, world, query, message):
    client.force_login(world.quality)
    page = client.get(REPORT, query)
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html and "table" not in page.context
    for value in query.values():
        assert f'value="{value}"' in html or value == "colour"


@pytest.mark.parametrize("role", ["quality", "admin", "tech_head", "supervisor", "marketing_head", "general_manager"])
def test_quality_and_the_heads_read_the_report(client, world, role):
    client.force_login(world.users[role])
    assert client.get(REPORT).status_code == 200
    assert client.get(reverse("trending:signal_list")).status_code == 200


@pytest.mark.parametrize("role", ["clerk", "engineer", "sales", "dealer", "finance", "customer_manager"])
def test_other_roles_cannot_see_trends(client, world, role):
    client.force_login(world.users[role])
    assert client.get(REPORT).status_code == 403
    assert client.get(reverse("trending:report_export")).status_code == 403
    assert client.get(reverse("trending:signal_list")).status_code == 403
    assert client.get(reverse("trending:threshold_list")).status_code == 403


def test_the_report_takes_the_same_queries_for_more_values(client, march):
    client.force_login(march.quality)
    client.get(REPORT, MARCH_APRIL)
    with CaptureQueriesContext(connection) as few:
        client.get(REPORT, MARCH_APRIL)
    for n in range(5):
        complaint(march, local(2026, 3, 25), lot=other_lot(march, f"2026050{n}"))
    with CaptureQueriesContext(connection) as many:
        page = client.get(REPORT, MARCH_APRIL)
    assert len(page.context["table"].rows) == 7
    assert len(many) == len(few)


def test_the_excel_export_has_the_counts_and_marks_the_cells_over_the_threshold(client, march):
    import openpyxl

    client.force_login(march.quality)
    response = client.get(reverse("trending:report_export"), MARCH_APRIL)
    assert response.status_code == 200
    assert 'filename="trend-complaints-lot-202603-202604.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][1:3] == ["2026-03", "2026-04"]
    assert rows[1] == ["R-GLU / 20260301", 3, 1, 4, 3]
    assert rows[2] == ["R-GLU / 20260415", 0, 1, 1, 3]
    assert rows[3][1:4] == [3, 2, 5]
    assert sheet["B2"].fill.start_color.rgb.endswith("F8D7DA")
    assert sheet["C2"].fill.fill_type is None and sheet["B3"].fill.fill_type is None


def test_an_export_with_a_bad_range_goes_back_to_the_report_with_the_message(client, world):
    client.force_login(world.quality)
    response = client.get(reverse("trending:report_export"), {"from": "2026-06", "to": "2026-01"}, follow=True)
    assert response.redirect_chain[-1][0] == REPORT
    assert "The first month comes after the last one." in response.content.decode()


# --- thresholds ------------------------------------------------------------------------------


def test_the_quality_department_changes_a_threshold(client, world):
    threshold = TrendThreshold.objects.get(name="Complaints about one lot")
    client.force_login(world.quality)
    page = client.get(reverse("trending:threshold_edit", args=[threshold.pk]))
    assert page.status_code == 200 and 'value="Complaints about one lot"' in page.content.decode()
    data = {
        "name": "Complaints about one lot",
        "source": "complaints",
        "dimension": "lot",
        "count": "2",
        "note": threshold.note,
        "expected_version": "1",
    }
    response = client.post(reverse("trending:threshold_edit", args=[threshold.pk]), data)
    assert response.status_code == 302
    threshold.refresh_from_db()
    assert (threshold.count, threshold.version, threshold.name) == (2, 2, "Complaints about one lot")
    detail = client.get(threshold.get_absolute_url()).content.decode()
    assert "Any lot: 2 or more complaints in a calendar month" in detail


def test_a_stale_threshold_edit_keeps_the_input_and_says_somebody_changed_it(client, world):
    threshold = TrendThreshold.objects.get(name="Complaints about one lot")
    TrendThreshold.objects.filter(pk=threshold.pk).update(version=2)
    client.force_login(world.quality)
    data = {"name": "批号投诉", "source": "complaints", "dimension": "lot", "count": "4", "expected_version": "1"}
    page = client.post(reverse("trending:threshold_edit", args=[threshold.pk]), data)
    html = page.content.decode()
    assert "Someone else changed this record" in html and 'value="批号投诉"' in html
    threshold.refresh_from_db()
    assert threshold.count == 3


def test_a_threshold_names_only_a_value_of_its_dimension(client, world):
    client.force_login(world.quality)
    data = {"name": "某型号", "source": "faults", "dimension": "lot", "count": "2", "cause": "design"}
    page = client.post(reverse("trending:threshold_add"), data)
    assert page.status_code == 200
    assert "Only the value of the chosen dimension can be named" in page.content.decode()
    assert not TrendThreshold.objects.filter(name="某型号").exists()


def test_a_new_threshold_for_one_part(client, world):
    client.force_login(world.quality)
    data = {"name": "色谱柱更换", "source": "faults", "dimension": "part", "part": world.part.pk, "count": "2"}
    response = client.post(reverse("trending:threshold_add"), data)
    threshold = TrendThreshold.objects.get(name="色谱柱更换")
    assert response.status_code == 302 and threshold.value_key == str(world.part.pk)


@pytest.mark.parametrize("role", ["tech_head", "general_manager"])
def test_the_heads_read_thresholds_but_do_not_change_them(client, world, role):
    threshold = TrendThreshold.objects.get(name="Complaints about one lot")
    client.force_login(world.users[role])
    assert client.get(threshold.get_absolute_url()).status_code == 200
    assert client.get(reverse("trending:threshold_edit", args=[threshold.pk])).status_code == 403
    assert client.get(reverse("trending:threshold_add")).status_code == 403


def test_the_threshold_list_takes_the_same_queries_for_more_rows(client, world):
    client.force_login(world.quality)
    url = reverse("trending:threshold_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        TrendThreshold.objects.create(name=f"原因 {n}", source="both", dimension="cause", count=4 + n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert "原因 5" in page.content.decode()
    assert len(many) == len(few)


# --- signals ---------------------------------------------------------------------------------


def test_open_signals_come_first_in_the_list(client, signal, march):
    older = TrendSignal.objects.create(
        threshold=signal.threshold,
        source="complaints",
        dimension="lot",
        value_key="99",
        value_label="R-TG / 20251101",
        month=dt.date(2025, 11, 1),
        count=3,
        limit=3,
        raised_at=local(2025, 12, 1),
        state="reviewed",
        decision="no_action",
        reason="已知",
    )
    newest_open = signal
    client.force_login(march.quality)
    page = client.get(reverse("trending:signal_list"))
    html = page.content.decode()
    assert html.index(newest_open.value_label) < html.index(older.value_label)
    assert page.context["table"].page.object_list.data[0] == newest_open


def test_the_signal_list_takes_the_same_queries_for_more_rows(client, signal, march):
    client.force_login(march.quality)
    url = reverse("trending:signal_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        TrendSignal.objects.create(
            threshold=signal.threshold,
            source="complaints",
            dimension="lot",
            value_key=str(1000 + n),
            value_label=f"lot {n}",
            month=dt.date(2026, 1, 1),
            count=3,
            limit=3,
            raised_at=local(2026, 2, 1),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_signal_page_lists_the_complaints_behind_the_count(client, signal, march):
    client.force_login(march.quality)
    html = client.get(signal.get_absolute_url()).content.decode()
    assert "3 × Complaints in 2026-03" in html
    assert html.count("质控结果偏高") == 3  # the three March complaints, not the April one
    assert "Record the decision" in html


def test_the_heads_read_a_signal_without_the_review_form(client, signal, march):
    client.force_login(march.tech_head)
    html = client.get(signal.get_absolute_url()).content.decode()
    assert "R-GLU / 20260301" in html and "Record the decision" not in html
    response = client.post(
        reverse("trending:signal_review", args=[signal.pk]),
        {"decision": "no_action", "reason": "x", "expected_version": 1},
    )
    assert response.status_code == 403


def test_reviewing_a_signal_with_a_new_capa_links_it(client, signal, march):
    client.force_login(march.quality)
    response = client.post(
        reverse("trending:signal_review", args=[signal.pk]),
        {"decision": "capa", "capa_title": "批号20260301 质控偏高", "reason": "留样复测偏高", "expected_version": 1},
        follow=True,
    )
    capa = Capa.objects.get()
    signal.refresh_from_db()
    assert (signal.state, signal.capa) == ("reviewed", capa)
    html = response.content.decode()
    assert f"Reviewed: CAPA {capa.number} linked." in html and "Record the decision" not in html


def test_no_action_without_a_reason_is_refused_with_the_input_kept(client, signal, march):
    client.force_login(march.quality)
    page = client.post(
        reverse("trending:signal_review", args=[signal.pk]),
        {"decision": "no_action", "capa_title": "保留的标题", "expected_version": 1},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Say why no action is needed." in html and 'value="保留的标题"' in html
    signal.refresh_from_db()
    assert signal.state == "open"


def test_a_stale_review_says_somebody_changed_it(client, signal, march):
    TrendSignal.objects.filter(pk=signal.pk).update(version=2)
    client.force_login(march.quality)
    page = client.post(
        reverse("trending:signal_review", args=[signal.pk]),
        {"decision": "no_action", "reason": "重复登记", "expected_version": 1},
    )
    assert page.status_code == 409
    html = page.content.decode()
    assert "Someone else changed this record" in html and "重复登记" in html
    assert 'name="expected_version" value="2"' in html
