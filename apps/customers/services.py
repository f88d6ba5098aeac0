"""Writes of customers, contacts, departments and dealers (all audited, see apps.core.services)."""

import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.core.services import record_create, record_set_active, record_update
from apps.customers.models import Contact, Customer, Dealer, Department
from apps.customers.selectors import customer_scope_q


def ensure_customer_in_scope(*, actor, customer, changed: bool = True) -> None:
    """Records hang only from customers the actor may see (an engineer: his regions), the same
    scope as every list; a newly chosen customer must also be active."""
    if customer is None:
        return
    if not Customer.objects.filter(customer_scope_q(actor), pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose a customer you serve.")})
    if changed and not customer.is_active:
        raise ValidationError({"customer": _("This customer is inactive.")})


def _check_links(data, instance=None) -> None:
    """A newly chosen dealer must be active (existing links to a retired dealer stay valid)."""
    dealer = data.get("dealer")
    if dealer is not None and not dealer.is_active and getattr(instance, "dealer_id", None) != dealer.pk:
        raise ValidationError({"dealer": _("This dealer is inactive.")})


def new_customer_code() -> str:
    return f"KH{uuid.uuid4().hex[:8].upper()}"


@transaction.atomic
def customer_create(*, actor, data, m2m=None) -> Customer:
    data = dict(data)
    if not data.get("code"):
        data["code"] = new_customer_code()
    if actor.role == Role.SALES and not data.get("responsible_sales"):
        # A sales person registers his own customers (and keeps seeing them).
        data["responsible_sales"] = actor
    _check_links(data)
    customer = record_create(model=Customer, actor=actor, data=data, m2m=m2m)
    _ensure_still_visible(actor, customer)
    return customer


@transaction.atomic
def customer_update(*, actor, instance, data, expected_version, m2m=None) -> Customer:
    data = dict(data)
    if not data.get("code", True):
        data.pop("code")  # a blank code on edit keeps the existing one
    _check_links(data, instance)
    customer = record_update(
        instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m
    )
    _ensure_still_visible(actor, customer)
    return customer


def _ensure_still_visible(actor, customer) -> None:
    """A user may only register or move customers within his own scope (his regions, or — for
    sales — himself as the responsible sales person); otherwise the write is rolled back."""
    if not Customer.objects.filter(customer_scope_q(actor), pk=customer.pk).exists():
        raise ValidationError(
            {"__all__": _("This customer would fall outside the regions and customers you serve.")}
        )


@transaction.atomic
def record_at_customer_create(*, model, actor, data, m2m=None):
    """Create a record that hangs from a customer (contact, department, instrument …)."""
    ensure_customer_in_scope(actor=actor, customer=data.get("customer"))
    return record_create(model=model, actor=actor, data=data, m2m=m2m)


@transaction.atomic
def record_at_customer_update(*, actor, instance, data, expected_version, m2m=None):
    """Update it; moving it to another customer needs that customer in scope and active."""
    if "customer" in data:
        customer = data["customer"]
        ensure_customer_in_scope(actor=actor, customer=customer, changed=customer.pk != instance.customer_id)
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


contact_create = partial(record_at_customer_create, model=Contact)
department_create = partial(record_at_customer_create, model=Department)
contact_update = department_update = record_at_customer_update


def dealer_create(*, actor, data, m2m=None) -> Dealer:
    return record_create(model=Dealer, actor=actor, data=data, m2m=m2m)


# Updates and (de)activation need nothing beyond the generic, audited, version-checked write.
dealer_update = record_update
set_active = record_set_active
