"""Who may move a complaint, on top of the plain table choices.TRANSITIONS.

Row rule: the handlers of the complaint's kind (CP-2: the technical head's side for service
complaints, the quality department for product complaints, the supervisor for both; an
administrator always); the engineer complained about writes his own self-assessment only.
"""

from django.utils.translation import gettext as _

from apps.accounts.choices import Role as R
from apps.complaints.choices import ACTIVITIES, HANDLERS_BY_KIND, TRANSITIONS, Action, Status
from apps.core.exceptions import ConflictError


class TransitionRefused(ConflictError):
    """An illegal move for the complaint's current status (HTTP 409 / a message on the page)."""


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return R.ADMIN if user.is_superuser else user.role


def _row_allows(complaint, user, key: str, roles: frozenset) -> bool:
    role = _role(user)
    if role is None or (role not in roles and role != R.ADMIN):
        return False
    if key == "self_assessment":
        return complaint.engineer_id is not None and complaint.engineer_id == user.pk
    if role in (R.CLERK, R.ADMIN):
        return True
    # The quality department sees to every complaint's file (8.2.2); the technical side only
    # to service complaints and the quality side's product ones.
    if role == R.QUALITY:
        return True
    return role in HANDLERS_BY_KIND.get(complaint.kind, frozenset())


def allows(complaint, user, action: str) -> bool:
    if action not in TRANSITIONS:
        return False
    from_statuses, _to, roles = TRANSITIONS[action]
    return complaint.status in from_statuses and _row_allows(complaint, user, action, roles)


def allowed_actions(complaint, user) -> list[str]:
    return [action for action in TRANSITIONS if allows(complaint, user, action)]


def activity_allowed(key: str, complaint, user) -> bool:
    statuses, roles = ACTIVITIES[key]
    return complaint.status in statuses and _row_allows(complaint, user, key, roles)


def allowed_activities(complaint, user) -> list[str]:
    return [key for key in ACTIVITIES if activity_allowed(key, complaint, user)]


def _refuse_status(complaint):
    return TransitionRefused(
        _("Not possible while the complaint is “%(status)s”.") % {"status": Status(complaint.status).label}
    )


def check(complaint, user, action: str) -> None:
    """Raise TransitionRefused (409) for a move the status forbids, PermissionDenied (403) for a
    person who may not make it."""
    from django.core.exceptions import PermissionDenied

    from_statuses, _to, roles = TRANSITIONS[action]
    if complaint.status not in from_statuses:
        raise _refuse_status(complaint)
    if not _row_allows(complaint, user, action, roles):
        raise PermissionDenied(_("You may not do this on this complaint."))


def check_activity(key: str, complaint, user) -> None:
    from django.core.exceptions import PermissionDenied

    statuses, roles = ACTIVITIES[key]
    if complaint.status not in statuses:
        if complaint.is_final:
            raise TransitionRefused(_("The complaint is closed and can no longer be changed."))
        raise _refuse_status(complaint)
    if not _row_allows(complaint, user, key, roles):
        raise PermissionDenied(_("You may not do this on this complaint."))


def action_label(action: str) -> str:
    return str(Action(action).label)
