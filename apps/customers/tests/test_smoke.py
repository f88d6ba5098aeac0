import pytest
from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.customers.tests.factories import ContactFactory


@pytest.mark.django_db
def test_a_clerk_finds_a_customer_by_pinyin_initials(client):
    contact = ContactFactory(customer__name="广州市第一人民医院")
    client.force_login(UserFactory(role=Role.CLERK))
    response = client.get(reverse("customers:customer_list"), {"q": "gzsdy"})
    assert response.status_code == 200
    assert "广州市第一人民医院" in response.content.decode()
    detail = client.get(contact.customer.get_absolute_url())
    assert contact.mobile in detail.content.decode()
