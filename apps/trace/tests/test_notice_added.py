"""A notice issued before every delivery of its lot was recorded: the customers found later are
added and told, on their own deadline, and nobody already on the notice is touched."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.exceptions import ConflictError
from apps.trace import services
from apps.trace.choices import EventKind
from apps.trace.tests._helpers import (  # noqa: F401
    MONDAY,
    complaint_world,
    deliver,
    issue_for_lot,
    local,
    messages_for,
    trace_world_fixture,
)

pytestmark = pytest.mark.django_db


def _names(recipients):
    return sorted(r.customer.name for r in recipients)


def test_customers_that_received_the_lot_after_issue_are_added_with_their_own_deadline(tw):
    deliver(tw, tw.customer, quantity=20)
    notice = issue_for_lot(tw, notice_class="2", at=MONDAY)
    first = notice.recipients.get()
    assert services.notice_new_reach_count(notice) == 0
    notice.refresh_from_db()
    assert notice.created_at == MONDAY and notice.number == f"FSN2026-{notice.pk:04d}"  # drafted when written

    # Commerce records two more deliveries of the lot (the order system was late).
    deliver(tw, tw.hunan, quantity=8, on=dt.date(2026, 3, 6))
    deliver(tw, tw.customer, quantity=4, on=dt.date(2026, 3, 7))  # already on the notice
    assert services.notice_new_reach_count(notice) == 1

    later = MONDAY + dt.timedelta(days=2, hours=3)
    notice.refresh_from_db()
    added = services.notice_add_recipients(actor=tw.quality, notice=notice, expected_version=notice.version, at=later)

    assert _names(added) == ["长沙市中心医院"]
    assert added[0].due_at == later + dt.timedelta(days=3)  # class II: three days from when found
    assert "20260301 × 8 (2026-03-06)" in added[0].affected
    assert notice.recipients.count() == 2
    first.refresh_from_db()
    assert first.due_at == MONDAY + dt.timedelta(days=3) and "× 4" not in first.affected  # left as it was
    event = notice.events.get(kind=EventKind.EXTENDED)
    assert "长沙市中心医院" in event.text and event.actor == tw.quality
    # The responsible people of the new customer are told to inform it.
    assert messages_for(tw.hunan.responsible_sales, contains=notice.number)
    assert services.notice_new_reach_count(notice) == 0


def test_nothing_new_to_add_is_refused_and_changes_nothing(tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    version = notice.version
    with pytest.raises(ValidationError, match="since the notice was issued"):
        services.notice_add_recipients(actor=tw.quality, notice=notice, expected_version=version)
    notice.refresh_from_db()
    assert notice.version == version and notice.recipients.count() == 1
    assert not notice.events.filter(kind=EventKind.EXTENDED).exists()


def test_only_the_quality_department_adds_and_only_to_an_issued_notice_at_its_version(tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    deliver(tw, tw.hunan)
    with pytest.raises(PermissionDenied):
        services.notice_add_recipients(actor=tw.engineer, notice=notice, expected_version=notice.version)
    with pytest.raises(ConflictError):
        services.notice_add_recipients(actor=tw.quality, notice=notice, expected_version=notice.version - 1)
    services.notice_close(actor=tw.quality, notice=notice, reason="召回结束", expected_version=notice.version)
    notice.refresh_from_db()
    with pytest.raises(ValidationError, match="not closed"):
        services.notice_add_recipients(actor=tw.quality, notice=notice, expected_version=notice.version)
    assert notice.recipients.count() == 1


def test_the_notice_page_says_who_is_missing_and_adds_them(client, tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    client.force_login(tw.quality)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert 'id="new-reach"' not in page

    deliver(tw, tw.hunan)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert 'id="new-reach"' in page and "1 more customer received these lots" in page
    client.force_login(tw.engineer)
    assert 'id="new-reach"' not in client.get(notice.get_absolute_url()).content.decode()

    client.force_login(tw.quality)
    notice.refresh_from_db()
    response = client.post(
        reverse("trace:notice_add_recipients", args=[notice.pk]), {"expected_version": notice.version}
    )
    assert response.status_code == 302
    assert _names(notice.recipients.select_related("customer")) == ["广州市第一人民医院", "长沙市中心医院"]
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "1 customer added" in page and 'id="new-reach"' not in page


def test_the_api_adds_the_missing_customers(api_client, tw):
    deliver(tw, tw.customer)
    notice = issue_for_lot(tw)
    deliver(tw, tw.hunan)
    url = f"/api/v1/field-notices/{notice.pk}/add-recipients/"
    api_client.force_authenticate(tw.engineer)
    assert api_client.post(url, {"version": notice.version}, format="json").status_code == 403
    api_client.force_authenticate(tw.quality)
    assert api_client.post(url, {"version": notice.version - 1}, format="json").status_code == 409
    response = api_client.post(url, {"version": notice.version}, format="json")
    assert response.status_code == 200
    assert notice.recipients.count() == 2
    assert api_client.post(url, {"version": response.json()["version"]}, format="json").status_code == 400
