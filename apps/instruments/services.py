"""Writes of the installed base (SPEC MD-4), all audited and version-checked (apps.core.services)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.services import record_create, record_set_active, record_update
from apps.customers.models import Customer
from apps.customers.selectors import customer_scope_q
from apps.instruments.models import Instrument


def _check_customer(*, actor, customer, changed: bool) -> None:
    """An instrument only goes to a customer the actor may see (an engineer: his regions).

    The same scope as apps.customers.selectors, so the UI, the API and imports agree.
    """
    if customer is None:
        return
    if not Customer.objects.filter(customer_scope_q(actor), pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose a customer you serve.")})
    if changed and not customer.is_active:
        raise ValidationError({"customer": _("This customer is inactive.")})


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
