from rest_framework.routers import SimpleRouter

from apps.trace.api import views

router = SimpleRouter()
router.register("deliveries", views.DeliveryViewSet, basename="delivery")
router.register("trace", views.TraceViewSet, basename="trace")
router.register("field-notices", views.FieldNoticeViewSet, basename="fieldnotice")
router.register("notice-recipients", views.NoticeRecipientViewSet, basename="noticerecipient")
urlpatterns = router.urls
