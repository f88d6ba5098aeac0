"""The signed service report in the browser (SPEC WO-12).

- /work-orders/<pk>/report/sign/ — on the engineer's phone: the summary the customer is about
  to sign, signer name and position, outcome, an e-mail address for the copy and the finger
  signature; POST calls apps.workorders.reports.report_sign.
- /work-orders/reports/<id>/ — the report: metadata, verify() (tamper check and "data changed
  since signing"), the signature, and "send again".
- /work-orders/reports/<id>/pdf/ — the stored PDF bytes exactly (?inline=1 opens it in the browser).

Every page reads the order through the user's scope (else 404). Refusals: NotPermitted → 403,
TransitionRefused → the page with the message and HTTP 409, a stale page (ConflictError) → the
input kept, the signature cleared (the customer signs what is shown now) and HTTP 409.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.signature import SignatureField, png_data_url
from apps.core.views import apply_validation_error
from apps.workorders import reports, selectors, transitions
from apps.workorders.choices import EventKind, Outcome
from apps.workorders.models import ServiceReport
from apps.workorders.transitions import NotPermitted, TransitionRefused

# --- forms (small and used only here) ---------------------------------------------------------


class ReportSignForm(forms.Form):
    signer_name = forms.CharField(
        label=gettext_lazy("Signer's name (in print)"),
        max_length=64,
        error_messages={"required": gettext_lazy("Enter the signer's name in print.")},
    )
    signer_title = forms.CharField(
        label=gettext_lazy("Signer's position"),
        max_length=64,
        required=False,
        help_text=gettext_lazy("e.g. head of the laboratory"),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Say whether the problem is solved.")},
        help_text=gettext_lazy("Not solved: the regional customer manager and the supervisor are told at once."),
    )
    email_to = forms.EmailField(
        label=gettext_lazy("E-mail the PDF to"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("Optional; the customer's copy of the signed report."),
    )
    signature = SignatureField(label=gettext_lazy("Customer signature"))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    summary_hash = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class ResendForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)


def _forbidden(request, error, order=None):
    from apps.workorders.views_actions import forbidden

    return forbidden(request, error, order)


def _order_scope(user):
    return selectors.workorder_list(user=user).select_related(
        "contact", "department", "instrument__model", "instrument_model"
    )


# --- signing ------------------------------------------------------------------------------------


class ReportSignView(LoginRequiredMixin, View):
    """The customer signs on the engineer's phone; the order completes (SPEC WO-12)."""

    http_method_names = ["get", "post"]
    template_name = "workorders/report_sign.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, "workorder", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        self.order = get_object_or_404(_order_scope(request.user), pk=kwargs["pk"])
        self.refused = None
        try:
            transitions.check(self.order, request.user, "complete")
        except NotPermitted as error:
            return _forbidden(request, error, self.order)
        except TransitionRefused as error:
            self.refused = error.message
        self.visit = reports.open_visit_for(self.order) if self.refused is None else None
        if self.refused is None and self.visit is None:
            self.refused = reports.sign_blockers(None)["visit"]
        return super().dispatch(request, *args, **kwargs)

    def snapshot(self):
        return reports.report_snapshot(self.order, self.visit) if self.visit is not None else None

    def initial(self, snapshot) -> dict:
        contact_email = self.order.contact.email if self.order.contact_id else ""
        return {
            "signer_name": self.visit.lab_head_name if self.visit else "",
            "outcome": Outcome.SOLVED,
            "email_to": contact_email,
            "expected_version": self.order.version,
            "summary_hash": reports.summary_hash(snapshot) if snapshot else "",
        }

    def render(self, form, *, snapshot, status=200, conflict=False):
        blockers = list(reports.sign_blockers(self.visit).values()) if self.visit is not None else []
        try:
            visit_url = reverse("workorders:visit", args=[self.order.pk])
        except NoReverseMatch:
            visit_url = ""
        ctx = {
            "order": self.order,
            "form": form,
            "snapshot": snapshot,
            "refused": self.refused,
            "blockers": blockers,
            "conflict": conflict,
            "visit_url": visit_url,
            "signature_meaning": reports.SIGNATURE_MEANING,
        }
        return render(self.request, self.template_name, ctx, status=status)

    def get(self, request, *args, **kwargs):
        snapshot = self.snapshot()
        form = ReportSignForm(initial=self.initial(snapshot))
        return self.render(form, snapshot=snapshot, status=409 if self.refused else 200)

    def post(self, request, *args, **kwargs):
        form = ReportSignForm(request.POST)
        snapshot = self.snapshot()
        if self.refused:
            form.is_valid()
            return self.render(form, snapshot=snapshot, status=409)
        if not form.is_valid():
            return self.render(form, snapshot=snapshot)
        data = form.cleaned_data
        try:
            report = reports.report_sign(
                order=self.order,
                actor=request.user,
                signer_name=data["signer_name"],
                signer_title=data["signer_title"],
                signature_png=data["signature"],
                outcome=data["outcome"],
                email_to=data["email_to"],
                expected_version=data["expected_version"],
                expected_summary_hash=data["summary_hash"] or None,
            )
        except NotPermitted as error:
            return _forbidden(request, error, self.order)
        except TransitionRefused as error:
            self.refused = error.message
            return self.render(form, snapshot=snapshot, status=409)
        except ConflictError as error:
            return self.conflict(error)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render(form, snapshot=snapshot)
        if report.queued_email:
            messages.success(
                request,
                _("Report %(number)s signed; the order is completed and the PDF is being e-mailed to %(address)s.")
                % {"number": report.number, "address": report.queued_email},
            )
        else:
            messages.success(
                request, _("Report %(number)s signed; the order is completed.") % {"number": report.number}
            )
        return redirect(self.order.get_absolute_url())

    def conflict(self, error):
        """Nothing was saved. Show the summary as it is now, keep what was typed, and clear the
        signature: the customer signs only what is on the screen."""
        self.order = get_object_or_404(_order_scope(self.request.user), pk=self.order.pk)
        self.refused = None
        try:
            transitions.check(self.order, self.request.user, "complete")
        except NotPermitted as refusal:
            return _forbidden(self.request, refusal, self.order)
        except TransitionRefused as refusal:
            self.refused = refusal.message
        self.visit = reports.open_visit_for(self.order) if self.refused is None else None
        snapshot = self.snapshot()
        data = self.request.POST.copy()
        data["expected_version"] = str(self.order.version)
        data["summary_hash"] = reports.summary_hash(snapshot) if snapshot else ""
        data["signature"] = ""
        form = ReportSignForm(data)
        form.is_valid()
        form.errors.pop("signature", None)
        form.add_error(None, str(error.message))
        form.add_error(None, _("The customer must sign again: the signature was cleared."))
        return self.render(form, snapshot=snapshot, status=409, conflict=True)


# --- the report, its PDF and the copy by e-mail -----------------------------------------------


class ReportMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, "workorder", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        try:
            self.report = reports.report_for_user(user=request.user, pk=kwargs["pk"])
        except ServiceReport.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)


class ReportPdfView(ReportMixin, View):
    """The stored PDF exactly as it was frozen at signing; never regenerated."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        try:
            handle = self.report.pdf.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=not request.GET.get("inline"),
            filename=f"{self.report.number}.pdf",
            content_type="application/pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ReportDetailView(ReportMixin, View):
    http_method_names = ["get"]
    template_name = "workorders/report_detail.html"

    def get(self, request, *args, **kwargs):
        return render_detail(request, self.report)


def render_detail(request, report, *, resend_form=None, status=200):
    order = report.work_order
    may_resend = reports.can_resend(request.user, report)
    if resend_form is None and may_resend:
        resend_form = ResendForm(initial={"email": report.emailed_to.split(", ")[0] if report.emailed_to else ""})
    deliveries = order.events.filter(kind=EventKind.REPORT, data__report=report.pk).select_related("actor")
    ctx = {
        "report": report,
        "order": order,
        "snapshot": report.content,
        "check": reports.verify(report),
        "signature_url": png_data_url(bytes(report.signature_png)) if report.signature_png else "",
        "resend_form": resend_form if may_resend else None,
        "deliveries": list(deliveries.order_by("at", "id")),
    }
    return render(request, ReportDetailView.template_name, ctx, status=status)


class ReportResendView(ReportMixin, View):
    """'Send again' (technical head, hotline, the engineer): the stored PDF, not a new one."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ResendForm(request.POST)
        if not reports.can_resend(request.user, self.report):
            return _forbidden(request, NotPermitted(_("You may not send this report.")), self.report.work_order)
        if not form.is_valid():
            return render_detail(request, self.report, resend_form=form)
        try:
            reports.report_resend(report=self.report, actor=request.user, email=form.cleaned_data["email"])
        except NotPermitted as error:
            return _forbidden(request, error, self.report.work_order)
        except ValidationError as error:
            apply_validation_error(form, error)
            return render_detail(request, self.report, resend_form=form)
        messages.success(
            request,
            _("Report %(number)s is being sent to %(address)s.")
            % {"number": self.report.number, "address": form.cleaned_data["email"]},
        )
        return redirect("workorders:report_detail", pk=self.report.pk)


urlpatterns = [
    path("work-orders/<int:pk>/report/sign/", ReportSignView.as_view(), name="report_sign"),
    path("work-orders/reports/<int:pk>/", ReportDetailView.as_view(), name="report_detail"),
    path("work-orders/reports/<int:pk>/pdf/", ReportPdfView.as_view(), name="report_pdf"),
    path("work-orders/reports/<int:pk>/resend/", ReportResendView.as_view(), name="report_resend"),
]
