import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.tables import RecordTable
from apps.vip.choices import VisitState
from apps.vip.models import PurchaseVolume, VipMembership, VipTier, VipVisit

# Badge classes of the global stylesheet (ok / warn / danger); anything else is grey.
VISIT_BADGES = {
    VisitState.PLANNED: "",
    VisitState.ANNOUNCED: "ok",
    VisitState.DONE: "ok",
    VisitState.CANCELLED: "inactive",
}


def money(value) -> str:
    return number_format(value, decimal_pos=2, force_grouping=True) if value is not None else "—"


def visit_state_badge(visit, *, today=None) -> str:
    from apps.vip.selectors import visit_is_overdue

    badge = format_html(
        '<span class="badge {}">{}</span>', VISIT_BADGES.get(visit.state, ""), visit.get_state_display()
    )
    if visit_is_overdue(visit, today=today):
        badge = format_html('{} <span class="badge danger">{}</span>', badge, _("overdue"))
    return badge


class TierTable(RecordTable):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    min_annual_volume = tables.Column(verbose_name=_("Minimum annual volume (CNY)"))

    class Meta(RecordTable.Meta):
        model = VipTier
        fields = ("name", "code", "min_annual_volume", "visit_cycle_days", "position", "is_active")
        sequence = fields
        order_by = ("position",)

    def render_min_annual_volume(self, value):
        return money(value)


class VolumeTable(RecordTable):
    customer = tables.Column(accessor="customer__name", verbose_name=_("Customer"), order_by=("customer__name",))
    code = tables.Column(accessor="customer__code", verbose_name=_("Customer code"), order_by=("customer__code",))
    year = tables.Column(linkify=True, verbose_name=_("Year"))
    amount = tables.Column(verbose_name=_("Purchase volume (CNY)"), attrs={"td": {"class": "num"}})

    class Meta(RecordTable.Meta):
        model = PurchaseVolume
        fields = ("year", "customer", "code", "amount", "note", "is_active")
        sequence = fields
        order_by = ("-year",)

    def render_amount(self, value):
        return money(value)


class MemberTable(RecordTable):
    # Everything rendered comes from member_list's select_related: the query count of a page
    # does not grow with its rows.
    customer = tables.Column(
        accessor="customer__name",
        verbose_name=_("Customer"),
        order_by=("customer__name",),
        linkify=lambda record: record.get_absolute_url(),
    )
    tier = tables.Column(accessor="tier__name", verbose_name=_("Tier"), order_by=("tier__min_annual_volume",))
    region = tables.Column(accessor="customer__city", verbose_name=_("Region"), order_by=("customer__city__name",))
    engineer = tables.Column(verbose_name=_("Fixed engineer"), order_by=("engineer__name",))
    last_visit_on = tables.Column(verbose_name=_("Last visit"))
    next_visit_due = tables.Column(verbose_name=_("Next visit due"))

    class Meta(RecordTable.Meta):
        model = VipMembership
        fields = ("customer", "tier", "next_visit_due", "last_visit_on", "engineer", "region", "is_active")
        sequence = fields
        order_by = ("next_visit_due",)
        attrs = {"class": "table vip-table"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_engineer(self, value):
        return value.name or value.username

    def render_region(self, record):
        return str(record.customer.city)

    def render_last_visit_on(self, value):
        return value.isoformat() if value else "—"

    def render_next_visit_due(self, record, value):
        if value is None:
            return "—"
        if record.is_active and value < self.today:
            return format_html('{} <span class="badge danger">{}</span>', value.isoformat(), _("overdue"))
        return value.isoformat()


class VisitTable(tables.Table):
    planned_on = tables.Column(linkify=True, verbose_name=_("Planned for"))
    customer = tables.Column(
        accessor="membership__customer__name", verbose_name=_("Customer"), order_by=("membership__customer__name",)
    )
    tier = tables.Column(accessor="membership__tier__name", verbose_name=_("Tier"), orderable=False)
    state = tables.Column(verbose_name=_("State"))
    agreed_at = tables.Column(verbose_name=_("Agreed date and time"))
    engineer = tables.Column(verbose_name=_("Engineer"), order_by=("engineer__name",))
    work_order = tables.Column(accessor="work_order__number", verbose_name=_("Work order"), orderable=False)

    class Meta:
        model = VipVisit
        fields = ("planned_on", "customer", "tier", "state", "agreed_at", "engineer", "work_order")
        sequence = fields
        attrs = {"class": "table vip-table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
        order_by = ("planned_on",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()

    def render_planned_on(self, value):
        return value.isoformat()

    def render_state(self, record):
        return visit_state_badge(record, today=self.today)

    def render_agreed_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"

    def render_engineer(self, value):
        return value.name or value.username

    def render_work_order(self, record, value):
        return format_html('<a href="{}">{}</a>', record.work_order.get_absolute_url(), value)
