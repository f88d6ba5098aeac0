import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.tables import RecordTable
from apps.instruments.choices import WarrantyState
from apps.instruments.models import Instrument

WARRANTY_BADGES = {
    WarrantyState.IN_WARRANTY: "ok",
    WarrantyState.EXPIRED: "danger",
    WarrantyState.NOT_ACCEPTED: "warn",
}


def warranty_badge(instrument) -> str:
    state = instrument.warranty_state()
    return format_html('<span class="badge {}">{}</span>', WARRANTY_BADGES[state], WarrantyState(state).label)


class InstrumentTable(RecordTable):
    serial_no = tables.Column(linkify=True)
    model = tables.Column(accessor="model__code", verbose_name=_("Model"), order_by=("model__code",))
    customer = tables.Column(linkify=lambda record: record.customer.get_absolute_url())
    warranty = tables.Column(verbose_name=_("Warranty"), empty_values=(), order_by=("warranty_end",))

    class Meta(RecordTable.Meta):
        model = Instrument
        fields = (
            "serial_no", "model", "customer", "department", "ownership", "dealer", "acceptance_date",
            "warranty_end", "warranty", "status", "is_active",
        )
        order_by = ("serial_no",)

    def render_warranty(self, record):
        return warranty_badge(record)
