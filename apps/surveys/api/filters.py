"""Filters of the survey API lists: the pages' filters under the same names, ids for people."""

import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IdFilter
from apps.surveys.filters import CaseFilter, RatingFilter, SurveyFilter


class SurveyApiFilter(SurveyFilter):
    engineer = IdFilter(field_name="engineer_id", label=_("engineer id"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("job completed on or after")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("job completed on or before")
    )
    answered_after = django_filters.DateFilter(
        field_name="answered_at", lookup_expr="date__gte", label=_("answered on or after")
    )
    answered_before = django_filters.DateFilter(
        field_name="answered_at", lookup_expr="date__lte", label=_("answered on or before")
    )

    class Meta(SurveyFilter.Meta):
        fields = [
            *SurveyFilter.Meta.fields,
            "work_order",
            "created_after",
            "created_before",
            "answered_after",
            "answered_before",
        ]


class CaseApiFilter(CaseFilter):
    pass


class RatingApiFilter(RatingFilter):
    engineer = IdFilter(field_name="engineer_id", label=_("engineer id"))
