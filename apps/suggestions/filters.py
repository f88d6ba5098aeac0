"""Filters of the suggestion list, its Excel export and the API."""

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IdFilter
from apps.suggestions import selectors
from apps.suggestions.choices import FINAL_STATUSES, OPEN_STATUSES, Category, Decision, Source, Status
from apps.suggestions.models import Suggestion

OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Open (not answered yet)")), *Status.choices]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SuggestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("status"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("from"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("category"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("decision"))
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label=_("received from"), widget=DATE
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label=_("received until"), widget=DATE
    )
    customer = IdFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = Suggestion
        fields = ["q", "status", "source", "category", "decision", "received_from", "received_to", "customer"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return selectors.suggestion_search(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "final":
            return queryset.filter(status__in=FINAL_STATUSES)
        return queryset.filter(status=value)
