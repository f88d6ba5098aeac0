from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.notifications import views as v

app_name = "notifications"

inbox_patterns = [
    path("", v.InboxView.as_view(), name="inbox"),
    path("<int:pk>/read/", v.MarkReadView.as_view(), name="mark_read"),
    path("read-all/", v.MarkAllReadView.as_view(), name="mark_all_read"),
    path("unread-count/", v.UnreadCountView.as_view(), name="unread_count"),
]
outbox_patterns = [
    path("", v.OutboxListView.as_view(), name="outbox_list"),
    path("<int:pk>/", v.OutboxDetailView.as_view(), name="outbox_detail"),
    path("<int:pk>/retry/", v.OutboxRetryView.as_view(), name="outbox_retry"),
]
webhook_patterns = record_urlpatterns(
    "webhook",
    list_view=v.WebhookListView,
    detail_view=v.WebhookDetailView,
    create_view=v.WebhookCreateView,
    update_view=v.WebhookUpdateView,
    deactivate_view=v.WebhookDeactivateView,
    reactivate_view=v.WebhookReactivateView,
    extra=[path("<int:pk>/test/", v.WebhookTestView.as_view(), name="webhook_test")],
)

urlpatterns = [
    path("notifications/", include(inbox_patterns)),
    path("outbox/", include(outbox_patterns)),
    path("webhooks/", include(webhook_patterns)),
]
