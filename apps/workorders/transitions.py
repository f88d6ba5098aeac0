"""Who may make which move on which work order (SPEC WO-18).

The table is choices.TRANSITIONS (action -> from statuses, to status, roles); this module adds
the row-level rules on top of it and is the single place the services, the screens (which
buttons to show) and the API ask.
"""

from django.utils.translation import gettext as _

from apps.accounts.choices import Role as R
from apps.core.exceptions import ConflictError
from apps.workorders.choices import APPROVERS, FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, Billing, Status


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


# --- the other activities on an order (not moves of the table) --------------------------------
#
# One check per activity, asked by the service under the row lock and by the screens before a
# page or a button is shown, so a button is never offered that the service would refuse.

CONTACT_STATUSES = frozenset({Status.APPROVED, Status.DISPATCHED, Status.SCHEDULED})
PRE_VISIT = frozenset({Status.NEW, Status.PENDING_APPROVAL, Status.APPROVED, Status.DISPATCHED, Status.SCHEDULED})
PARTS_STATUSES = frozenset({Status.DISPATCHED, Status.SCHEDULED, Status.ON_SITE})
RESULT_STATUSES = frozenset({Status.ON_SITE, Status.COMPLETED})
ASSESSORS = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.QUALITY, R.CLERK})
TRANSITION_KEYS = frozenset({"resolve_remotely", "reopen", "schedule", "reschedule", "check_in", "close", "cancel"})
# Who works on an order: the desk and the heads, and the engineer it is dispatched to.
WORKS_ON_ANY = frozenset({R.ADMIN, R.TECH_HEAD, R.SUPERVISOR, R.CLERK, R.CUSTOMER_MANAGER})


def _not_yours():
    return NotPermitted(_("This work order is not yours to move this way."))


def _role_may_not():
    return NotPermitted(_("Your role may not do this on a work order."))


def check_works_on(order, user) -> None:
    """The desk, the heads and the dispatched engineer work on an order; nobody else."""
    role = _role(user)
    if role in WORKS_ON_ANY or (role == R.ENGINEER and order.engineer_id == user.pk):
        return
    raise _not_yours()


def check_activity(key: str, order, user) -> None:
    """Raise NotPermitted or TransitionRefused when `user` may not do `key` on `order` now."""
    role = _role(user)
    if key in TRANSITION_KEYS:
        check(order, user, key)
    elif key == "file_application":
        late = order.emergency and order.application_missing  # WO-5: filed after an emergency dispatch
        if late:
            if not (role_allows(user, "file_application") and row_allows(order, user, "file_application")):
                raise _not_yours()
            if order.status in FINAL_STATUSES:
                raise TransitionRefused(_("This work order is finished; no application can be filed any more."))
        else:
            check(order, user, "file_application")
        if hasattr(order, "application"):
            raise TransitionRefused(_("This work order already has an application."))
    elif key == "decide":
        check(order, user, "approve")
    elif key == "remote":
        # WO-2 before dispatch (the hotline's remote attempts); SLA-1/SLA-2 after it (the
        # engineer's first call to the customer, which stops the first-contact clocks).
        if order.status in CONTACT_STATUSES:
            check_works_on(order, user)
        elif not role_allows(user, "resolve_remotely"):
            raise _role_may_not()
        elif order.status != Status.NEW:
            raise TransitionRefused(_("Calls with the customer are recorded until the visit starts."))
    elif key == "checklist":
        if not (role_allows(user, "schedule") or role in (R.SALES, R.CLERK)):
            raise _role_may_not()
        if role == R.ENGINEER and order.engineer_id != user.pk:
            raise _not_yours()
        if order.status not in PRE_VISIT:
            raise TransitionRefused(_("The readiness checklist is closed once the visit has started."))
    elif key == "visit":
        check_works_on(order, user)
        if order.status != Status.ON_SITE:
            raise TransitionRefused(_("The visit record is filled while on site."))
    elif key == "parts":
        check_works_on(order, user)
        if order.status not in PARTS_STATUSES:
            raise TransitionRefused(_("Parts are recorded between dispatch and completion."))
    elif key == "part_arrived":
        check_works_on(order, user)
    elif key == "result":
        check_works_on(order, user)
        if order.status not in RESULT_STATUSES:
            raise TransitionRefused(_("The result is reported at the end of the visit."))
    elif key == "assess":
        if role not in ASSESSORS:
            raise _role_may_not()
        if order.status == Status.CLOSED:
            raise TransitionRefused(_("A closed service record keeps its complaint assessment."))
    elif key == "balance":
        if role not in (R.FINANCE, R.ADMIN):
            raise NotPermitted(_("Only finance confirms payments."))
        if order.billing != Billing.PAID or order.status != Status.COMPLETED:
            raise TransitionRefused(_("The balance of a paid job is confirmed after completion."))
    elif key == "pause":
        check_works_on(order, user)
        if order.status not in OPEN_STATUSES:
            raise TransitionRefused(_("Only an open work order can wait."))
        if order.on_hold:
            raise TransitionRefused(_("The clocks of this work order are already paused."))
    elif key == "resume":
        check_works_on(order, user)
        if not order.on_hold:
            raise TransitionRefused(_("The clocks of this work order are not paused."))
    elif key in ("note", "attach"):
        from apps.core.access import can

        # Whoever may change work orders (the access table) adds a note or a file.
        if not can(user, "workorder", "change"):
            raise _role_may_not()
    else:  # pragma: no cover - a programming error
        raise ValueError(key)
