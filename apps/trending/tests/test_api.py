"""/api/v1/trend-counts/, trend-thresholds/ and trend-signals/: the same rules as the pages —
roles (403), field messages (400), stale versions (409)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.complaints.models import Capa
from apps.trending import services
from apps.trending.models import TrendSignal, TrendThreshold
from apps.trending.tests._helpers import complaint, local, other_lot, world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

COUNTS = "/api/v1/trend-counts/"
THRESHOLDS = "/api/v1/trend-thresholds/"
SIGNALS = "/api/v1/trend-signals/"
MARCH_APRIL = {"source": "complaints", "dimension": "lot", "from": "2026-03", "to": "2026-04"}


@pytest.fixture
def march(world):
    for day in (2, 10, 20):
        complaint(world, local(2026, 3, day))
    complaint(world, local(2026, 4, 3))
    return world


@pytest.fixture
def signal(march):
    (raised,) = services.trend_scan(now=local(2026, 4, 2, 6, 40))
    return raised


def test_the_counts_come_per_value_and_month_with_the_threshold(api_client, march):
    api_client.force_authenticate(march.quality)
    body = api_client.get(COUNTS, MARCH_APRIL).json()
    assert body["months"] == ["2026-03", "2026-04"] and body["totals"] == [3, 1]
    assert body["rows"] == [
        {
            "key": str(march.lot.pk),
            "label": "R-GLU / 20260301",
            "counts": [3, 1],
            "over": [True, False],
            "total": 4,
            "threshold": 3,
        }
    ]


def test_bad_count_parameters_are_a_400_naming_the_field(api_client, world):
    api_client.force_authenticate(world.quality)
    response = api_client.get(COUNTS, {"source": "rumours", "from": "2026-9"})
    assert response.status_code == 400
    assert set(response.json()) == {"source"}
    response = api_client.get(COUNTS, {"from": "2026-09", "to": "2026-01"})
    assert response.status_code == 400 and "from" in response.json()


@pytest.mark.parametrize("role", ["clerk", "engineer", "sales", "dealer", "finance"])
def test_roles_outside_quality_and_the_heads_cannot_read_trends(api_client, world, role):
    api_client.force_authenticate(world.users[role])
    assert api_client.get(COUNTS).status_code == 403
    assert api_client.get(THRESHOLDS).status_code == 403
    assert api_client.get(SIGNALS).status_code == 403


def test_the_counts_take_the_same_queries_for_more_values(api_client, march):
    api_client.force_authenticate(march.quality)
    with CaptureQueriesContext(connection) as few:
        api_client.get(COUNTS, MARCH_APRIL)
    for n in range(4):
        complaint(march, local(2026, 4, 9), lot=other_lot(march, f"2026060{n}"))
    with CaptureQueriesContext(connection) as many:
        body = api_client.get(COUNTS, MARCH_APRIL).json()
    assert len(body["rows"]) == 5 and len(many) == len(few)


# --- thresholds ------------------------------------------------------------------------------


def test_quality_creates_a_threshold_for_one_cause(api_client, world):
    api_client.force_authenticate(world.quality)
    data = {"name": "设计原因", "source": "both", "dimension": "cause", "cause": "design", "count": 2}
    response = api_client.post(THRESHOLDS, data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["cause"], body["rule"], body["version"]) == (
        "design",
        "Design: 2 or more complaints and service faults in a calendar month",
        1,
    )


def test_a_threshold_naming_a_value_of_another_dimension_is_a_400(api_client, world):
    api_client.force_authenticate(world.quality)
    data = {"name": "x", "source": "faults", "dimension": "model", "lot": world.lot.pk, "count": 2}
    response = api_client.post(THRESHOLDS, data, format="json")
    assert response.status_code == 400 and "lot" in response.json()
    response = api_client.post(THRESHOLDS, {**data, "lot": None, "count": 0}, format="json")
    assert response.status_code == 400 and "count" in response.json()


def test_a_threshold_change_names_its_version(api_client, world):
    threshold = TrendThreshold.objects.get(name="Complaints about one lot")
    api_client.force_authenticate(world.quality)
    url = f"{THRESHOLDS}{threshold.pk}/"
    assert api_client.patch(url, {"count": 4}, format="json").status_code == 400
    assert api_client.patch(url, {"count": 4, "version": 1}, format="json").json()["count"] == 4
    assert api_client.patch(url, {"count": 5, "version": 1}, format="json").status_code == 409


def test_the_heads_read_thresholds_but_cannot_change_them(api_client, world):
    threshold = TrendThreshold.objects.get(name="Complaints about one lot")
    api_client.force_authenticate(world.tech_head)
    assert api_client.get(THRESHOLDS).json()["count"] == 4
    response = api_client.patch(f"{THRESHOLDS}{threshold.pk}/", {"count": 4, "version": 1}, format="json")
    assert response.status_code == 403


# --- signals ---------------------------------------------------------------------------------


def test_signals_are_listed_open_first(api_client, signal, march):
    TrendSignal.objects.create(
        threshold=signal.threshold,
        source="complaints",
        dimension="lot",
        value_key="77",
        value_label="R-TG / 20260101",
        month=dt.date(2026, 4, 1),
        count=3,
        limit=3,
        raised_at=local(2026, 4, 2),
        state="reviewed",
        decision="no_action",
        reason="已知",
    )
    api_client.force_authenticate(march.tech_head)
    rows = api_client.get(SIGNALS).json()["results"]
    assert [(r["value_label"], r["month"], r["state"]) for r in rows] == [
        ("R-GLU / 20260301", "2026-03", "open"),
        ("R-TG / 20260101", "2026-04", "reviewed"),
    ]
    assert api_client.get(SIGNALS, {"state": "reviewed"}).json()["count"] == 1


def test_the_signal_list_takes_the_same_queries_for_more_rows(api_client, signal, march):
    api_client.force_authenticate(march.quality)
    with CaptureQueriesContext(connection) as few:
        api_client.get(SIGNALS)
    for n in range(5):
        TrendSignal.objects.create(
            threshold=signal.threshold,
            source="complaints",
            dimension="lot",
            value_key=str(500 + n),
            value_label=f"lot {n}",
            month=dt.date(2026, 1, 1),
            count=3,
            limit=3,
            raised_at=local(2026, 2, 1),
            state="reviewed",
            decision="capa",
            capa=Capa.objects.create(number=f"CAPA26-9{n}", title="t", owner=march.quality),
            reviewed_by=march.quality,
        )
    with CaptureQueriesContext(connection) as many:
        assert api_client.get(SIGNALS).json()["count"] == 6
    assert len(many) == len(few)


def test_a_review_opens_a_capa_and_links_it(api_client, signal, march):
    api_client.force_authenticate(march.quality)
    body = {"decision": "capa", "capa_title": "批号20260301 质控偏高", "capa_due_on": "2026-05-31", "version": 1}
    response = api_client.post(f"{SIGNALS}{signal.pk}/review/", body, format="json")
    assert response.status_code == 200, response.json()
    capa = Capa.objects.get()
    assert response.json()["capa_number"] == capa.number and response.json()["state"] == "reviewed"
    assert capa.due_on == dt.date(2026, 5, 31)


def test_a_review_without_the_version_is_a_400_and_a_stale_one_a_409(api_client, signal, march):
    api_client.force_authenticate(march.quality)
    url = f"{SIGNALS}{signal.pk}/review/"
    response = api_client.post(url, {"decision": "no_action", "reason": "已知"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    response = api_client.post(url, {"decision": "no_action", "version": 1}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    assert (
        api_client.post(url, {"decision": "no_action", "reason": "已知", "version": 1}, format="json").status_code
        == 200
    )
    assert (
        api_client.post(url, {"decision": "no_action", "reason": "已知", "version": 1}, format="json").status_code
        == 409
    )


def test_only_the_quality_department_reviews_through_the_api(api_client, signal, march):
    api_client.force_authenticate(march.tech_head)
    response = api_client.post(
        f"{SIGNALS}{signal.pk}/review/", {"decision": "no_action", "reason": "x", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_the_schema_describes_the_trend_endpoints_without_warnings_of_ours(tmp_path, capsys):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/trend-counts/:", "/api/v1/trend-thresholds/{id}/:", "/api/v1/trend-signals/{id}/review/:"):
        assert path in text
    assert "TrendSourceEnum" in text
    warnings = capsys.readouterr().err.lower()
    assert "trend" not in warnings
    assert "dimension" not in warnings
