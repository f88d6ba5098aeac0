import django_filters
from django.utils.translation import gettext_lazy as _

from apps.core.filters import RecordFilterSet
from apps.trending import selectors
from apps.trending.choices import Decision, Dimension, SignalState, Source
from apps.trending.models import TrendSignal, TrendThreshold


class ThresholdFilter(RecordFilterSet):
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("What is counted"))
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label=_("Per"))

    class Meta:
        model = TrendThreshold
        fields = ["q", "source", "dimension", "status"]

    def search(self, queryset, value):
        return selectors.threshold_search(queryset, value)


class SignalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=SignalState.choices, label=_("State"))
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("What is counted"))
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices, label=_("Per"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("Decision"))
    threshold = django_filters.ModelChoiceFilter(queryset=TrendThreshold.objects.all(), label=_("Threshold"))

    class Meta:
        model = TrendSignal
        fields = ["q", "state", "source", "dimension", "decision", "threshold"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.signal_search(queryset, value) if value else queryset
