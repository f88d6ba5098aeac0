"""Dispatch screens (SPEC WO-4 … WO-6, WO-15): the dispatch / emergency-dispatch /
re-allocation page of one order, and the dispatch board of today's open jobs.

Views parse, check (apps.core.access, the row scope of the selectors, the transition table) and
call one service; the ranking and the board are read by apps.workorders.dispatching.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from apps.core.access import can, sees_internal_notes
from apps.core.exceptions import ConflictError
from apps.core.ids import parse_id
from apps.workorders import dispatching, services, transitions
from apps.workorders.choices import TRANSITIONS
from apps.workorders.forms_dispatch import DispatchForm
from apps.workorders.selectors import workorder_list

SHOWN_SUGGESTIONS = 5
# ?mode= → the transition it makes
MODES = {"dispatch": "dispatch", "emergency": "emergency_dispatch", "reallocate": "reallocate"}
TITLES = {
    "dispatch": gettext_lazy("Dispatch"),
    "emergency": gettext_lazy("Emergency dispatch"),
    "reallocate": gettext_lazy("Re-allocate"),
}


def _default_mode(order) -> str:
    """The assignment move the transition table allows from the order's state."""
    for mode, action in MODES.items():
        if order.status in TRANSITIONS[action][0]:
            return mode
    return "dispatch"


def _order_url(order) -> str:
    try:
        return order.get_absolute_url()
    except NoReverseMatch:  # the order page is not installed (yet): back to the board
        return reverse("workorders:board")


def _apply(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = "engineer" if name in ("engineer", "other_engineer") else name
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class DispatchView(LoginRequiredMixin, View):
    """GET shows the order, the warnings and the ranked engineers; POST dispatches.

    `?mode=dispatch` (approved orders, the default), `?mode=emergency` (WO-5: new or waiting for
    approval) or `?mode=reallocate` (WO-6: dispatched or scheduled; also the region's customer
    manager)."""

    template_name = "workorders/dispatch.html"

    def _load(self, request, pk):
        user = request.user
        if not can(user, "workorder", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        order = get_object_or_404(
            workorder_list(user=user).select_related(
                "customer__city", "customer__province", "application", "paid", "arrears_agreed_by"
            ),
            pk=pk,
        )
        mode = request.POST.get("mode") or request.GET.get("mode") or ""
        mode = mode if mode in MODES else _default_mode(order)
        if not transitions.role_allows(user, MODES[mode]):
            raise PermissionDenied(_("Your role may not do this on a work order."))
        return order, mode

    def _refusal(self, order, user, mode) -> str:
        """Why this move is impossible now (wrong state → message; wrong person → 403)."""
        try:
            transitions.check(order, user, MODES[mode])
        except transitions.NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except transitions.TransitionRefused as error:
            return str(error.message)
        return ""

    def _other_modes(self, order, user, mode) -> list[tuple[str, str]]:
        """The other dispatch moves this user could make on the order now (links)."""
        result = []
        for key, action in MODES.items():
            if key != mode and order.status in TRANSITIONS[action][0] and transitions.role_allows(user, action):
                result.append((key, TITLES[key]))
        return result

    def _render(self, request, *, order, mode, form, refusal="", status=200):
        facts = dispatching.dispatch_facts(order, mode=mode)
        offered = not refusal and not facts.deposit_missing
        suggestions = dispatching.suggest_engineers(order=order) if offered else []
        selected = str(form["engineer"].value() or "") if form is not None else ""
        # On a phone the first few are enough; the rest fold away (opened if one of them is picked).
        more = suggestions[SHOWN_SUGGESTIONS:]
        context = {
            "order": order,
            "mode": mode,
            "title": TITLES[mode],
            "facts": facts,
            "form": form,
            "refusal": refusal,
            "offered": offered,
            "suggestions": suggestions[:SHOWN_SUGGESTIONS],
            "more_suggestions": more,
            "more_open": any(str(s.engineer.pk) == selected for s in more),
            "selected_engineer": selected,
            "other_modes": self._other_modes(order, request.user, mode),
            "application": getattr(order, "application", None),
            "arrears_note": order.customer.arrears_note if sees_internal_notes(request.user) else "",
            "order_url": _order_url(order),
            "board_url": reverse("workorders:board") if can(request.user, "dispatch_board", "view") else "",
        }
        return render(request, self.template_name, context, status=status)

    def _form(self, order, mode, data=None):
        facts = dispatching.dispatch_facts(order, mode=mode)
        return DispatchForm(
            data,
            mode=mode,
            facts=facts,
            exclude_pk=order.engineer_id,
            initial={"expected_version": order.version},
        )

    def get(self, request, pk):
        order, mode = self._load(request, pk)
        refusal = self._refusal(order, request.user, mode)
        form = self._form(order, mode)
        return self._render(request, order=order, mode=mode, form=form, refusal=refusal, status=409 if refusal else 200)

    def post(self, request, pk):
        order, mode = self._load(request, pk)
        form = self._form(order, mode, request.POST)
        refusal = self._refusal(order, request.user, mode)
        if not refusal and dispatching.deposit_missing(order) and mode != "reallocate":
            refusal = _("Paid service: finance has not confirmed the deposit yet, so the job cannot be dispatched.")
        if refusal:
            return self._render(request, order=order, mode=mode, form=form, refusal=refusal, status=409)
        if not form.is_valid():
            return self._render(request, order=order, mode=mode, form=form)
        data = form.cleaned_data
        common = {
            "order": order,
            "actor": request.user,
            "engineer": data["chosen_engineer"],
            "reason": data.get("reason", ""),
            "expected_version": data["expected_version"],
        }
        try:
            if mode == "dispatch":
                order = services.workorder_dispatch(**common, arrears_agreement=data.get("arrears_agreement", ""))
            elif mode == "emergency":
                order = services.workorder_emergency_dispatch(
                    **common, arrears_agreement=data.get("arrears_agreement", "")
                )
            else:
                order = services.workorder_reallocate(**common, arrears_agreement=data.get("arrears_agreement", ""))
        except transitions.NotPermitted as error:
            raise PermissionDenied(str(error.message)) from error
        except transitions.TransitionRefused as error:
            order = self._reload(request, pk)
            return self._render(request, order=order, mode=mode, form=form, refusal=str(error.message), status=409)
        except ConflictError as error:
            # Stale: someone moved the order meanwhile. Keep the input, show the current state,
            # and let the user confirm against the new version.
            order = self._reload(request, pk)
            form = self._form(order, mode, _with_version(request.POST, order.version))
            form.is_valid()
            form.add_error(None, str(error.message))
            return self._render(request, order=order, mode=mode, form=form, status=409)
        except ValidationError as error:
            _apply(form, error)
            return self._render(request, order=order, mode=mode, form=form)
        done = {
            "dispatch": _("%(number)s dispatched to %(engineer)s."),
            "emergency": _("%(number)s dispatched as an emergency to %(engineer)s."),
            "reallocate": _("%(number)s re-allocated to %(engineer)s; local sales are told."),
        }[mode]
        messages.success(request, done % {"number": order.number, "engineer": order.engineer})
        return HttpResponseRedirect(_order_url(order))

    def _reload(self, request, pk):
        return get_object_or_404(
            workorder_list(user=request.user).select_related(
                "customer__city", "customer__province", "application", "paid", "arrears_agreed_by"
            ),
            pk=pk,
        )


def _with_version(data, version: int):
    data = data.copy()
    data["expected_version"] = str(version)
    return data


class BoardView(LoginRequiredMixin, View):
    """Today's open jobs in columns with their SLA clocks, and each engineer's load (WO-6).
    An htmx request (the 60-second refresh, the region filter) gets the body only."""

    template_name = "workorders/board.html"
    partial_template_name = "workorders/_board_body.html"

    def get(self, request):
        if not can(request.user, "dispatch_board", "view"):
            raise PermissionDenied(_("Your role may not do this."))
        board = dispatching.dispatch_board(user=request.user, region_id=parse_id(request.GET.get("region")))
        context = {"board": board}
        if getattr(request, "htmx", False) and not request.htmx.boosted:
            return render(request, self.partial_template_name, context)
        return render(request, self.template_name, context)


urlpatterns = [
    path("work-orders/board/", BoardView.as_view(), name="board"),
    path("work-orders/<int:pk>/dispatch/", DispatchView.as_view(), name="dispatch"),
]
