"""Filters of the complaint pages (and, later, the API): every choice offered is itself scoped or
a fixed list, so a filter never reveals a name the user could not otherwise see."""

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.complaints import selectors
from apps.complaints.choices import OPEN_STATUSES, CapaState, EventCategory, Jurisdiction, Kind, ReviewState, Status
from apps.complaints.models import Capa, Complaint, ReassignmentReview, ReportingRule
from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter

OPEN = "open"
STATUS_CHOICES = ((OPEN, _("Open (not closed)")), *Status.choices)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ComplaintFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", label=_("status"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("kind"))
    customer_name = django_filters.CharFilter(field_name="customer__name", lookup_expr="icontains", label=_("customer"))
    received_from = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", widget=DateInput, label=_("received from")
    )
    received_to = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", widget=DateInput, label=_("received until")
    )
    overdue_report = YesNoFilter(method="filter_overdue_report", label=_("regulatory report overdue"))
    pending_reports = YesNoFilter(method="filter_pending_reports", label=_("regulatory reports to submit"))
    handler = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("handled by"))
    # Ids arriving from links ("complaints" on a customer's page, an engineer's record).
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    engineer = IdFilter(field_name="engineer_id", label=_("engineer id"))

    class Meta:
        model = Complaint
        fields = [
            "q",
            "status",
            "kind",
            "customer_name",
            "received_from",
            "received_to",
            "overdue_report",
            "pending_reports",
            "handler",
            "customer",
            "engineer",
        ]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
        self.filters["handler"].queryset = User.objects.filter(
            role__in=(Role.QUALITY, Role.TECH_HEAD, Role.SUPERVISOR, Role.ADMIN), is_active=True
        ).order_by("name", "username")

    def filter_q(self, queryset, name, value):
        return selectors.complaint_search(queryset, value)

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_overdue_report(self, queryset, name, value):
        return selectors.with_overdue_reports(queryset, present=value)

    def filter_pending_reports(self, queryset, name, value):
        return selectors.with_pending_reports(queryset, present=value)


class ReportingRuleFilter(RecordFilterSet):
    jurisdiction = django_filters.ChoiceFilter(choices=Jurisdiction.choices, label=_("jurisdiction"))
    event = django_filters.ChoiceFilter(choices=EventCategory.choices, label=_("event"))

    class Meta:
        model = ReportingRule
        fields = ["q", "jurisdiction", "event", "status"]

    def search(self, queryset, value):
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(recipient__icontains=value))


class CapaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(choices=CapaState.choices, label=_("state"))

    class Meta:
        model = Capa
        fields = ["q", "state"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value))


class ReviewFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, label=_("state"))

    class Meta:
        model = ReassignmentReview
        fields = ["state"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
