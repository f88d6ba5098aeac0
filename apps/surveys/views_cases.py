"""Case pages (SPEC SQ-2, SQ-3): the list ("open cases" of the owner's role first), the detail
page with what is still missing, one small page per move, and the printable quality feedback
form and letters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core import views as generic
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.views import apply_validation_error
from apps.surveys import documents, filters, forms, policies, selectors, services, tables
from apps.surveys.choices import CASE_ACTIONS, CaseAction
from apps.surveys.models import SurveyCase

OWNER_ROLES = frozenset(policies.OWNER_ROLE_BY_ITEM.values())


class CaseMixin:
    resource = "survey_case"
    url_prefix = "surveys"
    model = SurveyCase
    selector = selectors.case_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("surveys:case_list")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls


class CaseListView(CaseMixin, generic.RecordListView):
    """Opened without filters, an owner sees his role's open cases; everyone else all open ones."""

    template_name = "surveys/case_list.html"
    htmx_template_name = "surveys/_case_table.html"
    filterset_class = filters.CaseFilter
    table_class = tables.CaseTable
    search_placeholder = gettext_lazy("Case, survey or work-order number, customer")

    def get(self, request, *args, **kwargs):
        if not request.GET:
            query = request.GET.copy()
            query["state"] = filters.OPEN
            if request.user.is_superuser or request.user.role in OWNER_ROLES:
                query["mine"] = "true"
            request.GET = query
        return super().get(request, *args, **kwargs)


class CaseDetailView(CaseMixin, generic.ResourceMixin, TemplateView):
    template_name = "surveys/case_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        try:
            case = self.object = selectors.case_detail(user=user, pk=self.kwargs["pk"])
        except SurveyCase.DoesNotExist:
            raise Http404 from None
        actions = []
        for key in CASE_ACTIONS:
            if services.case_may(case, user, key):
                url = reverse("surveys:case_action", args=[case.pk, key])
                actions.append({"key": key, "label": CaseAction(key).label, "url": url})
        ctx.update(
            case=case,
            object=case,
            survey=case.survey,
            order=case.survey.work_order,
            quality_form=selectors.quality_form_of(case) if case.is_product_quality else None,
            letters=list(case.letters.all()),
            events=list(case.events.all()),
            actions=actions,
            blockers=list(services.close_blockers(case).values()) if case.is_open else [],
            survey_visible=can(user, "survey", "view"),
        )
        return ctx


CASE_PAGES = {
    "cause": (
        forms.CauseForm,
        services.case_record_cause,
        gettext_lazy("Why was the customer dissatisfied? Find out and record it (SQ-2)."),
        gettext_lazy("Cause recorded."),
    ),
    "verify": (
        forms.VerifyForm,
        services.case_record_verification,
        gettext_lazy("A product-quality problem is first verified at the customer, before the quality feedback form."),
        gettext_lazy("Verification recorded."),
    ),
    "quality_form": (
        forms.QualityFeedbackFormForm,
        services.case_issue_quality_form,
        gettext_lazy(
            "The form goes to the marketing centre head and the quality department (product centre); "
            "it can be printed as PDF."
        ),
        gettext_lazy("Quality feedback form issued; the marketing and product centres are notified."),
    ),
    "forward": (
        forms.ForwardForm,
        services.case_forward,
        gettext_lazy("Packaging, logistics and other suggestions go to the production and R&D centres (SQ-3)."),
        gettext_lazy("Forwarded to production / R&D."),
    ),
    "letter": (
        forms.LetterForm,
        services.case_issue_letter,
        gettext_lazy("The company answers with a thank-you or a reply letter, printed as PDF with the company name."),
        gettext_lazy("Letter issued."),
    ),
    "answer": (
        forms.AnswerForm,
        services.case_record_answer,
        gettext_lazy("What the customer was told, when and how."),
        gettext_lazy("Answer recorded."),
    ),
    "close": (
        forms.CloseForm,
        services.case_close,
        gettext_lazy("A case closes once it has been handled, the customer answered and the improvement recorded."),
        gettext_lazy("Case closed."),
    ),
}


class CaseActionView(LoginRequiredMixin, View):
    """/survey-cases/<pk>/<action>/ — GET the form, POST one service call. Refused by role: 403;
    by state or what is missing: the form page with the reason (409 / 400), nothing changed."""

    http_method_names = ["get", "post"]
    template_name = "surveys/action.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, "survey_case", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        self.key = kwargs["action"]
        if self.key not in CASE_PAGES:
            raise Http404
        try:
            self.case = (
                selectors.case_list(user=request.user)
                .select_related("survey__work_order__instrument__model", "survey__work_order__instrument_model")
                .get(pk=kwargs["pk"])
            )
        except SurveyCase.DoesNotExist:
            raise Http404 from None
        refusal = services.case_refusal(self.case, request.user, self.key)
        if isinstance(refusal, PermissionDenied):
            raise refusal
        self.refused = str(refusal.message) if refusal is not None else ""
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        return CASE_PAGES[self.key][0](data=data, instance=self.case)

    def render_page(self, form, *, status=200):
        _form, _service, intro, _done = CASE_PAGES[self.key]
        return render(
            self.request,
            self.template_name,
            {
                "case": self.case,
                "survey": self.case.survey,
                "form": form,
                "title": CaseAction(self.key).label,
                "intro": intro,
                "submit_label": CaseAction(self.key).label,
                "refused": self.refused,
                "back_url": self.case.get_absolute_url(),
                "blockers": list(services.close_blockers(self.case).values()) if self.key == "close" else [],
            },
            status=status,
        )

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_form(), status=409 if self.refused else 200)

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if self.refused:
            return self.render_page(form, status=409)
        if not form.is_valid():
            return self.render_page(form, status=400)
        _form, service, _intro, done = CASE_PAGES[self.key]
        try:
            service(case=self.case, actor=request.user, **form.service_kwargs())
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_page(form, status=409)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render_page(form, status=400)
        messages.success(request, str(done))
        return redirect(self.case.get_absolute_url())


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class QualityFormPdfView(CaseMixin, generic.ResourceMixin, View):
    def get(self, request, pk):
        case = get_object_or_404(selectors.case_list(user=request.user), pk=pk)
        form = selectors.quality_form_of(case)
        if form is None:
            raise Http404
        data = documents.quality_form_pdf(form, request=request)
        return _pdf_response(data, documents.pdf_filename("QF", form.number))


class LetterPdfView(CaseMixin, generic.ResourceMixin, View):
    def get(self, request, pk, letter_id):
        case = get_object_or_404(selectors.case_list(user=request.user), pk=pk)
        letter = get_object_or_404(case.letters.select_related("issued_by"), pk=letter_id)
        data = documents.letter_pdf(letter, request=request)
        return _pdf_response(data, documents.pdf_filename("LT", letter.number))


urlpatterns = [
    path("survey-cases/", CaseListView.as_view(), name="case_list"),
    path("survey-cases/<int:pk>/", CaseDetailView.as_view(), name="case_detail"),
    path("survey-cases/<int:pk>/quality-form.pdf", QualityFormPdfView.as_view(), name="quality_form_pdf"),
    path("survey-cases/<int:pk>/letters/<int:letter_id>.pdf", LetterPdfView.as_view(), name="letter_pdf"),
    path("survey-cases/<int:pk>/<slug:action>/", CaseActionView.as_view(), name="case_action"),
]
