"""Filters of the return / exchange list, its Excel export and the API."""

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IdFilter, YesNoFilter
from apps.returns import selectors
from apps.returns.choices import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    ProductKind,
    Remedy,
    RequestedRemedy,
    Responsibility,
    Status,
)
from apps.returns.models import ReturnRequest

OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Open (not closed or rejected)")), *Status.choices]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReturnFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("status"))
    product_kind = django_filters.ChoiceFilter(choices=ProductKind.choices, label=_("kind of product"))
    requested_remedy = django_filters.ChoiceFilter(choices=RequestedRemedy.choices, label=_("customer asks for"))
    remedy = django_filters.ChoiceFilter(choices=Remedy.choices, label=_("remedy"))
    responsibility = django_filters.ChoiceFilter(choices=Responsibility.choices, label=_("responsibility"))
    in_period = YesNoFilter(label=_("within the allowed period"))
    applied_from = django_filters.DateFilter(
        field_name="applied_on", lookup_expr="gte", label=_("applied from"), widget=DATE
    )
    applied_to = django_filters.DateFilter(
        field_name="applied_on", lookup_expr="lte", label=_("applied until"), widget=DATE
    )
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    complaint = IdFilter(field_name="complaint_id", label=_("complaint id"))

    class Meta:
        model = ReturnRequest
        fields = [
            "q",
            "status",
            "product_kind",
            "requested_remedy",
            "remedy",
            "responsibility",
            "in_period",
            "applied_from",
            "applied_to",
            "customer",
            "complaint",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return selectors.return_search(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "final":
            return queryset.filter(status__in=FINAL_STATUSES)
        return queryset.filter(status=value)
