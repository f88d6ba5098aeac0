"""Who may move a return / exchange application, from the plain table choices.TRANSITIONS.

Row rule on top of the table: a refund is completed only by finance, who confirms the payment
(SPEC CP-6: refund confirmed by finance); a repair or a replacement by the technical side,
quality or commerce — never by finance.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from apps.accounts.choices import Role as R
from apps.core.exceptions import ConflictError
from apps.returns.choices import COMPLETERS, REFUND_CONFIRMERS, TRANSITIONS, Action, Remedy, Status


class TransitionRefused(ConflictError):
    """A move the application's current status does not allow (HTTP 409 / a message on the page)."""


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return R.ADMIN if user.is_superuser else user.role


def _roles_for(return_request, action: str) -> frozenset:
    roles = TRANSITIONS[action][2]
    if action == "complete" and return_request.status == Status.DECIDED:
        return REFUND_CONFIRMERS if return_request.remedy == Remedy.REFUND else COMPLETERS
    return roles


def refusal(return_request, user, action: str) -> Exception | None:
    """PermissionDenied (403) for a person who may not make this move, TransitionRefused (409) for a
    status that does not allow it; None when he may."""
    from_statuses, _to, _roles = TRANSITIONS[action]
    role = role_of(user)
    if role is None or role not in TRANSITIONS[action][2] | {R.ADMIN}:
        return PermissionDenied(_("You may not do this on this application."))
    if return_request.status not in from_statuses:
        return TransitionRefused(
            _("Not possible while the application is “%(status)s”.") % {"status": Status(return_request.status).label}
        )
    if role != R.ADMIN and role not in _roles_for(return_request, action):
        if return_request.remedy == Remedy.REFUND:
            return PermissionDenied(_("A refund is completed by finance, who confirms the payment."))
        return PermissionDenied(
            _("Finance completes refunds only; a repair or replacement is recorded by those who do it.")
        )
    return None


def check(return_request, user, action: str) -> None:
    error = refusal(return_request, user, action)
    if error is not None:
        raise error


def allows(return_request, user, action: str) -> bool:
    return action in TRANSITIONS and refusal(return_request, user, action) is None


def allowed_actions(return_request, user) -> list[str]:
    return [action for action in TRANSITIONS if allows(return_request, user, action)]


def action_label(action: str) -> str:
    return str(Action(action).label)
