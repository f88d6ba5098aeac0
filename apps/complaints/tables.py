"""Tables of the complaint pages, and the small displays they share with the templates (status
badge, a regulatory deadline with its time left). Everything a row shows comes from the
selectors' select_related and annotations: a page's query count does not grow with its rows."""

import datetime as dt

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.complaints.choices import CapaState, ReviewState, Status
from apps.complaints.models import Capa, Complaint, ReassignmentReview, ReportingRule
from apps.core.tables import RecordTable

STATUS_CSS = {
    Status.RECEIVED: "warn",
    Status.REVIEW: "warn",
    Status.CLOSED: "ok",
    Status.NOT_COMPLAINT: "inactive",
}


def status_badge(status: str) -> str:
    try:
        label = Status(status).label
    except ValueError:
        label = status
    return format_html('<span class="badge {}">{}</span>', STATUS_CSS.get(status, ""), label)


def time_left_text(left: dt.timedelta) -> str:
    """ "3 d 4 h left", "5 h 10 min left", "2 d 1 h overdue" — regulatory deadlines run in
    calendar time (hours or days), so days are shown, unlike the SLA clocks' business hours."""
    overdue = left < dt.timedelta(0)
    minutes = int(abs(left).total_seconds() + 59) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        amount = gettext("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    elif hours:
        amount = gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    else:
        amount = gettext("%(minutes)s min") % {"minutes": minutes}
    return (gettext("%(time)s overdue") if overdue else gettext("%(time)s left")) % {"time": amount}


def deadline_state(due_at, *, warn_at=None, now=None) -> str:
    """'overdue', 'warning' (inside the rule's warning window) or 'ok'."""
    now = now or timezone.now()
    if due_at <= now:
        return "overdue"
    if warn_at is not None and warn_at <= now:
        return "warning"
    return "ok"


DEADLINE_CSS = {"overdue": "danger", "warning": "warn", "ok": ""}


def due_badge(due_at, *, warn_at=None, now=None) -> str:
    if due_at is None:
        return format_html('<span class="muted">{}</span>', "—")
    now = now or timezone.now()
    state = deadline_state(due_at, warn_at=warn_at, now=now)
    return format_html(
        '<span class="badge {}"><time datetime="{}">{}</time> · {}</span>',
        DEADLINE_CSS[state],
        due_at.isoformat(),
        timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
        time_left_text(due_at - now),
    )


def person(user) -> str:
    if user is None:
        return "—"
    return user.name or user.username


class ComplaintTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    received_at = tables.Column(verbose_name=_("Received"))
    customer = tables.Column(
        verbose_name=_("Customer / complainant"), order_by=("customer__name", "complainant_name"), empty_values=()
    )
    summary = tables.Column(verbose_name=_("Complaint"), orderable=False)
    kind = tables.Column(verbose_name=_("Kind"))
    status = tables.Column(verbose_name=_("Status"))
    next_due_at = tables.Column(verbose_name=_("Next regulatory deadline"), empty_values=())
    handler = tables.Column(verbose_name=_("Handled by"), order_by=("handler__name",), empty_values=())

    class Meta:
        model = Complaint
        fields = ("number", "received_at", "customer", "summary", "kind", "status", "next_due_at", "handler")
        sequence = fields
        attrs = {"class": "table cp-table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
        order_by = ("-received_at",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = timezone.now()

    def render_received_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def render_customer(self, record):
        if record.customer_id:
            return format_html("{}<br><small class='muted'>{}</small>", record.customer.name, record.complainant_name)
        return record.complainant_name

    def render_summary(self, value):
        return format_html('<span class="cp-summary">{}</span>', value)

    def render_status(self, record):
        return status_badge(record.status)

    def render_next_due_at(self, record):
        due = getattr(record, "next_due_at", None)
        if due is None:
            return format_html('<span class="muted">{}</span>', "—")
        return due_badge(due, now=self.now)

    def render_handler(self, record):
        return person(record.handler) if record.handler_id else "—"


class ReportingRuleTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True, accessor="label", order_by=("name",), verbose_name=_("Report"))
    event = tables.Column()
    recipient = tables.Column(accessor="recipient_label", order_by=("recipient",), verbose_name=_("To"))
    amount = tables.Column(verbose_name=_("Deadline"), order_by=("unit", "amount"))

    class Meta(RecordTable.Meta):
        model = ReportingRule
        fields = ("code", "jurisdiction", "event", "name", "recipient", "amount", "escalate_role", "is_active")
        sequence = fields
        order_by = ("jurisdiction", "event")

    def render_amount(self, record):
        return record.deadline_text


class CapaTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("CAPA number"))
    title = tables.Column(verbose_name=_("Title"))
    owner = tables.Column(verbose_name=_("Owner"), order_by=("owner__name",))
    due_on = tables.Column(verbose_name=_("Due on"))
    state = tables.Column(verbose_name=_("State"))
    complaint_count = tables.Column(verbose_name=_("Complaints"))

    class Meta:
        model = Capa
        fields = ("number", "title", "owner", "due_on", "state", "complaint_count")
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25

    def render_owner(self, value):
        return person(value)

    def render_state(self, record):
        css = "ok" if record.state == CapaState.CLOSED else "warn"
        return format_html('<span class="badge {}">{}</span>', css, record.get_state_display())


class ReviewTable(tables.Table):
    engineer = tables.Column(verbose_name=_("Engineer"), order_by=("engineer__name",))
    complaint = tables.Column(verbose_name=_("Complaint that raised it"), order_by=("complaint__number",))
    earlier = tables.Column(verbose_name=_("Earlier complaint"), order_by=("earlier__number",))
    raised_at = tables.Column(verbose_name=_("Raised at"))
    state = tables.Column(verbose_name=_("State"))
    decision = tables.Column(verbose_name=_("Decision"), orderable=False, empty_values=())

    class Meta:
        model = ReassignmentReview
        # The decision (the link to decide) next to the engineer: on a phone the table scrolls.
        fields = ("engineer", "state", "decision", "complaint", "earlier", "raised_at")
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("No reassignment review.")
        per_page = 25

    def render_engineer(self, value):
        return person(value)

    def render_complaint(self, value):
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value.number)

    def render_earlier(self, value):
        return format_html('<a href="{}">{}</a>', value.get_absolute_url(), value.number)

    def render_raised_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    def render_state(self, record):
        css = "ok" if record.state == ReviewState.DECIDED else "danger"
        return format_html('<span class="badge {}">{}</span>', css, record.get_state_display())

    def render_decision(self, record):
        if record.state == ReviewState.DECIDED:
            return format_html(
                "{}<br><small class='muted'>{} · {}</small>",
                record.decision,
                person(record.decided_by),
                timezone.localtime(record.decided_at).strftime("%Y-%m-%d %H:%M"),
            )
        from django.urls import reverse

        from apps.core.access import can

        request = getattr(self, "request", None)
        if request is None or not can(request.user, "reassignment_review", "change"):
            return format_html('<span class="muted">{}</span>', _("to decide"))
        return format_html(
            '<a class="button" href="{}">{}</a>', reverse("complaints:review_decide", args=[record.pk]), _("Decide")
        )
