"""Filters of the follow-up API lists (ids for people and places, dates as local days)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter
from apps.followups import selectors
from apps.followups.choices import Job, LeaderState, SheetState, Stage, State
from apps.followups.models import FollowUp, FollowUpRule, FollowUpSheet


class FollowUpApiFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search (number, customer, work order, record)"))
    state = django_filters.MultipleChoiceFilter(choices=State.choices, label=_("state (repeatable)"))
    job = django_filters.MultipleChoiceFilter(choices=Job.choices, label=_("job (repeatable)"))
    leader_state = django_filters.ChoiceFilter(
        choices=[c for c in LeaderState.choices if c[0]], label=_("leader's decision")
    )
    assignee = IdFilter(field_name="assignee_id", label=_("caller id"))
    pool = YesNoFilter(field_name="assignee", lookup_expr="isnull", label=_("in the hotline clerks' pool"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    work_order = IdFilter(field_name="work_order_id", label=_("work order id"))
    due_after = django_filters.DateFilter(field_name="due_at", lookup_expr="date__gte", label=_("due on or after"))
    due_before = django_filters.DateFilter(field_name="due_at", lookup_expr="date__lte", label=_("due on or before"))
    overdue = YesNoFilter(method="filter_overdue", label=_("planned and past due"))

    class Meta:
        model = FollowUp
        fields = [
            "q",
            "state",
            "job",
            "leader_state",
            "assignee",
            "pool",
            "customer",
            "work_order",
            "due_after",
            "due_before",
            "overdue",
        ]

    def filter_q(self, queryset, name, value):
        return selectors.followup_search(queryset, value) if value.strip() else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = Q(state=State.PLANNED, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class FollowUpRuleApiFilter(RecordFilterSet):
    job = django_filters.ChoiceFilter(choices=Job.choices, label=_("job"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("when"))

    class Meta:
        model = FollowUpRule
        fields = ["q", "job", "stage", "status"]

    def search(self, queryset, value):
        return queryset.filter(note__icontains=value)


class FollowUpSheetApiFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=SheetState.choices, label=_("state (repeatable)"))
    caller = IdFilter(field_name="caller_id", label=_("caller id"))

    class Meta:
        model = FollowUpSheet
        fields = ["state", "caller"]
