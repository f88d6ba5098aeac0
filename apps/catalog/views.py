from apps.catalog import filters, forms, selectors, services, tables
from apps.catalog.choices import ItemKind
from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.catalog.resources import CatalogItemResource
from apps.core import views as generic
from apps.core.imports import RecordExportView, RecordImportView


class KindLookupMixin:
    """`?kind=reagent,qc` narrows a lookup to those item kinds (see forms.KindSearchSelect)."""

    kind_field = "kind"

    def scoped_queryset(self):
        queryset = super().scoped_queryset()
        kinds = [k for k in self.request.GET.get("kind", "").split(",") if k in ItemKind.values]
        if kinds:
            queryset = queryset.filter(**{f"{self.kind_field}__in": kinds})
        return queryset


# --- instrument models -----------------------------------------------------------------------


class InstrumentModelMixin:
    resource = "catalog"
    url_prefix = "catalog:instrumentmodel"
    model = InstrumentModel
    selector = selectors.instrument_model_list


class InstrumentModelListView(InstrumentModelMixin, generic.RecordListView):
    filterset_class = filters.InstrumentModelFilter
    table_class = tables.InstrumentModelTable


class InstrumentModelDetailView(InstrumentModelMixin, generic.RecordDetailView):
    template_name = "catalog/instrumentmodel_detail.html"
    detail_fields = ("code", "name", "family", "manufacturer", "registration_no", "is_third_party")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["items"] = (
            selectors.item_list(user=self.request.user)
            .filter(compatible_models=self.object)
            .order_by("-is_active", "kind", "code")
        )
        return ctx


class InstrumentModelCreateView(InstrumentModelMixin, generic.RecordCreateView):
    form_class = forms.InstrumentModelForm
    create_service = services.instrument_model_create


class InstrumentModelUpdateView(InstrumentModelMixin, generic.RecordUpdateView):
    form_class = forms.InstrumentModelForm
    update_service = services.instrument_model_update


class InstrumentModelDeactivateView(InstrumentModelMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class InstrumentModelReactivateView(InstrumentModelDeactivateView):
    activate = True


class InstrumentModelLookupView(InstrumentModelMixin, generic.RecordLookupView):
    search = selectors.instrument_model_search


# --- catalogue items -------------------------------------------------------------------------


class ItemMixin:
    resource = "catalog"
    url_prefix = "catalog:item"
    model = CatalogItem
    selector = selectors.item_list


class ItemListView(ItemMixin, generic.RecordListView):
    filterset_class = filters.CatalogItemFilter
    table_class = tables.CatalogItemTable
    exportable = True


class ItemDetailView(ItemMixin, generic.RecordDetailView):
    template_name = "catalog/item_detail.html"
    detail_fields = (
        "code", "name", "kind", "specification", "unit", "pack_size", "tests_per_ml", "storage",
        "shelf_life_months", "onboard_stability_days", "opened_stability_days", "registration_no",
        "serial_tracked",
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["lots"] = selectors.lot_list(user=self.request.user).filter(item=self.object)[: self.related_limit]
        ctx["compatible_models"] = self.object.compatible_models.order_by("-is_active", "family", "code")
        return ctx


class ItemCreateView(ItemMixin, generic.RecordCreateView):
    form_class = forms.CatalogItemForm
    create_service = services.item_create


class ItemUpdateView(ItemMixin, generic.RecordUpdateView):
    form_class = forms.CatalogItemForm
    update_service = services.item_update


class ItemDeactivateView(ItemMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class ItemReactivateView(ItemDeactivateView):
    activate = True


class ItemLookupView(KindLookupMixin, ItemMixin, generic.RecordLookupView):
    search = selectors.item_search


# --- lots ------------------------------------------------------------------------------------


class LotMixin:
    resource = "catalog"
    url_prefix = "catalog:lot"
    model = Lot
    selector = selectors.lot_list


class LotListView(LotMixin, generic.RecordListView):
    filterset_class = filters.LotFilter
    table_class = tables.LotTable


class LotDetailView(LotMixin, generic.RecordDetailView):
    template_name = "catalog/lot_detail.html"
    detail_fields = ("item", "lot_no", "manufactured_on", "expires_on")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["matches"] = selectors.lot_matches_for(user=self.request.user, lot=self.object).order_by(
            "-is_active", "-id"
        )
        return ctx


class LotCreateView(LotMixin, generic.RecordCreateView):
    form_class = forms.LotForm
    create_service = services.lot_create

    prefill_from_query = ("item",)  # "New lot" on an item's page


class LotUpdateView(LotMixin, generic.RecordUpdateView):
    form_class = forms.LotForm
    update_service = services.lot_update


class LotDeactivateView(LotMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class LotReactivateView(LotDeactivateView):
    activate = True


class LotLookupView(KindLookupMixin, LotMixin, generic.RecordLookupView):
    kind_field = "item__kind"
    search = selectors.lot_search


# --- lot matches -----------------------------------------------------------------------------


class LotMatchMixin:
    resource = "catalog"
    url_prefix = "catalog:lotmatch"
    model = LotMatch
    selector = selectors.lot_match_list


class LotMatchListView(LotMatchMixin, generic.RecordListView):
    filterset_class = filters.LotMatchFilter
    table_class = tables.LotMatchTable


class LotMatchDetailView(LotMatchMixin, generic.RecordDetailView):
    template_name = "catalog/lotmatch_detail.html"
    detail_fields = ("reagent_lot", "calibrator_lot", "qc_lot", "note")


class LotMatchCreateView(LotMatchMixin, generic.RecordCreateView):
    form_class = forms.LotMatchForm
    create_service = services.lot_match_create


class LotMatchUpdateView(LotMatchMixin, generic.RecordUpdateView):
    form_class = forms.LotMatchForm
    update_service = services.lot_match_update


class LotMatchDeactivateView(LotMatchMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class LotMatchReactivateView(LotMatchDeactivateView):
    activate = True


# --- Excel export and import of catalogue items (apps.core.imports) ---------------------------


class ItemExportView(ItemMixin, RecordExportView):
    filterset_class = filters.CatalogItemFilter
    resource_class = CatalogItemResource
    filename_stem = "catalogue-items"


class ItemImportView(ItemMixin, RecordImportView):
    resource_class = CatalogItemResource
