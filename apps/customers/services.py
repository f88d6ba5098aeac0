"""Writes of customers, contacts, departments and dealers (all audited, see apps.core.services)."""

import uuid

from django.db import transaction

from apps.core.services import record_create, record_set_active, record_update
from apps.customers.models import Contact, Customer, Dealer, Department


def new_customer_code() -> str:
    return f"KH{uuid.uuid4().hex[:8].upper()}"


@transaction.atomic
def customer_create(*, actor, data, m2m=None) -> Customer:
    data = dict(data)
    if not data.get("code"):
        data["code"] = new_customer_code()
    return record_create(model=Customer, actor=actor, data=data, m2m=m2m)


def customer_update(*, actor, instance, data, expected_version, m2m=None) -> Customer:
    data = dict(data)
    if not data.get("code", True):
        data.pop("code")  # a blank code on edit keeps the existing one
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


def contact_create(*, actor, data, m2m=None) -> Contact:
    return record_create(model=Contact, actor=actor, data=data, m2m=m2m)


def department_create(*, actor, data, m2m=None) -> Department:
    return record_create(model=Department, actor=actor, data=data, m2m=m2m)


def dealer_create(*, actor, data, m2m=None) -> Dealer:
    return record_create(model=Dealer, actor=actor, data=data, m2m=m2m)


# Updates and (de)activation need nothing beyond the generic, audited, version-checked write.
contact_update = department_update = dealer_update = record_update
set_active = record_set_active
