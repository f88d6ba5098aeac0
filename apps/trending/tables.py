import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.tables import RecordTable
from apps.trending.choices import SignalState
from apps.trending.models import TrendSignal, TrendThreshold


class ThresholdTable(RecordTable):
    name = tables.Column(linkify=True, accessor="label", order_by=("name",))
    value = tables.Column(verbose_name=_("Value"), accessor="value_label", orderable=False)
    count = tables.Column()
    open_signals = tables.Column(verbose_name=_("Signals to review"))

    class Meta(RecordTable.Meta):
        model = TrendThreshold
        fields = ("name", "source", "dimension", "value", "count", "open_signals", "is_active")
        order_by = ("source", "dimension", "count")


class SignalTable(tables.Table):
    month = tables.Column()
    value_label = tables.Column(linkify=True)
    count = tables.Column()
    limit = tables.Column()
    state = tables.Column()
    capa = tables.Column(default="—", orderable=False)

    class Meta:
        model = TrendSignal
        fields = ("value_label", "month", "count", "state", "limit", "source", "dimension", "decision", "capa")
        attrs = {"class": "table"}
        empty_text = _("No signals.")
        orderable = False

    def render_month(self, value):
        return f"{value:%Y-%m}"

    def render_state(self, value, record):
        css = "badge warn" if record.state == SignalState.OPEN else "badge"
        return format_html('<span class="{}">{}</span>', css, value)

    def render_capa(self, value):
        return value.number
