"""Follow-up pages (SPEC FU-1 … FU-3, FU-7): the caller's call list, one follow-up (script,
questionnaire, outcome, the plan and its timeline, the leaders' actions), the list of all
follow-ups, the leaders' queue and the engineers' phone load.

Views parse, check (apps.core.access.can + the row scope of apps.followups.selectors: out of
scope is a 404) and call one service of apps.followups.services. The service's refusals become
what the user sees:

- PermissionDenied (not his follow-up, not a leader) → the 403 page;
- ConflictError (someone changed the follow-up since the page was loaded, or it is no longer
  open) → the detail page with the message and the user's input kept, HTTP 409; nothing saved;
- ValidationError → the detail page with the errors under their fields, the input kept.

The follow-up sheets (FU-4) and the rules table live in views_sheets.py and views_rules.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.accounts.selectors import staff_list
from apps.core import views as generic
from apps.core.access import can, personal_data_for
from apps.core.exceptions import ConflictError
from apps.customers.models import Contact
from apps.customers.selectors import customer_list
from apps.followups import filters, forms, policies, selectors, services, tables
from apps.followups.choices import EventKind, LeaderState, SheetState, State
from apps.followups.models import FollowUp, FollowUpEvent
from apps.workorders.selectors import workorder_list


class FollowUpMixin:
    resource = "followup"
    url_prefix = "followups"
    model = FollowUp
    selector = selectors.followup_list

    def resource_urls(self, obj=None) -> dict:
        urls = {"list": reverse("followups:list")}
        if obj is not None and getattr(obj, "pk", None):
            urls["detail"] = obj.get_absolute_url()
        return urls


# --- what every page that shows a call needs ------------------------------------------------


def attach_contacts(followups: list[FollowUp], user) -> None:
    """Whom to call for each follow-up: the work order's contact or caller, else the customer's
    primary contact — the phone as this user may see it (SPEC MD-5). One query for the
    customers' contacts; the work orders' contacts come with `work_order__contact`."""
    customer_ids = {f.customer_id for f in followups}
    primaries: dict[int, Contact] = {}
    if customer_ids:
        contacts = (
            Contact.objects.filter(customer_id__in=customer_ids, is_active=True)
            .exclude(mobile="")
            .order_by("customer_id", "-is_primary", "name", "pk")
        )
        for contact in contacts:
            primaries.setdefault(contact.customer_id, contact)
    for followup in followups:
        order = followup.work_order
        name = phone = ""
        if order is not None and order.contact_id and order.contact.mobile:
            name, phone = order.contact.name, order.contact.mobile
        elif order is not None and order.caller_phone:
            name, phone = order.caller_name, order.caller_phone
        elif followup.customer_id in primaries:
            contact = primaries[followup.customer_id]
            name, phone = contact.name, contact.mobile
        followup.contact_name = name
        followup.contact_phone = personal_data_for(user, phone=phone)[0]


def attach_order_links(followups: list[FollowUp], user) -> None:
    """`order_visible` on each follow-up: a link to its work order only where the user may open
    it (one query)."""
    ids = {f.work_order_id for f in followups if f.work_order_id}
    visible = set(workorder_list(user=user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for followup in followups:
        followup.order_visible = followup.work_order_id in visible


def by_customer(followups: list[FollowUp]) -> list[dict]:
    """Calls grouped by hospital, the group with the earliest call first."""
    groups: dict[int, dict] = {}
    for followup in followups:
        groups.setdefault(followup.customer_id, {"customer": followup.customer, "calls": []})["calls"].append(followup)
    return list(groups.values())


def hours(minutes) -> str:
    return f"{minutes / 60:.1f}".removesuffix(".0")


def load_facts(load: dict) -> dict:
    """FU-7 numbers as the banner and the load page show them."""
    limit = load["limit_minutes"]
    return {
        **load,
        "hours": hours(load["minutes"]),
        "limit_hours": hours(limit),
        "bar": min(100, round(100 * load["minutes"] / limit)) if limit else 100,
    }


# --- the call list (FU-2) ----------------------------------------------------------------------


class CallListView(FollowUpMixin, generic.ResourceMixin, TemplateView):
    """/follow-ups/calls/ — the caller's follow-ups due today, overdue first (his own and, for a
    clerk, the hotline pool), grouped by hospital; the next seven days below; for an engineer the
    week's phone load against FU-7's one working day in five."""

    template_name = "followups/call_list.html"
    limit = 200

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        today = timezone.localdate(now)
        calls = list(selectors.call_list(user=user, day=today).select_related("work_order__contact")[: self.limit])
        coming = list(selectors.upcoming(user=user, day=today).select_related("work_order__contact")[: self.limit])
        attach_contacts(calls + coming, user)
        attach_order_links(calls + coming, user)
        for followup in calls:
            followup.is_overdue = followup.due_at < now
        overdue = [f for f in calls if f.is_overdue]
        due_today = [f for f in calls if not f.is_overdue]
        ctx.update(
            today=today,
            now=now,
            sections=[
                {"key": "overdue", "title": _("Overdue"), "count": len(overdue), "groups": by_customer(overdue)},
                {"key": "today", "title": _("Due today"), "count": len(due_today), "groups": by_customer(due_today)},
            ],
            call_count=len(calls),
            upcoming=coming,
            load=load_facts(services.phone_load(user, today)) if user.role == Role.ENGINEER else None,
            pool=user.role == Role.CLERK,
            waiting=list(selectors.waiting_on_caller(user=user)[: self.limit]),
        )
        return ctx


# --- one follow-up -------------------------------------------------------------------------------


def script_for(user) -> str:
    return policies.SCRIPT % {
        "caller": user.get_full_name() or user.username,
        "company": getattr(settings, "COMPANY_NAME", "") or _("our company"),
    }


def answer_rows(followup: FollowUp) -> list[tuple[str, str]]:
    """The questionnaire's questions with the answers given, for reading."""
    rows = []
    for code, label, kind in policies.QUESTIONS.get(followup.questionnaire, ()):
        value = followup.answers.get(code)
        if value is None or value == "":
            shown = "—"
        elif kind == "yesno":
            shown = _("Yes") if value else _("No")
        else:
            shown = str(value)
        rows.append((label, shown))
    return rows


def plan_rows(followup: FollowUp) -> list[FollowUp]:
    """Every follow-up of the same plan; each replaced or cancelled one with its reason (one query)."""
    chain = list(selectors.chain_of(followup))
    ends = FollowUpEvent.objects.filter(
        followup__in=[f.pk for f in chain], kind__in=(EventKind.SUPERSEDED, EventKind.CANCELLED)
    ).order_by("at", "pk")
    why = {event.followup_id: event.text for event in ends}
    for item in chain:
        item.end_reason = why.get(item.pk, "") if item.state in (State.SUPERSEDED, State.CANCELLED) else ""
        item.is_current = item.pk == followup.pk
    return chain


def action_forms(followup: FollowUp, user) -> dict:
    """The forms of the moves this user may make now (the service asks the same under the lock)."""
    found = {}
    if not can(user, "followup", "change"):
        return found
    recorder = services.may_record(followup, user)
    leader = user.role in services.LEADERS
    involved = leader or user.pk in (followup.done_by_id, followup.assignee_id)
    if followup.state == State.PLANNED:
        if recorder:
            found["answer"] = forms.AnswerForm(followup=followup)
            found["not_reached"] = forms.NotReachedForm(followup=followup)
        if leader:
            found["reassign"] = forms.ReassignForm(followup=followup)
            found["cancel"] = forms.CancelForm(followup=followup)
    signed = followup.sheet_id is not None and followup.sheet.state == SheetState.SIGNED
    if followup.state == State.DONE and recorder and not signed:
        found["correct"] = forms.CorrectForm(followup=followup)
    if followup.leader_state == LeaderState.PENDING and leader:
        found["decide"] = forms.DecideForm(followup=followup)
    if followup.leader_state == LeaderState.DECIDED and involved:
        found["told"] = forms.PlanToldForm(followup=followup)
    if followup.open_questions and followup.questions_answered_at is None and involved:
        found["questions"] = forms.QuestionsForm(followup=followup)
    return found


def render_detail(
    request,
    followup: FollowUp,
    *,
    bound: tuple[str, forms.FollowUpForm] | None = None,
    conflict: bool = False,
    status: int = 200,
):
    user = request.user
    attach_contacts([followup], user)
    attach_order_links([followup], user)
    found = action_forms(followup, user)
    if bound is not None:
        key, form = bound
        found[key] = form  # the user's input, kept (also when the move is no longer offered)
    register_url = ""
    if can(user, "workorder", "add"):
        register_url = f"{reverse('workorders:create')}?customer={followup.customer_id}"
    ctx = {
        "followup": followup,
        "object": followup,
        "forms": found,
        "conflict": conflict,
        "bound_key": bound[0] if bound else "",
        "script": script_for(user),
        "answers": answer_rows(followup) if followup.state == State.DONE else [],
        "plan": plan_rows(followup),
        "events": list(followup.events.select_related("actor")),
        "overdue": tables.is_overdue(followup),
        "badges": tables.state_badges(followup),
        "caller": tables.caller_name(followup),
        "customer_visible": customer_list(user=user).filter(pk=followup.customer_id).exists(),
        "register_url": register_url,
        "can_lead": can(user, "followup", "lead"),
    }
    return render(request, "followups/followup_detail.html", ctx, status=status)


class FollowUpDetailView(FollowUpMixin, generic.ResourceMixin, View):
    """/follow-ups/<pk>/ — facts, script and questionnaire while open; the answer, the whole plan
    and the timeline after; the leaders' actions for who may."""

    def get(self, request, pk):
        return render_detail(request, selectors.followup_detail(user=request.user, pk=pk))


class FollowUpActionView(LoginRequiredMixin, View):
    """POST only: one move on one follow-up, through one service."""

    http_method_names = ["post"]
    form_class: type[forms.FollowUpForm] = forms.FollowUpForm
    success_message = gettext_lazy("Saved.")

    @staticmethod
    def service(**kwargs):  # pragma: no cover - every view sets its own
        raise NotImplementedError

    @property
    def key(self) -> str:
        """Which form of the detail page this is (the page shows it with the user's input)."""
        return self.form_class.key

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not can(request.user, "followup", "change"):
            raise PermissionDenied(_("Your role may not do this."))
        self.followup = selectors.followup_detail(user=request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        return type(self).service(followup=self.followup, actor=self.request.user, **form.service_kwargs())

    def get_success_message(self, result) -> str:
        return str(self.success_message)

    def get_success_url(self) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return self.followup.get_absolute_url()

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, followup=self.followup)
        if not form.is_valid():
            return render_detail(request, self.followup, bound=(self.key, form))
        try:
            result = self.perform(form)
        except ConflictError as error:
            return self.conflict(error)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return render_detail(request, self.followup, bound=(self.key, form))
        messages.success(request, self.get_success_message(result))
        return redirect(self.get_success_url())

    def conflict(self, error):
        """Nothing was saved. Show the follow-up as it is now and keep what the user typed; the
        form now carries the current version, so saving again applies the input knowingly."""
        current = selectors.followup_detail(user=self.request.user, pk=self.followup.pk)
        data = self.request.POST.copy()
        data["expected_version"] = str(current.version)
        form = self.form_class(data, followup=current)
        form.is_valid()
        form.add_error(None, str(error.message))
        return render_detail(self.request, current, bound=(self.key, form), conflict=True, status=409)


class AnswerView(FollowUpActionView):
    form_class = forms.AnswerForm
    service = staticmethod(services.followup_record)

    def get_success_message(self, followup):
        if followup.leader_state == LeaderState.PENDING:
            return _("Answer saved: the problem goes to the supervisor for a handling plan.")
        return _("Answer saved; the rest of the plan is updated.")


class NotReachedView(FollowUpActionView):
    form_class = forms.NotReachedForm
    service = staticmethod(services.followup_not_reached)

    def get_success_message(self, followup):
        return _("Not reached (attempt %(n)s): the call is back on the list at %(when)s.") % {
            "n": followup.attempts,
            "when": timezone.localtime(followup.due_at).strftime("%Y-%m-%d %H:%M"),
        }

    def get_success_url(self):
        return reverse("followups:calls")


class CorrectView(FollowUpActionView):
    form_class = forms.CorrectForm
    service = staticmethod(services.followup_correct)
    success_message = gettext_lazy("Answer corrected; the rest of the plan is updated.")


class ReassignView(FollowUpActionView):
    form_class = forms.ReassignForm
    service = staticmethod(services.followup_reassign)
    success_message = gettext_lazy("Follow-up reassigned.")


class CancelView(FollowUpActionView):
    form_class = forms.CancelForm
    service = staticmethod(services.followup_cancel)
    success_message = gettext_lazy("Follow-up cancelled.")


class DecideView(FollowUpActionView):
    form_class = forms.DecideForm
    service = staticmethod(services.followup_leader_decide)
    success_message = gettext_lazy("Handling plan saved: the caller tells the customer.")


class PlanToldView(FollowUpActionView):
    form_class = forms.PlanToldForm
    service = staticmethod(services.followup_plan_told)
    success_message = gettext_lazy("Recorded: the plan was told to the customer.")


class QuestionsView(FollowUpActionView):
    form_class = forms.QuestionsForm
    service = staticmethod(services.followup_answer_questions)
    success_message = gettext_lazy("Answer to the open questions recorded.")


# --- all follow-ups ------------------------------------------------------------------------------


class FollowUpListView(FollowUpMixin, generic.RecordListView):
    template_name = "followups/followup_list.html"
    htmx_template_name = "followups/_followup_table.html"
    filterset_class = filters.FollowUpFilter
    table_class = tables.FollowUpTable
    search_placeholder = gettext_lazy("Number, customer, pinyin initials, work order or record")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = ctx["filter"].form
        assignee = form.cleaned_data.get("assignee") if form.is_valid() else None
        ctx.update(
            for_assignee=assignee, can_lead=can(user, "followup", "lead"), can_load=can(user, "followup", "load")
        )
        return ctx


# --- FU-3: the leaders' queue ----------------------------------------------------------------


class LeaderQueueView(FollowUpMixin, generic.ResourceMixin, TemplateView):
    """/follow-ups/leader-queue/ — problems waiting for a handling plan, then decided plans the
    customer has not been told yet."""

    action = "lead"
    template_name = "followups/leader_queue.html"
    limit = 200

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        rows = list(selectors.leader_queue(user=user).select_related("work_order__contact")[: self.limit])
        attach_contacts(rows, user)
        attach_order_links(rows, user)
        pending = [f for f in rows if f.leader_state == LeaderState.PENDING]
        for followup in pending:
            followup.decide_form = forms.DecideForm(followup=followup, auto_id=f"id_%s_{followup.pk}")
        ctx.update(
            pending=pending,
            decided=[f for f in rows if f.leader_state == LeaderState.DECIDED],
            may_decide=user.role in services.LEADERS and can(user, "followup", "change"),
        )
        return ctx


# --- FU-7: the engineers' phone load ---------------------------------------------------------


class PhoneLoadView(FollowUpMixin, generic.ResourceMixin, TemplateView):
    """/follow-ups/load/ — each engineer's phone follow-ups in a week against one working day in
    five, over the limit first, with a link to his open follow-ups to reassign some."""

    action = "load"
    template_name = "followups/phone_load.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        form = forms.WeekForm(self.request.GET or None)
        day = timezone.localdate()
        if form.is_bound and form.is_valid() and form.cleaned_data["week"]:
            day = form.cleaned_data["week"]
        elif not form.is_bound:
            form = forms.WeekForm(initial={"week": day})
        visible = staff_list(user=user).filter(role=Role.ENGINEER, is_active=True).values("pk")
        engineers = list(User.objects.filter(pk__in=visible).order_by("name", "username"))
        rows = [load_facts(row) for row in selectors.phone_loads(engineers=engineers, day=day)]
        rows.sort(key=lambda r: (not r["over"], -r["count"], str(r["engineer"])))
        base = reverse("followups:list")
        for row in rows:
            row["open_url"] = f"{base}?assignee={row['engineer'].pk}&state={State.PLANNED}"
        capacity = services.week_capacity(day)
        ctx.update(
            form=form,
            rows=rows,
            over_count=sum(1 for r in rows if r["over"]),
            capacity={**capacity, "limit_hours": hours(capacity["limit_minutes"])},
            minutes_per_call=policies.PHONE_FOLLOWUP_MINUTES,
            previous_week=(capacity["week_start"] - dt.timedelta(days=7)).isoformat(),
            next_week=(capacity["week_start"] + dt.timedelta(days=7)).isoformat(),
            this_week=timezone.localdate().isoformat(),
        )
        return ctx


urlpatterns = [
    path("follow-ups/", FollowUpListView.as_view(), name="list"),
    path("follow-ups/calls/", CallListView.as_view(), name="calls"),
    path("follow-ups/leader-queue/", LeaderQueueView.as_view(), name="leader_queue"),
    path("follow-ups/load/", PhoneLoadView.as_view(), name="load"),
    path("follow-ups/<int:pk>/", FollowUpDetailView.as_view(), name="detail"),
    path("follow-ups/<int:pk>/answer/", AnswerView.as_view(), name="answer"),
    path("follow-ups/<int:pk>/not-reached/", NotReachedView.as_view(), name="not_reached"),
    path("follow-ups/<int:pk>/correct/", CorrectView.as_view(), name="correct"),
    path("follow-ups/<int:pk>/reassign/", ReassignView.as_view(), name="reassign"),
    path("follow-ups/<int:pk>/cancel/", CancelView.as_view(), name="cancel"),
    path("follow-ups/<int:pk>/decide/", DecideView.as_view(), name="decide"),
    path("follow-ups/<int:pk>/told/", PlanToldView.as_view(), name="told"),
    path("follow-ups/<int:pk>/questions/", QuestionsView.as_view(), name="questions"),
]
