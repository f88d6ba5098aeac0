"""Pages of new-project survival (SPEC FU-6): the project list, a project's page with its
monthly checks, the create and correct forms, and the monthly survival report with its Excel
export.

Views parse, check (apps.core.access.can + the row scope of apps.survival.selectors: out of
scope is 404, a role that may not is 403), call one service and render.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from apps.core import views as generic
from apps.core.access import can
from apps.core.dates import add_months
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.customers.selectors import customer_list
from apps.survival import exports, filters, forms, policies, selectors, services, tables
from apps.survival.choices import ProjectState
from apps.survival.models import NewProject


class ProjectMixin:
    resource = "new_project"
    url_prefix = "survival:project"
    model = NewProject
    selector = selectors.project_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("survival:project_list"), "add": reverse("survival:project_add")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls

    def get_project(self, pk) -> NewProject:
        project = selectors.project_list(user=self.request.user).filter(pk=pk).first()
        if project is None:
            raise Http404
        return project


# --- list ----------------------------------------------------------------------------------------


class ProjectListView(ProjectMixin, generic.RecordListView):
    template_name = "survival/project_list.html"
    htmx_template_name = "survival/_project_table.html"
    filterset_class = filters.ProjectFilter
    table_class = tables.ProjectTable
    paginate_by = policies.PAGE_SIZE
    search_placeholder = gettext_lazy("Project, customer, pinyin initials or reagent")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer_id = parse_id(ctx["filter"].form.data.get("customer"))
        ctx["for_customer"] = (
            customer_list(user=self.request.user).filter(pk=customer_id).first() if customer_id else None
        )
        return ctx


# --- create and correct --------------------------------------------------------------------------


class ProjectCreateView(ProjectMixin, generic.ResourceMixin, FormView):
    action = "add"
    template_name = "core/record_form.html"
    form_class = forms.ProjectForm

    def get_initial(self):
        initial = super().get_initial()
        customer_id = parse_id(self.request.GET.get("customer"))
        if customer_id is not None:
            initial["customer"] = customer_id
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            project = services.project_create(actor=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Tracking %(project)s: checks are on %(engineer)s's call list.")
            % {"project": project, "engineer": project.engineer},
        )
        return HttpResponseRedirect(project.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Track a new project")
        return ctx


class ProjectUpdateView(ProjectMixin, generic.ResourceMixin, FormView):
    action = "change"
    template_name = "core/record_form.html"
    form_class = forms.ProjectForm

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        if self.object is None:
            self.object = self.get_project(self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, instance=self.get_object())
        return kwargs

    def form_valid(self, form):
        try:
            project = services.project_update(
                project=self.get_object(),
                actor=self.request.user,
                data=form.update_data(),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ConflictError as error:
            form.add_error(None, str(error.message))
            self.conflict = True
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(obj)s") % {"obj": project})
        return HttpResponseRedirect(project.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        project = self.get_object()
        ctx.update(object=project, title=_("Correct the project: %(obj)s") % {"obj": project})
        if getattr(self, "conflict", False):
            ctx["current"] = NewProject.objects.get(pk=project.pk)
        return ctx


# --- a project's page, its checks and stop -------------------------------------------------------


def _check_to_edit(project, month):
    """The check the record form opens with: the asked month, else the first one not recorded,
    else the last."""
    checks = list(project.checks.all())
    if month is not None:
        for check in checks:
            if check.month == month:
                return check
    open_checks = [c for c in checks if not c.recorded]
    return open_checks[0] if open_checks else (checks[-1] if checks else None)


def render_project(request, project_id: int, *, check_form=None, stop_form=None, status: int = 200):
    """The project page; after a refused check or stop the forms come back with their errors."""
    user = request.user
    try:
        project = selectors.project_detail(user=user, pk=project_id)
    except NewProject.DoesNotExist:
        raise Http404 from None
    checks = list(project.checks.all())
    calls = selectors.calls_for_checks(checks)
    for check in checks:
        check.calls = calls.get(check.pk, [])
    may_record = can(user, "new_project", "record") and project.state != ProjectState.STOPPED
    if check_form is None and may_record:
        check = _check_to_edit(project, parse_id(request.GET.get("month")))
        check_form = forms.CheckForm(project=project, initial=forms.CheckForm.initial_for(check))
    may_stop = can(user, "new_project", "stop") and project.state == ProjectState.TRACKING
    if stop_form is None and may_stop:
        stop_form = forms.StopForm(initial={"expected_version": project.version})
    today = timezone.localdate()
    context = {
        "project": project,
        "object": project,
        "checks": checks,
        "events": list(project.events.all()),
        "today": today,
        "overdue": [c for c in checks if not c.recorded and c.due_on < today],
        "check_form": check_form if may_record else None,
        "editing_month": check_form["month"].value() if may_record and check_form is not None else None,
        "stop_form": stop_form if may_stop else None,
        "can_change": can(user, "new_project", "change"),
        "can_see_calls": can(user, "followup", "view"),
        "customer_visible": customer_list(user=user).filter(pk=project.customer_id).exists(),
        "history": history_for([project, *checks], user=user),
    }
    return render(request, "survival/project_detail.html", context, status=status)


class ProjectDetailView(ProjectMixin, generic.ResourceMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        return render_project(request, pk)


class ProjectCheckView(ProjectMixin, generic.ResourceMixin, View):
    """POST: record (or correct) one month's check from the project page."""

    action = "record"

    def get(self, request, pk):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        project = self.get_project(pk)
        form = forms.CheckForm(request.POST, project=project)
        if not form.is_valid():
            return render_project(request, pk, check_form=form, status=400)
        try:
            check = services.project_check_record(project=project, actor=request.user, **form.service_kwargs())
        except ConflictError as error:
            if NewProject.objects.filter(pk=project.pk, state=ProjectState.STOPPED).exists():
                messages.error(request, str(error.message))  # stopped meanwhile: the form is gone
                return HttpResponseRedirect(project.get_absolute_url())
            # Keep what the user typed; the next save applies it over the values now shown.
            data = request.POST.copy()
            current = project.checks.filter(month=form.cleaned_data["month"]).first()
            if current is not None and current.recorded:
                data["expected_version"] = str(current.version)
            form = forms.CheckForm(data, project=project)
            form.is_valid()
            form.add_error(None, str(error.message))
            return render_project(request, pk, check_form=form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_project(request, pk, check_form=form, status=400)
        if check.in_use:
            text = _("Month %(month)s recorded: in use.") % {"month": check.month}
        else:
            text = _("Month %(month)s recorded: not in use. The sales person has been informed.") % {
                "month": check.month
            }
        messages.success(request, text)
        return HttpResponseRedirect(f"{project.get_absolute_url()}#checks")


class ProjectStopView(ProjectMixin, generic.ResourceMixin, View):
    """POST: stop tracking early, with the reason."""

    action = "stop"

    def get(self, request, pk):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        project = self.get_project(pk)
        form = forms.StopForm(request.POST)
        if not form.is_valid():
            return render_project(request, pk, stop_form=form, status=400)
        try:
            services.project_stop(
                project=project,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except (ConflictError, ValidationError) as error:
            form.add_error(None, str(getattr(error, "message", None) or " ".join(error.messages)))
            return render_project(request, pk, stop_form=form, status=409)
        messages.success(request, _("Tracking stopped: %(obj)s") % {"obj": project})
        return HttpResponseRedirect(project.get_absolute_url())


# --- the monthly report ------------------------------------------------------------------------------


def report_query(request) -> tuple:
    """The filtered projects of the report and its month (?month=YYYY-MM, default: this month)."""
    user = request.user
    filterset = filters.ProjectFilter(request.GET, queryset=selectors.project_list(user=user), request=request)
    projects = filterset.qs if filterset.is_valid() else selectors.project_list(user=user).none()
    month = selectors.parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    return filterset, projects, month


class ReportView(ProjectMixin, generic.ResourceMixin, TemplateView):
    """The 新增客户项目开展表 with each month's usage, and the survival rate of a month per region,
    per engineer and over the last months."""

    template_name = "survival/report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filterset, projects, month = report_query(self.request)
        report = selectors.survival_report(projects=projects, month=month)
        paginator = Paginator(selectors.report_projects(projects), policies.PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        months = selectors.month_columns(page.object_list)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("month", None)
        ctx.update(
            filter=filterset,
            report=report,
            month=month,
            month_value=f"{month:%Y-%m}",
            previous_month=f"{add_months(month, -1):%Y-%m}",
            next_month=f"{add_months(month, 1):%Y-%m}",
            page_obj=page,
            rows=selectors.with_month_cells(page.object_list, months),
            months=range(1, months + 1),
            filters_query=query.urlencode(),
        )
        return ctx


class ReportExportView(ProjectMixin, generic.ResourceMixin, View):
    """GET: the report table (every row of the filters) and the month's rates as .xlsx."""

    http_method_names = ["get"]

    def get(self, request):
        filterset, projects, month = report_query(request)
        buffer = exports.report_workbook(projects=projects, month=month)
        filename = f"new-projects-{month:%Y%m}-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(buffer, as_attachment=True, filename=filename, content_type=exports.XLSX_CONTENT_TYPE)


urlpatterns = [
    path("new-projects/", ProjectListView.as_view(), name="project_list"),
    path("new-projects/add/", ProjectCreateView.as_view(), name="project_add"),
    path("new-projects/report/", ReportView.as_view(), name="report"),
    path("new-projects/report/export/", ReportExportView.as_view(), name="report_export"),
    path("new-projects/<int:pk>/", ProjectDetailView.as_view(), name="project_detail"),
    path("new-projects/<int:pk>/edit/", ProjectUpdateView.as_view(), name="project_edit"),
    path("new-projects/<int:pk>/check/", ProjectCheckView.as_view(), name="project_check"),
    path("new-projects/<int:pk>/stop/", ProjectStopView.as_view(), name="project_stop"),
]
