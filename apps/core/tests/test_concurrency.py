"""Concurrent edits never silently overwrite each other."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.core.exceptions import ConflictError
from apps.customers import services
from apps.customers.tests.factories import CustomerFactory


@pytest.fixture
def clerk(db):
    return UserFactory(role=Role.CLERK)


def test_the_second_of_two_edits_from_the_same_version_is_refused(clerk):
    customer = CustomerFactory()
    services.customer_update(actor=clerk, instance=customer, data={"address": "A路1号"}, expected_version=1)
    with pytest.raises(ConflictError):
        services.customer_update(actor=clerk, instance=customer, data={"address": "B路2号"}, expected_version=1)
    customer.refresh_from_db()
    assert (customer.address, customer.version) == ("A路1号", 2)


def test_the_api_answers_409_to_a_stale_version_and_keeps_the_first_edit(api_client, clerk):
    customer = CustomerFactory()
    api_client.force_authenticate(clerk)
    url = f"/api/v1/customers/{customer.pk}/"
    first = api_client.patch(url, {"address": "A路1号", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = api_client.patch(url, {"address": "B路2号", "version": 1}, format="json")
    assert second.status_code == 409
    assert "changed this record" in second.json()["detail"]
    customer.refresh_from_db()
    assert customer.address == "A路1号"


def test_an_api_update_without_a_version_is_refused_with_a_field_message(api_client, clerk):
    customer = CustomerFactory()
    api_client.force_authenticate(clerk)
    response = api_client.patch(f"/api/v1/customers/{customer.pk}/", {"address": "C路"}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()


def test_a_stale_form_keeps_what_the_user_typed_and_says_why(client, clerk):
    customer = CustomerFactory(name="甲医院")
    services.customer_update(actor=clerk, instance=customer, data={"address": "先到的地址"}, expected_version=1)
    client.force_login(clerk)
    form = {
        "name": "甲医院", "kind": "hospital", "grade": "none", "province": customer.province_id,
        "city": customer.city_id, "tier": "normal", "product_line_usage": "prospect",
        "address": "我刚输入的地址", "notes": "很长的备注", "expected_version": 1,
    }
    response = client.post(f"/customers/{customer.pk}/edit/", form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed this record" in page
    assert "我刚输入的地址" in page and "很长的备注" in page
    # What the other person saved is shown next to what this user typed, field by field.
    table = page[page.index("conflict-diff") :]
    table = table[: table.index("</table>")]
    assert "先到的地址" in table and "我刚输入的地址" in table
    assert "甲医院" not in table  # the name is the same on both sides: not a difference
    customer.refresh_from_db()
    assert customer.address == "先到的地址"
    # Saving again from the conflict page (now naming the current version) goes through.
    form["expected_version"] = customer.version
    assert client.post(f"/customers/{customer.pk}/edit/", form).status_code == 302
    customer.refresh_from_db()
    assert customer.address == "我刚输入的地址"


def test_deactivating_twice_is_a_clear_conflict(api_client, db):
    head = UserFactory(role=Role.TECH_HEAD)
    customer = CustomerFactory()
    api_client.force_authenticate(head)
    url = f"/api/v1/customers/{customer.pk}/deactivate/"
    assert api_client.post(url, {"reason": "合并"}, format="json").status_code == 200
    again = api_client.post(url, {"reason": "合并"}, format="json")
    assert again.status_code == 409
    assert "already inactive" in again.json()["detail"]
