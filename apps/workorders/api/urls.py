from rest_framework.routers import SimpleRouter

from apps.workorders.api import views

router = SimpleRouter()
router.register("work-orders", views.WorkOrderViewSet, basename="workorder")
urlpatterns = router.urls
