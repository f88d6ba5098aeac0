"""Survey pages (SPEC SQ-1): the list, the detail page with its link actions, the staff fill-in
page (on site on the engineer's phone, or by phone) and the customer's public page behind the
personal link. Views parse, check (apps.core.access.can + the row scope of the selectors: 404
out of scope, 403 wrong role) and call one service."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.core import views as generic
from apps.core.access import can, personal_data_for
from apps.core.exceptions import ConflictError
from apps.surveys import filters, forms, policies, selectors, services, tables
from apps.surveys.choices import SurveyChannel, SurveyState
from apps.surveys.models import Survey

PUBLIC_LAYOUT = "surveys/public/base.html"
STAFF_LAYOUT = "base.html"


def public_link(request, survey: Survey) -> str:
    """The absolute address of the customer's link (PUBLIC_BASE_URL, else this request's host)."""
    path_ = services.link_path(survey)
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return base + path_ if base else request.build_absolute_uri(path_)


def workorder_survey(order, user) -> dict:
    """The survey panel of a work order's page (apps.workorders.aftercare.PANELS): the survey
    the user may see, and the fill-in buttons he may press."""
    panel = {"show": False}
    if order is None or user is None or not can(user, "survey", "view"):
        return {"workorder_survey": panel}
    survey = selectors.survey_for_work_order(user=user, order=order)
    if survey is not None:
        may_answer = services.survey_may(survey, user, "answer")
        panel = {
            "show": True,
            "survey": survey,
            "channels": services.staff_channels(user, survey) if may_answer else [],
            "open_cases": survey.cases.exclude(state="closed").count() if survey.answered_at else 0,
        }
    return {"workorder_survey": panel}


class SurveyMixin:
    resource = "survey"
    url_prefix = "surveys"
    model = Survey
    selector = selectors.survey_list

    def resource_urls(self, obj=None) -> dict:
        from django.urls import reverse

        urls = {"list": reverse("surveys:list")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls


class SurveyListView(SurveyMixin, generic.RecordListView):
    template_name = "surveys/survey_list.html"
    htmx_template_name = "surveys/_survey_table.html"
    filterset_class = filters.SurveyFilter
    table_class = tables.SurveyTable
    search_placeholder = gettext_lazy("Number, work order, customer or respondent")


class SurveyDetailView(SurveyMixin, generic.ResourceMixin, TemplateView):
    template_name = "surveys/survey_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        try:
            survey = self.object = selectors.survey_detail(user=user, pk=self.kwargs["pk"])
        except Survey.DoesNotExist:
            raise Http404 from None
        may = {action: services.survey_may(survey, user, action) for action in services.SURVEY_ACTIONS}
        channels = services.staff_channels(user, survey) if may["answer"] else []
        show_link = survey.state == SurveyState.PENDING and (may["send_link"] or may["reissue_link"])
        contact_email = ""
        if survey.contact_id:
            contact_email = personal_data_for(user, email=survey.contact.email)[1]
        ctx.update(
            survey=survey,
            object=survey,
            order=survey.work_order,
            sheet=selectors.answer_sheet(survey),
            cases=list(survey.cases.all()),
            events=list(survey.events.all()),
            may=may,
            channels=channels,
            link=public_link(self.request, survey) if show_link else "",
            link_expired=survey.link_expires_at < timezone.now(),
            contact_email=contact_email,
            link_sent_to=personal_data_for(user, email=survey.link_sent_to)[1] if survey.link_sent_to else "",
            order_visible=can(user, "workorder", "view"),
        )
        return ctx


# --- actions -------------------------------------------------------------------------------------


class SurveyActionView(LoginRequiredMixin, View):
    """GET: the form; POST: one service call, back to the survey with a message. A refusal
    by role is the 403 page; by state, the form page with the reason (409)."""

    http_method_names = ["get", "post"]
    action = ""
    form_class = forms.ConfirmForm
    template_name = "surveys/action.html"
    title = ""
    intro = ""
    submit_label = gettext_lazy("Save")
    success_message = gettext_lazy("Saved.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, "survey", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        try:
            self.survey = selectors.survey_list(user=request.user).select_related("contact").get(pk=kwargs["pk"])
        except Survey.DoesNotExist:
            raise Http404 from None
        refusal = services.survey_refusal(self.survey, request.user, self.action)
        if isinstance(refusal, PermissionDenied):
            raise refusal
        self.refused = str(refusal.message) if refusal is not None else ""
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, data=None):
        return self.form_class(data=data, instance=self.survey)

    def perform(self, form):  # pragma: no cover - every view defines it
        raise NotImplementedError

    def render_page(self, form, *, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "survey": self.survey,
                "form": form,
                "title": self.title,
                "intro": self.intro,
                "submit_label": self.submit_label,
                "refused": self.refused,
                "back_url": self.survey.get_absolute_url(),
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
        try:
            self.perform(form)
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_page(form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_page(form, status=400)
        messages.success(request, str(self.success_message))
        return redirect(self.survey.get_absolute_url())


class SendLinkView(SurveyActionView):
    action = "send_link"
    form_class = forms.SendLinkForm
    title = gettext_lazy("Send the survey link")
    intro = gettext_lazy(
        "The customer gets the personal link by e-mail. For SMS or WeChat, copy it from the survey page."
    )
    submit_label = gettext_lazy("Send the link")
    success_message = gettext_lazy("The link is on its way.")

    def perform(self, form):
        data = form.cleaned_data
        services.survey_send_link(
            survey=self.survey,
            actor=self.request.user,
            email=data["email"],
            base_url=self.request.build_absolute_uri("/"),
            expected_version=data["expected_version"],
        )


class ReissueLinkView(SurveyActionView):
    action = "reissue_link"
    title = gettext_lazy("Re-issue the link")
    intro = gettext_lazy("A new link with a new expiry date; the old link stops working at once.")
    submit_label = gettext_lazy("Re-issue the link")
    success_message = gettext_lazy("New link issued; the old one no longer works.")

    def perform(self, form):
        services.survey_reissue_link(
            survey=self.survey, actor=self.request.user, expected_version=form.cleaned_data["expected_version"]
        )


class CancelSurveyView(SurveyActionView):
    action = "cancel"
    form_class = forms.CancelSurveyForm
    title = gettext_lazy("Cancel the survey")
    submit_label = gettext_lazy("Cancel the survey")
    success_message = gettext_lazy("Survey cancelled.")

    def perform(self, form):
        data = form.cleaned_data
        services.survey_cancel(
            survey=self.survey,
            actor=self.request.user,
            reason=data["reason"],
            expected_version=data["expected_version"],
        )


class SurveyFillView(SurveyActionView):
    """The staff fill-in page: on site (the customer scores on the engineer's phone — a plain,
    customer-facing page) or by the clerk during a call."""

    action = "answer"
    template_name = "surveys/fill.html"

    def channels(self) -> list[str]:
        allowed = services.staff_channels(self.request.user, self.survey)
        wanted = self.request.GET.get("channel")
        return [wanted] if wanted in allowed else allowed

    def get_form(self, data=None):
        return forms.SurveyAnswerForm(data=data, channels=self.channels(), survey=self.survey, staff=True)

    def render_page(self, form, *, status=200):
        channels = self.channels()
        on_site = channels == [SurveyChannel.ON_SITE]
        return render(
            self.request,
            self.template_name,
            {
                "layout": PUBLIC_LAYOUT if on_site else STAFF_LAYOUT,
                "survey": self.survey,
                "form": form,
                "on_site": on_site,
                "staff": True,
                "refused": self.refused,
                "back_url": self.survey.get_absolute_url(),
                "company_name": getattr(settings, "COMPANY_NAME", ""),
                "languages": [],
            },
            status=status,
        )

    success_message = gettext_lazy("Thank you: the survey is recorded.")

    def perform(self, form):
        services.survey_answer(survey=self.survey, actor=self.request.user, **form.service_kwargs())


# --- the customer's page (no login) -------------------------------------------------------------


LANGUAGE_COOKIE = "survey_lang"


def public_language(request) -> tuple[str, bool]:
    """The page's language: ?lang= (remembered in a cookie), else the cookie, else Chinese."""
    wanted = request.GET.get("lang")
    if wanted in policies.PUBLIC_LANGUAGES:
        return wanted, True
    remembered = request.COOKIES.get(LANGUAGE_COOKIE)
    if remembered in policies.PUBLIC_LANGUAGES:
        return remembered, False
    return policies.PUBLIC_LANGUAGE, False


class PublicSurveyView(View):
    """/s/<token>/ — the customer's personal link: no login, phone first, Chinese by default
    with a switch to English. A token that is not ours is a plain 404; a replaced, expired or
    already answered link says so clearly and changes nothing."""

    http_method_names = ["get", "post"]
    template_name = "surveys/fill.html"
    problem_template = "surveys/public/closed.html"

    def dispatch(self, request, *args, **kwargs):
        language, chosen = public_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
        if chosen:
            response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax")
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def lookup(self):
        try:
            return selectors.survey_from_token(self.kwargs["token"])
        except Survey.DoesNotExist:
            raise Http404 from None

    def context(self, survey, **extra):
        engineer = survey.engineer
        return {
            "layout": PUBLIC_LAYOUT,
            "survey": survey,
            "order": survey.work_order,
            "engineer_name": str(engineer) if engineer else "",
            "company_name": getattr(settings, "COMPANY_NAME", ""),
            "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
            "languages": [("zh-hans", "简体中文"), ("en", "English")],
            "staff": False,
            **extra,
        }

    def problem(self, lookup, *, status=None, done=False):
        codes = {"answered": 200, "replaced": 410, "expired": 410, "cancelled": 410}
        return render(
            self.request,
            self.problem_template,
            self.context(lookup.survey, problem=lookup.problem, done=done),
            status=status or codes.get(lookup.problem, 410),
        )

    def get(self, request, token):
        lookup = self.lookup()
        if lookup.problem:
            return self.problem(lookup, done=bool(request.GET.get("done")))
        form = forms.SurveyAnswerForm(channels=[SurveyChannel.LINK], survey=lookup.survey)
        return render(request, self.template_name, self.context(lookup.survey, form=form))

    def post(self, request, token):
        lookup = self.lookup()
        if lookup.problem:
            return self.problem(lookup, status=409)
        survey = lookup.survey
        form = forms.SurveyAnswerForm(data=request.POST, channels=[SurveyChannel.LINK], survey=survey)
        if form.is_valid():
            try:
                services.survey_answer(survey=survey, actor=None, link_nonce=survey.link_nonce, **form.service_kwargs())
            except ConflictError:
                return self.problem(self.lookup(), status=409)
            except ValidationError as error:
                generic.apply_validation_error(form, error)
            else:
                return redirect(f"{request.path}?done=1")
        return render(request, self.template_name, self.context(survey, form=form), status=400)


urlpatterns = [
    path("surveys/", SurveyListView.as_view(), name="list"),
    path("surveys/<int:pk>/", SurveyDetailView.as_view(), name="detail"),
    path("surveys/<int:pk>/fill/", SurveyFillView.as_view(), name="fill"),
    path("surveys/<int:pk>/send-link/", SendLinkView.as_view(), name="send_link"),
    path("surveys/<int:pk>/reissue-link/", ReissueLinkView.as_view(), name="reissue_link"),
    path("surveys/<int:pk>/cancel/", CancelSurveyView.as_view(), name="cancel"),
    path("s/<str:token>/", PublicSurveyView.as_view(), name="public"),
]
