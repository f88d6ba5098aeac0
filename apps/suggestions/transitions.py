"""Who may move a suggestion, from the plain table choices.TRANSITIONS."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from apps.accounts.choices import Role as R
from apps.core.exceptions import ConflictError
from apps.suggestions.choices import TRANSITIONS, Action, Status


class TransitionRefused(ConflictError):
    """A move the suggestion's current status does not allow (HTTP 409 / a message on the page)."""


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return R.ADMIN if user.is_superuser else user.role


def _role_allows(user, roles: frozenset) -> bool:
    role = role_of(user)
    return role is not None and (role in roles or role == R.ADMIN)


def refusal(suggestion, user, action: str) -> Exception | None:
    """Why `user` may not make this move now: PermissionDenied (403) for the wrong person,
    TransitionRefused (409) for the wrong status; None when he may."""
    from_statuses, _to, roles = TRANSITIONS[action]
    if not _role_allows(user, roles):
        return PermissionDenied(_("You may not do this on this suggestion."))
    if suggestion.status not in from_statuses:
        return TransitionRefused(
            _("Not possible while the suggestion is “%(status)s”.") % {"status": Status(suggestion.status).label}
        )
    return None


def check(suggestion, user, action: str) -> None:
    error = refusal(suggestion, user, action)
    if error is not None:
        raise error


def allows(suggestion, user, action: str) -> bool:
    return action in TRANSITIONS and refusal(suggestion, user, action) is None


def allowed_actions(suggestion, user) -> list[str]:
    return [action for action in TRANSITIONS if allows(suggestion, user, action)]


def action_label(action: str) -> str:
    return str(Action(action).label)
