"""Writes of the product catalogue (all audited and version-checked, see apps.core.services).

The catalogue's rules (a lot match names lots of the right kinds, spare parts have no lots,
one lot number per item …) are model invariants (`clean()`), checked by every write here."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.core.services import record_create, record_set_active, record_update


def instrument_model_create(*, actor, data, m2m=None) -> InstrumentModel:
    return record_create(model=InstrumentModel, actor=actor, data=data, m2m=m2m)


def item_create(*, actor, data, m2m=None) -> CatalogItem:
    return record_create(model=CatalogItem, actor=actor, data=data, m2m=m2m)


def lot_create(*, actor, data, m2m=None) -> Lot:
    return record_create(model=Lot, actor=actor, data=data, m2m=m2m)


def lot_match_create(*, actor, data, m2m=None) -> LotMatch:
    return record_create(model=LotMatch, actor=actor, data=data, m2m=m2m)


# Updates and (de)activation need nothing beyond the generic, audited, version-checked write.
@transaction.atomic
def item_update(*, actor, instance, data, expected_version, m2m=None) -> CatalogItem:
    """An item with lots keeps its kind: its lots and lot matches were checked against it."""
    if "kind" in data and data["kind"] != instance.kind and instance.lots.exists():
        raise ValidationError({"kind": _("This item has lots; its kind cannot change.")})
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


instrument_model_update = lot_update = lot_match_update = record_update
set_active = record_set_active
