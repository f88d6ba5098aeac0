from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.instruments import views as v

app_name = "instruments"

instrument_patterns = record_urlpatterns(
    "instrument",
    list_view=v.InstrumentListView,
    detail_view=v.InstrumentDetailView,
    create_view=v.InstrumentCreateView,
    update_view=v.InstrumentUpdateView,
    deactivate_view=v.InstrumentDeactivateView,
    reactivate_view=v.InstrumentReactivateView,
    extra=[
        path("lookup/", v.InstrumentLookupView.as_view(), name="instrument_lookup"),
        path("export/", v.InstrumentExportView.as_view(), name="instrument_export"),
        path("import/", v.InstrumentImportView.as_view(), name="instrument_import"),
        path("<int:pk>/qr.svg", v.InstrumentQrView.as_view(), name="instrument_qr"),
    ],
)

urlpatterns = [
    path("instruments/", include(instrument_patterns)),
    # SPEC MD-4 / WO-1: the QR code on the analyser opens this public page (no login).
    path("r/<str:token>/", v.InstrumentReportView.as_view(), name="instrument_report"),
]
