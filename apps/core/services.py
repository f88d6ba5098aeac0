"""Generic write layer shared by the master-data apps.

Every create, change and deactivation goes through these functions: one transaction, the
row locked, the optimistic version checked, full model validation, and the audit trail
written with the acting user (simple-history reads `_history_user`).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from apps.core.exceptions import ConflictError


def _save_audited(instance: models.Model, *, actor, reason: str = "") -> None:
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()


def set_m2m(instance: models.Model, m2m: Mapping[str, Iterable] | None, *, audit_each: bool = True) -> None:
    """Set many-to-many links. With audit_each=False the per-link history rows are suppressed
    because the caller saves the record afterwards, which snapshots the links in one row."""
    if not audit_each:
        instance.skip_history_when_saving = True
    try:
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
    finally:
        if not audit_each:
            del instance.skip_history_when_saving


@transaction.atomic
def record_create(*, model: type[models.Model], actor, data: Mapping[str, Any], m2m=None):
    instance = model(**data)
    _save_audited(instance, actor=actor)
    if m2m:
        # The row needs its id before it can be linked; the links then go into one more
        # history row by the same user.
        set_m2m(instance, m2m, audit_each=False)
        instance._history_user = actor
        instance.save()
    return instance


def _lock(instance: models.Model, expected_version: int | None):
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


@transaction.atomic
def record_update(
    *, instance: models.Model, actor, data: Mapping[str, Any], expected_version: int | None, m2m=None
):
    """Apply `data` to the row if nobody saved it since `expected_version`."""
    locked = _lock(instance, expected_version)
    changed = False
    for field, value in data.items():
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed = True
    if m2m:
        for name, values in m2m.items():
            if set(getattr(locked, name).values_list("pk", flat=True)) != {getattr(v, "pk", v) for v in values}:
                changed = True
    if not changed:
        return locked
    locked.version += 1
    # Links first (without their own history rows), then one audited save that records the
    # field changes and the new links together.
    set_m2m(locked, m2m, audit_each=False)
    _save_audited(locked, actor=actor)
    return locked


@transaction.atomic
def record_set_active(
    *, instance: models.Model, actor, active: bool, reason: str = "", expected_version: int | None = None
):
    """Deactivate (or reactivate) a record; nothing is ever hard-deleted."""
    locked = _lock(instance, expected_version)
    if locked.is_active == active:
        raise ConflictError(
            _("This record is already active.") if active else _("This record is already inactive.")
        )
    locked.is_active = active
    locked.version += 1
    _save_audited(locked, actor=actor, reason=reason)
    return locked
