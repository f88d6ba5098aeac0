"""Writes of the business calendar (SPEC SLA-5), audited and version-checked (apps.core.services).

The calendars' own rules (working periods in order, one active entry per date and calendar)
are model invariants, checked by every write here. The rule across rows — exactly one calendar
is the default, and it stays active — lives here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.exceptions import ConflictError
from apps.core.services import record_create, record_set_active, record_update
from apps.sla.models import BusinessCalendar, DayOverride


def _take_over_default(*, actor, new_default: BusinessCalendar | None) -> None:
    """Unset the current default (audited) so that `new_default` can become the only one."""
    current = (
        BusinessCalendar.objects.select_for_update()
        .filter(is_default=True)
        .exclude(pk=getattr(new_default, "pk", None))
        .first()
    )
    if current is not None:
        current._change_reason = _("Another calendar was made the default.")
        current.is_default = False
        current.version += 1
        current._history_user = actor
        current.save(update_fields=["is_default", "version", "updated_at"])


@transaction.atomic
def calendar_create(*, actor, data, m2m=None) -> BusinessCalendar:
    data = dict(data)
    if data.get("is_default"):
        if data.get("is_active", True) is False:
            raise ValidationError({"is_default": _("An inactive calendar cannot be the default.")})
        _take_over_default(actor=actor, new_default=None)
    elif not BusinessCalendar.objects.filter(is_default=True).exists():
        # SPEC SLA-5: a clock without a named calendar needs one; the first calendar is it.
        data["is_default"] = True
    return record_create(model=BusinessCalendar, actor=actor, data=data, m2m=m2m)


@transaction.atomic
def calendar_update(*, actor, instance: BusinessCalendar, data, expected_version, m2m=None) -> BusinessCalendar:
    data = dict(data)
    locked = BusinessCalendar.objects.select_for_update().get(pk=instance.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()  # before the default moves, so a stale edit changes nothing
    if "is_default" in data:
        if locked.is_default and not data["is_default"]:
            raise ValidationError(
                {"is_default": _("There must always be a default calendar: make another one the default instead.")}
            )
        if data["is_default"] and not locked.is_default:
            if not locked.is_active:
                raise ValidationError({"is_default": _("An inactive calendar cannot be the default.")})
            _take_over_default(actor=actor, new_default=locked)
    return record_update(instance=locked, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


@transaction.atomic
def calendar_set_active(
    *, actor, instance: BusinessCalendar, active: bool, reason: str = "", expected_version: int | None = None
) -> BusinessCalendar:
    if not active and BusinessCalendar.objects.filter(pk=instance.pk, is_default=True).exists():
        raise ValidationError(
            _("The default calendar cannot be deactivated; make another calendar the default first.")
        )
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )


def override_create(*, actor, data, m2m=None) -> DayOverride:
    return record_create(model=DayOverride, actor=actor, data=data, m2m=m2m)


def override_update(*, actor, instance: DayOverride, data, expected_version, m2m=None) -> DayOverride:
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


def override_set_active(
    *, actor, instance: DayOverride, active: bool, reason: str = "", expected_version: int | None = None
) -> DayOverride:
    # Reactivating a date that meanwhile got another active entry is refused by DayOverride.clean().
    return record_set_active(
        instance=instance, actor=actor, active=active, reason=reason, expected_version=expected_version
    )
