import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.workorders.choices import Status, Urgency
from apps.workorders.models import WorkOrder

# Badge classes of the global stylesheet (ok / warn / danger); anything else is grey.
STATUS_BADGES = {
    Status.NEW: "warn",
    Status.PENDING_APPROVAL: "warn",
    Status.APPROVED: "",
    Status.DISPATCHED: "",
    Status.SCHEDULED: "",
    Status.ON_SITE: "ok",
    Status.COMPLETED: "ok",
    Status.CLOSED: "inactive",
    Status.REMOTE_RESOLVED: "ok",
    Status.CANCELLED: "inactive",
    Status.REJECTED: "danger",
}


def status_badge(order) -> str:
    return format_html(
        '<span class="badge wo-status {} {}">{}</span>',
        order.status,
        STATUS_BADGES.get(order.status, ""),
        order.get_status_display(),
    )


def urgency_badge(order) -> str:
    if order.urgency == Urgency.URGENT:
        return format_html('<span class="badge danger">{}</span>', order.get_urgency_display())
    return format_html('<span class="badge">{}</span>', order.get_urgency_display())


def flag_badges(order) -> str:
    """The exceptions a reader must notice in a row: WO-5, WO-15, paused clocks, escalation."""
    flags = []
    if order.application_missing:
        flags.append(("danger", _("Application missing")))
    if order.arrears_at_intake:
        flags.append(("danger", _("In arrears")))
    if order.on_hold:
        flags.append(("warn", _("Paused")))
    if order.escalated:
        flags.append(("danger", _("Escalated")))
    return format_html_join(" ", '<span class="badge {}">{}</span>', flags)


def local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"


class WorkOrderTable(tables.Table):
    # Everything rendered comes from workorder_list's select_related: the query count of a page
    # does not grow with its rows.
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    instrument = tables.Column(
        accessor="instrument__serial_no", verbose_name=_("Instrument"), order_by=("instrument__serial_no",)
    )
    work_type = tables.Column(verbose_name=_("Type"))
    urgency = tables.Column(verbose_name=_("Urgency"))
    status = tables.Column(verbose_name=_("Status"))
    engineer = tables.Column(verbose_name=_("Engineer"), order_by=("engineer__name",))
    appointment_at = tables.Column(verbose_name=_("Appointment"))
    created_at = tables.Column(verbose_name=_("Registered"))

    class Meta:
        model = WorkOrder
        # Phone first: what and how bad before where.
        fields = (
            "number",
            "status",
            "urgency",
            "customer",
            "instrument",
            "work_type",
            "engineer",
            "appointment_at",
            "created_at",
        )
        sequence = fields
        attrs = {"class": "table wo-table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
        order_by = ("-created_at",)

    def render_instrument(self, record, value):
        model = record.instrument_model.code if record.instrument_model_id else ""
        return format_html("{} <span class='muted'>{}</span>", value, model) if value else model or "—"

    def render_urgency(self, record):
        return urgency_badge(record)

    def render_status(self, record):
        return format_html("{} {}", status_badge(record), flag_badges(record))

    def render_engineer(self, record):
        return record.engineer.name or record.engineer.username

    def render_appointment_at(self, value):
        return local(value)

    def render_created_at(self, value):
        return local(value)
