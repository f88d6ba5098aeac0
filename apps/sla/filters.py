import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.filters import RecordFilterSet
from apps.sla import selectors
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy


class CalendarFilter(RecordFilterSet):
    class Meta:
        model = BusinessCalendar
        fields = ["q", "mode", "status"]

    def search(self, queryset, value):
        return selectors.calendar_search(queryset, value)


class DayOverrideFilter(RecordFilterSet):
    year = django_filters.NumberFilter(
        field_name="date", lookup_expr="year", label=_("Year"), min_value=1980, max_value=2100
    )
    calendar = django_filters.ModelChoiceFilter(
        queryset=BusinessCalendar.objects.all(), label=_("Calendar"), null_label=_("Every calendar")
    )

    class Meta:
        model = DayOverride
        fields = ["q", "year", "calendar", "kind", "status"]

    def search(self, queryset, value):
        return selectors.override_search(queryset, value)


class SlaPolicyFilter(RecordFilterSet):
    calendar = django_filters.ModelChoiceFilter(
        queryset=BusinessCalendar.objects.all(), label=_("Calendar"), null_label=_("Default calendar")
    )

    class Meta:
        model = SlaPolicy
        fields = ["q", "escalate_role", "calendar", "status"]

    def search(self, queryset, value):
        return selectors.policy_search(queryset, value)
