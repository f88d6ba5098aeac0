import django_tables2 as tables
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.core.tables import RecordTable


def expiry_badge(lot) -> str:
    if lot.is_expired:
        return format_html('{} <span class="badge warn">{}</span>', localize(lot.expires_on), _("expired"))
    return localize(lot.expires_on)


class InstrumentModelTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    item_count = tables.Column(verbose_name=_("compatible items"), orderable=True)

    class Meta(RecordTable.Meta):
        model = InstrumentModel
        fields = ("code", "name", "family", "manufacturer", "registration_no", "is_third_party", "item_count",
                  "is_active")
        order_by = ("family", "code")


class CatalogItemTable(RecordTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    compatible_models = tables.ManyToManyColumn(
        verbose_name=_("compatible models"), transform=lambda model: model.code, orderable=False
    )

    class Meta(RecordTable.Meta):
        model = CatalogItem
        fields = ("code", "name", "kind", "specification", "pack_size", "storage", "compatible_models",
                  "is_active")
        order_by = ("kind", "code")


class LotTable(RecordTable):
    lot_no = tables.Column(linkify=True)
    item = tables.Column(linkify=True, order_by=("item__code",))
    kind = tables.Column(accessor="item__kind", order_by=("item__kind",))
    expires_on = tables.Column()

    class Meta(RecordTable.Meta):
        model = Lot
        fields = ("lot_no", "item", "kind", "manufactured_on", "expires_on", "is_active")
        order_by = ("-expires_on",)

    def render_kind(self, record):
        return record.item.get_kind_display()

    def render_expires_on(self, record):
        return expiry_badge(record)


class LotMatchTable(RecordTable):
    id = tables.Column(verbose_name=_("match"), linkify=True)
    reagent_lot = tables.Column(linkify=True, order_by=("reagent_lot__item__code", "reagent_lot__lot_no"))
    calibrator_lot = tables.Column(linkify=True, order_by=("calibrator_lot__item__code", "calibrator_lot__lot_no"))
    qc_lot = tables.Column(linkify=True, order_by=("qc_lot__item__code", "qc_lot__lot_no"))

    class Meta(RecordTable.Meta):
        model = LotMatch
        fields = ("id", "reagent_lot", "calibrator_lot", "qc_lot", "note", "is_active")
        order_by = ("-id",)

    def render_id(self, value):
        return f"#{value}"
