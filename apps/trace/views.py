"""Pages of the trace (issue 5): deliveries (list, record, Excel import and export), the lot /
serial trace with its Excel export, the field safety notice board, a notice's page with its
recipients, the notice letter (PDF), and the customer's acknowledgement page /fsn/<token>/.

Views parse, check (apps.core.access.can → 403; the row scope of apps.trace.selectors → 404)
and call one service or selector; refusals of a service become messages or form errors on the
page (409 for a state that does not allow the move or a stale version).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.core import views as generic
from apps.core.access import can, sees_all
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.core.imports import RecordExportView, RecordImportView
from apps.trace import documents, exports, filters, forms, policies, selectors, services, tables
from apps.trace.choices import NoticeState
from apps.trace.models import Delivery, FieldNotice, NoticeRecipient
from apps.trace.resources import DeliveryResource


class Allowed(LoginRequiredMixin):
    """The role table (apps.core.access) before anything else runs."""

    resource = ""
    action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, self.resource, self.action):
            raise PermissionDenied(_("Your role may not do this."))
        return super().dispatch(request, *args, **kwargs)


def _error_text(error) -> str:
    if isinstance(error, ConflictError):
        return str(error.message)
    if hasattr(error, "message_dict"):
        return " ".join(m for messages_ in error.message_dict.values() for m in messages_)
    return " ".join(getattr(error, "messages", [str(error)]))


# --- deliveries ----------------------------------------------------------------------------------


class DeliveryMixin:
    resource = "delivery"
    url_prefix = "trace:delivery"
    model = Delivery
    selector = selectors.delivery_list


class DeliveryListView(DeliveryMixin, generic.RecordListView):
    filterset_class = filters.DeliveryFilter
    table_class = tables.DeliveryTable
    paginate_by = policies.PAGE_SIZE
    exportable = True
    search_placeholder = gettext_lazy("Delivery note, lot or serial number, item, customer")


class DeliveryDetailView(DeliveryMixin, generic.RecordDetailView):
    template_name = "trace/delivery_detail.html"
    detail_fields = (
        "delivered_on",
        "customer",
        "item",
        "lot",
        "instrument",
        "serial_no",
        "quantity",
        "document_no",
        "dealer",
        "note",
        "is_active",
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        delivery = self.object
        trace_url = reverse("trace:search")
        ctx["can_trace"] = can(self.request.user, "trace", "view")
        if delivery.lot_id:
            ctx["trace_url"] = f"{trace_url}?lot={delivery.lot_id}"
        elif delivery.serial_no:
            ctx["trace_url"] = f"{trace_url}?serial_no={delivery.serial_no}"
        return ctx


class DeliveryCreateView(DeliveryMixin, generic.RecordCreateView):
    form_class = forms.DeliveryForm
    create_service = services.delivery_create
    prefill_from_query = ("customer", "item", "lot", "instrument")


class DeliveryUpdateView(DeliveryMixin, generic.RecordUpdateView):
    form_class = forms.DeliveryForm
    update_service = services.delivery_update


class DeliveryDeactivateView(DeliveryMixin, generic.RecordSetActiveView):
    set_active_service = services.delivery_set_active


class DeliveryReactivateView(DeliveryDeactivateView):
    activate = True


class DeliveryExportView(DeliveryMixin, RecordExportView):
    filterset_class = filters.DeliveryFilter
    resource_class = DeliveryResource
    filename_stem = "deliveries"


class DeliveryImportView(DeliveryMixin, RecordImportView):
    resource_class = DeliveryResource


# --- the trace ---------------------------------------------------------------------------------------


def run_trace(request, *, limit):
    """(form, trace or None) from ?lot_no= / ?serial_no= / ?lot=<id>."""
    form = forms.TraceForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return form, None
    data = form.cleaned_data
    user = request.user
    if data["serial_no"]:
        return form, selectors.trace_serial(user=user, serial_no=data["serial_no"], limit=limit)
    if data["lot_no"] or data.get("lot"):
        return form, selectors.trace_lot(user=user, lot_no=data["lot_no"], lot_id=data.get("lot"), limit=limit)
    return form, None


class TraceView(Allowed, TemplateView):
    """Lot or serial number → who received it, which instruments carry it, which complaints and
    service records mention it."""

    resource = "trace"
    template_name = "trace/search.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form, trace = run_trace(self.request, limit=policies.TRACE_SECTION_LIMIT)
        query = self.request.GET.copy()
        ctx.update(
            form=form,
            trace=trace,
            export_query=query.urlencode(),
            can_view_deliveries=can(self.request.user, "delivery", "view"),
            can_view_complaints=can(self.request.user, "complaint", "view"),
            limit=policies.TRACE_SECTION_LIMIT,
        )
        return ctx


class TraceExportView(Allowed, View):
    resource = "trace"
    http_method_names = ["get"]

    def get(self, request):
        form, trace = run_trace(request, limit=None)
        if trace is None or trace.needs_choice:
            messages.error(request, _("Search for a lot or a serial number first."))
            return HttpResponseRedirect(reverse("trace:search") + "?" + request.GET.urlencode())
        buffer = exports.trace_workbook(trace)
        stem = "".join(ch for ch in trace.number if ch.isalnum() or ch in "-_")[:40] or "trace"
        filename = f"trace-{stem}-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(buffer, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


# --- the notice board -----------------------------------------------------------------------------------


class NoticeListView(Allowed, SingleTableMixin, FilterView):
    """Every notice with its recipients told / acknowledged / overdue."""

    resource = "field_notice"
    template_name = "trace/notice_list.html"
    filterset_class = filters.NoticeFilter
    table_class = tables.NoticeTable
    paginate_by = policies.PAGE_SIZE

    def get_queryset(self):
        return selectors.notice_list(user=self.request.user)

    def get_table_kwargs(self):
        return {"request": self.request}

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["trace/_notice_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = can(self.request.user, "field_notice", "add")
        return ctx


class NoticeFormMixin(Allowed):
    resource = "field_notice"
    action = "add"
    template_name = "trace/notice_form.html"
    form_class = forms.NoticeForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        days = policies.NOTIFY_WITHIN_DAYS
        ctx.update(days_1=days["1"], days_2=days["2"], days_3=days["3"])
        return ctx


class NoticeCreateView(NoticeFormMixin, FormView):
    def form_valid(self, form):
        try:
            notice = services.notice_create(actor=self.request.user, data=form.service_data(), m2m=form.service_m2m())
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        reach = len(services.notice_reach(notice))
        messages.success(
            self.request,
            _("Draft %(number)s saved; it would reach %(n)s customers when issued.")
            % {"number": notice.number, "n": reach},
        )
        return HttpResponseRedirect(notice.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New field safety notice")
        ctx["cancel_url"] = reverse("trace:notice_list")
        return ctx


class NoticeUpdateView(NoticeFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        self.notice = None
        return super().dispatch(request, *args, **kwargs)

    def get_notice(self) -> FieldNotice:
        if self.notice is None:
            try:
                self.notice = selectors.notice_detail(user=self.request.user, pk=self.kwargs["pk"])
            except FieldNotice.DoesNotExist:
                raise Http404 from None
        return self.notice

    def get(self, request, *args, **kwargs):
        if self.get_notice().state != NoticeState.DRAFT:
            messages.error(request, _("Only a draft can be changed; this notice has been issued."))
            return HttpResponseRedirect(self.get_notice().get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_notice()
        return kwargs

    def form_valid(self, form):
        notice = self.get_notice()
        try:
            notice = services.notice_update(
                actor=self.request.user,
                instance=notice,
                data=form.service_data(),
                m2m=form.service_m2m(),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(obj)s") % {"obj": notice})
        return HttpResponseRedirect(notice.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notice = self.get_notice()
        ctx.update(title=_("Edit %(obj)s") % {"obj": notice}, cancel_url=notice.get_absolute_url(), object=notice)
        return ctx


# --- a notice's page --------------------------------------------------------------------------------


def render_notice(request, pk, *, forms_for=None, close_form=None, status: int = 200):
    """The notice page: facts, counts, the recipients (filter: not acknowledged yet), their
    moves, the timeline. After a refused move the form comes back with its errors
    (`forms_for`: recipient id → {"notify": form, "ack": form})."""
    user = request.user
    try:
        notice = selectors.notice_detail(user=user, pk=pk)
    except FieldNotice.DoesNotExist:
        raise Http404 from None
    at = timezone.now()
    recipients = selectors.recipient_list(user=user).filter(notice=notice)
    counts = selectors.recipient_counts(recipients, at=at)
    pending_only = request.GET.get("pending") in ("1", "true", "yes")
    overdue_only = request.GET.get("overdue") in ("1", "true", "yes")
    shown = recipients
    if pending_only:
        shown = selectors.recipients_pending(shown)
    if overdue_only:
        shown = shown.filter(notified_at__isnull=True, due_at__lt=at)
    page = Paginator(shown, policies.PAGE_SIZE).get_page(request.GET.get("page"))
    may_record = notice.state == NoticeState.ISSUED and can(user, "field_notice", "change")
    forms_for = forms_for or {}
    rows = []
    for recipient in page.object_list:
        own = forms_for.get(recipient.pk, {})
        rows.append(
            {
                "r": recipient,
                "overdue": recipient.is_overdue(at),
                "notify_form": own.get("notify")
                or forms.NotifyForm(initial={"expected_version": recipient.version}, prefix=f"n{recipient.pk}"),
                "ack_form": own.get("ack")
                or forms.AcknowledgeForm(initial={"expected_version": recipient.version}, prefix=f"a{recipient.pk}"),
            }
        )
    may_manage = can(user, "field_notice", "add")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "notice": notice,
        "object": notice,
        "counts": counts,
        "rows": rows,
        "page_obj": page,
        "pending_only": pending_only,
        "overdue_only": overdue_only,
        "filters_query": query.urlencode(),
        "may_record": may_record,
        "may_manage": may_manage,
        "reach": len(services.notice_reach(notice)) if notice.state == NoticeState.DRAFT and may_manage else None,
        # Customers that received the lots (or got the instruments) since the notice was issued.
        "new_reach": services.notice_new_reach_count(notice)
        if notice.state == NoticeState.ISSUED and may_manage
        else 0,
        "close_form": close_form or forms.CloseForm(initial={"expected_version": notice.version}),
        "events": list(notice.events.all()),
        "history": history_for([notice], user=user),
        "sees_all": sees_all(user),
        "now": at,
    }
    return render(request, "trace/notice_detail.html", context, status=status)


class NoticeDetailView(Allowed, View):
    resource = "field_notice"
    http_method_names = ["get"]

    def get(self, request, pk):
        return render_notice(request, pk)


def _notice_or_404(request, pk) -> FieldNotice:
    try:
        return selectors.notice_detail(user=request.user, pk=pk)
    except FieldNotice.DoesNotExist:
        raise Http404 from None


class PostOnly(Allowed, View):
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])


class NoticeIssueView(PostOnly):
    resource = "field_notice"
    action = "add"

    def post(self, request, pk):
        notice = _notice_or_404(request, pk)
        version = parse_id(request.POST.get("expected_version"))
        try:
            notice = services.notice_issue(
                actor=request.user,
                notice=notice,
                expected_version=version,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except (ConflictError, ValidationError) as error:
            messages.error(request, _error_text(error))
            return HttpResponseRedirect(reverse("trace:notice_detail", args=[pk]))
        count = notice.recipients.count()
        messages.success(
            request,
            _("Issued %(number)s to %(n)s customers; they must be told by %(due)s.")
            % {
                "number": notice.number,
                "n": count,
                "due": timezone.localtime(notice.due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return HttpResponseRedirect(notice.get_absolute_url())


class NoticeAddRecipientsView(PostOnly):
    resource = "field_notice"
    action = "add"

    def post(self, request, pk):
        notice = _notice_or_404(request, pk)
        try:
            added = services.notice_add_recipients(
                actor=request.user,
                notice=notice,
                expected_version=parse_id(request.POST.get("expected_version")),
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except (ConflictError, ValidationError) as error:
            messages.error(request, _error_text(error))
            return HttpResponseRedirect(reverse("trace:notice_detail", args=[pk]))
        messages.success(
            request,
            ngettext(
                "%(n)s customer added; it must be told by %(due)s.",
                "%(n)s customers added; they must be told by %(due)s.",
                len(added),
            )
            % {"n": len(added), "due": timezone.localtime(added[0].due_at).strftime("%Y-%m-%d %H:%M")},
        )
        return HttpResponseRedirect(notice.get_absolute_url())


class NoticeCloseView(PostOnly):
    resource = "field_notice"
    action = "add"

    def post(self, request, pk):
        notice = _notice_or_404(request, pk)
        form = forms.CloseForm(request.POST)
        if not form.is_valid():
            return render_notice(request, pk, close_form=form, status=400)
        try:
            services.notice_close(
                actor=request.user,
                notice=notice,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return render_notice(request, pk, close_form=form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_notice(request, pk, close_form=form, status=400)
        messages.success(request, _("Closed: %(obj)s") % {"obj": notice})
        return HttpResponseRedirect(notice.get_absolute_url())


class NoticeLetterView(Allowed, View):
    """GET: the notice letter as a PDF; ?recipient=<id> addresses it to that customer."""

    resource = "field_notice"
    http_method_names = ["get"]

    def get(self, request, pk):
        notice = _notice_or_404(request, pk)
        recipient = None
        if request.GET.get("recipient"):
            recipient = (
                selectors.recipient_list(user=request.user)
                .filter(notice=notice, pk=parse_id(request.GET["recipient"]))
                .first()
            )
            if recipient is None:
                raise Http404
        data = documents.notice_letter_pdf(notice, recipient=recipient, request=request)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{documents.pdf_filename(notice, recipient)}"'
        return response


class RecipientMoveView(PostOnly):
    """POST: one move on one recipient, from the notice page."""

    resource = "field_notice"
    action = "change"
    kind = ""

    def post(self, request, pk):
        recipient = selectors.recipient_list(user=request.user).filter(pk=parse_id(pk)).first()
        if recipient is None:
            raise Http404
        form = self.make_form(request.POST, recipient)
        if form.is_valid():
            try:
                self.perform(request, recipient, form.cleaned_data)
            except ConflictError as error:
                form.add_error(None, str(error.message))
                status = 409
            except ValidationError as error:
                generic.apply_validation_error(form, error)
                status = 400
            else:
                messages.success(request, self.success_text(recipient))
                return HttpResponseRedirect(
                    reverse("trace:notice_detail", args=[recipient.notice_id]) + f"#recipient-{recipient.pk}"
                )
        else:
            status = 400
        return render_notice(request, recipient.notice_id, forms_for={recipient.pk: {self.kind: form}}, status=status)


class RecipientNotifyView(RecipientMoveView):
    kind = "notify"

    def make_form(self, data, recipient):
        return forms.NotifyForm(data, prefix=f"n{recipient.pk}")

    def perform(self, request, recipient, data):
        services.recipient_notify(
            actor=request.user,
            recipient=recipient,
            channel=data["channel"],
            note=data["note"],
            expected_version=data.get("expected_version"),
        )

    def success_text(self, recipient):
        return _("Recorded: %(customer)s has been told.") % {"customer": recipient.customer.name}


class RecipientAcknowledgeView(RecipientMoveView):
    kind = "ack"

    def make_form(self, data, recipient):
        return forms.AcknowledgeForm(data, prefix=f"a{recipient.pk}")

    def perform(self, request, recipient, data):
        services.recipient_acknowledge(
            actor=request.user,
            recipient=recipient,
            name=data["name"],
            position=data["position"],
            note=data["note"],
            expected_version=data.get("expected_version"),
        )

    def success_text(self, recipient):
        return _("Recorded: %(customer)s acknowledged the notice.") % {"customer": recipient.customer.name}


# --- the customer's page (no login) -------------------------------------------------------------------


def public_language(request) -> tuple[str, bool]:
    """?lang= (remembered in a cookie), else the cookie, else Chinese."""
    wanted = request.GET.get("lang")
    if wanted in policies.PUBLIC_LANGUAGES:
        return wanted, True
    remembered = request.COOKIES.get(policies.LANGUAGE_COOKIE)
    if remembered in policies.PUBLIC_LANGUAGES:
        return remembered, False
    return policies.PUBLIC_LANGUAGE, False


class PublicMixin(View):
    """No login: the signed token is the key. A token that is not ours is a plain 404."""

    def dispatch(self, request, *args, **kwargs):
        language, chosen = public_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
        if chosen:
            response.set_cookie(policies.LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def lookup(self) -> NoticeRecipient:
        try:
            return selectors.recipient_from_token(self.kwargs["token"])
        except NoticeRecipient.DoesNotExist:
            raise Http404 from None


class PublicAckView(PublicMixin):
    """/fsn/<token>/ — the notice for one customer and its acknowledgement (name and position).
    Chinese by default, big tap targets; a second time it says "already acknowledged"."""

    http_method_names = ["get", "post"]
    template_name = "trace/public/acknowledge.html"

    def context(self, recipient, **extra):
        notice = recipient.notice
        return {
            "recipient": recipient,
            "notice": notice,
            "company_name": getattr(settings, "COMPANY_NAME", ""),
            "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
            "languages": [("zh-hans", "简体中文"), ("en", "English")],
            "letter_url": reverse("trace:public_letter", args=[self.kwargs["token"]]),
            "closed": notice.state == NoticeState.CLOSED,
            **extra,
        }

    def get(self, request, token):
        recipient = self.lookup()
        form = forms.AcknowledgeForm(public=True)
        return render(
            request, self.template_name, self.context(recipient, form=form, done=bool(request.GET.get("done")))
        )

    def post(self, request, token):
        recipient = self.lookup()
        form = forms.AcknowledgeForm(request.POST, public=True)
        if form.is_valid():
            try:
                services.recipient_acknowledge_by_link(
                    recipient=recipient,
                    name=form.cleaned_data["name"],
                    position=form.cleaned_data["position"],
                    note=form.cleaned_data["note"],
                )
            except ConflictError:
                # Acknowledged meanwhile (or closed): the page says so.
                return render(request, self.template_name, self.context(self.lookup(), form=form), status=409)
            except ValidationError as error:
                generic.apply_validation_error(form, error)
            else:
                return redirect(f"{request.path}?done=1")
        return render(request, self.template_name, self.context(recipient, form=form), status=400)


class PublicLetterView(PublicMixin):
    http_method_names = ["get"]

    def get(self, request, token):
        recipient = self.lookup()
        data = documents.notice_letter_pdf(recipient.notice, recipient=recipient, request=request)
        response = HttpResponse(data, content_type="application/pdf")
        filename = documents.pdf_filename(recipient.notice, recipient)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
