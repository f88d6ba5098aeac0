import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog import selectors
from apps.catalog.choices import ItemKind
from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter


class InstrumentModelFilter(RecordFilterSet):
    class Meta:
        model = InstrumentModel
        fields = ["q", "family", "is_third_party", "status"]

    def search(self, queryset, value):
        return selectors.instrument_model_search(queryset, value)


class CatalogItemFilter(RecordFilterSet):
    compatible_model = django_filters.ModelChoiceFilter(
        field_name="compatible_models",
        queryset=InstrumentModel.objects.all(),
        label=_("Compatible instrument model"),
    )

    class Meta:
        model = CatalogItem
        fields = ["q", "kind", "compatible_model", "status"]

    def search(self, queryset, value):
        return selectors.item_search(queryset, value)


class LotFilter(RecordFilterSet):
    item_kind = django_filters.ChoiceFilter(field_name="item__kind", choices=ItemKind.choices, label=_("Kind"))
    # Thousands of items: filter on the id, never a drop-down of every row.
    item = IdFilter(field_name="item_id", label=_("Item id"))
    expired = YesNoFilter(method="filter_expired", label=_("Expired"))
    expiring_within = django_filters.NumberFilter(
        method="filter_expiring_within", label=_("Expiring within (days)"), min_value=0, max_value=3650
    )

    class Meta:
        model = Lot
        fields = ["q", "item_kind", "item", "expired", "expiring_within", "status"]

    def search(self, queryset, value):
        return selectors.lot_search(queryset, value)

    def filter_expired(self, queryset, name, value):
        return selectors.lots_expired(queryset, expired=value)

    def filter_expiring_within(self, queryset, name, value):
        return selectors.lots_expiring_within(queryset, int(value))


class LotMatchFilter(RecordFilterSet):
    lot = IdFilter(method="filter_lot", label=_("Lot id"))

    class Meta:
        model = LotMatch
        fields = ["q", "lot", "status"]

    def search(self, queryset, value):
        return selectors.lot_match_search(queryset, value)

    def filter_lot(self, queryset, name, value):
        return queryset.filter(Q(reagent_lot_id=value) | Q(calibrator_lot_id=value) | Q(qc_lot_id=value))
