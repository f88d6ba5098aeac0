"""Pages of the VIP programme (SPEC FU-5): tiers, purchase volumes, members, visits, re-tiering.

Views parse, check (apps.core.access.can → 403; the row scope of apps.vip.selectors → 404) and
call one service; refusals of the service become messages on the page (409 for a state that
does not allow the move or a stale version).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from apps.core import views as generic
from apps.core.access import can
from apps.core.exceptions import ConflictError
from apps.core.history import history_for
from apps.core.imports import RecordExportView, RecordImportView
from apps.vip import filters, forms, selectors, services, tables
from apps.vip.choices import OPEN_VISIT_STATES
from apps.vip.models import PurchaseVolume, VipMembership, VipTier, VipVisit
from apps.vip.resources import PurchaseVolumeResource

# --- tiers (admin / technical head) ----------------------------------------------------------


class TierMixin:
    resource = "vip_tier"
    url_prefix = "vip:tier"
    model = VipTier
    selector = selectors.tier_list


class TierListView(TierMixin, generic.RecordListView):
    filterset_class = filters.TierFilter
    table_class = tables.TierTable
    search_placeholder = gettext_lazy("Code or name")


class TierDetailView(TierMixin, generic.RecordDetailView):
    template_name = "vip/tier_detail.html"
    detail_fields = (
        "code",
        "name",
        "min_annual_volume",
        "visit_cycle_days",
        "service_content",
        "position",
        "is_active",
    )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["member_count"] = (
            selectors.member_list(user=self.request.user).filter(tier=self.object, is_active=True).count()
        )
        ctx["members_url"] = reverse("vip:member_list") + f"?tier={self.object.pk}"
        return ctx


class TierCreateView(TierMixin, generic.RecordCreateView):
    form_class = forms.TierForm
    create_service = services.tier_create

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user", None)
        return kwargs


class TierUpdateView(TierMixin, generic.RecordUpdateView):
    form_class = forms.TierForm
    update_service = services.tier_update

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user", None)
        return kwargs


class TierDeactivateView(TierMixin, generic.RecordSetActiveView):
    set_active_service = services.tier_set_active


class TierReactivateView(TierDeactivateView):
    activate = True


# --- purchase volumes (commerce) -------------------------------------------------------------


class VolumeMixin:
    resource = "purchase_volume"
    url_prefix = "vip:volume"
    model = PurchaseVolume
    selector = selectors.volume_list


class VolumeListView(VolumeMixin, generic.RecordListView):
    filterset_class = filters.VolumeFilter
    table_class = tables.VolumeTable
    exportable = True
    search_placeholder = gettext_lazy("Customer name, code or pinyin initials")


class VolumeDetailView(VolumeMixin, generic.RecordDetailView):
    detail_fields = ("customer", "year", "amount", "note", "is_active")


class VolumeCreateView(VolumeMixin, generic.RecordCreateView):
    form_class = forms.VolumeForm
    create_service = services.volume_create
    prefill_from_query = ("customer",)


class VolumeUpdateView(VolumeMixin, generic.RecordUpdateView):
    form_class = forms.VolumeForm
    update_service = services.volume_update


class VolumeDeactivateView(VolumeMixin, generic.RecordSetActiveView):
    set_active_service = services.volume_set_active


class VolumeReactivateView(VolumeDeactivateView):
    activate = True


class VolumeExportView(VolumeMixin, RecordExportView):
    filterset_class = filters.VolumeFilter
    resource_class = PurchaseVolumeResource
    filename_stem = "purchase-volumes"


class VolumeImportView(VolumeMixin, RecordImportView):
    resource_class = PurchaseVolumeResource


# --- members ---------------------------------------------------------------------------------


class MemberMixin:
    resource = "vip_member"
    url_prefix = "vip:member"
    model = VipMembership
    selector = selectors.member_list


class MemberListView(MemberMixin, generic.RecordListView):
    template_name = "vip/member_list.html"
    filterset_class = filters.MemberFilter
    table_class = tables.MemberTable
    search_placeholder = gettext_lazy("Customer name, code or pinyin")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_retier"] = can(self.request.user, "vip_member", "add")
        return ctx


class MemberDetailView(MemberMixin, generic.ResourceMixin, TemplateView):
    template_name = "vip/member_detail.html"

    def get_object(self) -> VipMembership:
        try:
            return selectors.member_detail(user=self.request.user, pk=self.kwargs["pk"])
        except VipMembership.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        membership = self.object = self.get_object()
        visits = list(membership.visits.all())
        today = timezone.localdate()
        can_change = can(user, "vip_member", "change") and membership.is_active
        ctx.update(
            object=membership,
            membership=membership,
            visits=visits,
            open_visit=next((v for v in visits if v.state in OPEN_VISIT_STATES), None),
            events=list(membership.events.all()),
            overdue=selectors.is_overdue(membership, today=today),
            today=today,
            can_change=can_change,
            engineer_form=forms.EngineerForm(
                customer=membership.customer,
                initial={"engineer": membership.engineer_id, "expected_version": membership.version},
            )
            if can_change
            else None,
            cycle_form=forms.CycleForm(
                initial={
                    "cycle_days": membership.cycle_override_days,
                    "reason": membership.cycle_override_reason,
                    "expected_version": membership.version,
                }
            )
            if can_change
            else None,
            history=history_for([membership, *visits], user=user),
            customer_visible=can(user, "customer", "view"),
        )
        return ctx


class MemberActionView(MemberMixin, generic.ResourceMixin, View):
    """POST one form of the member page; its errors are shown on a small page of their own."""

    action = "change"
    form_class = None
    template_name = "vip/member_action.html"
    title = ""

    def get_object(self):
        return get_object_or_404(selectors.member_list(user=self.request.user), pk=self.kwargs["pk"])

    def make_form(self, membership, data=None):
        return self.form_class(data)

    def get(self, request, pk):
        membership = self.get_object()
        form = self.make_form(membership)
        form.initial.setdefault("expected_version", membership.version)
        return self.render_form(membership, form)

    def post(self, request, pk):
        membership = self.get_object()
        form = self.make_form(membership, request.POST)
        if not form.is_valid():
            return self.render_form(membership, form, status=400)
        try:
            self.run(membership, form.cleaned_data)
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_form(membership, form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_form(membership, form, status=400)
        messages.success(request, _("Saved: %(obj)s") % {"obj": membership})
        return HttpResponseRedirect(membership.get_absolute_url())

    def render_form(self, membership, form, status=200):
        ctx = {"membership": membership, "form": form, "title": self.title}
        return render(self.request, self.template_name, ctx, status=status)


class MemberEngineerView(MemberActionView):
    form_class = forms.EngineerForm
    title = gettext_lazy("Change the fixed engineer")

    def make_form(self, membership, data=None):
        return forms.EngineerForm(data, customer=membership.customer, initial={"engineer": membership.engineer_id})

    def run(self, membership, data):
        services.vip_member_change_engineer(
            membership=membership,
            actor=self.request.user,
            engineer=data["engineer"],
            reason=data["reason"],
            expected_version=data["expected_version"],
        )


class MemberCycleView(MemberActionView):
    form_class = forms.CycleForm
    title = gettext_lazy("Change the visit cycle")

    def make_form(self, membership, data=None):
        return forms.CycleForm(
            data,
            initial={"cycle_days": membership.cycle_override_days, "reason": membership.cycle_override_reason},
        )

    def run(self, membership, data):
        services.vip_member_change_cycle(
            membership=membership,
            actor=self.request.user,
            cycle_days=data["cycle_days"],
            reason=data["reason"],
            expected_version=data["expected_version"],
        )


# --- re-tiering (SPEC FU-5 1) ----------------------------------------------------------------


class RetierView(MemberMixin, generic.ResourceMixin, TemplateView):
    """GET ?year= → the preview (who joins, changes tier, leaves); POST year → apply it."""

    action = "add"
    template_name = "vip/retier.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        data = self.request.GET if "year" in self.request.GET else None
        years = selectors.years_with_volumes()
        form = kwargs.get("form") or forms.RetierForm(
            data, initial={"year": years[0] if years else timezone.localdate().year - 1}
        )
        plan = selectors.retier_plan(year=form.cleaned_data["year"]) if form.is_bound and form.is_valid() else None
        ctx.update(form=form, plan=plan, years=years, title=_("Re-tier VIP customers"))
        return ctx

    def post(self, request, *args, **kwargs):
        form = forms.RetierForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            plan = services.vip_retier(year=form.cleaned_data["year"], actor=request.user)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(
            request,
            _("Re-tiered on %(year)s: %(joined)s joined, %(changed)s changed tier, %(left)s left.")
            % {"year": plan.year, "joined": plan.joining, "changed": plan.changing, "left": plan.leaving},
        )
        return HttpResponseRedirect(reverse("vip:member_list"))


# --- visits (SPEC FU-5 4, 5) -----------------------------------------------------------------


class VisitMixin:
    resource = "vip_visit"
    url_prefix = "vip:visit"
    model = VipVisit
    selector = selectors.visit_list


class VisitListView(VisitMixin, generic.RecordListView):
    filterset_class = filters.VisitFilter
    table_class = tables.VisitTable

    def resource_urls(self, obj=None) -> dict:
        return {"list": reverse("vip:visit_list")}


class MyVisitsView(VisitMixin, generic.ResourceMixin, TemplateView):
    """/vip/visits/mine/ — an engineer's open VIP visits, soonest first: cards for a phone."""

    template_name = "vip/my_visits.html"
    limit = 100

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        visits = list(selectors.visit_list(user=user).filter(engineer=user, state__in=OPEN_VISIT_STATES)[: self.limit])
        today = timezone.localdate()
        for visit in visits:
            visit.overdue = selectors.visit_is_overdue(visit, today=today)
            visit.can_announce = selectors.visit_allows(visit, user, "announce")
        ctx.update(visits=visits, today=today)
        return ctx


class VisitDetailView(VisitMixin, generic.ResourceMixin, TemplateView):
    template_name = "vip/visit_detail.html"

    def get_object(self) -> VipVisit:
        return get_object_or_404(selectors.visit_list(user=self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        visit = self.object = self.get_object()
        ctx.update(
            object=visit,
            visit=visit,
            overdue=selectors.visit_is_overdue(visit),
            can_announce=selectors.visit_allows(visit, user, "announce"),
            can_cancel=selectors.visit_allows(visit, user, "cancel"),
            cancel_form=forms.CancelForm(initial={"expected_version": visit.version}),
            events=list(visit.events.select_related("actor").order_by("at", "id")),
            member_visible=selectors.member_list(user=user).filter(pk=visit.membership_id).exists(),
            history=history_for([visit], user=user),
        )
        return ctx


class VisitActionView(VisitMixin, generic.ResourceMixin, View):
    """GET the form, POST it; the service decides. Wrong person → 403, wrong state → 409."""

    action = "change"
    move = ""
    template_name = ""

    def get_object(self) -> VipVisit:
        return get_object_or_404(selectors.visit_list(user=self.request.user), pk=self.kwargs["pk"])

    def refusal(self, visit):
        refusal = selectors.visit_refusal(visit, self.request.user, self.move)
        if refusal is None:
            return None
        try:
            services.check_visit(visit, self.request.user, self.move)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        except ConflictError:
            return refusal
        return None

    def get(self, request, pk):
        visit = self.get_object()
        refused = self.refusal(visit)
        form = self.make_form(visit)
        return self.render_form(visit, form, refused=refused, status=409 if refused else 200)

    def post(self, request, pk):
        visit = self.get_object()
        refused = self.refusal(visit)
        form = self.make_form(visit, request.POST)
        if refused:
            return self.render_form(visit, form, refused=refused, status=409)
        if not form.is_valid():
            return self.render_form(visit, form, status=400)
        try:
            self.run(visit, form.cleaned_data)
        except ConflictError as error:
            form.add_error(None, str(error.message))
            return self.render_form(visit, form, status=409)
        except ValidationError as error:
            generic.apply_validation_error(form, error)
            return self.render_form(visit, form, status=400)
        messages.success(request, self.done_message(visit))
        return HttpResponseRedirect(visit.get_absolute_url())

    def render_form(self, visit, form, *, refused=None, status=200):
        ctx = {"visit": visit, "form": form, "refused": refused}
        return render(self.request, self.template_name, ctx, status=status)


class VisitAnnounceView(VisitActionView):
    move = "announce"
    template_name = "vip/visit_announce.html"

    def make_form(self, visit, data=None):
        return forms.AnnounceForm(data, visit=visit)

    def run(self, visit, data):
        services.vip_visit_announce(
            visit=visit,
            actor=self.request.user,
            contact=data["contact"],
            contact_name=data["contact_name"],
            agreed_at=data["agreed_at"],
            content=data["content"],
            special_requests=data["special_requests"],
            expected_version=data["expected_version"],
        )

    def done_message(self, visit):
        visit.refresh_from_db()
        return _("Announced; work order %(number)s registered for the technical head to dispatch.") % {
            "number": visit.work_order.number
        }


class VisitCancelView(VisitActionView):
    move = "cancel"
    template_name = "vip/visit_cancel.html"

    def make_form(self, visit, data=None):
        return forms.CancelForm(data, initial={"expected_version": visit.version})

    def run(self, visit, data):
        services.vip_visit_cancel(
            visit=visit, actor=self.request.user, reason=data["reason"], expected_version=data["expected_version"]
        )

    def done_message(self, visit):
        return _("VIP visit cancelled.")
