"""Filters of the survey and case lists (pages and API). Every choice offered is itself scoped:
a filter never reveals a name the user could not otherwise see."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.filters import IdFilter, YesNoFilter
from apps.surveys import selectors
from apps.surveys.choices import OPEN_CASE_STATES, CaseKind, CaseState, Item, RaterGroup, SurveyChannel, SurveyState
from apps.surveys.models import EngineerRating, Survey, SurveyCase


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class SurveyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=SurveyState.choices, label=_("state"))
    channel = django_filters.ChoiceFilter(choices=SurveyChannel.choices, label=_("channel"))
    dissatisfied = YesNoFilter(method="filter_dissatisfied", label=_("dissatisfied score"))
    engineer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("engineer"))
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", widget=DateInput, label=_("job completed from")
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", widget=DateInput, label=_("job completed until")
    )
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    work_order = IdFilter(field_name="work_order_id", label=_("work order id"))

    class Meta:
        model = Survey
        fields = ["q", "state", "channel", "dissatisfied", "engineer", "created_from", "created_to", "customer"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            visible = selectors.survey_list(user=user).filter(engineer__isnull=False).values("engineer")
            self.filters["engineer"].queryset = User.objects.filter(pk__in=visible, role=Role.ENGINEER).order_by(
                "name", "username"
            )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.survey_search(queryset, value) if value else queryset

    def filter_dissatisfied(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(dissatisfied_count__gt=0) if value else queryset.filter(dissatisfied_count=0)


OPEN = "open"
CASE_STATE_CHOICES = ((OPEN, _("Open (not closed)")), *CaseState.choices)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=CASE_STATE_CHOICES, method="filter_state", label=_("state"))
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices, label=_("kind"))
    item = django_filters.ChoiceFilter(choices=Item.choices, label=pgettext_lazy("survey", "item"))
    mine = YesNoFilter(method="filter_mine", label=_("owned by my role"))
    survey = IdFilter(field_name="survey_id", label=_("survey id"))

    class Meta:
        model = SurveyCase
        fields = ["q", "state", "kind", "item", "mine", "survey"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(survey__number__icontains=value)
            | Q(survey__work_order__number__icontains=value)
            | Q(survey__customer__name__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=OPEN_CASE_STATES)
        return queryset.filter(state=value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        role = Role.ADMIN if user.is_superuser else user.role
        return queryset.filter(owner_role=role) if value else queryset.exclude(owner_role=role)


class RatingFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(
        method="filter_month",
        label=_("month"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-06"}),
    )
    engineer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("engineer"))
    rater_group = django_filters.ChoiceFilter(choices=RaterGroup.choices, label=_("rater group"))

    class Meta:
        model = EngineerRating
        fields = ["month", "engineer", "rater_group"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            rated = selectors.rating_list(user=user).values("engineer")
            self.filters["engineer"].queryset = User.objects.filter(pk__in=rated).order_by("name", "username")

    def filter_month(self, queryset, name, value):
        month = selectors.parse_month(value)
        return queryset.filter(month=month) if month else queryset
