"""/api/v1/vip-tiers/, purchase-volumes/, vip-members/, vip-visits/ (SPEC FU-5).

The same selectors (row scope: 404 outside it) and services as the pages. A move names the
`version` it was based on: stale → 409; a state that does not allow it → 409; a role or a
visit that is not the caller's → 403; bad input → 400 naming the fields.
"""

from dataclasses import asdict

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api import RecordViewSet, RolePermission, history_response
from apps.core.history import history_for
from apps.core.ids import parse_id
from apps.vip import filters, selectors, services
from apps.vip.api import serializers as s
from apps.vip.models import VipMembership, VipVisit

REFUSALS = {
    400: OpenApiResponse(description=_("Invalid input: the messages name the fields.")),
    403: OpenApiResponse(description=_("Your role may not do this, or it is not your visit.")),
    404: OpenApiResponse(description=_("Not in your scope.")),
    409: OpenApiResponse(description=_("A stale version, or a move the state does not allow.")),
}


class VipTierViewSet(RecordViewSet):
    """VIP tiers (SPEC FU-5): threshold, visit cycle, service content. Managers edit them."""

    resource = "vip_tier"
    selector = selectors.tier_list
    serializer_class = s.VipTierSerializer
    filterset_class = filters.TierFilter
    ordering_fields = ["position", "code", "min_annual_volume", "visit_cycle_days", "created_at", "updated_at"]
    create_service = services.tier_create
    update_service = services.tier_update
    set_active_service = services.tier_set_active


class PurchaseVolumeViewSet(RecordViewSet):
    """Customers' annual purchase volumes (CNY), the basis of tiering; entered by commerce."""

    resource = "purchase_volume"
    selector = selectors.volume_list
    serializer_class = s.PurchaseVolumeSerializer
    filterset_class = filters.VolumeFilter
    ordering_fields = ["year", "amount", "customer__code", "created_at", "updated_at"]
    create_service = services.volume_create
    update_service = services.volume_update
    set_active_service = services.volume_set_active


class _ScopedReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no real user
            return self.model.objects.none()
        return type(self).selector(user=self.request.user)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_object(self):
        pk = parse_id(self.kwargs.get("pk"))
        if pk is None:
            raise Http404
        try:
            obj = type(self).selector(user=self.request.user).get(pk=pk)
        except self.model.DoesNotExist:
            raise Http404 from None
        self.check_object_permissions(self.request, obj)
        return obj

    def _parse(self, request, body_class):
        obj = self.get_object()
        params = body_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        return obj, dict(params.validated_data)

    def _fresh(self, pk):
        obj = self.model.objects.get(pk=pk)
        return Response(self.get_serializer_class()(obj, context=self.get_serializer_context()).data)


class VipMemberViewSet(_ScopedReadViewSet):
    """VIP customers: tier, fixed engineer, visit cycle, last and next visit. Members come and go
    by re-tiering (POST retier); managers change the engineer and the cycle."""

    resource = "vip_member"
    model = VipMembership
    selector = selectors.member_list
    serializer_class = s.VipMemberSerializer
    filterset_class = filters.MemberApiFilter
    ordering_fields = ["next_visit_due", "last_visit_on", "since", "customer__code", "created_at"]
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "timeline": "view",
        "history": "view",
        "engineer": "change",
        "cycle": "change",
        "retier": "add",
    }

    @extend_schema(responses=s.VipEventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def timeline(self, request, pk=None):
        """Joined, tier changes, engineer and cycle changes, visits — newest first."""
        membership = self.get_object()
        events = membership.events.select_related("actor").order_by("-at", "-id")
        return Response(s.VipEventSerializer(events, many=True).data)

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Field-level audit trail of the membership and its visits."""
        membership = self.get_object()
        entries = history_for([membership, *membership.visits.all()], user=request.user)
        return Response([asdict(entry) for entry in entries])

    @extend_schema(request=s.EngineerChangeSerializer, responses={200: s.VipMemberSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def engineer(self, request, pk=None):
        """Give the VIP another fixed engineer (SPEC FU-5 2); its open visits go with it."""
        membership, data = self._parse(request, s.EngineerChangeSerializer)
        services.vip_member_change_engineer(
            membership=membership,
            actor=request.user,
            engineer=data["engineer"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return self._fresh(membership.pk)

    @extend_schema(request=s.CycleChangeSerializer, responses={200: s.VipMemberSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def cycle(self, request, pk=None):
        """The customer's own visit cycle by policy, with the reason; null: back to the tier's."""
        membership, data = self._parse(request, s.CycleChangeSerializer)
        services.vip_member_change_cycle(
            membership=membership,
            actor=request.user,
            cycle_days=data["cycle_days"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        return self._fresh(membership.pk)

    @extend_schema(
        request=s.RetierRequestSerializer,
        responses={200: s.RetierResultSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def retier(self, request):
        """Tier every customer by its purchase volume of `year` (SPEC FU-5 1): the preview, or
        (apply: true) the same plan applied."""
        params = s.RetierRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        year, apply = params.validated_data["year"], params.validated_data["apply"]
        if apply:
            plan = services.vip_retier(year=year, actor=request.user)
        else:
            plan = selectors.retier_plan(year=year)
        data = {
            "year": plan.year,
            "applied": apply,
            "joining": plan.joining,
            "changing": plan.changing,
            "leaving": plan.leaving,
            "staying": plan.staying,
            "rows": plan.rows,
        }
        return Response(s.RetierResultSerializer(data).data, status=status.HTTP_200_OK)


class VipVisitViewSet(_ScopedReadViewSet):
    """VIP visits: planned by the daily job, announced by the engineer (which registers the
    VIP_VISIT work order), done when that order is completed, or cancelled with a reason."""

    resource = "vip_visit"
    model = VipVisit
    selector = selectors.visit_list
    serializer_class = s.VipVisitSerializer
    filterset_class = filters.VisitApiFilter
    ordering_fields = ["planned_on", "agreed_at", "done_at", "created_at"]
    required_actions = {
        "list": "view",
        "retrieve": "view",
        "history": "view",
        "announce": "change",
        "cancel": "change",
    }

    @extend_schema(responses=history_response)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Field-level audit trail of the visit."""
        visit = self.get_object()
        return Response([asdict(entry) for entry in history_for([visit], user=request.user)])

    @extend_schema(request=s.AnnounceSerializer, responses={200: s.VipVisitSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        """Tell the lab head time and content, record special requests (SPEC FU-5 4); registers
        the VIP_VISIT work order the visit links to."""
        visit, data = self._parse(request, s.AnnounceSerializer)
        services.vip_visit_announce(
            visit=visit,
            actor=request.user,
            contact=data["contact"],
            contact_name=data["contact_name"],
            agreed_at=data["agreed_at"],
            content=data["content"],
            special_requests=data["special_requests"],
            expected_version=data["version"],
        )
        return self._fresh(visit.pk)

    @extend_schema(request=s.CancelSerializer, responses={200: s.VipVisitSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel an open visit with the reason (its work order too, while that can be cancelled)."""
        visit, data = self._parse(request, s.CancelSerializer)
        services.vip_visit_cancel(
            visit=visit, actor=request.user, reason=data["reason"], expected_version=data["version"]
        )
        return self._fresh(visit.pk)
