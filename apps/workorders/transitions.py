"""Who may make which move on which work order (SPEC WO-18).

The table is choices.TRANSITIONS (action -> from statuses, to status, roles); this module adds
the row-level rules on top of it and is the single place the services, the screens (which
buttons to show) and the API ask.
"""

from django.utils.translation import gettext as _

from apps.accounts.choices import Role as R
from apps.core.exceptions import ConflictError
from apps.workorders.choices import APPROVERS, TRANSITIONS, Status


class TransitionRefused(ConflictError):
    """The move is not allowed from this state (HTTP 409) …"""


class NotPermitted(PermissionError):
    """… or not by this user (HTTP 403)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def _role(user) -> str | None:
    if user.is_superuser:
        return R.ADMIN
    return getattr(user, "role", None)


def role_allows(user, action: str) -> bool:
    return _role(user) in TRANSITIONS[action][2]


def row_allows(order, user, action: str) -> bool:
    """Row-level rules beyond the role: whose order it is."""
    role = _role(user)
    if role == R.ADMIN:
        return True
    if action in ("schedule", "reschedule", "check_in", "complete") and role == R.ENGINEER:
        # WO-7/WO-11: only the dispatched engineer books and does the visit.
        return order.engineer_id == user.pk
    if action == "resolve_remotely" and role == R.ENGINEER:
        return order.engineer_id in (None, user.pk)
    if action == "file_application" and role == R.SALES:
        # WO-3: the sales person of the customer files the application.
        return order.sales_id == user.pk or order.customer.responsible_sales_id == user.pk
    if action == "file_application" and role == R.DEALER:
        # A dealer files for the customers he serves (or the unit he placed).
        return bool(user.dealer_id) and user.dealer_id in (
            order.customer.dealer_id,
            getattr(order.instrument, "dealer_id", None),
        )
    if action == "reallocate" and role == R.CUSTOMER_MANAGER:
        # WO-6: the customer manager of the order's region (its city or province) re-allocates.
        return _covers_order_region(user, order)
    if action in ("approve", "reject"):
        application = getattr(order, "application", None)
        step = application.step_code if application else None
        if step is None or role not in APPROVERS.get(step, frozenset()):
            return False
        if role == R.SALES:
            # A sales step (customer agreement, deposit) is the customer's own sales person's.
            return order.sales_id == user.pk or order.customer.responsible_sales_id == user.pk
        return True
    return True


def _covers_order_region(user, order) -> bool:
    from django.db.models import Q

    from apps.accounts.models import Region

    customer = order.customer
    return Region.objects.filter(
        Q(staff=user) | Q(customer_manager=user), pk__in=[customer.city_id, customer.province_id]
    ).exists()


def check(order, user, action: str) -> None:
    """Raise TransitionRefused (wrong state) or NotPermitted (wrong person); else the move is allowed."""
    if action not in TRANSITIONS:
        raise TransitionRefused(_("Unknown action."))
    from_statuses, _to, _roles = TRANSITIONS[action]
    if not role_allows(user, action):
        raise NotPermitted(_("Your role may not do this on a work order."))
    if order.status not in from_statuses:
        raise TransitionRefused(
            _("A work order that is “%(status)s” cannot be moved by “%(action)s”.")
            % {"status": Status(order.status).label, "action": action_label(action)}
        )
    if not row_allows(order, user, action):
        raise NotPermitted(_("This work order is not yours to move this way."))


def allowed_actions(order, user) -> list[str]:
    """The moves this user can make now, in table order (for buttons and the API)."""
    result = []
    for action, (from_statuses, _to, _roles) in TRANSITIONS.items():
        if order.status in from_statuses and role_allows(user, action) and row_allows(order, user, action):
            result.append(action)
    return result


def action_label(action: str) -> str:
    from apps.workorders.choices import Action

    try:
        return str(Action(action).label)
    except ValueError:
        return action
