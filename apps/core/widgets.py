"""A select that searches the server as you type (htmx), for foreign keys with many rows
(tens of thousands of customers): only the chosen option is rendered with the page."""

from django import forms
from django.urls import reverse

from apps.core.ids import parse_id


class SearchSelect(forms.Select):
    template_name = "core/widgets/search_select.html"

    def __init__(self, lookup_url_name: str, attrs=None):
        self.lookup_url_name = lookup_url_name
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = reverse(self.lookup_url_name)
        return context

    def optgroups(self, name, value, attrs=None):
        # Render only the selected choice; the rest arrive from the lookup endpoint.
        # Garbage from the request: the field reports it, the widget ignores it.
        selected = {pk for pk in map(parse_id, value) if pk is not None}
        if not selected:
            return [(None, [self.create_option(name, "", "---------", False, 0)], 0)]
        queryset = self.choices.queryset.filter(pk__in=selected)
        options = [self.create_option(name, obj.pk, str(obj), True, i) for i, obj in enumerate(queryset)]
        return [(None, options, 0)]
