"""{% workorder_action_bar order allowed_actions as bar %}: the buttons of the detail page."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def workorder_action_bar(context, order, allowed_actions=None):
    from apps.workorders.views_actions import action_bar

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return None
    if not isinstance(allowed_actions, list | tuple | set | frozenset):
        allowed_actions = None  # not in the context: ask the transition table
    return action_bar(order, user, allowed_actions)
