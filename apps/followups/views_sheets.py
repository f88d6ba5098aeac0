"""The follow-up sheet (跟踪回访单, SPEC FU-4) in the browser, and the follow-up plan shown on a
work order's page.

- /follow-up-sheets/: a caller's own sheets; the supervisor, the technical head and admins see
  everybody's (apps.followups.selectors.sheet_list scopes the rows). Filter by state and caller.
- /follow-up-sheets/add/: a new sheet for a period (this week unless changed); leaders may make
  it for a caller. services.sheet_create collects the caller's follow-ups done in the period
  that are on no other sheet.
- /follow-up-sheets/<pk>/: laid out like the paper form — one row per follow-up (number, time,
  hospital, record, remarks, caller), then the supervisor's comments and the department head's
  signature — with the moves this user may make: submit, review, return, sign. Each move is one
  POST to one service: PermissionDenied → 403, ConflictError (stale page, wrong state) → the
  page again with the message and the typed comment kept, HTTP 409.
- /follow-up-sheets/<pk>/pdf/: the sheet as a PDF (apps.core.pdf), signatures filled once signed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, View

from apps.core import views as generic
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.pdf import render_pdf
from apps.followups import selectors, services
from apps.followups.choices import SheetState
from apps.followups.forms_sheets import SheetActionForm, SheetCreateForm, SheetFilterForm
from apps.followups.models import FollowUpSheet

# --- the follow-up plan on a work order's page --------------------------------------------------


def workorder_followups(order, user) -> dict:
    """Context for templates/followups/_workorder_panel.html on a work order's page: the order's
    follow-up plan, or None (the panel stays out) for a user who may not read follow-ups."""
    if not can(user, "followup", "view"):
        return {"followup_plan": None}
    return {"followup_plan": list(selectors.followups_for_source(order))}


# --- the sheets ------------------------------------------------------------------------------------


class SheetMixin(generic.ResourceMixin):
    resource = "followup_sheet"
    url_prefix = "followups:sheet"
    model = FollowUpSheet
    selector = selectors.sheet_list


def _moves(sheet: FollowUpSheet, user) -> dict[str, bool]:
    """Which buttons the page offers. Only a hint: each service checks again and refuses with a
    clear message (FU-4: the caller submits; a leader other than the caller reviews; the
    department head signs a reviewed sheet)."""
    leader = user.role in services.LEADERS
    return {
        "submit": sheet.state == SheetState.DRAFT and (user.pk == sheet.caller_id or leader),
        "review": sheet.state == SheetState.SUBMITTED and leader and user.pk != sheet.caller_id,
        "return": sheet.state in (SheetState.SUBMITTED, SheetState.REVIEWED) and leader,
        "sign": sheet.state == SheetState.REVIEWED and user.role in services.DEPARTMENT_HEADS,
    }


class SheetListView(SheetMixin, ListView):
    template_name = "followups/sheet_list.html"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = SheetFilterForm(self.request.GET or None, user=self.request.user)
        queryset = selectors.sheet_list(user=self.request.user)
        if self.filter_form.is_valid():
            if self.filter_form.cleaned_data.get("state"):
                queryset = queryset.filter(state=self.filter_form.cleaned_data["state"])
            if self.filter_form.cleaned_data.get("caller"):
                queryset = queryset.filter(caller=self.filter_form.cleaned_data["caller"])
        return queryset.annotate(line_count=Count("followups")).order_by("-period_end", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        # What waits for this user: his drafts, sheets to review, sheets to sign.
        waiting = []
        if user.role in services.LEADERS:
            waiting.append((SheetState.SUBMITTED, _("Waiting for your review")))
        if user.role in services.DEPARTMENT_HEADS:
            waiting.append((SheetState.REVIEWED, _("Waiting for your signature")))
        counts = dict(
            selectors.sheet_list(user=user)
            .filter(state__in=[state for state, _label in waiting])
            .order_by()
            .values_list("state")
            .annotate(n=Count("pk"))
            .values_list("state", "n")
        )
        ctx.update(
            filter_form=self.filter_form,
            waiting=[{"state": state, "label": label, "count": counts.get(state, 0)} for state, label in waiting],
            query=self._query_without_page(),
        )
        return ctx

    def _query_without_page(self) -> str:
        query = self.request.GET.copy()
        query.pop("page", None)
        return query.urlencode()


class SheetCreateView(SheetMixin, FormView):
    action = "add"
    template_name = "followups/sheet_form.html"
    form_class = SheetCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            sheet = services.sheet_create(actor=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Follow-up sheet %(number)s made: check it and submit it to your supervisor.") % {"number": sheet.number},
        )
        return HttpResponseRedirect(sheet.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("New follow-up sheet")}


# One form per move on the detail page: (service keyword for the comment, label, one-line max).
MOVES = {
    "submit": (None, None, None),
    "review": ("comment", gettext_lazy("Supervisor's comments"), None),
    "return": ("comment", gettext_lazy("What needs to change"), None),
    "sign": ("note", gettext_lazy("Note (optional)"), 255),
}


def _move_form(move: str, sheet: FollowUpSheet, data=None) -> SheetActionForm:
    _key, label, one_line = MOVES[move]
    return SheetActionForm(
        data,
        initial={"expected_version": sheet.version},
        auto_id=f"id_{move}_%s",
        comment_label=label,
        comment_max=one_line,
    )


def render_sheet(request, sheet: FollowUpSheet, *, forms: dict | None = None, error: str = "", status: int = 200):
    moves = _moves(sheet, request.user)
    forms = forms or {}
    ctx = {
        "sheet": sheet,
        "object": sheet,
        "lines": list(selectors.sheet_lines(sheet)),
        "moves": moves,
        "forms": {move: forms.get(move) or _move_form(move, sheet) for move, allowed in moves.items() if allowed},
        "error": error,
        "can_add": can(request.user, "followup_sheet", "add"),
    }
    return render(request, "followups/sheet_detail.html", ctx, status=status)


class SheetDetailView(SheetMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        return render_sheet(request, selectors.sheet_detail(user=request.user, pk=pk))


class SheetMoveView(SheetMixin, View):
    """POST only: one move of the sheet (submit, review, return, sign) through its service."""

    http_method_names = ["post"]
    action = "change"
    move = ""
    services_by_move = {
        "submit": services.sheet_submit,
        "review": services.sheet_review,
        "return": services.sheet_return,
        "sign": services.sheet_sign,
    }
    success_messages = {
        "submit": gettext_lazy("Sheet submitted to the supervisor."),
        "review": gettext_lazy("Review saved: the sheet goes to the department head."),
        "return": gettext_lazy("Sheet returned to the caller."),
        "sign": gettext_lazy("Sheet signed off."),
    }

    def post(self, request, pk):
        sheet = selectors.sheet_detail(user=request.user, pk=pk)
        form = _move_form(self.move, sheet, request.POST)
        if not form.is_valid():
            return render_sheet(request, sheet, forms={self.move: form})
        key = MOVES[self.move][0]
        kwargs = {key: form.cleaned_data["comment"]} if key else {}
        try:
            self.services_by_move[self.move](
                sheet=sheet, actor=request.user, expected_version=form.cleaned_data["expected_version"], **kwargs
            )
        except ConflictError as error:
            # Nothing changed. Show the sheet as it is now; keep the typed comment, with the
            # current version so that sending again applies it knowingly.
            sheet = selectors.sheet_detail(user=request.user, pk=pk)
            data = request.POST.copy()
            data["expected_version"] = sheet.version
            form = _move_form(self.move, sheet, data)
            return render_sheet(request, sheet, forms={self.move: form}, error=str(error.message), status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_sheet(request, sheet, forms={self.move: form})
        messages.success(request, str(self.success_messages[self.move]))
        return HttpResponseRedirect(sheet.get_absolute_url())


def sheet_pdf(sheet: FollowUpSheet) -> bytes:
    """The sheet as a PDF, in the default language like the paper form it replaces."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf(
            "followups/pdf/sheet.html",
            {
                "sheet": sheet,
                "lines": list(selectors.sheet_lines(sheet)),
                "company_name": getattr(settings, "COMPANY_NAME", ""),
                "printed_at": timezone.localtime(),
            },
        )


class SheetPdfView(SheetMixin, View):
    http_method_names = ["get"]

    def get(self, request, pk):
        sheet = selectors.sheet_detail(user=request.user, pk=pk)
        response = HttpResponse(sheet_pdf(sheet), content_type="application/pdf")
        disposition = "inline" if request.GET.get("inline") else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{sheet.number}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


def _move_view(move: str):
    return type(f"Sheet{move.capitalize()}View", (SheetMoveView,), {"move": move}).as_view()


urlpatterns = [
    path("follow-up-sheets/", SheetListView.as_view(), name="sheet_list"),
    path("follow-up-sheets/add/", SheetCreateView.as_view(), name="sheet_add"),
    path("follow-up-sheets/<int:pk>/", SheetDetailView.as_view(), name="sheet_detail"),
    path("follow-up-sheets/<int:pk>/pdf/", SheetPdfView.as_view(), name="sheet_pdf"),
    *(path(f"follow-up-sheets/<int:pk>/{move}/", _move_view(move), name=f"sheet_{move}") for move in MOVES),
]
