from django.urls import include, path

from apps.catalog import views as v
from apps.core.views import record_urlpatterns

app_name = "catalog"

instrument_model_patterns = record_urlpatterns(
    "instrumentmodel",
    list_view=v.InstrumentModelListView,
    detail_view=v.InstrumentModelDetailView,
    create_view=v.InstrumentModelCreateView,
    update_view=v.InstrumentModelUpdateView,
    deactivate_view=v.InstrumentModelDeactivateView,
    reactivate_view=v.InstrumentModelReactivateView,
    extra=[
        path("lookup/", v.InstrumentModelLookupView.as_view(), name="instrumentmodel_lookup"),
    ],
)
item_patterns = record_urlpatterns(
    "item",
    list_view=v.ItemListView,
    detail_view=v.ItemDetailView,
    create_view=v.ItemCreateView,
    update_view=v.ItemUpdateView,
    deactivate_view=v.ItemDeactivateView,
    reactivate_view=v.ItemReactivateView,
    extra=[
        path("lookup/", v.ItemLookupView.as_view(), name="item_lookup"),
        path("export/", v.ItemExportView.as_view(), name="item_export"),
        path("import/", v.ItemImportView.as_view(), name="item_import"),
    ],
)
lot_patterns = record_urlpatterns(
    "lot",
    list_view=v.LotListView,
    detail_view=v.LotDetailView,
    create_view=v.LotCreateView,
    update_view=v.LotUpdateView,
    deactivate_view=v.LotDeactivateView,
    reactivate_view=v.LotReactivateView,
    extra=[
        path("lookup/", v.LotLookupView.as_view(), name="lot_lookup"),
    ],
)
lot_match_patterns = record_urlpatterns(
    "lotmatch",
    list_view=v.LotMatchListView,
    detail_view=v.LotMatchDetailView,
    create_view=v.LotMatchCreateView,
    update_view=v.LotMatchUpdateView,
    deactivate_view=v.LotMatchDeactivateView,
    reactivate_view=v.LotMatchReactivateView,
)

urlpatterns = [
    path("instrument-models/", include(instrument_model_patterns)),
    path("catalog-items/", include(item_patterns)),
    path("lots/", include(lot_patterns)),
    path("lot-matches/", include(lot_match_patterns)),
]
