import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.survival.choices import ProjectState
from apps.survival.models import NewProject

STATE_BADGES = {
    ProjectState.TRACKING: "",
    ProjectState.IN_USE: "ok",
    ProjectState.NOT_IN_USE: "danger",
    ProjectState.STOPPED: "inactive",
}


def state_badge(project) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATE_BADGES.get(project.state, ""), project.get_state_display()
    )


def in_use_badge(in_use) -> str:
    if in_use is None:
        return format_html('<span class="muted">{}</span>', "—")
    if in_use:
        return format_html('<span class="badge ok">{}</span>', _("in use"))
    return format_html('<span class="badge danger">{}</span>', _("not in use"))


class ProjectTable(tables.Table):
    # Everything rendered comes from selectors.project_list (select_related and annotations): the
    # query count of a page does not grow with its rows.
    name = tables.Column(linkify=True, verbose_name=_("Project"))
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    state = tables.Column(verbose_name=_("State"))
    latest_in_use = tables.Column(verbose_name=_("Latest check"), orderable=False, empty_values=())
    next_due_on = tables.Column(verbose_name=_("Next check due"), orderable=False)
    engineer = tables.Column(verbose_name=_("Engineer"), order_by=("engineer__name",))
    sales = tables.Column(verbose_name=_("Sales"), order_by=("sales__name",))
    region = tables.Column(verbose_name=_("Region"), orderable=False)
    started_on = tables.Column(verbose_name=_("Went live"))

    class Meta:
        model = NewProject
        fields = (
            "name",
            "customer",
            "state",
            "latest_in_use",
            "next_due_on",
            "engineer",
            "sales",
            "region",
            "started_on",
        )
        sequence = fields
        attrs = {"class": "table sv-table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 50
        order_by = ("-started_on",)

    def render_state(self, record):
        return state_badge(record)

    def render_latest_in_use(self, record):
        if record.latest_month is None:
            return format_html('<span class="muted">{}</span>', _("not checked yet"))
        return format_html(
            "{} <span class='muted'>{}</span>",
            in_use_badge(record.latest_in_use),
            _("month %(month)s") % {"month": record.latest_month},
        )

    def render_next_due_on(self, value, record):
        if record.state != ProjectState.TRACKING:
            return "—"
        return value.isoformat()

    def render_engineer(self, value):
        return value.name or value.username

    def render_sales(self, value):
        return value.name or value.username

    def render_started_on(self, value):
        return value.isoformat()
