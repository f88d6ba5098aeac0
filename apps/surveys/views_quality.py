"""Service quality per engineer (SPEC SQ-4): the monthly record (the technical head sees every
engineer, an engineer only himself) and the raters' scores."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from apps.core import views as generic
from apps.core.exceptions import ConflictError
from apps.core.ids import parse_id
from apps.core.views import apply_validation_error
from apps.surveys import filters, forms, policies, selectors, services, tables
from apps.surveys.models import EngineerRating

COLUMNS = {
    "engineer": gettext_lazy("Engineer"),
    "score": gettext_lazy("Score"),
    "attitude": gettext_lazy("Attitude"),
    "professional": gettext_lazy("Professional level"),
    "conduct": gettext_lazy("Conduct"),
    "ratings": gettext_lazy("Ratings"),
    "answered": gettext_lazy("Surveys answered"),
    "average_overall": gettext_lazy("Average overall"),
    "dissatisfied": gettext_lazy("Dissatisfied"),
}
WEIGHT_LABELS = {
    "attitude": gettext_lazy("Attitude"),
    "professional": gettext_lazy("Professional level"),
    "conduct": gettext_lazy("Conduct"),
    "customer": gettext_lazy("Average overall"),
}


class EngineerQualityView(generic.ResourceMixin, TemplateView):
    resource = "engineer_quality"
    url_prefix = "surveys"
    model = EngineerRating
    template_name = "surveys/quality.html"

    def resource_urls(self, obj=None) -> dict:
        return {"list": reverse("surveys:quality")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        month = selectors.parse_month(self.request.GET.get("month")) or selectors.current_month()
        sort = self.request.GET.get("sort", "engineer")
        engineer_id = parse_id(self.request.GET.get("engineer"))
        records = selectors.engineer_quality(user=user, month=month, engineer_id=engineer_id, sort=sort)
        from apps.core.dates import add_months

        columns = []
        for key, label in COLUMNS.items():
            descending = sort == key
            columns.append(
                {
                    "key": key,
                    "label": label,
                    "sort": f"-{key}" if descending else key,
                    "active": sort.lstrip("-") == key,
                    "descending": sort.startswith("-"),
                }
            )
        ctx.update(
            month=month,
            month_text=month.strftime("%Y-%m"),
            previous_month=add_months(month, -1).strftime("%Y-%m"),
            next_month=add_months(month, 1).strftime("%Y-%m"),
            sort=sort,
            records=records,
            columns=columns,
            only_self=(not user.is_superuser and user.role == "engineer"),
            may_rate=services.may_rate(user),
            weights=[(WEIGHT_LABELS[key], weight) for key, weight in policies.COMPONENT_WEIGHTS.items()],
        )
        return ctx


class RatingListView(generic.RecordListView):
    resource = "engineer_rating"
    url_prefix = "surveys"
    model = EngineerRating
    selector = selectors.rating_list
    template_name = "surveys/rating_list.html"
    htmx_template_name = "core/_record_table.html"
    table_class = tables.RatingTable
    filterset_class = filters.RatingFilter

    def resource_urls(self, obj=None) -> dict:
        return {"list": reverse("surveys:rating_list"), "add": reverse("surveys:rating_add")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_rate"] = services.may_rate(self.request.user)
        return ctx


class RatingFormView(generic.ResourceMixin, FormView):
    """Rate an engineer for a month (SQ-4), or change one's own rating (with its version)."""

    resource = "engineer_rating"
    action = "add"
    url_prefix = "surveys"
    model = EngineerRating
    template_name = "surveys/rating_form.html"
    form_class = forms.RatingForm
    instance = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and "pk" in kwargs:
            self.action = "change"
            self.instance = get_object_or_404(EngineerRating.objects.select_related("engineer"), pk=kwargs["pk"])
            if self.instance.rater_id != request.user.pk:
                raise Http404  # another rater's rating is not this page's to change
        return super().dispatch(request, *args, **kwargs)

    def resource_urls(self, obj=None) -> dict:
        return {"list": reverse("surveys:rating_list")}

    def get_initial(self):
        initial = super().get_initial()
        engineer = parse_id(self.request.GET.get("engineer"))
        if engineer is not None:
            initial["engineer"] = engineer
        month = selectors.parse_month(self.request.GET.get("month"))
        if month is not None:
            initial["month"] = month
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, instance=self.instance)
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.rating_save(
                actor=self.request.user,
                engineer=self.instance.engineer if self.instance else data["engineer"],
                month=self.instance.month if self.instance else data["month"],
                attitude=data["attitude"],
                professional=data["professional"],
                conduct=data["conduct"],
                comment=data["comment"],
                expected_version=data.get("expected_version"),
            )
        except PermissionDenied:
            raise
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Rating saved."))
        month = (self.instance.month if self.instance else data["month"]).strftime("%Y-%m")
        return redirect(f"{reverse('surveys:quality')}?month={month}")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Change the rating") if self.instance else _("Rate an engineer")
        ctx["instance"] = self.instance
        return ctx


urlpatterns = [
    path("service-quality/", EngineerQualityView.as_view(), name="quality"),
    path("engineer-ratings/", RatingListView.as_view(), name="rating_list"),
    path("engineer-ratings/new/", RatingFormView.as_view(), name="rating_add"),
    path("engineer-ratings/<int:pk>/edit/", RatingFormView.as_view(), name="rating_edit"),
]
