import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.followups.choices import LeaderState, State
from apps.followups.models import FollowUp

# Badge classes of the global stylesheet (ok / warn / danger); anything else is grey.
STATE_BADGES = {
    State.PLANNED: "",
    State.DONE: "ok",
    State.SUPERSEDED: "inactive",
    State.CANCELLED: "inactive",
}
LEADER_BADGES = {LeaderState.PENDING: "danger", LeaderState.DECIDED: "warn", LeaderState.TOLD: "ok"}


def local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"


def is_overdue(followup, now=None) -> bool:
    return followup.state == State.PLANNED and followup.due_at < (now or timezone.now())


def state_badges(followup, now=None) -> str:
    """The state and what a reader must notice: overdue, unreachable, a leader's decision, open questions."""
    flags = [(STATE_BADGES.get(followup.state, ""), followup.get_state_display())]
    if is_overdue(followup, now):
        flags.append(("danger", _("Overdue")))
    if followup.state == State.PLANNED and followup.attempts:
        flags.append(("warn", _("Not reached ×%(n)s") % {"n": followup.attempts}))
    if followup.leader_state:
        flags.append((LEADER_BADGES.get(followup.leader_state, ""), followup.get_leader_state_display()))
    if followup.open_questions and followup.questions_answered_at is None:
        flags.append(("warn", _("Open questions")))
    return format_html_join(" ", '<span class="badge {}">{}</span>', flags)


def caller_name(followup) -> str:
    return str(followup.assignee) if followup.assignee_id else str(_("Hotline clerks"))


class FollowUpTable(tables.Table):
    # Everything rendered comes from followup_list's select_related: the query count of a page
    # does not grow with its rows.
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    state = tables.Column(verbose_name=_("State"))
    due_at = tables.Column(verbose_name=_("Due"))
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    job = tables.Column(verbose_name=_("Job"))
    stage = tables.Column(verbose_name=_("Which follow-up"))
    channel = tables.Column(verbose_name=_("Channel"))
    assignee = tables.Column(
        verbose_name=_("Caller"), order_by=("assignee__name", "assignee__username"), default=_("Hotline clerks")
    )
    work_order = tables.Column(
        accessor="work_order__number", verbose_name=_("Work order"), order_by=("work_order__number",)
    )
    done_at = tables.Column(verbose_name=_("Done"))

    class Meta:
        model = FollowUp
        # Phone first: what and when before who.
        fields = (
            "number",
            "state",
            "due_at",
            "customer",
            "job",
            "stage",
            "channel",
            "assignee",
            "work_order",
            "done_at",
        )
        sequence = fields
        attrs = {"class": "table fu-table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
        order_by = ("due_at",)

    def render_state(self, record):
        return state_badges(record)

    def render_due_at(self, value):
        return local(value)

    def render_done_at(self, value):
        return local(value)

    def render_stage(self, record):
        # The reason is on the detail page; here a hover tells it without widening the row.
        return format_html('<span title="{}">{}</span>', record.reason, record.get_stage_display())

    def render_assignee(self, record):
        return caller_name(record)

    def render_work_order(self, record, value):
        return format_html('<a href="{}">{}</a>', record.work_order.get_absolute_url(), value)
