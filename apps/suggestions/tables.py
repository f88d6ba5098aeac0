import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.suggestions.choices import Status
from apps.suggestions.models import Suggestion

STATUS_BADGES = {
    Status.COLLECTED: "danger",
    Status.DISCUSSION: "warn",
    Status.DECIDED: "warn",
    Status.ANSWERED: "ok",
    Status.WITHDRAWN: "inactive",
}


def status_badge(suggestion) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGES.get(suggestion.status, ""), suggestion.get_status_display()
    )


class SuggestionTable(tables.Table):
    # Everything rendered comes from selectors.suggestion_list (select_related): the query count
    # of a page does not grow with its rows.
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    received_on = tables.Column(verbose_name=_("Received"))
    title = tables.Column(verbose_name=_("Suggestion"), orderable=False)
    source = tables.Column(verbose_name=_("From"))
    made_by = tables.Column(verbose_name=_("Made by"), accessor="submitter_name", order_by=("submitter_name",))
    category = tables.Column(verbose_name=_("Category"))
    status = tables.Column(verbose_name=_("Status"))
    decision = tables.Column(verbose_name=_("Decision"), empty_values=())

    class Meta:
        model = Suggestion
        fields = ("number", "received_on", "title", "source", "made_by", "category", "status", "decision")
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("Nothing matches these filters.")
        order_by = ("-received_on",)

    def render_received_on(self, value):
        return value.isoformat()

    def render_title(self, value):
        return value if len(value) <= 40 else value[:39] + "…"

    def render_made_by(self, record):
        if record.customer_id:
            return format_html("{} <span class='muted'>{}</span>", record.submitter_name, record.customer.name)
        return record.submitter_name

    def render_status(self, record):
        return status_badge(record)

    def render_decision(self, record):
        return record.get_decision_display() or "—"
