"""The survey panel of the work-order page: `{% include "surveys/_workorder_panel.html" %}`."""

from django import template

register = template.Library()


@register.inclusion_tag("surveys/_workorder_panel_body.html", takes_context=True)
def survey_panel(context, order):
    from apps.surveys.views import workorder_survey

    request = context.get("request")
    return workorder_survey(order, getattr(request, "user", None))["workorder_survey"]
