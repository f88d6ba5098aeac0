from rest_framework.routers import SimpleRouter

from apps.accounts.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("qualifications", views.QualificationViewSet, basename="qualification")
urlpatterns = router.urls
