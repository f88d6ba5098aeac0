"""Small helpers every domain service layer uses for its state changes (issue 5 onwards).

The older apps (workorders, followups, surveys, vip, survival) still carry their own copies of
these; new apps import them from here so the rule lives once: lock the row and check the
version, save with the version bump and the audit user, notify in the company's language.
"""

from django.conf import settings
from django.utils import timezone, translation

from apps.core.exceptions import ConflictError


def now(at=None):
    """`at` when a caller (a test, an import of history) names the moment, else the clock."""
    return at or timezone.now()


def lock(obj, expected_version=None):
    """The row again, locked for this transaction; ConflictError when somebody else saved it
    since `expected_version` (no silent lost update)."""
    locked = type(obj)._default_manager.select_for_update(of=("self",)).get(pk=obj.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError()
    return locked


def save(obj, *, actor, fields, reason: str = "") -> None:
    """Save `fields` of a locked Record with the version bump and the audit user / reason."""
    obj.version += 1
    obj._history_user = actor
    if reason:
        obj._change_reason = str(reason)[:100]
    obj.save(update_fields=[*fields, "version", "updated_at"])


def in_default_language():
    """Messages stored for several people are written in the company's language."""
    return translation.override(settings.LANGUAGE_CODE)


def staff(*roles):
    """Active staff of the given roles."""
    from apps.accounts.models import User

    return list(User.objects.filter(role__in=roles, is_active=True))


def notify(key: str, users, subject: str, *, link: str = "", body: str = "") -> None:
    """Queue one message per person (after commit, never twice for the same event key)."""
    from apps.notifications.services import notify_users

    people = [u for u in users if u is not None]
    if people:
        notify_users(event_key=key, users=people, subject=str(subject), body=str(body or subject), link=link)
