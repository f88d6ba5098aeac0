from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.trending import views as v

app_name = "trending"

threshold_patterns = record_urlpatterns(
    "threshold",
    list_view=v.ThresholdListView,
    detail_view=v.ThresholdDetailView,
    create_view=v.ThresholdCreateView,
    update_view=v.ThresholdUpdateView,
    deactivate_view=v.ThresholdDeactivateView,
    reactivate_view=v.ThresholdReactivateView,
)

urlpatterns = [
    path("trends/", v.ReportView.as_view(), name="report"),
    path("trends/export/", v.ReportExportView.as_view(), name="report_export"),
    path("trends/thresholds/", include(threshold_patterns)),
    path("trends/signals/", v.SignalListView.as_view(), name="signal_list"),
    path("trends/signals/<int:pk>/", v.SignalDetailView.as_view(), name="signal_detail"),
    path("trends/signals/<int:pk>/review/", v.SignalReviewView.as_view(), name="signal_review"),
]
