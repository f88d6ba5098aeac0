"""Writes of staff, regions and qualifications (audited, version-checked)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.accounts.models import Qualification, Region, User
from apps.core.services import record_create, record_set_active, record_update, set_m2m


@transaction.atomic
def staff_create(*, actor, data, m2m=None) -> User:
    data = dict(data)
    password = data.pop("password", None)
    user = User(**data)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user._history_user = actor
    user.full_clean(exclude=["password"])
    user.save()
    if m2m:
        set_m2m(user, m2m, audit_each=False)
        user._history_user = actor
        user.save()
    return user


@transaction.atomic
def staff_update(*, actor, instance, data, expected_version, m2m=None) -> User:
    data = dict(data)
    password = data.pop("password", None)
    user = record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)
    if password:
        user.set_password(password)
        # The password is not audited (never stored in history): no empty history row.
        user.save_without_historical_record(update_fields=["password"])
    return user


def region_create(*, actor, data, m2m=None) -> Region:
    return record_create(model=Region, actor=actor, data=data, m2m=m2m)


def qualification_create(*, actor, data, m2m=None) -> Qualification:
    return record_create(model=Qualification, actor=actor, data=data, m2m=m2m)


@transaction.atomic
def region_update(*, actor, instance, data, expected_version, m2m=None) -> Region:
    """A region's place in the tree (level, province) cannot change while cities, customers
    or staff hang from it: region scoping would silently change for all of them."""
    moves = any(k in data and data[k] != getattr(instance, k) for k in ("level", "parent"))
    if moves and (
        instance.children.exists()
        or instance.province_customers.exists()
        or instance.city_customers.exists()
        or instance.staff.exists()
    ):
        raise ValidationError(
            {"level": _("This region has cities, customers or staff; its level and province cannot change.")}
        )
    return record_update(instance=instance, actor=actor, data=data, expected_version=expected_version, m2m=m2m)


qualification_update = record_update
set_active = record_set_active
