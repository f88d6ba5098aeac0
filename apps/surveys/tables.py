"""List tables. Everything rendered comes from the selectors' select_related: the queries of a
page do not grow with its rows."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.surveys import policies
from apps.surveys.choices import CaseState, SurveyState
from apps.surveys.models import EngineerRating, Survey, SurveyCase

SURVEY_BADGES = {
    SurveyState.PENDING: "warn",
    SurveyState.ANSWERED: "ok",
    SurveyState.EXPIRED: "inactive",
    SurveyState.CANCELLED: "inactive",
}
CASE_BADGES = {
    CaseState.OPEN: "danger",
    CaseState.CAUSE_FOUND: "warn",
    CaseState.FORWARDED: "warn",
    CaseState.ANSWERED: "ok",
    CaseState.CLOSED: "inactive",
}


def local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"


def score_badge(score) -> str:
    if score is None:
        return "—"
    tone = "danger" if score <= policies.DISSATISFIED_AT_MOST else ("ok" if score >= 4 else "")
    return format_html('<span class="badge {}">{}</span>', tone, score)


class SurveyTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    state = tables.Column(verbose_name=_("State"))
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    work_order = tables.Column(
        accessor="work_order__number", verbose_name=_("Work order"), order_by=("work_order__number",)
    )
    engineer = tables.Column(verbose_name=_("Engineer"), order_by=("engineer__name",))
    channel = tables.Column(verbose_name=_("Channel"))
    overall_score = tables.Column(verbose_name=_("Overall"))
    dissatisfied_count = tables.Column(verbose_name=_("Dissatisfied"))
    created_at = tables.Column(verbose_name=_("Job completed"))
    answered_at = tables.Column(verbose_name=_("Answered"))

    class Meta:
        model = Survey
        fields = (
            "number",
            "state",
            "customer",
            "work_order",
            "engineer",
            "channel",
            "overall_score",
            "dissatisfied_count",
            "created_at",
            "answered_at",
        )
        sequence = fields
        attrs = {"class": "table sv-table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
        order_by = ("-created_at",)

    def render_state(self, record):
        return format_html(
            '<span class="badge {}">{}</span>', SURVEY_BADGES.get(record.state, ""), record.get_state_display()
        )

    def render_channel(self, record):
        return record.get_channel_display() or "—"

    def render_overall_score(self, value):
        return score_badge(value)

    def render_dissatisfied_count(self, value):
        return format_html('<span class="badge danger">{}</span>', value) if value else "—"

    def render_created_at(self, value):
        return local(value)

    def render_answered_at(self, value):
        return local(value)


class CaseTable(tables.Table):
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    state = tables.Column(verbose_name=_("State"))
    kind = tables.Column(verbose_name=_("Kind"))
    item = tables.Column(verbose_name=_("Item"))
    score = tables.Column(verbose_name=_("Score"))
    customer = tables.Column(
        accessor="survey__customer__name", verbose_name=_("Customer"), order_by=("survey__customer__name",)
    )
    owner_role = tables.Column(verbose_name=_("Owner"))
    opened_at = tables.Column(verbose_name=_("Opened"))
    answer_due_on = tables.Column(verbose_name=_("Answer due"))

    class Meta:
        model = SurveyCase
        fields = ("number", "state", "kind", "item", "score", "customer", "owner_role", "opened_at", "answer_due_on")
        sequence = fields
        attrs = {"class": "table sv-table"}
        empty_text = _("No cases match these filters.")
        per_page = 25
        order_by = ("-opened_at",)

    def render_state(self, record):
        return format_html(
            '<span class="badge {}">{}</span>', CASE_BADGES.get(record.state, ""), record.get_state_display()
        )

    def render_score(self, value):
        return score_badge(value)

    def render_owner_role(self, record):
        return record.get_owner_role_display()

    def render_opened_at(self, value):
        return local(value)

    def render_answer_due_on(self, record, value):
        if value is None:
            return "—"
        overdue = record.state in (CaseState.OPEN, CaseState.CAUSE_FOUND, CaseState.FORWARDED) and (
            value < timezone.localdate()
        )
        return format_html('<span class="badge danger">{}</span>', value) if overdue else value.isoformat()


class RatingTable(tables.Table):
    month = tables.Column(verbose_name=_("Month"))
    engineer = tables.Column(verbose_name=_("Engineer"), order_by=("engineer__name",))
    rater = tables.Column(verbose_name=_("Rated by"), order_by=("rater__name",))
    rater_group = tables.Column(verbose_name=_("Rater group"))
    attitude = tables.Column(verbose_name=_("Attitude"))
    professional = tables.Column(verbose_name=_("Professional level"))
    conduct = tables.Column(verbose_name=_("Conduct"))
    comment = tables.Column(verbose_name=_("Comment"), orderable=False)
    edit = tables.Column(empty_values=(), verbose_name="", orderable=False)

    class Meta:
        model = EngineerRating
        fields = ("month", "engineer", "rater", "rater_group", "attitude", "professional", "conduct", "comment")
        sequence = (*fields, "edit")
        attrs = {"class": "table sv-table"}
        empty_text = _("No ratings yet.")
        per_page = 50
        order_by = ("-month",)

    def render_month(self, value):
        return value.strftime("%Y-%m")

    def render_comment(self, value):
        return value[:80] + ("…" if len(value) > 80 else "")

    def render_edit(self, record):
        user = getattr(self.request, "user", None) if hasattr(self, "request") else None
        if user is not None and record.rater_id == user.pk:
            return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("Edit"))
        return ""
