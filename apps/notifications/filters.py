import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.core.filters import RecordFilterSet, YesNoFilter
from apps.notifications import selectors
from apps.notifications.choices import Channel, MessageState, WebhookKind
from apps.notifications.models import Message, WebhookEndpoint


class OutboxFilter(django_filters.FilterSet):
    """The outbox board: state, channel, creation date (Shanghai time) and free text."""

    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=MessageState.choices, label=_("State"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Created from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Created until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    event = django_filters.CharFilter(field_name="event_key", lookup_expr="startswith", label=_("Event starts with"))

    class Meta:
        model = Message
        fields = ["q", "state", "channel", "created_from", "created_to", "event"]

    def __init__(self, data=None, *args, **kwargs):
        # Bound even on a first visit, like RecordFilterSet, so the table always gets filter.qs.
        data = QueryDict(mutable=True) if data is None else data
        super().__init__(data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.outbox_search(queryset, value) if value else queryset


class InboxFilter(django_filters.FilterSet):
    unread = YesNoFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread"))

    class Meta:
        model = Message
        fields = ["unread"]


class WebhookEndpointFilter(RecordFilterSet):
    kind = django_filters.ChoiceFilter(choices=WebhookKind.choices, label=_("Kind"))

    class Meta:
        model = WebhookEndpoint
        fields = ["q", "kind", "status"]

    def search(self, queryset, value):
        return selectors.webhook_search(queryset, value)
