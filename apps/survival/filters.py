"""Filters of the project list, the report table and its export (and the API): every choice
offered is itself scoped, so a filter never reveals a name the user could not otherwise see."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Region, User
from apps.core.dates import add_months
from apps.core.filters import IdFilter
from apps.survival import selectors
from apps.survival.choices import ProjectState
from apps.survival.models import NewProject


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """ "2026-03" → 2026-03-01; anything else is a clear error (400 in the API)."""

    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        first = selectors.parse_month(value)
        if first is None:
            raise forms.ValidationError(_("Give a month as YYYY-MM."), code="invalid")
        return first


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=ProjectState.choices, label=_("state"))
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.select_related("parent").order_by("code", "name"),
        method="filter_region",
        label=_("region"),
    )
    engineer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("engineer"))
    sales = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("sales"))
    start_month = MonthFilter(method="filter_start_month", label=_("went live in (month)"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = NewProject
        fields = ["q", "state", "region", "engineer", "sales", "start_month", "customer"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            self.filters["engineer"].queryset = selectors.staff_on_projects(user=user, role_field="engineer")
            self.filters["sales"].queryset = selectors.staff_on_projects(user=user, role_field="sales")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.project_search(queryset, value) if value else queryset

    def filter_region(self, queryset, name, value):
        # A project's region is the customer's city (else its province): a province includes its cities.
        return queryset.filter(Q(region=value) | Q(region__parent=value))

    def filter_start_month(self, queryset, name, value):
        return queryset.filter(started_on__gte=value, started_on__lt=add_months(value, 1))
