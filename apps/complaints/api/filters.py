"""Filters of the complaint API lists: ids for people and places, dates as local days, `status`
repeatable, `q` the same search as the list page."""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.complaints import selectors
from apps.complaints.choices import (
    OPEN_STATUSES,
    CapaState,
    EventCategory,
    Jurisdiction,
    Kind,
    ReportState,
    ReviewState,
    Status,
)
from apps.complaints.models import Capa, Complaint, ReassignmentReview, RegulatoryReport, ReportingRule
from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter


def _late_report_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": ReportState.PENDING, f"{prefix}due_at__lte": timezone.now()})


class ComplaintApiFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label=_("Search (number, summary, customer, complainant, lot, serial)")
    )
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status (repeatable)"))
    kind = django_filters.MultipleChoiceFilter(choices=Kind.choices, label=_("kind (repeatable)"))
    open = YesNoFilter(method="filter_open", label=_("open (not closed)"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    engineer = IdFilter(field_name="engineer_id", label=_("id of the engineer complained about"))
    handler = IdFilter(field_name="handler_id", label=_("handler id"))
    lot_no = django_filters.CharFilter(method="filter_lot_no", label=_("lot number"))
    serial_no = django_filters.CharFilter(method="filter_serial_no", label=_("serial number"))
    reportable = YesNoFilter(field_name="reportable", label=_("reportable to an authority"))
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label=_("received on or after")
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label=_("received on or before")
    )
    overdue = YesNoFilter(
        method="filter_overdue",
        label=_("a regulatory report or a reply / plan / resolution time limit (CP-4) is overdue"),
    )

    class Meta:
        model = Complaint
        fields = [
            "q",
            "status",
            "kind",
            "open",
            "customer",
            "engineer",
            "handler",
            "lot_no",
            "serial_no",
            "reportable",
            "received_after",
            "received_before",
            "overdue",
        ]

    def filter_q(self, queryset, name, value):
        return selectors.complaint_search(queryset, value)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_lot_no(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(lot_no__iexact=value) if value else queryset

    def filter_serial_no(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(serial_no__iexact=value) | Q(instrument__serial_no__iexact=value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        from apps.sla.choices import OPEN_CLOCK_STATES
        from apps.sla.models import SlaClock

        now = timezone.now()
        late_report = RegulatoryReport.objects.filter(_late_report_q(), complaint=OuterRef("pk"))
        late_clock = SlaClock.objects.filter(
            content_type=ContentType.objects.get_for_model(Complaint),
            object_id=OuterRef("pk"),
            state__in=OPEN_CLOCK_STATES,
            due_at__lte=now,
        )
        late = Exists(late_report) | Exists(late_clock)
        return queryset.filter(late) if value else queryset.exclude(late)


class RegulatoryReportApiFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ReportState.choices, label=_("state (repeatable)"))
    event = django_filters.ChoiceFilter(
        field_name="rule__event", choices=EventCategory.choices, label=_("event category")
    )
    complaint = IdFilter(field_name="complaint_id", label=_("complaint id"))
    overdue = YesNoFilter(method="filter_overdue", label=_("still to submit and past its deadline"))
    due_before = django_filters.DateFilter(field_name="due_at", lookup_expr="date__lte", label=_("due on or before"))

    class Meta:
        model = RegulatoryReport
        fields = ["state", "event", "complaint", "overdue", "due_before"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(_late_report_q()) if value else queryset.exclude(_late_report_q())


class CapaApiFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search (number, title)"))
    state = django_filters.ChoiceFilter(choices=CapaState.choices, label=_("state"))
    owner = IdFilter(field_name="owner_id", label=_("owner id"))

    class Meta:
        model = Capa
        fields = ["q", "state", "owner"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value)) if value else queryset


class ReportingRuleApiFilter(RecordFilterSet):
    jurisdiction = django_filters.ChoiceFilter(choices=Jurisdiction.choices, label=_("jurisdiction"))
    event = django_filters.ChoiceFilter(choices=EventCategory.choices, label=_("event"))

    class Meta:
        model = ReportingRule
        fields = ["q", "jurisdiction", "event", "status"]

    def search(self, queryset, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(recipient__icontains=value))


class ReassignmentReviewApiFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ReviewState.choices, label=_("state"))
    engineer = IdFilter(field_name="engineer_id", label=_("engineer id"))

    class Meta:
        model = ReassignmentReview
        fields = ["state", "engineer"]
