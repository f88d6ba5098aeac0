"""The follow-up rules table (FU-1: "a rules table that an admin can read and change").

/follow-up-rules/ lists the rules grouped by job, each with a plain-language explanation; an
admin or the technical head adds, edits (optimistic version: a stale edit keeps the input) and
deactivates them. The generic record views of apps.core.views do the work; changes apply to the
follow-ups planned from then on (a completed job is planned from the rules active at that time).
"""

import django_filters
import django_tables2 as tables
from django.db.models import Case, Value, When
from django.urls import include, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from apps.core import views as generic
from apps.core.filters import RecordFilterSet
from apps.core.services import record_set_active
from apps.core.tables import RecordTable
from apps.followups import selectors, services
from apps.followups.choices import AssigneeRole, Channel, Job, OffsetUnit, Stage
from apps.followups.forms_sheets import FollowUpRuleForm
from apps.followups.models import FollowUpRule

# --- the rule in plain words -------------------------------------------------------------------


def _amount(value: int, unit: str) -> str:
    if unit == OffsetUnit.HOURS:
        return ngettext("%(n)s hour", "%(n)s hours", value) % {"n": value}
    if unit == OffsetUnit.WORKING_DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", value) % {"n": value}
    return ngettext("%(n)s calendar day", "%(n)s calendar days", value) % {"n": value}


def _days(value: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", value) % {"n": value}


def explain(rule: FollowUpRule) -> str:
    """One sentence a technical head can check against the written policy, e.g.
    "Installation / upgrade / replacement: phone call 24 hours after completion, by the engineer
    who did the job." It reads the rule exactly as apps.followups.services plans from it."""
    channel = {Channel.PHONE: _("phone call"), Channel.VISIT: _("on-site visit")}.get(rule.channel, rule.channel)
    who = {
        AssigneeRole.ENGINEER: _("the engineer who did the job"),
        AssigneeRole.CUSTOMER_ENGINEER: _("the customer's responsible engineer"),
        AssigneeRole.CLERK: _("a hotline clerk"),
    }.get(rule.assignee_role, rule.assignee_role)
    offset = _amount(rule.offset, rule.unit)
    if rule.stage == Stage.FIXED:
        when = _("%(offset)s after completion") % {"offset": offset}
    elif rule.stage == Stage.AFTER_GOOD:
        when = _(
            "%(offset)s after completion once the earlier follow-ups found all well "
            "(at the earliest the day after the last call)"
        ) % {"offset": offset}
    elif rule.stage == Stage.RECURRING:
        when = _("every %(interval)s after the last call while all is well, until %(horizon)s after completion") % {
            "interval": _days(rule.interval_days),
            "horizon": _days(rule.horizon_days),
        }
    elif rule.stage == Stage.POOR_DAILY:
        when = _("%(offset)s after the last call while results are worse than usual, until solved") % {"offset": offset}
    else:
        when = _("when a caller plans it by hand")
    return _("%(job)s: %(channel)s %(when)s, by %(who)s.") % {
        "job": rule.get_job_display(),
        "channel": channel,
        "when": when,
        "who": who,
    }


# --- list ----------------------------------------------------------------------------------------


class RuleTable(RecordTable):
    """Rows come grouped by job (templates/followups/rule_list.html prints a heading per job), so
    the columns do not re-sort."""

    sequence = tables.Column(linkify=True)
    stage = tables.Column()
    offset = tables.Column(verbose_name=gettext_lazy("Offset"), empty_values=())
    channel = tables.Column()
    assignee_role = tables.Column()
    questionnaire = tables.Column()
    repeat = tables.Column(verbose_name=gettext_lazy("Repeat every / until"), empty_values=())
    note = tables.Column()
    explanation = tables.Column(verbose_name=gettext_lazy("In plain words"), empty_values=())

    class Meta(RecordTable.Meta):
        model = FollowUpRule
        fields = (
            "sequence",
            "stage",
            "offset",
            "channel",
            "assignee_role",
            "questionnaire",
            "repeat",
            "note",
            "is_active",
            "explanation",
        )
        orderable = False

    def render_offset(self, record):
        if record.stage == Stage.RECURRING:
            return "—"
        return _amount(record.offset, record.unit)

    def render_repeat(self, record):
        if record.stage != Stage.RECURRING:
            return "—"
        return f"{_days(record.interval_days)} / {_days(record.horizon_days)}"

    def render_explanation(self, record):
        return explain(record)


class RuleFilter(RecordFilterSet):
    job = django_filters.ChoiceFilter(choices=Job.choices, label=gettext_lazy("Job"))
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=gettext_lazy("When"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=gettext_lazy("Channel"))

    class Meta:
        model = FollowUpRule
        fields = ["q", "job", "stage", "channel", "status"]

    def search(self, queryset, value):
        return queryset.filter(note__icontains=value)


class RuleMixin:
    resource = "followup_rule"
    url_prefix = "followups:rule"
    model = FollowUpRule
    selector = selectors.rule_list


class RuleListView(RuleMixin, generic.RecordListView):
    template_name = "followups/rule_list.html"
    htmx_template_name = "followups/_rule_table.html"
    filterset_class = RuleFilter
    table_class = RuleTable
    # The whole table on one page: it has a few lines per job.
    paginate_by = 100
    search_placeholder = gettext_lazy("Search the notes")

    def get_queryset(self):
        # Jobs in the order of the written policy (installation first), then each job's order.
        by_policy = Case(*(When(job=job, then=Value(i)) for i, job in enumerate(Job.values)), default=Value(99))
        return super().get_queryset().order_by(by_policy, "sequence", "pk")


class RuleDetailView(RuleMixin, generic.RecordDetailView):
    template_name = "followups/rule_detail.html"
    detail_fields = (
        "job",
        "sequence",
        "stage",
        "offset",
        "unit",
        "channel",
        "assignee_role",
        "questionnaire",
        "interval_days",
        "horizon_days",
        "note",
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["explanation"] = explain(self.object)
        ctx["siblings"] = selectors.rule_list(user=self.request.user).filter(job=self.object.job, is_active=True)
        return ctx


# The generic views call services with the shape of apps.core.services (instance=, m2m=).
class RuleCreateView(RuleMixin, generic.RecordCreateView):
    form_class = FollowUpRuleForm
    create_service = services.rule_create
    template_name = "followups/rule_form.html"

    def get_initial(self):
        initial = super().get_initial()
        job = self.request.GET.get("job")
        if job in Job.values:
            initial["job"] = job
        return initial


class RuleUpdateView(RuleMixin, generic.RecordUpdateView):
    form_class = FollowUpRuleForm
    update_service = services.rule_update
    template_name = "followups/rule_form.html"


class RuleDeactivateView(RuleMixin, generic.RecordSetActiveView):
    set_active_service = record_set_active


class RuleReactivateView(RuleDeactivateView):
    activate = True


urlpatterns = [
    path(
        "follow-up-rules/",
        include(
            generic.record_urlpatterns(
                "rule",
                list_view=RuleListView,
                detail_view=RuleDetailView,
                create_view=RuleCreateView,
                update_view=RuleUpdateView,
                deactivate_view=RuleDeactivateView,
                reactivate_view=RuleReactivateView,
            )
        ),
    ),
]
