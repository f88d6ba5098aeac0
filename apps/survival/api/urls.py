from rest_framework.routers import SimpleRouter

from apps.survival.api import views

router = SimpleRouter()
router.register("new-projects", views.NewProjectViewSet, basename="newproject")
router.register("survival-rates", views.SurvivalRateViewSet, basename="survivalrate")
urlpatterns = router.urls
