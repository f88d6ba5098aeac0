"""Complaint pages (SPEC §6 CP-1 … CP-4; issue 5): the list, intake, the complaint file with its
moves, the quality department's board of regulatory reports, the reporting rules, CAPAs and the
CP-3 reassignment reviews.

Views parse, check (apps.core.access.can + the row scope of apps.complaints.selectors: out of
scope is 404, a role that may not is 403) and call one service. The service decides; this module
turns its refusals into what the user sees:

- PermissionDenied (not his role, not his complaint) → the 403 page;
- TransitionRefused / ConflictError (not in this status, a report still missing …) → the page
  with the message and the user's input kept, HTTP 409;
- a stale `version` (somebody changed the complaint meanwhile) → the page with that message, the
  input kept and the form now carrying the current version, HTTP 409; nothing is changed;
- ValidationError → field errors, the input kept.

Forms post plainly (POST → redirect to the complaint); with htmx the complaint's page swaps in
place (the same response, `#complaint-page` selected).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from apps.complaints import filters, forms, selectors, services, tables, transitions
from apps.complaints.choices import Channel, EventCategory, Kind, ReportState, Status
from apps.complaints.models import Capa, Complaint, ReassignmentReview, ReportingRule
from apps.core import views as generic
from apps.core.access import can, personal_data_for, sees_personal_data
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.customers.selectors import customer_list

STALE = gettext_lazy(
    "Somebody changed this complaint meanwhile. Nothing was saved; your input is kept below — "
    "check the complaint as it is now and submit again."
)
BOARD_LIMIT = 300  # pending reports shown on the board (the most urgent first)


def _first_message(error) -> str:
    if isinstance(error, ConflictError):
        return str(error.message)
    return " ".join(str(m) for m in getattr(error, "messages", [error]))


# --- the work order's panel (apps.workorders.aftercare.PANELS) ---------------------------------


def workorder_complaints(order, user) -> dict:
    """The complaints a work order opened, and "Register a complaint" (prefilled from the order)
    for those who may; highlighted when the job was assessed as a complaint and none is linked."""
    if order is None or user is None or not can(user, "complaint", "view"):
        return {"workorder_complaints": None}
    complaints = selectors.complaints_for_work_order(user=user, order=order)
    may_add = can(user, "complaint", "add")
    return {
        "workorder_complaints": {
            "complaints": complaints,
            "may_add": may_add,
            "add_url": f"{reverse('complaints:create')}?work_order={order.pk}" if may_add else "",
            "needs_one": bool(order.complaint_assessed) and not complaints,
        }
    }


# --- list -----------------------------------------------------------------------------------------


class ComplaintMixin:
    resource = "complaint"
    url_prefix = "complaints"
    model = Complaint
    selector = selectors.complaint_list_page

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("complaints:list"), "add": reverse("complaints:create")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls


class ComplaintListView(ComplaintMixin, generic.RecordListView):
    template_name = "complaints/complaint_list.html"
    htmx_template_name = "complaints/_complaint_table.html"
    filterset_class = filters.ComplaintFilter
    table_class = tables.ComplaintTable
    search_placeholder = gettext_lazy("Number, summary, customer, complainant, lot or serial number")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        customer_id = parse_id(ctx["filter"].form.data.get("customer"))
        ctx["for_customer"] = (
            customer_list(user=self.request.user).filter(pk=customer_id).first() if customer_id else None
        )
        ctx["can_board"] = can(self.request.user, "complaint_board", "view")
        return ctx


# --- intake (CP-1) ------------------------------------------------------------------------------


def prefill_from_sources(request) -> dict:
    """?work_order= / ?survey= / ?followup= (the "Register a complaint" links): the customer, the
    instrument, the engineer, the channel and the caller the record already knows. A record the
    user may not see prefills nothing."""
    from apps.followups.selectors import followup_list
    from apps.surveys.selectors import survey_list
    from apps.workorders.selectors import workorder_list

    user = request.user
    initial: dict = {}
    order = None
    order_id = parse_id(request.GET.get("work_order"))
    survey_id = parse_id(request.GET.get("survey"))
    followup_id = parse_id(request.GET.get("followup"))
    if followup_id is not None:
        followup = followup_list(user=user).filter(pk=followup_id).first()
        if followup is not None:
            initial.update(followup=followup.pk, customer=followup.customer_id, channel=Channel.FOLLOWUP)
            order = followup.work_order
    if survey_id is not None:
        survey = survey_list(user=user).filter(pk=survey_id).first()
        if survey is not None:
            initial.update(survey=survey.pk, customer=survey.customer_id, channel=Channel.SURVEY)
            if survey.respondent_name:
                initial["complainant_name"] = survey.respondent_name
            if survey.engineer_id:
                initial.update(engineer=survey.engineer_id, kind=Kind.SERVICE)
            order = survey.work_order
    if order_id is not None:
        order = workorder_list(user=user).filter(pk=order_id).first()
        if order is not None:
            initial.update(work_order=order.pk, channel=Channel.WORK_ORDER)
    if order is not None:
        # The job behind the survey or follow-up (or named itself): its unit and its engineer.
        initial.setdefault("customer", order.customer_id)
        if order.instrument_id:
            initial.setdefault("instrument", order.instrument_id)
            initial.setdefault("serial_no", order.instrument.serial_no)
        if order.instrument_model_id:
            initial.setdefault("instrument_model", order.instrument_model_id)
            initial.setdefault("product_name", str(order.instrument_model.name))
        if order.engineer_id:
            initial.setdefault("engineer", order.engineer_id)
            initial.setdefault("kind", Kind.SERVICE)
        name, phone = order.caller_name, order.caller_phone
        if order.contact_id and not phone:
            name, phone = order.contact.name, order.contact.mobile
        if name:
            initial.setdefault("complainant_name", name)
        if phone and sees_personal_data(user):  # SPEC MD-5: no unmasked number in a form either
            initial.setdefault("complainant_phone", phone)
    return initial


class ComplaintCreateView(ComplaintMixin, generic.ResourceMixin, FormView):
    action = "add"
    template_name = "complaints/complaint_form.html"
    form_class = forms.ComplaintForm

    def get_initial(self):
        initial = super().get_initial()
        initial.update(prefill_from_sources(self.request))
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            complaint = services.complaint_create(actor=self.request.user, data=form.service_data())
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Registered %(number)s; the handlers have been told.") % {"number": complaint.number},
        )
        return HttpResponseRedirect(complaint.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        ctx.update(title=_("Register a complaint"), sources=_sources_of(form))
        return ctx


def _sources_of(form) -> list:
    """The records the form links to (shown above it: "from work order …")."""
    found = []
    for name in ("work_order", "survey", "followup"):
        value = form[name].value()
        pk = parse_id(value)
        if pk is None:
            continue
        record = form.fields[name].queryset.filter(pk=pk).first()
        if record is not None:
            found.append((form.fields[name].label, record))
    return found


class ComplaintUpdateView(ComplaintMixin, generic.ResourceMixin, FormView):
    """The "edit" activity: correct the intake fields of an open complaint, with its version."""

    template_name = "complaints/complaint_form.html"
    form_class = forms.ComplaintForm

    def dispatch(self, request, *args, **kwargs):
        self.object = None
        return super().dispatch(request, *args, **kwargs)

    def get_object(self) -> Complaint:
        if self.object is None:
            self.object = selectors.complaint_detail(user=self.request.user, pk=self.kwargs["pk"])
            try:
                transitions.check_activity("edit", self.object, self.request.user)
            except transitions.TransitionRefused as error:
                messages.error(self.request, str(error.message))
                self.refused = True
        return self.object

    def get(self, request, *args, **kwargs):
        complaint = self.get_object()
        if getattr(self, "refused", False):
            return HttpResponseRedirect(complaint.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        complaint = self.get_object()
        if getattr(self, "refused", False):
            return HttpResponseRedirect(complaint.get_absolute_url())
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, instance=self.get_object())
        return kwargs

    def form_valid(self, form):
        complaint = self.get_object()
        try:
            complaint = services.complaint_update(
                actor=self.request.user,
                complaint=complaint,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("expected_version"),
            )
        except ConflictError as error:
            current = Complaint.objects.get(pk=complaint.pk)
            stale = current.version != form.cleaned_data.get("expected_version")
            form.add_error(None, str(STALE) if stale else str(error.message))
            self.current = current if stale else None
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved: %(obj)s") % {"obj": complaint.number})
        return HttpResponseRedirect(complaint.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        complaint = self.get_object()
        ctx.update(
            object=complaint,
            complaint=complaint,
            title=_("Correct complaint %(number)s") % {"number": complaint.number},
            current=getattr(self, "current", None),
            differences=generic.conflict_differences(ctx["form"], self.current)
            if getattr(self, "current", None)
            else [],
            sources=_sources_of(ctx["form"]),
        )
        return ctx


# --- the complaint file and its moves -----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One form on the complaint's page: a move of choices.TRANSITIONS (`gates` are its actions)
    or an activity of choices.ACTIVITIES (`gates` is its key)."""

    key: str
    form_class: type
    service: object
    title: str
    submit: str
    done: str
    gates: tuple[str, ...]
    move: bool = True
    versioned: bool = True
    style: str = "primary"


STEPS: dict[str, Step] = {
    step.key: step
    for step in (
        Step(
            "evaluate",
            forms.EvaluateForm,
            services.complaint_evaluate,
            gettext_lazy("Evaluate: is it a complaint?"),
            gettext_lazy("Save the evaluation"),
            gettext_lazy("Evaluation recorded."),
            ("evaluate", "reject_as_not_complaint"),
        ),
        Step(
            "decide_reportability",
            forms.ReportabilityForm,
            services.complaint_decide_reportability,
            gettext_lazy("Decide reportability"),
            gettext_lazy("Save the decision"),
            gettext_lazy("Reportability decided."),
            ("decide_reportability",),
        ),
        Step(
            "complete_investigation",
            forms.InvestigationForm,
            services.complaint_complete_investigation,
            gettext_lazy("Record the investigation"),
            gettext_lazy("Save the investigation"),
            gettext_lazy("Investigation recorded."),
            ("complete_investigation",),
        ),
        Step(
            "waive_investigation",
            forms.WaiveInvestigationForm,
            services.complaint_waive_investigation,
            gettext_lazy("No investigation needed"),
            gettext_lazy("Record: no investigation"),
            gettext_lazy("Recorded: no investigation."),
            ("waive_investigation",),
            style="",
        ),
        Step(
            "record_disposition",
            forms.DispositionForm,
            services.complaint_record_disposition,
            gettext_lazy("Record the product disposition"),
            gettext_lazy("Save the disposition"),
            gettext_lazy("Product disposition recorded."),
            ("record_disposition",),
        ),
        Step(
            "record_correction",
            forms.CorrectionForm,
            services.complaint_record_correction,
            gettext_lazy("Record correction / CAPA"),
            gettext_lazy("Save the correction"),
            gettext_lazy("Correction recorded."),
            ("record_correction",),
        ),
        Step(
            "send_resolution",
            forms.ResolutionForm,
            services.complaint_send_resolution,
            gettext_lazy("Send the resolution reply"),
            gettext_lazy("Record the resolution reply"),
            gettext_lazy("Resolution reply recorded; the complaint waits for the quality review."),
            ("send_resolution",),
        ),
        Step(
            "close",
            forms.CloseForm,
            services.complaint_close,
            gettext_lazy("Quality review: close"),
            gettext_lazy("Close the complaint"),
            gettext_lazy("Complaint closed."),
            ("close",),
        ),
        Step(
            "return_for_rework",
            forms.ReworkForm,
            services.complaint_return_for_rework,
            gettext_lazy("Send back for rework"),
            gettext_lazy("Send back"),
            gettext_lazy("Sent back for rework."),
            ("return_for_rework",),
            style="danger",
        ),
        Step(
            "reply",
            forms.ReplyForm,
            services.complaint_add_reply,
            gettext_lazy("Add a reply to the complainant"),
            gettext_lazy("Save the reply"),
            gettext_lazy("Reply recorded."),
            ("reply",),
            move=False,
        ),
        Step(
            "revise_reportability",
            forms.ReportabilityForm,
            services.complaint_revise_reportability,
            gettext_lazy("Revise reportability"),
            gettext_lazy("Save the revised decision"),
            gettext_lazy("Reportability revised."),
            ("revise_reportability",),
            move=False,
            style="",
        ),
        Step(
            "link_capa",
            forms.LinkCapaForm,
            services.complaint_link_capa,
            gettext_lazy("Link a CAPA"),
            gettext_lazy("Link"),
            gettext_lazy("CAPA linked."),
            ("link_capa",),
            move=False,
            style="",
        ),
        Step(
            "apologise",
            forms.ApologyForm,
            services.complaint_apologise,
            gettext_lazy("Apology by the technical head"),
            gettext_lazy("Record the apology"),
            gettext_lazy("Apology recorded."),
            ("apologise",),
            move=False,
        ),
        Step(
            "talk_with_engineer",
            forms.TalkForm,
            services.complaint_talk_with_engineer,
            gettext_lazy("Talk with the engineer"),
            gettext_lazy("Record the talk"),
            gettext_lazy("Talk recorded; the engineer is asked for his self-assessment."),
            ("talk_with_engineer",),
            move=False,
        ),
        Step(
            "self_assessment",
            forms.SelfAssessmentForm,
            services.complaint_self_assess,
            gettext_lazy("Your self-assessment"),
            gettext_lazy("Submit my self-assessment"),
            gettext_lazy("Self-assessment submitted."),
            ("self_assessment",),
            move=False,
        ),
        Step(
            "note",
            forms.NoteForm,
            services.complaint_add_note,
            gettext_lazy("Add a note"),
            gettext_lazy("Save the note"),
            gettext_lazy("Note added."),
            ("note",),
            move=False,
            style="",
        ),
    )
}


def _gate(step: Step, complaint, user) -> tuple[str, str]:
    """("ok", "") when the user may take the step now; ("refused", why) when not in this status;
    ("denied", why) when not his to take."""
    refused = denied = ""
    for gate in step.gates:
        try:
            if step.move:
                transitions.check(complaint, user, gate)
            else:
                transitions.check_activity(gate, complaint, user)
        except transitions.TransitionRefused as error:
            refused = str(error.message)
        except PermissionDenied as error:
            denied = str(error) or _("You may not do this on this complaint.")
        else:
            return "ok", ""
    return ("refused", refused) if refused else ("denied", denied)


def _offered(step: Step, complaint, user, moves: list[str], activities: list[str]) -> bool:
    if step.move:
        allowed = any(gate in moves for gate in step.gates)
    else:
        allowed = step.key in activities
    if step.key == "apologise":
        return allowed and complaint.is_service
    if step.key == "talk_with_engineer":
        return allowed and complaint.is_service and complaint.engineer_id is not None
    return allowed


def _form_for(step: Step, complaint, user, data=None, moves=()):
    # Several forms on one page: each its own element ids (the field names stay plain).
    kwargs = {"complaint": complaint, "user": user, "auto_id": f"id_{step.key}_%s"}
    if step.key == "evaluate":
        kwargs.update(allow_yes="evaluate" in moves, allow_no="reject_as_not_complaint" in moves)
    return step.form_class(data, **kwargs) if data is not None else step.form_class(**kwargs)


def _event_options(form, rules: dict) -> list[dict]:
    """The event checkboxes of a reportability form, each with the reports its rules start."""
    chosen = form["events"].value() or []
    return [
        {
            "value": value,
            "label": label,
            "rules": rules.get(value, []),
            "checked": value in chosen,
            "id": f"{form.auto_id % 'events'}_{value}",
        }
        for value, label in EventCategory.choices
    ]


def _report_rows(complaint, user, *, now, bound=None) -> list[dict]:
    may_submit = transitions.activity_allowed("submit_report", complaint, user)
    rows = []
    for report in complaint.reports.all():
        row = {"report": report, "form": None, "key": f"report-{report.pk}"}
        if report.state == ReportState.PENDING:
            state = tables.deadline_state(report.due_at, warn_at=report.warn_at, now=now)
            row.update(
                deadline=state,
                css=tables.DEADLINE_CSS[state],
                left=tables.time_left_text(report.due_at - now),
            )
            if may_submit:
                row["form"] = forms.ReportSubmitForm(report=report)
        if bound is not None and bound[0] == row["key"]:
            row["form"] = bound[1]
        rows.append(row)
    return rows


def render_detail(request, complaint: Complaint, *, bound=None, conflict=False, status=200, flash=""):
    """The complaint file; after a refused or invalid post the form comes back with the input."""
    user = request.user
    now = timezone.now()
    moves = transitions.allowed_actions(complaint, user)
    activities = transitions.allowed_activities(complaint, user)
    panels = []
    for step in STEPS.values():
        if bound is not None and bound[0] == step.key:
            form = bound[1]
        elif _offered(step, complaint, user, moves, activities):
            form = _form_for(step, complaint, user, moves=moves)
        else:
            continue
        panels.append({"step": step, "form": form, "url": reverse("complaints:act", args=[complaint.pk, step.key])})
    rules = selectors.rules_by_event() if any(p["step"].form_class is forms.ReportabilityForm for p in panels) else {}
    for panel in panels:
        if panel["step"].form_class is forms.ReportabilityForm:
            panel["events"] = _event_options(panel["form"], rules)
    phone = personal_data_for(user, phone=complaint.complainant_phone)[0]
    try:
        from apps.sla.selectors import clock_views_for

        clocks = clock_views_for([complaint], now=now).get(complaint.pk, [])
    except ImportError:  # pragma: no cover - the SLA app is optional in a stripped deployment
        clocks = []
    # CP-3: the talk with the engineer and his self-assessment are for the heads and for him.
    personnel = selectors.sees_personnel_notes(user, complaint)
    context = {
        "complaint": complaint,
        "object": complaint,
        "flash": flash,
        "conflict": conflict,
        "bound_key": bound[0] if bound else "",
        # The engineer's self-assessment is the one thing he has to do here: on top, open.
        "moves": [p for p in panels if p["step"].key == "self_assessment"] + [p for p in panels if p["step"].move],
        "activities": [p for p in panels if not p["step"].move and p["step"].key != "self_assessment"],
        "can_edit": "edit" in activities,
        "reports": _report_rows(complaint, user, now=now, bound=bound),
        "clocks": clocks,
        "close_blockers": services.close_blockers(complaint) if complaint.status == Status.REVIEW else [],
        "events": list(complaint.events.all()),
        "replies": list(complaint.replies.all()),
        "capas": list(complaint.capas.all()),
        "review": selectors.review_for(complaint) if complaint.is_service else None,
        "may_write_case": can(user, "case", "add"),
        # One case per complaint: once written (a draft included) the page links to it.
        "shared_cases": [case for case in complaint.cases.all() if case.is_active] if complaint.is_service else [],
        "phone": phone,
        "personal": sees_personal_data(user),
        "customer_visible": bool(complaint.customer_id)
        and customer_list(user=user).filter(pk=complaint.customer_id).exists(),
        "reportable_events": [EventCategory(e).label for e in complaint.reportable_events if e in EventCategory.values],
        "can_add_capa": can(user, "capa", "add") and "link_capa" in activities,
        "history": history_for([complaint], user=user, hidden=frozenset() if personnel else Complaint.PERSONNEL_FIELDS),
        "personnel": personnel,
        "can_trace": can(user, "trace", "view"),
    }
    response = render(request, "complaints/complaint_detail.html", context, status=status)
    if getattr(request, "htmx", False):
        # The swap replaces the whole page: without a scroll target the browser's scroll anchoring
        # throws the user to the bottom. Show the form with its errors, or the message on top.
        response["HX-Reswap"] = f"outerHTML show:#{bound[0]}:top" if bound else "outerHTML show:window:top"
    return response


class ComplaintDetailView(ComplaintMixin, generic.ResourceMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        return render_detail(request, selectors.complaint_detail(user=request.user, pk=pk))


class ComplaintActionView(ComplaintMixin, generic.ResourceMixin, View):
    """POST /complaints/<pk>/do/<key>/: one move or activity, through one service."""

    http_method_names = ["get", "post"]

    def get(self, request, pk, key):
        return HttpResponseRedirect(reverse("complaints:detail", args=[pk]))

    def post(self, request, pk, key):
        step = STEPS.get(key)
        if step is None:
            raise Http404
        user = request.user
        complaint = selectors.complaint_detail(user=user, pk=pk)
        form = _form_for(step, complaint, user, data=request.POST, moves=step.gates)
        verdict, why = _gate(step, complaint, user)
        if verdict == "denied":
            raise PermissionDenied(why)
        if verdict == "refused":
            form.is_valid()
            form.add_error(None, why)
            return render_detail(request, complaint, bound=(key, form), status=409)
        if not form.is_valid():
            return render_detail(request, complaint, bound=(key, form))
        kwargs = form.service_kwargs()
        if step.versioned:
            kwargs["expected_version"] = form.expected_version()
        try:
            step.service(actor=user, complaint=complaint, **kwargs)
        except ConflictError as error:
            return self.conflict(request, complaint, step, form, error)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_detail(request, complaint, bound=(key, form))
        return self.done(request, complaint, str(step.done), anchor=step.key)

    @staticmethod
    def done(request, complaint, message: str, *, anchor: str = ""):
        if getattr(request, "htmx", False):
            # In place: the page as it is now, the message inside the swapped part.
            fresh = selectors.complaint_detail(user=request.user, pk=complaint.pk)
            return render_detail(request, fresh, flash=message)
        messages.success(request, message)
        return HttpResponseRedirect(complaint.get_absolute_url())

    def conflict(self, request, complaint, step, form, error):
        current = selectors.complaint_detail(user=request.user, pk=complaint.pk)
        posted = form.cleaned_data.get("version")
        if step.versioned and posted is not None and posted != current.version:
            # Stale: keep the input; the form now carries the current version, so submitting
            # again applies it knowingly.
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = _form_for(step, current, request.user, data=data, moves=step.gates)
            form.is_valid()
            form.add_error(None, str(STALE))
            return render_detail(request, current, bound=(step.key, form), conflict=True, status=409)
        form.add_error(None, str(error.message))
        return render_detail(request, current, bound=(step.key, form), status=409)


class ReportSubmitView(ComplaintMixin, generic.ResourceMixin, View):
    """POST: a regulatory report went to the authority (date, its number there, the file)."""

    http_method_names = ["get", "post"]

    def get(self, request, pk, report_pk):
        return HttpResponseRedirect(reverse("complaints:detail", args=[pk]) + "#reports")

    def post(self, request, pk, report_pk):
        user = request.user
        complaint = selectors.complaint_detail(user=user, pk=pk)
        report = selectors.report_for_complaint(user=user, complaint_pk=pk, pk=report_pk)
        key = f"report-{report.pk}"
        form = forms.ReportSubmitForm(request.POST, request.FILES, report=report)
        try:
            transitions.check_activity("submit_report", complaint, user)  # PermissionDenied → 403
        except transitions.TransitionRefused as error:
            form.is_valid()
            form.add_error(None, str(error.message))
            return render_detail(request, complaint, bound=(key, form), status=409)
        if not form.is_valid():
            return render_detail(request, complaint, bound=(key, form))
        try:
            services.report_submit(actor=user, report=report, **form.service_kwargs())
        except ConflictError as error:
            report.refresh_from_db()
            posted = form.cleaned_data.get("version")
            current = selectors.complaint_detail(user=user, pk=pk)
            if posted is not None and posted != report.version and report.state == ReportState.PENDING:
                data = request.POST.copy()
                data["version"] = str(report.version)
                form = forms.ReportSubmitForm(data, report=report)
                form.is_valid()
                form.add_error(None, str(STALE))
                return render_detail(request, current, bound=(key, form), conflict=True, status=409)
            form.add_error(None, str(error.message))
            return render_detail(request, current, bound=(key, form), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_detail(request, complaint, bound=(key, form))
        message = _("%(report)s recorded as submitted.") % {"report": report.label}
        return ComplaintActionView.done(request, complaint, message, anchor="reports")


class ReportFileView(ComplaintMixin, generic.ResourceMixin, View):
    """The file sent with a regulatory report, only through the complaint's scope (never a
    public /media/ link)."""

    http_method_names = ["get"]

    def get(self, request, pk, report_pk):
        report = selectors.report_for_complaint(user=request.user, complaint_pk=pk, pk=report_pk)
        if not report.attachment:
            raise Http404
        try:
            handle = report.attachment.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        name = report.attachment.name.rsplit("/", 1)[-1]
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


# --- the quality department's board -----------------------------------------------------------------


class BoardView(generic.ResourceMixin, TemplateView):
    """Every pending regulatory report, most urgent first (overdue red, inside the warning window
    amber, then the rest); recent submissions; open complaints per status; CP-4 clocks run out.
    Refreshed every minute (htmx)."""

    resource = "complaint_board"
    url_prefix = "complaints"
    model = Complaint
    template_name = "complaints/board.html"

    def resource_urls(self, obj=None) -> dict:
        return {"list": reverse("complaints:list")}

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["complaints/_board_body.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        pending = list(selectors.report_board(user=user)[: BOARD_LIMIT + 1])
        more = len(pending) > BOARD_LIMIT
        groups = {"overdue": [], "warning": [], "ok": []}
        for report in pending[:BOARD_LIMIT]:
            state = tables.deadline_state(report.due_at, warn_at=report.warn_at, now=now)
            report.deadline = state
            report.css = tables.DEADLINE_CSS[state]
            report.left = tables.time_left_text(report.due_at - now)
            groups[state].append(report)
        breached = selectors.breached_complaint_clocks(user=user, at=now)
        for clock in breached:
            clock.left = tables.time_left_text(clock.due_at - now)
        counts = selectors.open_counts_by_status(user=user)
        ctx.update(
            now=now,
            overdue=groups["overdue"],
            warning=groups["warning"],
            later=groups["ok"],
            more=more,
            recent=selectors.recent_submissions(user=user),
            counts=[(status, Status(status).label, n) for status, n in counts],
            open_total=sum(n for _status, n in counts),
            breached=breached,
        )
        return ctx


# --- reporting rules (generic record views) -------------------------------------------------------


class RuleMixin:
    resource = "reporting_rule"
    url_prefix = "complaints:rule"
    model = ReportingRule
    selector = selectors.rule_list


class RuleListView(RuleMixin, generic.RecordListView):
    filterset_class = filters.ReportingRuleFilter
    table_class = tables.ReportingRuleTable
    paginate_by = 100
    search_placeholder = gettext_lazy("Code, report or recipient")


class RuleDetailView(RuleMixin, generic.RecordDetailView):
    template_name = "complaints/rule_detail.html"
    detail_fields = (
        "code",
        "jurisdiction",
        "event",
        "sequence",
        "name",
        "recipient",
        "amount",
        "warn_before",
        "escalate_role",
        "source",
    )

    def get_context_data(self, **kwargs):
        from apps.sla.durations import format_duration

        ctx = super().get_context_data(**kwargs)
        rule = self.object
        shown = {
            "name": rule.label,
            "recipient": rule.recipient_label,
            "amount": rule.deadline_text,
            "warn_before": format_duration(rule.warn_before) if rule.warn_before else _("no warning"),
            "source": rule.source_label or "—",
        }
        pairs = zip(ctx["facts"], self.detail_fields, strict=True)
        ctx["facts"] = [(label, shown.get(name, value)) for (label, value), name in pairs]
        ctx["siblings"] = selectors.rule_list(user=self.request.user).filter(event=rule.event, is_active=True)
        ctx["pending_reports"] = rule.reports.filter(state=ReportState.PENDING).count()
        return ctx


class RuleCreateView(RuleMixin, generic.RecordCreateView):
    form_class = forms.ReportingRuleForm
    create_service = services.rule_create


class RuleUpdateView(RuleMixin, generic.RecordUpdateView):
    form_class = forms.ReportingRuleForm
    update_service = services.rule_update


class RuleDeactivateView(RuleMixin, generic.RecordSetActiveView):
    set_active_service = services.rule_set_active


class RuleReactivateView(RuleDeactivateView):
    activate = True


# --- CAPAs --------------------------------------------------------------------------------------------


class CapaMixin:
    resource = "capa"
    url_prefix = "complaints:capa"
    model = Capa
    selector = selectors.capa_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("complaints:capa_list"), "add": reverse("complaints:capa_create")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls


class CapaListView(CapaMixin, generic.RecordListView):
    filterset_class = filters.CapaFilter
    table_class = tables.CapaTable
    search_placeholder = gettext_lazy("CAPA number or title")


def render_capa(request, capa: Capa, *, close_form=None, status=200):
    user = request.user
    may_close = can(user, "capa", "change") and capa.state == "open"
    if close_form is None and may_close:
        close_form = forms.CapaCloseForm(initial={"version": capa.version})
    context = {
        "capa": capa,
        "object": capa,
        "complaints": selectors.capa_complaints(user=user, capa=capa),
        "close_form": close_form if may_close or close_form is not None else None,
        "history": history_for([capa], user=user),
    }
    return render(request, "complaints/capa_detail.html", context, status=status)


class CapaDetailView(CapaMixin, generic.ResourceMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        return render_capa(request, selectors.capa_detail(user=request.user, pk=pk))


class CapaCreateView(CapaMixin, generic.ResourceMixin, FormView):
    """A new CAPA; from a complaint's page (?complaint=) it is linked to that complaint."""

    action = "add"
    template_name = "complaints/capa_form.html"
    form_class = forms.CapaForm

    def get_complaint(self) -> Complaint | None:
        pk = parse_id(self.request.GET.get("complaint") or self.request.POST.get("complaint"))
        if pk is None:
            return None
        return selectors.complaint_detail(user=self.request.user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        complaint = self.get_complaint()
        try:
            capa = services.capa_create(actor=self.request.user, data=form.service_data(), complaint=complaint)
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("CAPA %(number)s opened.") % {"number": capa.number})
        return HttpResponseRedirect(complaint.get_absolute_url() if complaint else capa.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(title=_("Open a CAPA"), complaint=self.get_complaint())
        return ctx


class CapaCloseView(CapaMixin, generic.ResourceMixin, View):
    """POST: close a CAPA with its effectiveness check."""

    action = "change"

    def get(self, request, pk):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, pk):
        capa = selectors.capa_detail(user=request.user, pk=pk)
        form = forms.CapaCloseForm(request.POST)
        if not form.is_valid():
            return render_capa(request, capa, close_form=form)
        try:
            services.capa_close(
                actor=request.user,
                capa=capa,
                effectiveness=form.cleaned_data["effectiveness"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as error:
            current = selectors.capa_detail(user=request.user, pk=pk)
            posted = form.cleaned_data.get("version")
            if posted is not None and posted != current.version and current.state == "open":
                # Stale: keep the input, now against the current version.
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = forms.CapaCloseForm(data)
                form.is_valid()
                form.add_error(None, _("Somebody changed this CAPA meanwhile; check it and submit again."))
            else:
                form.add_error(None, str(error.message))
            return render_capa(request, current, close_form=form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_capa(request, capa, close_form=form)
        messages.success(request, _("CAPA %(number)s closed.") % {"number": capa.number})
        return HttpResponseRedirect(capa.get_absolute_url())


# --- CP-3 reassignment reviews --------------------------------------------------------------------


class ReviewMixin:
    resource = "reassignment_review"
    url_prefix = "complaints:review"
    model = ReassignmentReview
    selector = selectors.review_list

    def resource_urls(self, obj=None) -> dict:
        return {"list": reverse("complaints:review_list")}


class ReviewListView(ReviewMixin, generic.RecordListView):
    template_name = "complaints/review_list.html"
    filterset_class = filters.ReviewFilter
    table_class = tables.ReviewTable


class ReviewDecideView(ReviewMixin, generic.ResourceMixin, FormView):
    """The technical head decides a reassignment review and records why (CP-3)."""

    action = "change"
    template_name = "complaints/review_decide.html"
    form_class = forms.ReviewDecideForm

    def get_review(self) -> ReassignmentReview:
        review = selectors.review_list(user=self.request.user).filter(pk=self.kwargs["pk"]).first()
        if review is None:
            raise Http404
        return review

    def get_initial(self):
        return {"version": self.get_review().version}

    def form_valid(self, form):
        review = self.get_review()
        try:
            services.reassignment_decide(
                actor=self.request.user,
                review=review,
                decision=form.cleaned_data["decision"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ConflictError as error:
            current = self.get_review()
            stale = form.cleaned_data.get("version") not in (None, current.version) and current.state == "open"
            if stale:
                data = self.request.POST.copy()
                data["version"] = str(current.version)
                form = forms.ReviewDecideForm(data)
                form.is_valid()
            form.add_error(None, _("Somebody changed this review meanwhile.") if stale else error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Decision recorded."))
        return HttpResponseRedirect(reverse("complaints:review_list"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        review = self.get_review()
        ctx.update(
            review=review, object=review, title=_("Reassignment review of %(engineer)s") % {"engineer": review.engineer}
        )
        return ctx


rule_patterns = generic.record_urlpatterns(
    "rule",
    list_view=RuleListView,
    detail_view=RuleDetailView,
    create_view=RuleCreateView,
    update_view=RuleUpdateView,
    deactivate_view=RuleDeactivateView,
    reactivate_view=RuleReactivateView,
)

urlpatterns = [
    path("complaints/", ComplaintListView.as_view(), name="list"),
    path("complaints/new/", ComplaintCreateView.as_view(), name="create"),
    path("complaints/board/", BoardView.as_view(), name="board"),
    path("complaints/<int:pk>/", ComplaintDetailView.as_view(), name="detail"),
    path("complaints/<int:pk>/edit/", ComplaintUpdateView.as_view(), name="update"),
    path("complaints/<int:pk>/do/<slug:key>/", ComplaintActionView.as_view(), name="act"),
    path("complaints/<int:pk>/reports/<int:report_pk>/submit/", ReportSubmitView.as_view(), name="report_submit"),
    path("complaints/<int:pk>/reports/<int:report_pk>/file/", ReportFileView.as_view(), name="report_file"),
    path("reporting-rules/", include(rule_patterns)),
    path("capas/", CapaListView.as_view(), name="capa_list"),
    path("capas/new/", CapaCreateView.as_view(), name="capa_create"),
    path("capas/<int:pk>/", CapaDetailView.as_view(), name="capa_detail"),
    path("capas/<int:pk>/close/", CapaCloseView.as_view(), name="capa_close"),
    path("reassignment-reviews/", ReviewListView.as_view(), name="review_list"),
    path("reassignment-reviews/<int:pk>/decide/", ReviewDecideView.as_view(), name="review_decide"),
]
