"""Generic record views: each app's views only *declare* resource, selector, filterset,
table, form and service (NetBox style). Business rules live in services and selectors."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.forms import DeactivateForm
from apps.core.history import display_value, history_for
from apps.core.ids import parse_id


class ResourceMixin(LoginRequiredMixin):
    """Checks the role table (apps.core.access) before anything else runs."""

    resource: str = ""
    action: str = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, self.resource, self.action):
            raise PermissionDenied(_("Your role may not do this."))
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self):
        """Rows this user may see — every view gets its rows from the app's selector."""
        return type(self).selector(user=self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            resource=self.resource,
            url_prefix=self.url_prefix,
            can_add=can(user, self.resource, "add"),
            can_change=can(user, self.resource, "change"),
            can_deactivate=can(user, self.resource, "deactivate"),
            can_import=can(user, self.resource, "import"),
            verbose_name=self.model._meta.verbose_name,
            verbose_name_plural=self.model._meta.verbose_name_plural,
            urls=self.resource_urls(getattr(self, "object", None)),
        )
        return ctx

    def resource_urls(self, obj=None) -> dict:
        urls = {}
        for key in ("list", "add", "export", "import"):
            try:
                urls[key] = reverse(f"{self.url_prefix}_{key}")
            except NoReverseMatch:
                pass
        if obj is not None and getattr(obj, "pk", None):
            for key in ("detail", "edit", "deactivate", "reactivate"):
                try:
                    urls[key] = reverse(f"{self.url_prefix}_{key}", args=[obj.pk])
                except NoReverseMatch:
                    pass
        return urls


def apply_validation_error(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: on the field it names (a form may map service
    names to its own fields with `field_for_error`), else at the top."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            if hasattr(form, "field_for_error"):
                field = form.field_for_error(field)
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def conflict_differences(form, current) -> list[dict]:
    """After a stale save: the fields where what is saved now differs from what the user typed,
    as {"label", "saved", "yours"} in the form's order — what the other person changed, for the
    user to compare before saving again. Only fields the form edits on the model itself."""
    cleaned = getattr(form, "cleaned_data", {}) or {}
    rows = []
    for name, field in form.fields.items():
        if name in ("expected_version", "version") or field.widget.is_hidden or name not in cleaned:
            continue
        try:
            model_field = type(current)._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not getattr(model_field, "concrete", False) or model_field.many_to_many:
            continue
        saved, yours = getattr(current, name), cleaned[name]
        choices = dict(model_field.flatchoices) if model_field.choices else None
        if (saved or None) == (yours or None):
            continue
        rows.append(
            {
                "label": field.label or model_field.verbose_name,
                "saved": display_value(saved, choices),
                "yours": display_value(yours, choices),
            }
        )
    return rows


class RecordListView(ResourceMixin, SingleTableMixin, FilterView):
    template_name = "core/record_list.html"
    htmx_template_name = "core/_record_table.html"
    paginate_by = 25
    exportable = False
    search_placeholder = gettext_lazy("Search")

    max_per_page = 200

    def get(self, request, *args, **kwargs):
        # ?per_page= is honoured up to a cap: a list never renders thousands of rows.
        per_page = request.GET.get("per_page")
        if per_page is not None and (not per_page.isdigit() or not 0 < int(per_page) <= self.max_per_page):
            query = request.GET.copy()
            query["per_page"] = str(self.max_per_page if per_page.isdigit() and int(per_page) > 0 else self.paginate_by)
            request.GET = query
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return self.scoped_queryset()

    def get_table_kwargs(self):
        return {"request": self.request}

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.htmx_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["exportable"] = self.exportable
        ctx["search_placeholder"] = self.search_placeholder
        return ctx


def field_facts(obj, names) -> list[tuple[str, object]]:
    """(label, display value) pairs for a generic detail page."""
    facts = []
    for name in names:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            value = ", ".join(str(o) for o in getattr(obj, name).all()) or "—"
        elif getattr(field, "choices", None):
            value = getattr(obj, f"get_{name}_display")() or "—"
        else:
            value = getattr(obj, name)
            if isinstance(value, bool):
                value = _("yes") if value else _("no")
            elif value in (None, ""):
                value = "—"
            elif isinstance(value, dt.datetime):
                value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            elif isinstance(value, dt.date):
                value = value.isoformat()
        facts.append((field.verbose_name, value))
    return facts


class RecordDetailView(ResourceMixin, DetailView):
    template_name = "core/record_detail.html"
    detail_fields: tuple[str, ...] = ()
    # Related rows listed on a detail page; the section links to the full, filtered list.
    related_limit = 50

    def get_queryset(self):
        return self.scoped_queryset()

    def history_objects(self):
        return [self.object]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["history"] = history_for(self.history_objects(), user=self.request.user)
        ctx["facts"] = field_facts(self.object, self.detail_fields)
        ctx["deactivate_form"] = DeactivateForm(initial={"expected_version": self.object.version})
        return ctx


class RecordCreateView(ResourceMixin, FormView):
    action = "add"
    template_name = "core/record_form.html"
    # Links such as "New lot" on an item's page arrive with ?item=<id>: these fields are
    # preselected from the query string (the form's own querysets still decide what is valid).
    prefill_from_query: tuple[str, ...] = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.prefill_from_query:
            pk = parse_id(self.request.GET.get(name))
            if pk is not None:
                initial[name] = pk
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            obj = type(self).create_service(actor=self.request.user, data=form.service_data(), m2m=form.service_m2m())
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(obj)s") % {"obj": obj})
        return HttpResponseRedirect(obj.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("New %(model)s") % {"model": self.model._meta.verbose_name}
        return ctx


class RecordUpdateView(ResourceMixin, FormView):
    action = "change"
    template_name = "core/record_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        if self.object is None:
            self.object = get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, instance=self.get_object())
        return kwargs

    def form_valid(self, form):
        obj = self.get_object()
        try:
            obj = type(self).update_service(
                actor=self.request.user,
                instance=obj,
                data=form.service_data(),
                m2m=form.service_m2m(),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ConflictError as error:
            # Keep everything the user typed; show the error above the form.
            form.add_error(None, str(error.message))
            self.conflict = True
            return self.form_invalid(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(obj)s") % {"obj": obj})
        return HttpResponseRedirect(obj.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.get_object()
        ctx.update(
            object=obj,
            title=_("Edit %(model)s: %(obj)s") % {"model": self.model._meta.verbose_name, "obj": obj},
        )
        if getattr(self, "conflict", False):
            ctx["current"] = type(obj)._default_manager.get(pk=obj.pk)
            ctx["differences"] = conflict_differences(ctx["form"], ctx["current"])
        return ctx


class RecordSetActiveView(ResourceMixin, FormView):
    """POST only: deactivate (or reactivate) with a reason; nothing is hard-deleted."""

    action = "deactivate"
    form_class = DeactivateForm
    activate = False

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def form_valid(self, form):
        obj = get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])
        try:
            type(self).set_active_service(
                actor=self.request.user,
                instance=obj,
                active=self.activate,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except (ConflictError, ValidationError) as error:
            messages.error(self.request, str(getattr(error, "message", error)))
        else:
            messages.success(
                self.request,
                (_("Reactivated: %(obj)s") if self.activate else _("Deactivated: %(obj)s")) % {"obj": obj},
            )
        return HttpResponseRedirect(obj.get_absolute_url())

    def form_invalid(self, form):
        obj = get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])
        messages.error(self.request, _("Give a reason for the change of status."))
        return HttpResponseRedirect(obj.get_absolute_url())


def record_urlpatterns(
    name: str,
    *,
    list_view,
    detail_view,
    create_view=None,
    update_view=None,
    deactivate_view=None,
    reactivate_view=None,
    extra=(),
):
    """The same URL shape for every record type: /<plural>/, /<plural>/<pk>/, …/add/, …/edit/."""
    patterns = [
        path("", list_view.as_view(), name=f"{name}_list"),
        path("<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
    ]
    if create_view:
        patterns.append(path("add/", create_view.as_view(), name=f"{name}_add"))
    if update_view:
        patterns.append(path("<int:pk>/edit/", update_view.as_view(), name=f"{name}_edit"))
    if deactivate_view:
        patterns.append(path("<int:pk>/deactivate/", deactivate_view.as_view(), name=f"{name}_deactivate"))
    if reactivate_view:
        patterns.append(path("<int:pk>/reactivate/", reactivate_view.as_view(), name=f"{name}_reactivate"))
    patterns.extend(extra)
    return patterns


def detail_url(url_prefix: str, obj) -> str:
    return reverse(f"{url_prefix}_detail", args=[obj.pk])


class RecordLookupView(ResourceMixin, View):
    """GET ?q= → up to 20 <option>s of active rows the user may see (for SearchSelect)."""

    http_method_names = ["get"]
    template_name = "core/widgets/lookup_options.html"
    limit = 20

    def run_search(self, queryset, text):
        return type(self).search(queryset, text)

    def get(self, request, *args, **kwargs):
        text = request.GET.get("q", "").strip()[:100]
        queryset = self.scoped_queryset().filter(is_active=True)
        if text:
            queryset = self.run_search(queryset, text)
        return render(request, self.template_name, {"options": queryset[: self.limit], "query": text})
