from rest_framework.routers import SimpleRouter

from apps.notifications.api import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("outbox", views.OutboxViewSet, basename="outbox")
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")
urlpatterns = router.urls
