"""Work-order pages: the list, "my jobs", intake (SPEC WO-1) and the detail page.

Views parse, check (apps.core.access.can + the row scope of apps.workorders.selectors) and call
one service; the moves themselves (buttons, forms) live in views_actions.py, the dispatch board
in views_dispatch.py, the signed report in views_report.py.
"""

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from apps.accounts.choices import Role
from apps.core import views as generic
from apps.core.access import personal_data_for
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.customers.selectors import customer_list
from apps.instruments.selectors import instrument_list, instrument_search
from apps.workorders import aftercare, filters, forms_intake, selectors, services, tables, transitions
from apps.workorders.choices import OPEN_STATUSES, ApprovalStep, AttachmentKind, Status
from apps.workorders.models import Attachment, PaidService, WorkOrder

SLA_BADGES_TEMPLATE = "sla/_clock_badges.html"


class WorkOrderMixin:
    resource = "workorder"
    url_prefix = "workorders"
    model = WorkOrder
    selector = selectors.workorder_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("workorders:list"), "add": reverse("workorders:create")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls


def sla_clocks(orders, *, open_only: bool = False) -> dict[int, list]:
    """{order pk: [ClockView, …]} for a page of orders (one query for the clocks), or {} while
    the SLA app cannot answer."""
    try:
        from apps.sla.selectors import clock_views, clocks_for
    except ImportError:  # pragma: no cover - the SLA app is optional in a stripped deployment
        return {}
    # One clock_views() call for the whole page: the calendars' day overrides are read once.
    views = clock_views([c for clocks in clocks_for(list(orders), open_only=open_only).values() for c in clocks])
    grouped: dict[int, list] = {}
    for view in views:
        grouped.setdefault(view.clock.object_id, []).append(view)
    return grouped


def sla_badges_template() -> str | None:
    """The SLA app's badge partial, when it is installed (else the page leaves the slot out)."""
    try:
        get_template(SLA_BADGES_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return SLA_BADGES_TEMPLATE


# --- list and "my jobs" ------------------------------------------------------------------------


class WorkOrderListView(WorkOrderMixin, generic.RecordListView):
    template_name = "workorders/workorder_list.html"
    htmx_template_name = "workorders/_workorder_table.html"
    filterset_class = filters.WorkOrderFilter
    table_class = tables.WorkOrderTable
    search_placeholder = gettext_lazy("Number, customer, pinyin initials, serial or description")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # A list reached from a customer's or an instrument's page says whose orders these are.
        form = ctx["filter"].form
        customer_id = parse_id(form.data.get("customer"))
        instrument_id = parse_id(form.data.get("instrument"))
        ctx["for_customer"] = (
            customer_list(user=self.request.user).filter(pk=customer_id).first() if customer_id else None
        )
        ctx["for_instrument"] = (
            instrument_list(user=self.request.user).filter(pk=instrument_id).first() if instrument_id else None
        )
        return ctx


class MyJobsView(WorkOrderMixin, generic.ResourceMixin, TemplateView):
    """/work-orders/mine/ — an engineer's assigned open jobs by appointment time; a sales
    person's customers' open orders; anyone else's own open requests. Cards for a phone."""

    template_name = "workorders/my_jobs.html"
    limit = 100

    def jobs(self):
        user = self.request.user
        orders = selectors.workorder_list(user=user).filter(status__in=OPEN_STATUSES)
        if user.role == Role.ENGINEER:
            orders = orders.filter(engineer=user)
        elif user.role == Role.SALES:
            orders = orders.filter(Q(sales=user) | Q(customer__responsible_sales=user))
        elif user.role == Role.DEALER:
            pass  # the scope is already what a dealer serves
        else:
            orders = orders.filter(created_by=user)
        # Booked visits first, soonest first; then the rest, urgent and oldest first.
        return orders.select_related("contact").order_by(
            F("appointment_at").asc(nulls_last=True), "-urgency", "created_at", "id"
        )[: self.limit]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        jobs = list(self.jobs())
        clocks = sla_clocks(jobs, open_only=True)  # on a phone: only what still runs
        for job in jobs:
            job.clock_views = clocks.get(job.pk, [])
            job.caller_phone_shown = personal_data_for(user, phone=job.caller_phone)[0]
        if user.role == Role.ENGINEER:
            heading = _("My jobs")
        elif user.role in (Role.SALES, Role.DEALER):
            heading = _("Open requests of my customers")
        else:
            heading = _("Open requests I registered")
        ctx.update(jobs=jobs, sla_badges_template=sla_badges_template(), heading=heading)
        return ctx


# --- intake (SPEC WO-1) --------------------------------------------------------------------------


class WorkOrderCreateView(WorkOrderMixin, generic.ResourceMixin, FormView):
    action = "add"
    template_name = "workorders/workorder_form.html"
    form_class = forms_intake.IntakeForm

    def get_initial(self):
        """?customer= and ?instrument= from "Register a request" on a customer's or an
        instrument's page; an instrument brings its customer."""
        initial = super().get_initial()
        user = self.request.user
        customer_id = parse_id(self.request.GET.get("customer"))
        instrument_id = parse_id(self.request.GET.get("instrument"))
        if instrument_id is not None:
            instrument = instrument_list(user=user).filter(pk=instrument_id, is_active=True).first()
            if instrument is not None and customer_id in (None, instrument.customer_id):
                initial["instrument"] = instrument.pk
                customer_id = instrument.customer_id
        if customer_id is not None:
            initial["customer"] = customer_id
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        user = self.request.user
        try:
            # The order and its files are one registration: a refused file registers nothing.
            with transaction.atomic():
                order = services.workorder_create(actor=user, **form.service_kwargs())
                for upload in form.cleaned_data["attachments"]:
                    services.workorder_attach(order=order, actor=user, upload=upload)
        except ValidationError as error:
            if hasattr(error, "error_dict") and "file" in error.error_dict:
                form.add_error(
                    "attachments", [*error.error_dict.pop("file"), _("Nothing was saved; choose the files again.")]
                )
            if not hasattr(error, "error_dict") or error.error_dict:
                generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        except transitions.NotPermitted as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Registered %(number)s.") % {"number": order.number})
        return HttpResponseRedirect(order.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Register a request")
        return ctx


class IntakeFactsView(WorkOrderMixin, generic.ResourceMixin, View):
    """GET ?customer=&instrument= → the facts panel of the intake form (htmx): warranty,
    arrears (WO-15), the customer's open orders and the last jobs on the unit."""

    action = "add"

    def get(self, request):
        user = request.user
        customer = instrument = None
        customer_id = parse_id(request.GET.get("customer"))
        instrument_id = parse_id(request.GET.get("instrument"))
        if customer_id is not None:
            customer = customer_list(user=user).filter(pk=customer_id).first()
        if instrument_id is not None:
            instrument = instrument_list(user=user).filter(pk=instrument_id).first()
            if instrument is not None and customer is not None and instrument.customer_id != customer.pk:
                instrument = None  # left over from the customer chosen before
        derived = customer is None and instrument is not None
        if derived:
            customer = customer_list(user=user).filter(pk=instrument.customer_id).first()
        facts = selectors.intake_facts(user=user, customer=customer, instrument=instrument)
        return render(
            request,
            "workorders/_intake_facts.html",
            {"facts": facts, "customer_from_instrument": derived and customer is not None},
        )


class InstrumentOptionsView(WorkOrderMixin, generic.ResourceMixin, View):
    """GET ?customer=&q= → <option>s: the customer's units (all, or those matching q); without a
    customer, units matching q anywhere in the user's scope, with their customer's name."""

    action = "add"
    limit = 50

    def get(self, request):
        user = request.user
        text = request.GET.get("q", "").strip()[:100]
        customer_id = parse_id(request.GET.get("customer"))
        units = instrument_list(user=user).filter(is_active=True)
        if customer_id is not None:
            units = units.filter(customer_id=customer_id)
        elif not text:
            units = units.none()
        if text:
            units = instrument_search(units, text)
        options = list(units[: self.limit])
        return render(
            request,
            "workorders/_instrument_options.html",
            {
                "options": options,
                "query": text,
                # One unit at the customer, or a search that found exactly one: pick it.
                "select_first": len(options) == 1,
                "with_customer": customer_id is None,
            },
        )


class ContactOptionsView(WorkOrderMixin, generic.ResourceMixin, View):
    """GET ?customer= → <option>s of the customer's active contacts, phones as the user may see them."""

    action = "add"

    def get(self, request):
        customer_id = parse_id(request.GET.get("customer"))
        field = forms_intake.ContactChoiceField(queryset=None, user=request.user)
        options = []
        if customer_id is not None:
            customer = customer_list(user=request.user).filter(pk=customer_id).first()
            if customer is not None:
                contacts = customer.contacts.filter(is_active=True).order_by("-is_primary", "name")
                options = [(c.pk, field.label_from_instance(c)) for c in contacts]
        return render(request, "workorders/_contact_options.html", {"options": options})


# --- detail ------------------------------------------------------------------------------------


def approval_steps(application) -> list[dict]:
    """The route of an application, step by step, with who decided what (SPEC WO-9)."""
    if application is None:
        return []
    decisions = list(application.decisions.all())
    steps = []
    for index, code in enumerate(application.route):
        decision = next((d for d in decisions if d.step == code), None)
        try:
            label = ApprovalStep(code).label
        except ValueError:
            label = code
        state = "done" if decision else ("current" if index == application.current_step else "waiting")
        steps.append({"code": code, "label": label, "decision": decision, "state": state})
    return steps


class WorkOrderDetailView(WorkOrderMixin, generic.ResourceMixin, TemplateView):
    template_name = "workorders/workorder_detail.html"

    def get_object(self) -> WorkOrder:
        try:
            return selectors.workorder_detail(user=self.request.user, pk=self.kwargs["pk"])
        except WorkOrder.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        order = self.object = self.get_object()
        application = selectors.application_for(order)
        paid = (
            PaidService.objects.filter(work_order=order)
            .select_related("deposit_confirmed_by", "balance_confirmed_by")
            .first()
        )
        # transitions.row_allows reads order.application: hand it the one just read.
        if application is not None:
            order.application = application
        if paid is not None:
            order.paid = paid
        contact_phone = personal_data_for(user, phone=order.contact.mobile)[0] if order.contact_id else ""
        instrument = order.instrument
        clocks = sla_clocks([order]).get(order.pk, [])
        visits = list(order.visits.all())
        attachments = list(order.attachments.all())
        ctx.update(
            order=order,
            object=order,
            application=application,
            approval_steps=approval_steps(application),
            paid=paid,
            checklist=list(order.checklist.all()),
            visits=visits,
            open_visit=next((v for v in visits if v.checked_out_at is None), None),
            parts=list(order.parts.all()),
            photos=[a for a in attachments if a.kind == AttachmentKind.PHOTO],
            files=[a for a in attachments if a.kind != AttachmentKind.PHOTO],
            reports=list(order.reports.all()),
            events=list(order.events.all()),
            caller_phone=personal_data_for(user, phone=order.caller_phone)[0],
            contact_phone=contact_phone,
            warranty_state=instrument.warranty_state() if instrument else None,
            clocks=clocks,
            allowed_actions=transitions.allowed_actions(order, user),
            # An engineer sent to another region sees the order, not necessarily the customer's page.
            customer_visible=customer_list(user=user).filter(pk=order.customer_id).exists(),
            instrument_visible=bool(instrument) and instrument_list(user=user).filter(pk=order.instrument_id).exists(),
            close_blockers=services.close_blockers(order) if order.status == Status.COMPLETED else [],
            history=history_for(
                [order, *([application] if application else []), *([paid] if paid else []), *visits], user=user
            ),
        )
        # What hangs from the job (SPEC §4, §5): follow-up plan, survey …
        panel_context, ctx["aftercare_panels"] = aftercare.panels(order, user)
        ctx.update(panel_context)
        return ctx


class AttachmentDownloadView(WorkOrderMixin, generic.ResourceMixin, View):
    """/work-orders/<pk>/attachments/<id>/ — files only through the order's scope, never a
    public /media/ link. Photos and videos open inline (thumbnails); ?download=1 saves."""

    def get(self, request, pk, attachment_id):
        if not selectors.workorder_list(user=request.user).filter(pk=pk).exists():
            raise Http404
        attachment = get_object_or_404(Attachment, pk=attachment_id, work_order_id=pk)
        inline = attachment.kind in (AttachmentKind.PHOTO, AttachmentKind.VIDEO) and not request.GET.get("download")
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        content_type = mimetypes.guess_type(attachment.original_name)[0] or "application/octet-stream"
        response = FileResponse(
            handle, as_attachment=not inline, filename=attachment.original_name, content_type=content_type
        )
        response["Cache-Control"] = "private, max-age=3600"
        return response


urlpatterns = [
    path("work-orders/", WorkOrderListView.as_view(), name="list"),
    path("work-orders/mine/", MyJobsView.as_view(), name="mine"),
    path("work-orders/new/", WorkOrderCreateView.as_view(), name="create"),
    path("work-orders/new/facts/", IntakeFactsView.as_view(), name="intake_facts"),
    path("work-orders/new/instruments/", InstrumentOptionsView.as_view(), name="instrument_options"),
    path("work-orders/new/contacts/", ContactOptionsView.as_view(), name="contact_options"),
    path("work-orders/<int:pk>/", WorkOrderDetailView.as_view(), name="detail"),
    path(
        "work-orders/<int:pk>/attachments/<int:attachment_id>/",
        AttachmentDownloadView.as_view(),
        name="attachment",
    ),
]
