"""Pages of the case library (SPEC KB-1): the ranked Chinese search with its filters, a case's
page, the write / edit forms (prefilled from a complaint or a job), deactivation, the suggestions
fragment of the work-order intake form and the panel on a work order's page.

Views parse, check (apps.core.access.can + the row scope of apps.knowledge.selectors: out of scope
is 404, a role that may not is 403), call one service or selector and render.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from django_filters.views import FilterView

from apps.complaints.models import Complaint
from apps.complaints.selectors import complaint_scope_q
from apps.core import views as generic
from apps.core.access import can
from apps.core.ids import parse_id
from apps.instruments.selectors import instrument_list
from apps.knowledge import filters, forms, policies, selectors, services
from apps.knowledge.models import Case
from apps.workorders.choices import Status as WorkOrderStatus
from apps.workorders.selectors import workorder_list

# Jobs a case can be written from: solved on site or by phone.
SOLVED_JOBS = frozenset({WorkOrderStatus.COMPLETED, WorkOrderStatus.CLOSED, WorkOrderStatus.REMOTE_RESOLVED})


class CaseMixin:
    resource = "case"
    url_prefix = "knowledge"
    model = Case
    selector = selectors.case_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("knowledge:list"), "add": reverse("knowledge:add")}
        if obj is not None and getattr(obj, "pk", None):
            for key in ("detail", "edit", "deactivate", "reactivate"):
                urls[key] = reverse(f"knowledge:{key}", args=[obj.pk])
        return urls


# --- the library ---------------------------------------------------------------------------------


class CaseListView(CaseMixin, generic.ResourceMixin, FilterView):
    """Search box (Chinese, ranked), filters by model, reagent and lot, results with the matched
    words marked, paginated."""

    template_name = "knowledge/case_list.html"
    htmx_template_name = "knowledge/_results.html"
    filterset_class = filters.CaseFilter
    paginate_by = policies.PAGE_SIZE
    search_placeholder = gettext_lazy("Describe the problem, e.g. 开机后温度报警")

    def get_queryset(self):
        return self.scoped_queryset()

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.htmx_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        text = (
            ctx["filter"].form.cleaned_data.get("q", "") if ctx["filter"].is_bound and ctx["filter"].is_valid() else ""
        )
        ctx.update(
            query=text,
            terms=selectors.matched_terms(text) if text else set(),
            search_placeholder=self.search_placeholder,
            is_editor=services.is_editor(self.request.user),
        )
        return ctx


class CaseDetailView(CaseMixin, generic.RecordDetailView):
    template_name = "knowledge/case_detail.html"

    def get_queryset(self):
        return self.scoped_queryset().select_related("complaint", "work_order")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case = self.object
        user = self.request.user
        ctx.update(
            can_change=services.case_may_change(case, user),
            complaint_visible=bool(case.complaint_id) and _complaint_visible(user, case.complaint_id),
            work_order_visible=bool(case.work_order_id) and _work_order_visible(user, case.work_order_id),
        )
        return ctx


def _complaint_visible(user, pk) -> bool:
    return can(user, "complaint", "view") and Complaint.objects.filter(complaint_scope_q(user), pk=pk).exists()


def _work_order_visible(user, pk) -> bool:
    return can(user, "workorder", "view") and workorder_list(user=user).filter(pk=pk).exists()


class CaseCreateView(CaseMixin, generic.RecordCreateView):
    """A new case; ?complaint=<id> or ?work_order=<id> fills it in from that record."""

    template_name = "knowledge/case_form.html"
    form_class = forms.CaseForm
    create_service = services.case_create

    def source(self):
        if not hasattr(self, "_source"):
            self._source = None
            user = self.request.user
            complaint_id = parse_id(self.request.GET.get("complaint"))
            order_id = parse_id(self.request.GET.get("work_order"))
            if complaint_id is not None and can(user, "complaint", "view"):
                self._source = (
                    Complaint.objects.filter(complaint_scope_q(user), pk=complaint_id)
                    .select_related("lot", "instrument_model", "item")
                    .first()
                )
            elif order_id is not None and can(user, "workorder", "view"):
                self._source = workorder_list(user=user).select_related("lot").filter(pk=order_id).first()
        return self._source

    def get_initial(self):
        initial = super().get_initial()
        source = self.source()
        if source is None:
            return initial
        if source._meta.model_name == "complaint":
            initial.update(selectors.draft_from_complaint(source))
        else:
            initial.update(selectors.draft_from_work_order(source))
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Write a case")
        source = ctx["source"] = self.source()
        ctx["source_kind"] = source._meta.model_name if source is not None else ""
        return ctx


class CaseUpdateView(CaseMixin, generic.RecordUpdateView):
    template_name = "knowledge/case_form.html"
    form_class = forms.CaseForm
    update_service = services.case_update

    def get_object(self):
        case = super().get_object()
        if not services.case_may_change(case, self.request.user):
            raise PermissionDenied(_("Only the author or a head may change this case."))
        return case


class CaseDeactivateView(CaseMixin, generic.RecordSetActiveView):
    set_active_service = services.case_set_active


class CaseReactivateView(CaseDeactivateView):
    activate = True


# --- suggestions ---------------------------------------------------------------------------------


def _boost_from(request) -> selectors.Boost:
    """The model, reagent and lot a request names (the intake form's fields or plain names)."""
    params = request.GET
    model = parse_id(params.get("model") or params.get("instrument_model"))
    instrument = parse_id(params.get("instrument"))
    if model is None and instrument is not None:
        model = instrument_list(user=request.user).filter(pk=instrument).values_list("model_id", flat=True).first()
    return selectors.Boost(model=model, item=parse_id(params.get("item")), lot=parse_id(params.get("lot")))


class SuggestView(CaseMixin, generic.ResourceMixin, View):
    """GET ?q= (or ?description= from the intake form) &model= &item= &lot= → the few library
    cases most like the problem, as a fragment (htmx, as the hotline clerk types)."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        text = (request.GET.get("q") or request.GET.get("description") or "").strip()
        cases = selectors.similar_cases(user=request.user, text=text, boost=_boost_from(request)) if text else []
        return render(
            request,
            "knowledge/_suggestions.html",
            {"cases": cases, "terms": selectors.matched_terms(text) if cases else set(), "query": text},
        )


def workorder_cases(order, user) -> dict:
    """Context of templates/knowledge/_workorder_panel.html on a work order's page
    (apps.workorders.aftercare.PANELS): the library's cases most like the job's problem, the
    cases already written from it, and — once the job is solved — the link to write one.
    None (the panel stays out) for a role that does not read the library."""
    if order is None or not can(user, "case", "view"):
        return {"workorder_cases": None}
    model = order.instrument_model_id or (order.instrument.model_id if order.instrument_id else None)
    boost = selectors.Boost(model=model, item=order.lot.item_id if order.lot_id else None, lot=order.lot_id)
    written = list(selectors.case_list(user=user).filter(work_order=order))
    similar = selectors.similar_cases(user=user, text=order.description, boost=boost, exclude_work_order=order)
    may_write = order.status in SOLVED_JOBS and can(user, "case", "add")
    return {
        "workorder_cases": {
            "similar": similar,
            "written": written,
            "terms": selectors.matched_terms(order.description) if similar else set(),
            "write_url": f"{reverse('knowledge:add')}?work_order={order.pk}" if may_write else "",
        }
    }


urlpatterns = [
    path("cases/", CaseListView.as_view(), name="list"),
    path("cases/add/", CaseCreateView.as_view(), name="add"),
    path("cases/suggest/", SuggestView.as_view(), name="suggest"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="detail"),
    path("cases/<int:pk>/edit/", CaseUpdateView.as_view(), name="edit"),
    path("cases/<int:pk>/deactivate/", CaseDeactivateView.as_view(), name="deactivate"),
    path("cases/<int:pk>/reactivate/", CaseReactivateView.as_view(), name="reactivate"),
]
