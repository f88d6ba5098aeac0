"""Filters of the work-order list (page and, later, the API): every choice offered is itself
scoped, so a filter never reveals a name the user could not otherwise see."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Region, User
from apps.core.filters import IdFilter, YesNoFilter
from apps.workorders import selectors
from apps.workorders.choices import FINAL_STATUSES, OPEN_STATUSES, Status, Urgency, WorkType
from apps.workorders.models import WorkOrder

OPEN = "open"
FINISHED = "finished"
STATUS_CHOICES = (
    (OPEN, _("Open (not finished)")),
    (FINISHED, _("Finished or cancelled")),
    *Status.choices,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class WorkOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_state", label=_("status"))
    work_type = django_filters.ChoiceFilter(choices=WorkType.choices, label=_("type"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("urgency"))
    engineer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("engineer"))
    province = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"),
        method="filter_province",
        label=_("province"),
    )
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", widget=DateInput, label=_("registered from")
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", widget=DateInput, label=_("registered until")
    )
    application_missing = YesNoFilter(label=_("application missing"))
    overdue = YesNoFilter(method="filter_overdue", label=_("SLA clock overdue"))
    # Ids arriving from links ("all work orders" on a customer's or an instrument's page).
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    instrument = IdFilter(field_name="instrument_id", label=_("instrument id"))

    class Meta:
        model = WorkOrder
        fields = [
            "q",
            "state",
            "work_type",
            "urgency",
            "engineer",
            "province",
            "created_from",
            "created_to",
            "application_missing",
            "overdue",
            "customer",
            "instrument",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            # Only engineers on orders the user may see.
            visible = selectors.workorder_list(user=user).filter(engineer__isnull=False).values("engineer")
            self.filters["engineer"].queryset = User.objects.filter(pk__in=visible, role=Role.ENGINEER).order_by(
                "name", "username"
            )

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.workorder_search(queryset, value) if value else queryset

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        if value == FINISHED:
            return queryset.filter(status__in=FINAL_STATUSES | {Status.COMPLETED})
        return queryset.filter(status=value)

    def filter_province(self, queryset, name, value):
        # An order's region is the customer's city (else its province).
        return queryset.filter(Q(region=value) | Q(region__parent=value))

    def filter_overdue(self, queryset, name, value):
        """SPEC SLA-5: orders with an open clock past its deadline."""
        from django.contrib.contenttypes.models import ContentType

        from apps.sla.choices import OPEN_CLOCK_STATES
        from apps.sla.models import SlaClock

        overdue = SlaClock.objects.filter(
            content_type=ContentType.objects.get_for_model(WorkOrder),
            state__in=OPEN_CLOCK_STATES,
            due_at__lte=timezone.now(),
        ).values("object_id")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)
