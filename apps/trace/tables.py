import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.tables import RecordTable
from apps.trace.choices import NoticeState
from apps.trace.models import Delivery, FieldNotice

STATE_BADGES = {NoticeState.DRAFT: "inactive", NoticeState.ISSUED: "warn", NoticeState.CLOSED: "ok"}


def state_badge(notice) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATE_BADGES.get(notice.state, ""), notice.get_state_display()
    )


class DeliveryTable(RecordTable):
    # Everything rendered comes from selectors.delivery_list's select_related: the query count
    # of a page does not grow with its rows.
    delivered_on = tables.Column(linkify=True, verbose_name=_("Delivered on"))
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    what = tables.Column(verbose_name=_("Item / instrument"), empty_values=(), order_by=("item__code", "lot__lot_no"))
    quantity = tables.Column(verbose_name=_("Quantity"), attrs={"td": {"class": "num"}})
    document_no = tables.Column(verbose_name=_("Delivery note / order"))
    dealer = tables.Column(accessor="dealer__name", verbose_name=_("Dealer"), order_by=("dealer__name",))

    class Meta(RecordTable.Meta):
        model = Delivery
        fields = ("delivered_on", "customer", "what", "quantity", "document_no", "dealer", "is_active")
        sequence = fields
        order_by = ("-delivered_on",)

    def render_what(self, record):
        return record.what


class NoticeTable(tables.Table):
    """The board: per notice the recipients told / acknowledged / overdue (counts annotated by
    selectors.notice_list)."""

    number = tables.Column(linkify=True, verbose_name=_("Number"))
    title = tables.Column(verbose_name=_("Title"))
    notice_class = tables.Column(verbose_name=_("Class"))
    state = tables.Column(verbose_name=_("State"))
    issued_at = tables.DateTimeColumn(format="Y-m-d", verbose_name=_("Issued"))
    due_at = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name=_("Tell by"))
    recipient_count = tables.Column(verbose_name=_("Customers"), attrs={"td": {"class": "num"}})
    notified_count = tables.Column(verbose_name=_("Told"), attrs={"td": {"class": "num"}})
    acknowledged_count = tables.Column(verbose_name=_("Acknowledged"), attrs={"td": {"class": "num"}})
    overdue_count = tables.Column(verbose_name=_("Overdue"), attrs={"td": {"class": "num"}})

    class Meta:
        model = FieldNotice
        fields = (
            "number",
            "title",
            "notice_class",
            "state",
            "issued_at",
            "due_at",
            "recipient_count",
            "notified_count",
            "acknowledged_count",
            "overdue_count",
        )
        sequence = fields
        attrs = {"class": "table"}
        empty_text = _("No field safety notices.")
        per_page = 50

    def render_state(self, record):
        return state_badge(record)

    def render_acknowledged_count(self, record, value):
        css = "ok" if record.recipient_count and value == record.recipient_count else "warn"
        return format_html('<span class="badge {}">{} / {}</span>', css, value, record.recipient_count)

    def render_overdue_count(self, value):
        if not value:
            return "0"
        return format_html('<span class="badge danger">{}</span>', value)
