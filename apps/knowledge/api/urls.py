from rest_framework.routers import SimpleRouter

from apps.knowledge.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
urlpatterns = router.urls
