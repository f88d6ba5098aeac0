import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.returns.choices import Status
from apps.returns.models import ReturnRequest

STATUS_BADGES = {
    Status.APPLIED: "danger",
    Status.ASSESSED: "warn",
    Status.DECIDED: "warn",
    Status.COMPLETED: "ok",
    Status.CLOSED: "inactive",
    Status.REJECTED: "inactive",
}


def status_badge(return_request) -> str:
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_BADGES.get(return_request.status, ""),
        return_request.get_status_display(),
    )


class ReturnTable(tables.Table):
    # Everything rendered comes from selectors.return_list (select_related): the query count of a
    # page does not grow with its rows.
    number = tables.Column(linkify=True, verbose_name=_("Number"))
    applied_on = tables.Column(verbose_name=_("Applied"))
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    product_name = tables.Column(verbose_name=_("Product"))
    identity = tables.Column(verbose_name=_("Serial / lot"), empty_values=(), orderable=False)
    requested_remedy = tables.Column(verbose_name=_("Asks for"))
    status = tables.Column(verbose_name=_("Status"))
    remedy = tables.Column(verbose_name=_("Remedy"), empty_values=())
    in_period = tables.Column(verbose_name=_("Period"), orderable=False)

    class Meta:
        model = ReturnRequest
        fields = (
            "number",
            "applied_on",
            "customer",
            "product_name",
            "identity",
            "requested_remedy",
            "status",
            "remedy",
            "in_period",
        )
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("Nothing matches these filters.")
        order_by = ("-applied_on",)

    def render_applied_on(self, value):
        return value.isoformat()

    def render_identity(self, record):
        parts = [record.serial_no, record.lot_no and f"{_('Lot')} {record.lot_no}", f"×{record.quantity}"]
        return " · ".join(str(p) for p in parts if p)

    def render_status(self, record):
        return status_badge(record)

    def render_remedy(self, record):
        return record.get_remedy_display() or "—"

    def render_in_period(self, record):
        if record.in_period:
            return format_html('<span class="badge ok">{}</span>', _("in period"))
        return format_html('<span class="badge warn">{}</span>', _("accepted outside"))
