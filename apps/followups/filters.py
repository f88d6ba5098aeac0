"""Filters of the follow-up list (page and API): every choice offered is itself scoped, so a
filter never reveals a name the user could not otherwise see."""

import django_filters
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.models import User
from apps.core.filters import IdFilter, YesNoFilter
from apps.followups import selectors
from apps.followups.choices import Job, LeaderState, State
from apps.followups.models import FollowUp

ALL = "all"
STATE_CHOICES = ((ALL, _("All")), *State.choices)
LEADER_CHOICES = tuple((value, label) for value, label in LeaderState.choices if value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class FollowUpFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(
        choices=STATE_CHOICES, method="filter_state", label=_("state"), empty_label=None
    )
    job = django_filters.ChoiceFilter(choices=Job.choices, label=_("job"))
    assignee = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(), label=pgettext_lazy("follow-up", "caller")
    )
    pool = YesNoFilter(method="filter_pool", label=_("hotline pool (no caller yet)"))
    due_from = django_filters.DateFilter(
        field_name="due_at", lookup_expr="date__gte", widget=DateInput, label=_("due from")
    )
    due_to = django_filters.DateFilter(
        field_name="due_at", lookup_expr="date__lte", widget=DateInput, label=_("due until")
    )
    overdue = YesNoFilter(method="filter_overdue", label=_("overdue"))
    leader_state = django_filters.ChoiceFilter(choices=LEADER_CHOICES, label=_("leader's decision"))
    open_questions = YesNoFilter(method="filter_open_questions", label=_("open questions"))
    # Ids arriving from links (a customer's or a work order's follow-ups).
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    work_order = IdFilter(field_name="work_order_id", label=_("work order id"))

    class Meta:
        model = FollowUp
        fields = [
            "q",
            "state",
            "job",
            "assignee",
            "pool",
            "due_from",
            "due_to",
            "overdue",
            "leader_state",
            "open_questions",
            "customer",
            "work_order",
        ]

    def __init__(self, data=None, *args, **kwargs):
        # A first visit shows the open follow-ups; "all" shows every state.
        data = QueryDict(mutable=True) if data is None else data.copy()
        if not data.get("state"):
            data["state"] = State.PLANNED
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            # Only callers of follow-ups the user may see.
            visible = selectors.followup_list(user=user).filter(assignee__isnull=False).values("assignee")
            self.filters["assignee"].queryset = User.objects.filter(pk__in=visible).order_by("name", "username")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.followup_search(queryset, value) if value else queryset

    def filter_state(self, queryset, name, value):
        return queryset if value == ALL else queryset.filter(state=value)

    def filter_pool(self, queryset, name, value):
        return queryset.filter(assignee__isnull=value)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(state=State.PLANNED, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_open_questions(self, queryset, name, value):
        waiting = ~Q(open_questions="") & Q(questions_answered_at__isnull=True)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)
