from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from apps.core import views as generic
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.notifications import filters, forms, selectors, services, tables
from apps.notifications.choices import MessageState
from apps.notifications.models import Message, WebhookEndpoint


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


class PostOnlyMixin:
    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])


# --- the user's inbox --------------------------------------------------------------------------


class InboxMixin:
    resource = "notification"
    url_prefix = "notifications:inbox"
    model = Message
    selector = selectors.inbox


class InboxView(InboxMixin, generic.ResourceMixin, ListView):
    template_name = "notifications/inbox.html"
    paginate_by = 25
    context_object_name = "notifications"

    def get_queryset(self):
        self.filterset = filters.InboxFilter(self.request.GET or None, queryset=self.scoped_queryset())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["unread"] = selectors.unread_count(user=self.request.user)
        ctx["only_unread"] = self.request.GET.get("unread") in ("true", "1", "True")
        return ctx


class MarkReadView(InboxMixin, PostOnlyMixin, generic.ResourceMixin, View):
    """POST: mark one notification read; with `open`, go on to the page it links to."""

    action = "change"

    def post(self, request, pk):
        message = get_object_or_404(self.scoped_queryset(), pk=pk)
        services.mark_read(user=request.user, message=message)
        if getattr(request, "htmx", False) and "open" not in request.POST:
            message.refresh_from_db()
            response = render(request, "notifications/_inbox_item.html", {"n": message})
            response["HX-Trigger"] = "notifications-changed"
            return response
        inbox = reverse("notifications:inbox")
        if "open" in request.POST and message.link:
            if url_has_allowed_host_and_scheme(message.link, {request.get_host()}, request.is_secure()):
                return HttpResponseRedirect(message.link)
        return HttpResponseRedirect(_safe_next(request, inbox))


class MarkAllReadView(InboxMixin, PostOnlyMixin, generic.ResourceMixin, View):
    action = "change"

    def post(self, request):
        count = services.mark_all_read(user=request.user)
        if count:
            messages.success(request, _("All notifications are marked read."))
        return HttpResponseRedirect(_safe_next(request, reverse("notifications:inbox")))


class UnreadCountView(InboxMixin, generic.ResourceMixin, View):
    """A tiny fragment for the top bar (htmx: hx-get every minute and after a change)."""

    def get(self, request):
        count = selectors.unread_count(user=request.user)
        return render(request, "notifications/_unread_count.html", {"count": count})


# --- the outbox board --------------------------------------------------------------------------


class OutboxMixin:
    resource = "outbox"
    url_prefix = "notifications:outbox"
    model = Message
    selector = selectors.outbox_list


class OutboxListView(OutboxMixin, generic.RecordListView):
    filterset_class = filters.OutboxFilter
    table_class = tables.OutboxTable
    search_placeholder = gettext_lazy("Event, subject, address, recipient or robot")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["verbose_name_plural"] = _("Outbox")
        return ctx


class OutboxDetailView(OutboxMixin, generic.ResourceMixin, DetailView):
    template_name = "notifications/outbox_detail.html"

    def get_queryset(self):
        return self.scoped_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_retry"] = can(self.request.user, "outbox", "change") and self.object.state in (
            MessageState.FAILED,
            MessageState.PENDING,
        )
        return ctx


class OutboxRetryView(OutboxMixin, PostOnlyMixin, generic.ResourceMixin, View):
    action = "change"

    def post(self, request, pk):
        message = get_object_or_404(self.scoped_queryset(), pk=pk)
        try:
            services.retry(actor=request.user, message=message)
        except ConflictError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The message will be sent again in a moment."))
        return HttpResponseRedirect(_safe_next(request, message.get_absolute_url()))


# --- robot webhooks ----------------------------------------------------------------------------


class WebhookMixin:
    resource = "webhook"
    url_prefix = "notifications:webhook"
    model = WebhookEndpoint
    selector = selectors.webhook_list


class WebhookListView(WebhookMixin, generic.RecordListView):
    filterset_class = filters.WebhookEndpointFilter
    table_class = tables.WebhookEndpointTable


class WebhookDetailView(WebhookMixin, generic.RecordDetailView):
    template_name = "notifications/webhook_detail.html"
    detail_fields = ("name", "kind", "url")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["facts"].append((_("signing secret"), _("set") if self.object.secret else _("not set")))
        ctx["history"] = selectors.webhook_history(user=self.request.user, endpoint=self.object)
        ctx["recent_messages"] = selectors.webhook_recent_messages(user=self.request.user, endpoint=self.object)
        return ctx


class WebhookCreateView(WebhookMixin, generic.RecordCreateView):
    form_class = forms.WebhookEndpointForm
    create_service = services.webhook_create


class WebhookUpdateView(WebhookMixin, generic.RecordUpdateView):
    form_class = forms.WebhookEndpointForm
    update_service = services.webhook_update


class WebhookDeactivateView(WebhookMixin, generic.RecordSetActiveView):
    set_active_service = services.set_active


class WebhookReactivateView(WebhookDeactivateView):
    activate = True


class WebhookTestView(WebhookMixin, PostOnlyMixin, generic.ResourceMixin, View):
    """POST: send a test message now and say whether the robot took it."""

    action = "change"

    def post(self, request, pk):
        endpoint = get_object_or_404(self.scoped_queryset(), pk=pk)
        try:
            message = services.webhook_send_test(actor=request.user, endpoint=endpoint)
        except (ConflictError, ValidationError) as error:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            if message.state == MessageState.SENT:
                messages.success(request, _("The robot accepted the test message."))
            else:
                messages.error(
                    request, _("The test message failed: %(error)s") % {"error": message.last_error or "—"}
                )
        return HttpResponseRedirect(endpoint.get_absolute_url())
