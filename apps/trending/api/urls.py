from rest_framework.routers import SimpleRouter

from apps.trending.api import views

router = SimpleRouter()
router.register("trend-counts", views.TrendCountViewSet, basename="trendcount")
router.register("trend-thresholds", views.TrendThresholdViewSet, basename="trendthreshold")
router.register("trend-signals", views.TrendSignalViewSet, basename="trendsignal")
urlpatterns = router.urls
