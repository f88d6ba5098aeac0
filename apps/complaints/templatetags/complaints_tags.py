"""Template helpers of the complaint pages, and the "Register a complaint" link other apps' pages
show (survey cases, follow-ups): `{% register_complaint_url survey=survey as url %}`."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from apps.complaints import tables
from apps.core.access import can
from apps.core.ids import parse_id

register = template.Library()


@register.filter
def complaint_status_badge(status):
    return tables.status_badge(status)


@register.simple_tag(takes_context=True)
def register_complaint_url(context, *, work_order=None, survey=None, followup=None) -> str:
    """The intake page prefilled from the record, or "" when the user may not register complaints."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not can(user, "complaint", "add"):
        return ""
    query = {
        name: parse_id(value)
        for name, value in (("work_order", work_order), ("survey", survey), ("followup", followup))
        if parse_id(value) is not None
    }
    url = reverse("complaints:create")
    return f"{url}?{urlencode(query)}" if query else url
