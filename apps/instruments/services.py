"""Writes of the installed base (SPEC MD-4), all audited and version-checked (apps.core.services)."""

from django.db import transaction

from apps.core.services import record_create, record_set_active, record_update
from apps.customers.services import ensure_customer_in_scope
from apps.instruments.models import Instrument

# An instrument only goes to a customer the actor may see (an engineer: his regions).
_check_customer = ensure_customer_in_scope


@transaction.atomic
def instrument_create(*, actor, data, m2m=None) -> Instrument:
    _check_customer(actor=actor, customer=data.get("customer"), changed=True)
    return record_create(model=Instrument, actor=actor, data=data, m2m=m2m)


@transaction.atomic
def instrument_update(*, actor, instance, data, expected_version, m2m=None) -> Instrument:
    if "customer" in data:
        customer = data["customer"]
        _check_customer(
            actor=actor, customer=customer, changed=getattr(customer, "pk", None) != instance.customer_id
        )
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


# Deactivation (a retired or scrapped unit) needs nothing beyond the generic audited write.
set_active = record_set_active
