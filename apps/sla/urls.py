from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.sla import views as v

app_name = "sla"

calendar_patterns = record_urlpatterns(
    "calendar",
    list_view=v.CalendarListView,
    detail_view=v.CalendarDetailView,
    create_view=v.CalendarCreateView,
    update_view=v.CalendarUpdateView,
    deactivate_view=v.CalendarDeactivateView,
    reactivate_view=v.CalendarReactivateView,
)
override_patterns = record_urlpatterns(
    "override",
    list_view=v.OverrideListView,
    detail_view=v.OverrideDetailView,
    create_view=v.OverrideCreateView,
    update_view=v.OverrideUpdateView,
    deactivate_view=v.OverrideDeactivateView,
    reactivate_view=v.OverrideReactivateView,
)
policy_patterns = record_urlpatterns(
    "policy",
    list_view=v.PolicyListView,
    detail_view=v.PolicyDetailView,
    update_view=v.PolicyUpdateView,
    deactivate_view=v.PolicyDeactivateView,
    reactivate_view=v.PolicyReactivateView,
)

urlpatterns = [
    path("calendars/", include(calendar_patterns)),
    path("calendar-days/", include(override_patterns)),
    path("time-limits/", include(policy_patterns)),
]
