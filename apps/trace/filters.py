"""Filters of the delivery list (page, export and API) and of the notice board and recipients."""

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter
from apps.customers.models import Dealer
from apps.trace import selectors
from apps.trace.choices import NoticeClass, NoticeState
from apps.trace.models import Delivery, FieldNotice, NoticeRecipient

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class DeliveryFilter(RecordFilterSet):
    delivered_from = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("delivered from"), widget=DATE_INPUT
    )
    delivered_to = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="lte", label=_("delivered until"), widget=DATE_INPUT
    )
    lot_no = django_filters.CharFilter(field_name="lot__lot_no", lookup_expr="iexact", label=_("lot number"))
    serial_no = django_filters.CharFilter(field_name="serial_no", lookup_expr="iexact", label=_("serial number"))
    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.order_by("name"), label=_("dealer"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    item = IdFilter(field_name="item_id", label=_("item id"))
    lot = IdFilter(field_name="lot_id", label=_("lot id"))
    instrument = IdFilter(field_name="instrument_id", label=_("instrument id"))

    class Meta:
        model = Delivery
        fields = [
            "q",
            "status",
            "delivered_from",
            "delivered_to",
            "lot_no",
            "serial_no",
            "dealer",
            "customer",
            "item",
            "lot",
            "instrument",
        ]

    def search(self, queryset, value):
        return selectors.delivery_search(queryset, value)


class NoticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=NoticeState.choices, label=_("state"))
    notice_class = django_filters.ChoiceFilter(choices=NoticeClass.choices, label=_("class"))
    pending = YesNoFilter(method="filter_pending", label=_("not everybody acknowledged"))

    class Meta:
        model = FieldNotice
        fields = ["q", "state", "notice_class", "pending"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        return selectors.notice_search(queryset, value)

    def filter_pending(self, queryset, name, value):
        # acknowledged_count / recipient_count are annotations of selectors.notice_list.
        from django.db.models import F

        if value is None:
            return queryset
        if value:
            return queryset.filter(acknowledged_count__lt=F("recipient_count"))
        return queryset.exclude(acknowledged_count__lt=F("recipient_count"))


class RecipientFilter(django_filters.FilterSet):
    """The recipients of a notice (the API: of any notice the user may see)."""

    notice = IdFilter(field_name="notice_id", label=_("notice id"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    pending = YesNoFilter(method="filter_pending", label=_("not acknowledged yet"))
    overdue = YesNoFilter(method="filter_overdue", label=_("past due and not told"))

    class Meta:
        model = NoticeRecipient
        fields = ["notice", "customer", "pending", "overdue"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)

    def filter_pending(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(acknowledged_at__isnull=value)

    def filter_overdue(self, queryset, name, value):
        from django.db.models import Q
        from django.utils import timezone

        if value is None:
            return queryset
        late = Q(notified_at__isnull=True, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)
