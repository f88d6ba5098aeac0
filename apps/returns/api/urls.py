from rest_framework.routers import SimpleRouter

from apps.returns.api import views

router = SimpleRouter()
router.register("returns", views.ReturnRequestViewSet, basename="returnrequest")
urlpatterns = router.urls
