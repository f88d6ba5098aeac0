from rest_framework.routers import SimpleRouter

from apps.complaints.api import views

router = SimpleRouter()
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("regulatory-reports", views.RegulatoryReportViewSet, basename="regulatoryreport")
router.register("capas", views.CapaViewSet, basename="capa")
router.register("reporting-rules", views.ReportingRuleViewSet, basename="reportingrule")
router.register("reassignment-reviews", views.ReassignmentReviewViewSet, basename="reassignmentreview")
urlpatterns = router.urls
