"""{{ order|status_badge }}, {{ order|urgency_badge }}, {{ order|flag_badges }} — the same badges
in the list table, the cards of "my jobs" and the detail page (apps.workorders.tables)."""

from django import template

from apps.workorders import tables

register = template.Library()

register.filter("status_badge", tables.status_badge)
register.filter("urgency_badge", tables.urgency_badge)
register.filter("flag_badges", tables.flag_badges)


@register.filter
def action_label(action: str) -> str:
    """ "dispatch" → "Dispatch" (the label of choices.Action), for the timeline."""
    from apps.workorders.transitions import action_label as label

    return label(action) if action else ""


@register.filter
def may_register_request(user) -> bool:
    """{% if user|may_register_request %}: the "Register a request" links on customer and
    instrument pages (SPEC WO-1: hotline, heads, engineers, sales and dealers)."""
    from apps.core.access import can

    return can(user, "workorder", "add")
