"""Return / exchange pages (SPEC CP-6): the list with filters and its Excel export, the application
form with its uploads, the detail page with the moves the user may make, one small page per move,
and the files.

Views parse, check (apps.core.access.can; the row scope of apps.returns.selectors: out of scope is
404; a role that may not is 403; a status that does not allow it is 409), call one service and
render.
"""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.core import views as generic
from apps.core.access import can, personal_data_for, sees_internal_notes
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.core.imports import XLSX_CONTENT_TYPE, write_workbook
from apps.returns import exports, filters, forms, policies, selectors, services, tables, transitions
from apps.returns.choices import TRANSITIONS, Action, AttachmentKind
from apps.returns.models import ReturnAttachment, ReturnRequest


class ReturnMixin:
    resource = "return_request"
    url_prefix = "returns"
    model = ReturnRequest
    selector = selectors.return_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("returns:list"), "add": reverse("returns:create")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls

    def get_return(self, pk) -> ReturnRequest:
        return_request = selectors.return_list(user=self.request.user).filter(pk=pk).first()
        if return_request is None:
            raise Http404
        return return_request


class ReturnListView(ReturnMixin, generic.RecordListView):
    """Opened without filters: the applications still open."""

    template_name = "returns/list.html"
    htmx_template_name = "returns/_table.html"
    filterset_class = filters.ReturnFilter
    table_class = tables.ReturnTable
    paginate_by = policies.PAGE_SIZE
    exportable = True
    search_placeholder = gettext_lazy("Number, customer, product, invoice, lot or serial")

    def get(self, request, *args, **kwargs):
        if not request.GET:
            query = request.GET.copy()
            query["status"] = filters.OPEN
            request.GET = query
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx["export_url"] = f"{reverse('returns:export')}?{query.urlencode()}"
        return ctx


class ReturnExportView(ReturnMixin, generic.ResourceMixin, View):
    """GET: the rows of the list (same selector, same filters) as .xlsx."""

    http_method_names = ["get"]

    def get(self, request):
        queryset = selectors.return_list(user=request.user)
        filterset = filters.ReturnFilter(request.GET, queryset=queryset, request=request)
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        with translation.override("zh-hans"):
            buffer = write_workbook(resource=exports.ReturnSheet(user=request.user), queryset=rows)
        return FileResponse(buffer, as_attachment=True, filename=exports.filename(), content_type=XLSX_CONTENT_TYPE)


class ReturnCreateView(ReturnMixin, generic.ResourceMixin, FormView):
    """The application; ?complaint=<id> or ?work_order=<id> fills in what the source knows."""

    action = "add"
    template_name = "returns/form.html"
    form_class = forms.ReturnForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        from apps.complaints.selectors import complaint_list
        from apps.workorders.selectors import workorder_list

        initial = super().get_initial()
        user = self.request.user
        complaint_id = parse_id(self.request.GET.get("complaint"))
        complaint = complaint_list(user=user).filter(pk=complaint_id).first() if complaint_id else None
        if complaint is not None:
            initial.update(
                complaint_number=complaint.number,
                customer=complaint.customer_id,
                applicant_name=complaint.complainant_name,
                instrument=complaint.instrument_id,
                item=complaint.item_id,
                lot=complaint.lot_id,
                lot_no=complaint.lot_no,
                fault_description=complaint.details,
            )
        order_id = parse_id(self.request.GET.get("work_order"))
        order = workorder_list(user=user).filter(pk=order_id).first() if order_id else None
        if order is not None:
            initial.update(
                work_order_number=order.number,
                customer=order.customer_id,
                instrument=order.instrument_id,
                fault_description=order.description,
            )
        return initial

    def form_valid(self, form):
        try:
            return_request = services.return_create(actor=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            if self.request.FILES:
                form.add_error(None, _("Nothing was saved; choose the files again."))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Application %(number)s recorded; the quality department and the technical head are told.")
            % {"number": return_request.number},
        )
        return HttpResponseRedirect(return_request.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Apply for a return or exchange")
        ctx["max_mb"] = policies.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        return ctx


class ReturnDetailView(ReturnMixin, generic.ResourceMixin, TemplateView):
    template_name = "returns/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        try:
            return_request = self.object = selectors.return_detail(user=user, pk=self.kwargs["pk"])
        except ReturnRequest.DoesNotExist:
            raise Http404 from None
        actions = [
            {"key": key, "label": Action(key).label, "url": reverse("returns:move", args=[return_request.pk, key])}
            for key in transitions.allowed_actions(return_request, user)
        ]
        attachments = list(return_request.attachments.all())
        may_attach = not return_request.is_final and (
            can(user, "return_request", "add") or can(user, "return_request", "change")
        )
        ctx.update(
            rr=return_request,
            object=return_request,
            actions=actions,
            events=list(return_request.events.all()),
            proofs=[a for a in attachments if a.kind == AttachmentKind.PROOF],
            other_files=[a for a in attachments if a.kind != AttachmentKind.PROOF],
            attach_form=forms.AttachForm() if may_attach else None,
            phone=personal_data_for(user, phone=return_request.applicant_phone)[0],
            complaint_visible=can(user, "complaint", "view"),
            show_internal=sees_internal_notes(user),
            history=history_for([return_request], user=user),
        )
        return ctx


MOVE_PAGES = {
    "assess": (
        gettext_lazy("The cause of the fault and who is responsible [S4 3.2]; the customer is told the result."),
        gettext_lazy("Assessment recorded."),
    ),
    "decide": (
        gettext_lazy(
            "Repair or replacement first; a return with refund only when neither solves the problem or is possible, "
            "with the reason [S4 3.3–3.4]. Damage by the customer is repaired or replaced at the lowest cost."
        ),
        gettext_lazy("Remedy decided."),
    ),
    "complete": (
        gettext_lazy("What was done and when. A refund is confirmed by finance with the payment."),
        gettext_lazy("Completion recorded."),
    ),
    "close": (gettext_lazy("Close once the customer has confirmed the outcome."), gettext_lazy("Closed.")),
    "reject": (
        gettext_lazy("Reject the application, with the reason the customer is given."),
        gettext_lazy("Rejected."),
    ),
}


class ReturnMoveView(ReturnMixin, generic.ResourceMixin, View):
    """/returns/<pk>/<action>/ — GET the form, POST one service call. Refused by role: 403; by
    status: the form page with the reason (409); bad input: 400 with the input kept."""

    http_method_names = ["get", "post"]
    template_name = "returns/move.html"

    def dispatch(self, request, *args, **kwargs):
        self.key = kwargs["action"]
        if self.key not in TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def setup_move(self):
        self.return_request = self.get_return(self.kwargs["pk"])
        refusal = transitions.refusal(self.return_request, self.request.user, self.key)
        if isinstance(refusal, PermissionDenied):
            raise refusal
        self.refused = str(refusal.message) if refusal is not None else ""

    def get_form(self, data=None):
        return forms.MOVE_FORMS[self.key](data=data, return_request=self.return_request)

    def render_page(self, form, *, status=200):
        intro, _done = MOVE_PAGES[self.key]
        context = {
            "rr": self.return_request,
            "form": form,
            "title": Action(self.key).label,
            "intro": intro,
            "refused": self.refused,
            "back_url": self.return_request.get_absolute_url(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.setup_move()
        return self.render_page(self.get_form(), status=409 if self.refused else 200)

    def post(self, request, *args, **kwargs):
        self.setup_move()
        form = self.get_form(request.POST)
        if self.refused:
            return self.render_page(form, status=409)
        if not form.is_valid():
            return self.render_page(form, status=400)
        _intro, done = MOVE_PAGES[self.key]
        try:
            services.MOVES[self.key](actor=request.user, return_request=self.return_request, **form.service_kwargs())
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_page(form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_page(form, status=400)
        messages.success(request, str(done))
        return HttpResponseRedirect(self.return_request.get_absolute_url())


class ReturnAttachView(ReturnMixin, generic.ResourceMixin, View):
    """POST: one more file from the detail page."""

    def get(self, request, pk):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        return_request = self.get_return(pk)
        form = forms.AttachForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return HttpResponseRedirect(f"{return_request.get_absolute_url()}#files")
        try:
            services.return_attach(
                actor=request.user,
                return_request=return_request,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except (ConflictError, ValidationError) as error:
            text = str(error.message) if isinstance(error, ConflictError) else " ".join(error.messages)
            messages.error(request, text)
        else:
            messages.success(request, _("File added."))
        return HttpResponseRedirect(f"{return_request.get_absolute_url()}#files")


class AttachmentDownloadView(ReturnMixin, generic.ResourceMixin, View):
    """Files only through the application's scope, never a public /media/ link."""

    http_method_names = ["get"]

    def get(self, request, pk, attachment_id):
        return_request = self.get_return(pk)
        attachment = get_object_or_404(ReturnAttachment, pk=attachment_id, return_request=return_request)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
        inline = content_type.startswith("image/") or content_type == "application/pdf"
        response = FileResponse(
            handle,
            as_attachment=not inline or bool(request.GET.get("download")),
            filename=attachment.original_name,
            content_type=content_type,
        )
        response["Cache-Control"] = "private, max-age=3600"
        return response


urlpatterns = [
    path("returns/", ReturnListView.as_view(), name="list"),
    path("returns/new/", ReturnCreateView.as_view(), name="create"),
    path("returns/export/", ReturnExportView.as_view(), name="export"),
    path("returns/<int:pk>/", ReturnDetailView.as_view(), name="detail"),
    path("returns/<int:pk>/files/", ReturnAttachView.as_view(), name="attach"),
    path("returns/<int:pk>/files/<int:attachment_id>/", AttachmentDownloadView.as_view(), name="attachment"),
    path("returns/<int:pk>/<slug:action>/", ReturnMoveView.as_view(), name="move"),
]
