import django_filters
from django import forms
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.core.ids import MAX_ID


class IdFilter(django_filters.NumberFilter):
    """An id in the query string; a malformed or out-of-range value is a clear 400, never a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        # Ids arrive from links (a customer's "all instruments"), not typed by hand: hidden
        # on the page, an ordinary parameter in the API.
        kwargs.setdefault("widget", forms.HiddenInput)
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YesNoFilter(django_filters.BooleanFilter):
    """All / yes / no — instead of django-filter's "unknown", which reads like a value."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])
        )
        super().__init__(*args, **kwargs)


ACTIVE_CHOICES = (("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All")))


class RecordFilterSet(django_filters.FilterSet):
    """Base filter: free-text `q` (each app defines `search`) and active/inactive/all, active by default."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": YesNoFilter},
    }

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=ACTIVE_CHOICES, method="filter_status", label=_("Status"), empty_label=None
    )

    def __init__(self, data=None, *args, **kwargs):
        # A first visit (no query string) is a bound filter too: it shows active rows only.
        data = QueryDict(mutable=True) if data is None else data.copy()
        if not data.get("status"):
            data["status"] = "active"
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "inactive":
            return queryset.filter(is_active=False)
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return self.search(queryset, value)

    def search(self, queryset, value):
        raise NotImplementedError
