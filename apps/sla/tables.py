import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.core.tables import RecordTable
from apps.sla.durations import format_duration
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy


class CalendarTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    hours = tables.Column(verbose_name=_("business hours"), accessor="hours_display", orderable=False)
    is_default = tables.BooleanColumn(yesno=("✔", ""))
    override_count = tables.Column(verbose_name=_("day overrides"))

    class Meta(RecordTable.Meta):
        model = BusinessCalendar
        fields = ("code", "name", "mode", "hours", "is_default", "override_count", "is_active")
        order_by = ("-is_default", "code")


class DayOverrideTable(RecordTable):
    date = tables.Column(linkify=True)
    weekday = tables.Column(verbose_name=_("weekday"), accessor="date", orderable=False)
    name = tables.Column(linkify=True)
    calendar = tables.Column(linkify=True, order_by=("calendar__code",), default=_("every calendar"))

    class Meta(RecordTable.Meta):
        model = DayOverride
        fields = ("date", "weekday", "name", "kind", "calendar", "is_active")
        order_by = ("-date",)

    def render_date(self, value):
        return value.strftime("%Y-%m-%d")

    def render_weekday(self, value):
        return date_format(value, "l")


class SlaPolicyTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True, accessor="label", order_by=("name",))
    duration = tables.Column()
    calendar = tables.Column(linkify=True, order_by=("calendar__code",), default=_("default calendar"))
    warn_before = tables.Column()

    class Meta(RecordTable.Meta):
        model = SlaPolicy
        fields = ("code", "name", "duration", "calendar", "warn_before", "escalate_role", "is_active")
        order_by = ("code",)

    def render_duration(self, value):
        return format_duration(value)

    def render_warn_before(self, value):
        return format_duration(value) if value else "—"
