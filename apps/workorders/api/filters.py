"""Filters of the work-order list in the API: the list page's filters (apps.workorders.filters)
under the same names, plus the API's conventional ones — ids for people and places, `status`
for the state (repeatable), `open`, and `created_after` / `created_before`."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IdFilter, YesNoFilter
from apps.workorders.choices import OPEN_STATUSES, Status
from apps.workorders.filters import WorkOrderFilter


class WorkOrderApiFilter(WorkOrderFilter):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status (repeatable)"))
    open = YesNoFilter(method="filter_open", label=_("open (not finished)"))
    engineer = IdFilter(field_name="engineer_id", label=_("engineer id"))
    region = IdFilter(method="filter_region", label=_("region id (a province includes its cities)"))
    province = IdFilter(method="filter_region", label=_("province id"))
    created_after = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("registered on or after")
    )
    created_before = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("registered on or before")
    )

    class Meta(WorkOrderFilter.Meta):
        fields = [
            *WorkOrderFilter.Meta.fields,
            *(
                f
                for f in ("status", "open", "engineer", "region", "created_after", "created_before")
                if f not in WorkOrderFilter.Meta.fields
            ),
        ]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_region(self, queryset, name, value):
        # An order's region is the customer's city (else its province).
        return queryset.filter(Q(region_id=value) | Q(region__parent_id=value))
