from rest_framework.routers import SimpleRouter

from apps.sla.api import views

router = SimpleRouter()
router.register("calendars", views.BusinessCalendarViewSet, basename="businesscalendar")
router.register("calendar-days", views.DayOverrideViewSet, basename="dayoverride")
router.register("sla-policies", views.SlaPolicyViewSet, basename="slapolicy")
urlpatterns = router.urls
