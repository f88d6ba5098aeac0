"""The actions on one work order in the browser (SPEC §2): one small page per move, phone first.

Every page is GET (the form) / POST (one call of one service in apps.workorders.services with
actor=request.user). The service decides; this module only parses, checks who may open the
page and turns the service's refusals into what the user sees:

- NotPermitted (wrong role, not his order) → the 403 page with the message;
- TransitionRefused (not in this state) → the form page with the message, HTTP 409;
- ConflictError (someone changed the order since the page was loaded) → the form page with the
  conflict message and the user's input kept, HTTP 409; nothing is changed;
- ValidationError → field errors, the input kept.

The dispatch pages (views_dispatch.py) and the signed report (views_report.py) live elsewhere;
the action bar (`action_bar`, rendered by templates/workorders/_actions.html) links to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.accounts.choices import Role
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.views import apply_validation_error
from apps.workorders import forms, policies, selectors, services, transitions
from apps.workorders.choices import (
    Action,
    ApprovalStep,
    Billing,
    Decision,
    Status,
    Urgency,
)
from apps.workorders.models import PartUsage

# --- who may do what now: apps.workorders.transitions.check_activity, asked before a page or a
# button is shown; the service asks the same under the row lock.
from apps.workorders.transitions import (
    NotPermitted,
    TransitionRefused,
)
from apps.workorders.transitions import check_activity as guard


def may(key: str, order, user) -> bool:
    try:
        guard(key, order, user)
    except (NotPermitted, TransitionRefused):
        return False
    return True


# --- the action bar of the detail page ------------------------------------------------------


@dataclass
class BarItem:
    key: str
    label: str
    url: str
    method: str = "get"  # "post": a one-tap form (check in, resume the clocks)
    style: str = ""
    hint: str = ""


@dataclass
class Bar:
    primary: BarItem | None = None
    others: list[BarItem] = field(default_factory=list)

    def __bool__(self):
        return self.primary is not None or bool(self.others)


DECIDE_LABELS = {
    ApprovalStep.QUOTE: gettext_lazy("Enter the quote"),
    ApprovalStep.CUSTOMER_AGREEMENT: gettext_lazy("Record the customer's agreement"),
    ApprovalStep.DEPOSIT: gettext_lazy("Record the deposit"),
    ApprovalStep.DEPOSIT_CONFIRMED: gettext_lazy("Confirm the deposit"),
}

# Display order of the compact group; the primary action is picked by _primary().
BAR_ORDER = (
    "check_in",
    "visit",
    "complete",
    "decide",
    "file_application",
    "emergency_dispatch",
    "dispatch",
    "remote",
    "resolve_remotely",
    "schedule",
    "checklist",
    "reschedule",
    "reallocate",
    "parts",
    "result",
    "balance",
    "assess",
    "close",
    "attach",
    "note",
    "pause",
    "resume",
    "reopen",
    "cancel",
)
# Moves whose pages other modules own: (url name, query string).
FOREIGN = {
    "dispatch": ("workorders:dispatch", ""),
    "emergency_dispatch": ("workorders:dispatch", "?mode=emergency"),
    "reallocate": ("workorders:dispatch", "?mode=reallocate"),
    "complete": ("workorders:report_sign", ""),
}
OWN_URLS = {
    "remote": "workorders:record_remote",
    "resolve_remotely": "workorders:resolve_remotely",
    "reopen": "workorders:reopen",
    "file_application": "workorders:file_application",
    "decide": "workorders:decide",
    "checklist": "workorders:checklist",
    "schedule": "workorders:schedule",
    "reschedule": "workorders:reschedule",
    "check_in": "workorders:check_in",
    "visit": "workorders:visit",
    "parts": "workorders:parts",
    "result": "workorders:report_result",
    "assess": "workorders:assess",
    "balance": "workorders:balance",
    "pause": "workorders:pause",
    "resume": "workorders:resume",
    "close": "workorders:close",
    "cancel": "workorders:cancel",
    "note": "workorders:add_note",
    "attach": "workorders:attach",
}
ONE_TAP = frozenset({"check_in", "resume"})


def _labels(order) -> dict:
    return {
        "remote": _("Record a remote attempt"),
        "resolve_remotely": _("Solved remotely"),
        "reopen": _("Reopen"),
        "file_application": _("File the missing application")
        if order.application_missing
        else str(Action.FILE_APPLICATION.label),
        "dispatch": str(Action.DISPATCH.label),
        "emergency_dispatch": str(Action.EMERGENCY_DISPATCH.label),
        "reallocate": str(Action.REALLOCATE.label),
        "checklist": _("Readiness checklist"),
        "schedule": str(Action.SCHEDULE.label),
        "reschedule": str(Action.RESCHEDULE.label),
        "check_in": str(Action.CHECK_IN.label),
        "visit": _("Visit record"),
        "parts": _("Parts"),
        "complete": str(Action.COMPLETE.label),
        "result": _("Report the result to sales"),
        "assess": _("Assess as complaint"),
        "balance": _("Record balance and invoice"),
        "pause": _("Pause the clocks"),
        "resume": _("Resume the clocks"),
        "close": str(Action.CLOSE.label),
        "cancel": _("Cancel the work order"),
        "note": _("Add a note"),
        "attach": _("Add photo or file"),
    }


def _primary(order, keys: set, *, visit, missing: list, blockers: list) -> str | None:
    """The one thing this user most likely came to do now."""
    if "check_in" in keys:
        return "check_in"
    if order.status == Status.ON_SITE:
        if "complete" in keys and visit is not None and visit.work_done.strip():
            return "complete"
        if "visit" in keys:
            return "visit"
    if "decide" in keys:
        return "decide"
    if "file_application" in keys and order.application_missing:
        return "file_application"
    if "emergency_dispatch" in keys and order.urgency == Urgency.URGENT:
        return "emergency_dispatch"
    if "dispatch" in keys:
        return "dispatch"
    if "schedule" in keys:
        return "checklist" if missing and "checklist" in keys else "schedule"
    if "file_application" in keys:
        return "file_application"
    if "remote" in keys:
        return "remote"
    if "balance" in keys and not getattr(getattr(order, "paid", None), "invoice_no", ""):
        return "balance"
    if "assess" in keys and order.complaint_assessed is None and order.status == Status.COMPLETED:
        return "assess"
    if "close" in keys and not blockers:
        return "close"
    if "resume" in keys:
        return "resume"
    return None


def action_bar(order, user, allowed_actions=None) -> Bar:
    """The buttons this user may press now on this order: the moves of the transition table the
    user may make (`allowed_actions`) plus the other actions whose services would accept him."""
    if allowed_actions is None:
        allowed_actions = transitions.allowed_actions(order, user)
    keys = set()
    for key in BAR_ORDER:
        if key in FOREIGN:
            if key in allowed_actions:
                keys.add(key)
        elif key == "decide":
            if "approve" in allowed_actions and may(key, order, user):
                keys.add(key)
        elif may(key, order, user):
            keys.add(key)
    missing = services.checklist_missing(order) if {"schedule", "checklist"} & keys else []
    visit = services.open_visit(order) if order.status == Status.ON_SITE else None
    blockers = services.close_blockers(order) if "close" in keys else []
    labels = _labels(order)
    if "decide" in keys:
        application = getattr(order, "application", None)  # the detail page has read it already
        step = application.step_code if application else None
        labels["decide"] = str(DECIDE_LABELS.get(step, _("Approve or reject")))
    hints = {}
    if missing and "checklist" in keys and "schedule" in keys:
        hints["checklist"] = _("%(n)s missing") % {"n": len(missing)}
    if blockers:
        hints["close"] = _("%(n)s to do first") % {"n": len(blockers)}
    primary_key = _primary(order, keys, visit=visit, missing=missing, blockers=blockers)
    bar = Bar()
    for key in BAR_ORDER:
        if key not in keys:
            continue
        if key in FOREIGN:
            name, query = FOREIGN[key]
            try:
                url = reverse(name, args=[order.pk]) + query
            except NoReverseMatch:  # that page is not installed (yet)
                continue
        else:
            url = reverse(OWN_URLS[key], args=[order.pk])
        item = BarItem(
            key=key,
            label=labels[key],
            url=url,
            method="post" if key in ONE_TAP else "get",
            style="danger" if key == "cancel" else "",
            hint=hints.get(key, ""),
        )
        if key == primary_key:
            item.style = "primary"
            bar.primary = item
        else:
            bar.others.append(item)
    return bar


# --- the generic action page ----------------------------------------------------------------


def forbidden(request, error, order=None):
    return render(
        request,
        "workorders/actions/forbidden.html",
        {"message": getattr(error, "message", str(error)), "order": order},
        status=403,
    )


class OrderMixin(LoginRequiredMixin):
    """Loads the order from the user's scope (else 404) and checks the action's guard."""

    key = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, "workorder", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        self.order = get_object_or_404(selectors.workorder_list(user=request.user), pk=kwargs["pk"])
        self.refused = None
        try:
            guard(self.key, self.order, request.user)
        except NotPermitted as error:
            return forbidden(request, error, self.order)
        except TransitionRefused as error:
            self.refused = error.message
        return super().dispatch(request, *args, **kwargs)


class ActionView(OrderMixin, View):
    """GET: the form. POST: validate, call `service`, go back to the order with a message."""

    http_method_names = ["get", "post"]
    form_class = forms.ConfirmForm
    template_name = "workorders/actions/form.html"
    title = ""
    intro = ""
    submit_label = gettext_lazy("Save")
    submit_style = "primary"
    success_message = gettext_lazy("Saved.")
    multipart = False

    @staticmethod
    def service(**kwargs):  # pragma: no cover - every view sets its own
        raise NotImplementedError

    # hooks
    def form_kwargs(self) -> dict:
        return {"order": self.order}

    def extra_context(self) -> dict:
        return {}

    def perform(self, form):
        return type(self).service(order=self.order, actor=self.request.user, **form.service_kwargs())

    def get_success_message(self, result) -> str:
        return str(self.success_message)

    def get_success_url(self, result) -> str:
        return self.order.get_absolute_url()

    # flow
    def get_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, **self.form_kwargs())

    def render(self, form, *, status=200, conflict=False):
        ctx = {
            "order": self.order,
            "form": form,
            "title": self.title,
            "intro": self.intro,
            "submit_label": self.submit_label,
            "submit_style": self.submit_style,
            "refused": self.refused,
            "conflict": conflict,
            "multipart": self.multipart,
            "cancel_url": self.order.get_absolute_url(),
            "action_url": self.request.path,
        }
        ctx.update(self.extra_context())
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.get_form(), status=409 if self.refused else 200)

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if self.refused:
            form.is_valid()
            return self.render(form, status=409)
        if not form.is_valid():
            return self.render(form)
        try:
            result = self.perform(form)
        except NotPermitted as error:
            return forbidden(request, error, self.order)
        except TransitionRefused as error:
            self.refused = error.message
            return self.render(form, status=409)
        except ConflictError as error:
            return self.conflict(form, error)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render(form)
        messages.success(request, self.get_success_message(result))
        return redirect(self.get_success_url(result))

    def reload(self):
        self.order = get_object_or_404(selectors.workorder_list(user=self.request.user), pk=self.order.pk)

    def conflict(self, form, error):
        """Nothing was saved. Show the order as it is now and keep what the user typed; the form
        now carries the current version, so saving again applies the input knowingly."""
        self.reload()
        data = self.request.POST.copy()
        fresh = self.get_form(None, None)
        if "expected_version" in fresh.fields:
            data["expected_version"] = fresh.fields["expected_version"].initial
        form = self.get_form(data, self.request.FILES)
        form.is_valid()
        form.add_error(None, str(error.message))
        try:
            guard(self.key, self.order, self.request.user)
        except (NotPermitted, TransitionRefused) as refusal:
            self.refused = refusal.message
        return self.render(form, status=409, conflict=True)


# --- remote first (WO-2) ----------------------------------------------------------------------


class RemoteAttemptView(ActionView):
    key = "remote"
    form_class = forms.RemoteAttemptForm
    service = staticmethod(services.workorder_record_remote)
    title = gettext_lazy("Record a remote attempt")
    intro = gettext_lazy("Every request is first tried by phone or remotely (WO-2).")
    success_message = gettext_lazy("Remote attempt recorded.")


class ResolveRemotelyView(ActionView):
    key = "resolve_remotely"
    form_class = forms.ResolveRemotelyForm
    service = staticmethod(services.workorder_resolve_remotely)
    title = gettext_lazy("Solved remotely")
    intro = gettext_lazy("The request is closed without a visit.")
    submit_label = gettext_lazy("Solved remotely")
    success_message = gettext_lazy("Solved remotely: closed without a visit.")


class ReopenView(ActionView):
    key = "reopen"
    form_class = forms.ReopenForm
    service = staticmethod(services.workorder_reopen)
    title = gettext_lazy("Reopen")
    submit_label = gettext_lazy("Reopen")
    success_message = gettext_lazy("Reopened.")


# --- application and approval (WO-3, WO-9) ----------------------------------------------------


def _route_context(order, billing) -> dict:
    from apps.workorders.choices import APPROVERS

    if billing not in Billing.values or billing == Billing.UNDECIDED:
        billing = Billing.FREE
    route = services.route_for(order, billing=billing)
    steps = [
        {
            "label": ApprovalStep(code).label,
            "who": ", ".join(str(Role(r).label) for r in sorted(APPROVERS.get(code, ()))),
        }
        for code in route.steps
    ]
    return {"route": route, "route_steps": steps, "route_billing": Billing(route.billing).label}


class FileApplicationView(ActionView):
    key = "file_application"
    form_class = forms.ApplicationForm
    service = staticmethod(services.workorder_file_application)
    template_name = "workorders/actions/application.html"
    title = gettext_lazy("Service application")
    submit_label = gettext_lazy("File the application")

    def extra_context(self):
        form_billing = self.request.POST.get("billing") if self.request.method == "POST" else None
        billing = form_billing or (Billing.WARRANTY if self.order.in_warranty else Billing.FREE)
        ctx = _route_context(self.order, billing)
        ctx["late"] = self.order.emergency and self.order.application_missing
        return ctx

    def get_success_message(self, application):
        step = application.step_code
        if step is None:
            return _("Application filed.")
        return _("Application filed: waiting for “%(step)s”.") % {"step": ApprovalStep(step).label}


class ApplicationRouteView(OrderMixin, View):
    """htmx: the approval route the policy will take for the chosen billing (before filing)."""

    key = "file_application"
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        ctx = {"order": self.order, **_route_context(self.order, request.GET.get("billing", ""))}
        return render(request, "workorders/actions/_route.html", ctx)


class DecideView(ActionView):
    key = "decide"
    form_class = forms.DecideForm
    service = staticmethod(services.workorder_decide)
    template_name = "workorders/actions/decide.html"
    title = gettext_lazy("Approval")

    def dispatch(self, request, *args, **kwargs):
        self.application = None
        return super().dispatch(request, *args, **kwargs)

    def reload(self):
        super().reload()
        self.application = None

    def get_application(self):
        if self.application is None:
            self.application = selectors.application_for(self.order)
        return self.application

    def form_kwargs(self):
        application = self.get_application()
        return {"order": self.order, "step": application.step_code if application else None}

    def extra_context(self):
        application = self.get_application()
        step = application.step_code if application else None
        paid = getattr(self.order, "paid", None) if self.order.billing == Billing.PAID else None
        route = []
        if application:
            for index, code in enumerate(application.route):
                route.append(
                    {
                        "label": ApprovalStep(code).label,
                        "done": index < application.current_step,
                        "current": code == step,
                    }
                )
        return {
            "application": application,
            "step": step,
            "step_label": ApprovalStep(step).label if step else "",
            "route": route,
            "paid": paid,
            "deposit_share": int(policies.DEPOSIT_SHARE * 100),
        }

    def get_success_message(self, order):
        if self.request.POST.get("decision") == Decision.REJECT:
            return _("Rejected; the reason goes back to the sales person.")
        if order.status == Status.APPROVED:
            return _("Approved: the work order is ready for dispatch.")
        return _("Step approved; the next step is with its approver.")


# --- readiness and appointment (WO-7, WO-8) ---------------------------------------------------


def _checklist_context(order, user, error="") -> dict:
    labels = {code: label for code, label in policies.checklist_for(order.work_type)}
    items = list(order.checklist.select_related("done_by"))
    for item in items:
        item.display_label = labels.get(item.code, item.label)
    return {
        "order": order,
        "items": items,
        "missing": [item.display_label for item in items if not item.done],
        "can_tick": may("checklist", order, user),
        "can_schedule": may("schedule", order, user),
        "checklist_error": error,
    }


class ChecklistView(OrderMixin, View):
    """WO-8: the readiness checklist, ticked item by item (htmx) before the visit is booked."""

    key = "checklist"
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        ctx = _checklist_context(self.order, request.user)
        ctx.update(title=_("Readiness checklist"), refused=self.refused)
        return render(request, "workorders/actions/checklist.html", ctx, status=409 if self.refused else 200)


class ChecklistItemView(OrderMixin, View):
    key = "checklist"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.ChecklistItemForm(request.POST, order=self.order)
        error, status = "", 200
        if self.refused:
            error, status = self.refused, 409
        elif form.is_valid():
            try:
                services.workorder_check_item(
                    order=self.order,
                    actor=request.user,
                    code=kwargs["code"],
                    done=form.cleaned_data["done"],
                    note=form.cleaned_data["note"],
                )
            except NotPermitted as refusal:
                return forbidden(request, refusal, self.order)
            except TransitionRefused as refusal:
                error, status = refusal.message, 409
            except ValidationError as invalid:
                error, status = " ".join(invalid.messages), 400
        else:
            error, status = " ".join(str(e) for errors in form.errors.values() for e in errors), 400
        self.order.refresh_from_db()
        if request.htmx:
            # htmx swaps 2xx only: a refusal is shown inside the list.
            return render(
                request, "workorders/actions/_checklist.html", _checklist_context(self.order, request.user, error)
            )
        if not error:
            messages.success(request, _("Checklist saved."))
            return redirect("workorders:checklist", pk=self.order.pk)
        ctx = _checklist_context(self.order, request.user, error)
        ctx.update(title=_("Readiness checklist"), refused=None)
        return render(request, "workorders/actions/checklist.html", ctx, status=status)


class ScheduleView(ActionView):
    key = "schedule"
    form_class = forms.ScheduleForm
    service = staticmethod(services.workorder_schedule)
    template_name = "workorders/actions/schedule.html"
    title = gettext_lazy("Book the visit")
    intro = gettext_lazy("The engineer agrees the visit time with the customer (WO-7).")
    submit_label = gettext_lazy("Book the visit")

    def extra_context(self):
        labels = dict(policies.checklist_for(self.order.work_type))
        return {"missing": [labels.get(i.code, i.label) for i in self.order.checklist.all() if not i.done]}

    def get_success_message(self, order):
        return _("Visit booked for %(time)s.") % {
            "time": timezone.localtime(order.appointment_at).strftime("%Y-%m-%d %H:%M")
        }


class RescheduleView(ActionView):
    key = "reschedule"
    form_class = forms.RescheduleForm
    service = staticmethod(services.workorder_reschedule)
    title = gettext_lazy("Change the appointment")
    intro = gettext_lazy("Promised times are kept; a delay is announced to the customer in advance (WO-7).")
    submit_label = gettext_lazy("Change the appointment")

    def get_success_message(self, order):
        return _("Visit moved to %(time)s.") % {
            "time": timezone.localtime(order.appointment_at).strftime("%Y-%m-%d %H:%M")
        }


class PauseView(ActionView):
    key = "pause"
    form_class = forms.PauseForm
    service = staticmethod(services.workorder_pause)
    title = gettext_lazy("Pause the clocks")
    intro = gettext_lazy("The time limits stop while the job waits for the customer or for parts (SLA-5).")
    submit_label = gettext_lazy("Pause the clocks")
    success_message = gettext_lazy("Clocks paused.")


class ResumeView(ActionView):
    key = "resume"
    service = staticmethod(services.workorder_resume)
    title = gettext_lazy("Resume the clocks")
    submit_label = gettext_lazy("Resume the clocks")
    success_message = gettext_lazy("Clocks running again.")


# --- the visit (WO-11, WO-16) -----------------------------------------------------------------


class CheckInView(ActionView):
    key = "check_in"
    service = staticmethod(services.workorder_check_in)
    template_name = "workorders/actions/check_in.html"
    title = gettext_lazy("Check in on site")
    submit_label = gettext_lazy("Check in")

    def get_success_message(self, visit):
        return _("Checked in at %(time)s.") % {"time": timezone.localtime(visit.checked_in_at).strftime("%H:%M")}

    def get_success_url(self, visit):
        return reverse("workorders:visit", args=[self.order.pk])


class VisitView(ActionView):
    """WO-11: the engineer's record, saved as often as he likes (Save, or autosave via htmx)."""

    key = "visit"
    form_class = forms.VisitForm
    service = staticmethod(services.workorder_record_visit)
    template_name = "workorders/visit_form.html"
    title = gettext_lazy("Visit record")

    def dispatch(self, request, *args, **kwargs):
        self.visit = None
        return super().dispatch(request, *args, **kwargs)

    def reload(self):
        super().reload()
        self.visit = None

    def get_visit(self):
        if self.visit is None and not self.refused:
            self.visit = services.open_visit(self.order)
            if self.visit is None:
                self.refused = _("There is no open visit.")
        return self.visit

    def form_kwargs(self):
        return {"order": self.order, "visit": self.get_visit()}

    def get_form(self, data=None, files=None):
        self.get_visit()
        if self.visit is None:
            return forms.ConfirmForm(data=data, order=self.order)
        return super().get_form(data, files)

    def extra_context(self):
        user, order = self.request.user, self.order
        report_url = ""
        if "complete" in transitions.allowed_actions(order, user):
            try:
                report_url = reverse("workorders:report_sign", args=[order.pk])
            except NoReverseMatch:
                pass
        return {
            "visit": self.visit,
            "links": [
                (reverse(OWN_URLS[key], args=[order.pk]), label)
                for key, label in (
                    ("parts", _("Parts")),
                    ("attach", _("Add photo or file")),
                    ("result", _("Report the result to sales")),
                )
                if may(key, order, user)
            ],
            "report_url": report_url,
        }

    def post(self, request, *args, **kwargs):
        if not request.htmx:
            return super().post(request, *args, **kwargs)
        # Autosave: a small status line; the new version replaces the hidden field (out of band).
        form = self.get_form(request.POST)
        if self.refused or self.visit is None:
            return render(request, "workorders/actions/_autosave.html", {"error": self.refused})
        if not form.is_valid():
            return render(request, "workorders/actions/_autosave.html", {"error": _("Not saved: check the fields.")})
        try:
            visit = self.perform(form)
        except ConflictError as error:  # TransitionRefused included
            return render(request, "workorders/actions/_autosave.html", {"error": str(error.message)})
        except (NotPermitted, ValidationError) as error:
            return render(
                request, "workorders/actions/_autosave.html", {"error": str(getattr(error, "message", error))}
            )
        return render(request, "workorders/actions/_autosave.html", {"visit": visit})

    def get_success_message(self, visit):
        return _("Visit record saved at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")}

    def get_success_url(self, visit):
        if "return" in self.request.POST:
            return self.order.get_absolute_url()
        return self.request.path


class PartsView(ActionView):
    key = "parts"
    form_class = forms.PartForm
    service = staticmethod(services.workorder_add_part)
    template_name = "workorders/actions/parts.html"
    title = gettext_lazy("Parts")
    submit_label = gettext_lazy("Add the part")

    def extra_context(self):
        parts = list(self.order.parts.select_related("item", "added_by"))
        return {
            "parts": parts,
            "can_confirm_arrival": may("part_arrived", self.order, self.request.user),
            "free_service": self.order.billing not in policies.PARTS_ALLOWED_BILLING,
            "reminder_days": policies.PART_ARRIVAL_REMINDER_DAYS,
        }

    def get_success_message(self, part):
        return _("Part added: %(item)s × %(qty)s.") % {"item": part.item, "qty": part.quantity}


class PartArrivedView(OrderMixin, View):
    key = "part_arrived"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        part = get_object_or_404(PartUsage, pk=kwargs["part_pk"], work_order=self.order)
        try:
            services.workorder_part_arrived(part=part, actor=request.user)
        except NotPermitted as error:
            return forbidden(request, error, self.order)
        messages.success(request, _("Arrival confirmed: %(item)s.") % {"item": part.item})
        return redirect(self.order.get_absolute_url())


class ResultView(ActionView):
    key = "result"
    form_class = forms.ResultForm
    service = staticmethod(services.workorder_report_result)
    title = gettext_lazy("Report the result to sales")
    intro = gettext_lazy("Before leaving the hospital, tell sales (and the dealer and supervisor) the result (WO-13).")
    submit_label = gettext_lazy("Send the result")
    success_message = gettext_lazy("Result reported to sales.")


# --- after the visit, money, closing (WO-9, WO-13, WO-18) -------------------------------------


class AssessView(ActionView):
    key = "assess"
    form_class = forms.AssessForm
    service = staticmethod(services.workorder_assess_complaint)
    template_name = "workorders/actions/assess.html"
    title = gettext_lazy("Complaint assessment")
    intro = gettext_lazy("ISO 13485 7.5.4: every service record is assessed as a complaint or not.")
    success_message = gettext_lazy("Assessment recorded.")


class BalanceView(ActionView):
    key = "balance"
    form_class = forms.BalanceForm
    service = staticmethod(services.workorder_record_balance)
    template_name = "workorders/actions/balance.html"
    title = gettext_lazy("Balance and invoice")
    submit_label = gettext_lazy("Confirm the balance")
    success_message = gettext_lazy("Balance confirmed and invoice recorded.")

    def extra_context(self):
        return {"paid": getattr(self.order, "paid", None)}


class CloseView(ActionView):
    key = "close"
    form_class = forms.CloseForm
    service = staticmethod(services.workorder_close)
    template_name = "workorders/actions/close.html"
    title = gettext_lazy("Close")
    submit_label = gettext_lazy("Close the work order")
    success_message = gettext_lazy("Closed.")

    def extra_context(self):
        user, order = self.request.user, self.order
        return {
            "blockers": services.close_blockers(order),
            "assess_url": reverse("workorders:assess", args=[order.pk]) if may("assess", order, user) else "",
        }


class CancelView(ActionView):
    key = "cancel"
    form_class = forms.CancelForm
    service = staticmethod(services.workorder_cancel)
    title = gettext_lazy("Cancel the work order")
    submit_label = gettext_lazy("Cancel the work order")
    submit_style = "danger"
    success_message = gettext_lazy("Cancelled.")


class NoteView(ActionView):
    key = "note"
    form_class = forms.NoteForm
    service = staticmethod(services.workorder_add_note)
    title = gettext_lazy("Add a note")
    submit_label = gettext_lazy("Add the note")
    success_message = gettext_lazy("Note added.")


class AttachView(ActionView):
    key = "attach"
    form_class = forms.AttachForm
    service = staticmethod(services.workorder_attach)
    template_name = "workorders/actions/attach.html"
    title = gettext_lazy("Add photo or file")
    submit_label = gettext_lazy("Upload")
    multipart = True

    def extra_context(self):
        return {"max_mb": policies.ATTACHMENT_MAX_BYTES // (1024 * 1024)}

    def get_success_message(self, attachment):
        return _("Uploaded: %(name)s.") % {"name": attachment.original_name}


def _order_path(suffix: str, view, name: str):
    return path(f"work-orders/<int:pk>/{suffix}", view.as_view(), name=name)


urlpatterns = [
    _order_path("remote/", RemoteAttemptView, "record_remote"),
    _order_path("resolve/", ResolveRemotelyView, "resolve_remotely"),
    _order_path("reopen/", ReopenView, "reopen"),
    _order_path("application/", FileApplicationView, "file_application"),
    _order_path("application/route/", ApplicationRouteView, "application_route"),
    _order_path("decide/", DecideView, "decide"),
    _order_path("checklist/", ChecklistView, "checklist"),
    _order_path("checklist/<str:code>/", ChecklistItemView, "checklist_item"),
    _order_path("schedule/", ScheduleView, "schedule"),
    _order_path("reschedule/", RescheduleView, "reschedule"),
    _order_path("pause/", PauseView, "pause"),
    _order_path("resume/", ResumeView, "resume"),
    _order_path("check-in/", CheckInView, "check_in"),
    _order_path("visit/", VisitView, "visit"),
    _order_path("parts/", PartsView, "parts"),
    _order_path("parts/<int:part_pk>/arrived/", PartArrivedView, "part_arrived"),
    _order_path("result/", ResultView, "report_result"),
    _order_path("assessment/", AssessView, "assess"),
    _order_path("balance/", BalanceView, "balance"),
    _order_path("close/", CloseView, "close"),
    _order_path("cancel/", CancelView, "cancel"),
    _order_path("note/", NoteView, "add_note"),
    _order_path("attachments/add/", AttachView, "attach"),
]
