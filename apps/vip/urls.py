"""Pages of the VIP programme under /vip/."""

from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.vip import views as v

app_name = "vip"

tier_patterns = record_urlpatterns(
    "tier",
    list_view=v.TierListView,
    detail_view=v.TierDetailView,
    create_view=v.TierCreateView,
    update_view=v.TierUpdateView,
    deactivate_view=v.TierDeactivateView,
    reactivate_view=v.TierReactivateView,
)
volume_patterns = record_urlpatterns(
    "volume",
    list_view=v.VolumeListView,
    detail_view=v.VolumeDetailView,
    create_view=v.VolumeCreateView,
    update_view=v.VolumeUpdateView,
    deactivate_view=v.VolumeDeactivateView,
    reactivate_view=v.VolumeReactivateView,
    extra=[
        path("export/", v.VolumeExportView.as_view(), name="volume_export"),
        path("import/", v.VolumeImportView.as_view(), name="volume_import"),
    ],
)
member_patterns = [
    path("", v.MemberListView.as_view(), name="member_list"),
    path("<int:pk>/", v.MemberDetailView.as_view(), name="member_detail"),
    path("<int:pk>/engineer/", v.MemberEngineerView.as_view(), name="member_engineer"),
    path("<int:pk>/cycle/", v.MemberCycleView.as_view(), name="member_cycle"),
    path("retier/", v.RetierView.as_view(), name="retier"),
]
visit_patterns = [
    path("", v.VisitListView.as_view(), name="visit_list"),
    path("mine/", v.MyVisitsView.as_view(), name="visit_mine"),
    path("<int:pk>/", v.VisitDetailView.as_view(), name="visit_detail"),
    path("<int:pk>/announce/", v.VisitAnnounceView.as_view(), name="visit_announce"),
    path("<int:pk>/cancel/", v.VisitCancelView.as_view(), name="visit_cancel"),
]

urlpatterns = [
    path("vip/", include(member_patterns)),
    path("vip/visits/", include(visit_patterns)),
    path("vip/tiers/", include(tier_patterns)),
    path("vip/purchase-volumes/", include(volume_patterns)),
]
