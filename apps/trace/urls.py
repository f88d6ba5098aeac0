"""Pages of the trace under /trace/, /deliveries/ and /field-notices/; the customer's
acknowledgement page is /fsn/<token>/."""

from django.urls import include, path

from apps.core.views import record_urlpatterns
from apps.trace import views as v

app_name = "trace"

delivery_patterns = record_urlpatterns(
    "delivery",
    list_view=v.DeliveryListView,
    detail_view=v.DeliveryDetailView,
    create_view=v.DeliveryCreateView,
    update_view=v.DeliveryUpdateView,
    deactivate_view=v.DeliveryDeactivateView,
    reactivate_view=v.DeliveryReactivateView,
    extra=[
        path("export/", v.DeliveryExportView.as_view(), name="delivery_export"),
        path("import/", v.DeliveryImportView.as_view(), name="delivery_import"),
    ],
)
notice_patterns = [
    path("", v.NoticeListView.as_view(), name="notice_list"),
    path("add/", v.NoticeCreateView.as_view(), name="notice_add"),
    path("<int:pk>/", v.NoticeDetailView.as_view(), name="notice_detail"),
    path("<int:pk>/edit/", v.NoticeUpdateView.as_view(), name="notice_edit"),
    path("<int:pk>/issue/", v.NoticeIssueView.as_view(), name="notice_issue"),
    path("<int:pk>/add-recipients/", v.NoticeAddRecipientsView.as_view(), name="notice_add_recipients"),
    path("<int:pk>/close/", v.NoticeCloseView.as_view(), name="notice_close"),
    path("<int:pk>/letter.pdf", v.NoticeLetterView.as_view(), name="notice_pdf"),
    path("recipients/<int:pk>/notify/", v.RecipientNotifyView.as_view(), name="recipient_notify"),
    path("recipients/<int:pk>/acknowledge/", v.RecipientAcknowledgeView.as_view(), name="recipient_acknowledge"),
]

urlpatterns = [
    path("trace/", v.TraceView.as_view(), name="search"),
    path("trace/export/", v.TraceExportView.as_view(), name="export"),
    path("deliveries/", include(delivery_patterns)),
    path("field-notices/", include(notice_patterns)),
    path("fsn/<str:token>/", v.PublicAckView.as_view(), name="public_ack"),
    path("fsn/<str:token>/letter.pdf", v.PublicLetterView.as_view(), name="public_letter"),
]
