"""Suggestion pages (SPEC CP-5): the list with filters and its Excel export, the intake form, the
detail page with the moves the user may make, one small page per move, and the thank-you letter.

Views parse, check (apps.core.access.can; the row scope of apps.suggestions.selectors: out of
scope is 404; a role that may not is 403; a status that does not allow it is 409), call one
service and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from apps.core import views as generic
from apps.core.access import personal_data_for
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.imports import XLSX_CONTENT_TYPE, write_workbook
from apps.suggestions import documents, exports, filters, forms, policies, selectors, services, tables, transitions
from apps.suggestions.choices import TRANSITIONS, Action, Status
from apps.suggestions.models import Suggestion


class SuggestionMixin:
    resource = "suggestion"
    url_prefix = "suggestions"
    model = Suggestion
    selector = selectors.suggestion_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("suggestions:list"), "add": reverse("suggestions:create")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls

    def get_suggestion(self, pk) -> Suggestion:
        suggestion = selectors.suggestion_list(user=self.request.user).filter(pk=pk).first()
        if suggestion is None:
            raise Http404
        return suggestion


class SuggestionListView(SuggestionMixin, generic.RecordListView):
    """Opened without filters: the suggestions not answered yet."""

    template_name = "suggestions/list.html"
    htmx_template_name = "suggestions/_table.html"
    filterset_class = filters.SuggestionFilter
    table_class = tables.SuggestionTable
    paginate_by = policies.PAGE_SIZE
    exportable = True
    search_placeholder = gettext_lazy("Number, text, who made it, customer")

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
        ctx["export_url"] = f"{reverse('suggestions:export')}?{query.urlencode()}"
        return ctx


class SuggestionExportView(SuggestionMixin, generic.ResourceMixin, View):
    """GET: the rows of the list (same selector, same filters) as .xlsx."""

    http_method_names = ["get"]

    def get(self, request):
        queryset = selectors.suggestion_list(user=request.user)
        filterset = filters.SuggestionFilter(request.GET, queryset=queryset, request=request)
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        with translation.override("zh-hans"):
            buffer = write_workbook(resource=exports.SuggestionSheet(user=request.user), queryset=rows)
        return FileResponse(buffer, as_attachment=True, filename=exports.filename(), content_type=XLSX_CONTENT_TYPE)


class SuggestionCreateView(SuggestionMixin, generic.ResourceMixin, FormView):
    action = "add"
    template_name = "suggestions/form.html"
    form_class = forms.SuggestionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            suggestion = services.suggestion_create(actor=self.request.user, data=form.service_data())
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            self.request,
            _("Suggestion %(number)s recorded; the technical head is told.") % {"number": suggestion.number},
        )
        return HttpResponseRedirect(suggestion.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Record a suggestion")
        return ctx


class SuggestionDetailView(SuggestionMixin, generic.ResourceMixin, TemplateView):
    template_name = "suggestions/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        try:
            suggestion = self.object = selectors.suggestion_detail(user=user, pk=self.kwargs["pk"])
        except Suggestion.DoesNotExist:
            raise Http404 from None
        actions = [
            {"key": key, "label": Action(key).label, "url": reverse("suggestions:move", args=[suggestion.pk, key])}
            for key in transitions.allowed_actions(suggestion, user)
        ]
        blocker = (
            services.decide_blocker(suggestion) if suggestion.status in (Status.COLLECTED, Status.DISCUSSION) else ""
        )
        ctx.update(
            suggestion=suggestion,
            object=suggestion,
            events=list(suggestion.events.all()),
            actions=actions,
            decide_blocker=blocker,
            contact=personal_data_for(user, phone=suggestion.submitter_contact)[0],
            history=history_for([suggestion], user=user),
        )
        return ctx


MOVE_PAGES = {
    "discuss": (
        gettext_lazy(
            "Who took part and what was said. A suggestion on our products is discussed with the heads of the "
            "departments concerned; the leaders' opinion may be asked [S0 3.(四)二]."
        ),
        gettext_lazy("Discussion recorded."),
    ),
    "decide": (
        gettext_lazy("The conclusion: accepted, partly accepted, not adopted or deferred — and why."),
        gettext_lazy("Decision recorded."),
    ),
    "answer": (
        gettext_lazy(
            "The thank-you letter names the suggestion and the decision and carries the company's name; it is "
            "stored as a PDF."
        ),
        gettext_lazy("Thank-you letter issued."),
    ),
    "withdraw": (
        gettext_lazy("A duplicate, an entry by mistake, or taken back by the person who made it."),
        gettext_lazy("Suggestion withdrawn."),
    ),
}


class SuggestionMoveView(SuggestionMixin, generic.ResourceMixin, View):
    """/suggestions/<pk>/<action>/ — GET the form, POST one service call. Refused by role: 403; by
    status: the form page with the reason (409); bad input: 400 with the input kept."""

    http_method_names = ["get", "post"]
    template_name = "suggestions/move.html"

    def dispatch(self, request, *args, **kwargs):
        self.key = kwargs["action"]
        if self.key not in TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def setup_move(self):
        self.suggestion = self.get_suggestion(self.kwargs["pk"])
        refusal = transitions.refusal(self.suggestion, self.request.user, self.key)
        if isinstance(refusal, PermissionDenied):
            raise refusal
        self.refused = str(refusal.message) if refusal is not None else ""
        if not self.refused and self.key == "decide":
            self.refused = services.decide_blocker(self.suggestion)

    def get_form(self, data=None):
        return forms.MOVE_FORMS[self.key](data=data, suggestion=self.suggestion)

    def render_page(self, form, *, status=200):
        intro, _done = MOVE_PAGES[self.key]
        context = {
            "suggestion": self.suggestion,
            "form": form,
            "title": Action(self.key).label,
            "intro": intro,
            "refused": self.refused,
            "back_url": self.suggestion.get_absolute_url(),
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
            services.MOVES[self.key](actor=request.user, suggestion=self.suggestion, **form.service_kwargs())
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_page(form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_page(form, status=400)
        messages.success(request, str(done))
        return HttpResponseRedirect(self.suggestion.get_absolute_url())


class LetterPdfView(SuggestionMixin, generic.ResourceMixin, View):
    """The stored thank-you letter (never re-rendered), only through the suggestion's scope."""

    http_method_names = ["get"]

    def get(self, request, pk):
        suggestion = self.get_suggestion(pk)
        if not suggestion.letter_pdf:
            raise Http404
        try:
            handle = suggestion.letter_pdf.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=bool(request.GET.get("download")),
            filename=documents.pdf_filename(suggestion),
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("suggestions/", SuggestionListView.as_view(), name="list"),
    path("suggestions/new/", SuggestionCreateView.as_view(), name="create"),
    path("suggestions/export/", SuggestionExportView.as_view(), name="export"),
    path("suggestions/<int:pk>/", SuggestionDetailView.as_view(), name="detail"),
    path("suggestions/<int:pk>/letter.pdf", LetterPdfView.as_view(), name="letter"),
    path("suggestions/<int:pk>/<slug:action>/", SuggestionMoveView.as_view(), name="move"),
]
