"""Reads of the VIP programme, scoped to what the user may see (the same scope for pages, API
and exports), the re-tiering plan, and who may move a visit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.choices import Role
from apps.core.access import can
from apps.customers.selectors import customer_scope_q
from apps.vip.choices import OPEN_VISIT_STATES, VISIT_TRANSITIONS, RetierChange, VisitState
from apps.vip.models import PurchaseVolume, VipEvent, VipMembership, VipTier, VipVisit

# --- scope -----------------------------------------------------------------------------------


def membership_scope_q(user, prefix: str = "") -> Q:
    """SPEC FU-5 / issue 4: heads see every VIP; customer managers their regions; sales their
    customers; engineers their regions' VIPs and every VIP they are the fixed engineer of.
    `prefix` reaches a membership (e.g. "membership__")."""
    scope = customer_scope_q(user, f"{prefix}customer__")
    if user.role == Role.ENGINEER and not user.is_superuser:
        scope |= Q(**{f"{prefix}engineer": user})
    return scope


def tier_list(*, user) -> QuerySet[VipTier]:
    return VipTier.objects.order_by("position", "-min_annual_volume", "id")


def active_tiers() -> list[VipTier]:
    """The tiers re-tiering uses, highest threshold first."""
    return list(VipTier.objects.filter(is_active=True).order_by("-min_annual_volume", "id"))


def volume_list(*, user) -> QuerySet[PurchaseVolume]:
    return (
        PurchaseVolume.objects.filter(customer_scope_q(user, "customer__"))
        .select_related("customer__city__parent", "customer__province")
        .order_by("-year", "customer__code", "id")
    )


def volume_search(queryset: QuerySet[PurchaseVolume], text: str) -> QuerySet[PurchaseVolume]:
    lowered = text.lower().replace(" ", "")
    return queryset.filter(
        Q(customer__name__icontains=text)
        | Q(customer__code__iexact=text)
        | Q(customer__name_initials__icontains=lowered)
        | Q(note__icontains=text)
    )


def member_list(*, user) -> QuerySet[VipMembership]:
    return (
        VipMembership.objects.filter(membership_scope_q(user))
        .select_related("customer__city__parent", "customer__province", "tier", "engineer")
        .order_by("-is_active", "next_visit_due", "id")
    )


def member_search(queryset: QuerySet[VipMembership], text: str) -> QuerySet[VipMembership]:
    lowered = text.lower().replace(" ", "")
    return queryset.filter(
        Q(customer__name__icontains=text)
        | Q(customer__code__iexact=text)
        | Q(customer__name_initials__icontains=lowered)
        | Q(customer__name_pinyin__icontains=lowered)
    )


def member_detail(*, user, pk) -> VipMembership:
    """One membership the user may see, with its visits and timeline (raises DoesNotExist)."""
    return (
        member_list(user=user)
        .prefetch_related(
            Prefetch(
                "visits",
                queryset=VipVisit.objects.select_related("engineer", "work_order").order_by("-planned_on", "-id"),
            ),
            Prefetch("events", queryset=VipEvent.objects.select_related("actor", "visit").order_by("-at", "-id")),
        )
        .get(pk=pk)
    )


def visit_list(*, user) -> QuerySet[VipVisit]:
    scope = membership_scope_q(user, "membership__")
    if user.role == Role.ENGINEER and not user.is_superuser:
        scope |= Q(engineer=user)
    return (
        VipVisit.objects.filter(scope)
        .select_related("membership__customer__city__parent", "membership__tier", "engineer", "work_order")
        .order_by("planned_on", "id")
    )


def open_visit(membership) -> VipVisit | None:
    return membership.visits.filter(state__in=OPEN_VISIT_STATES).order_by("planned_on", "id").first()


def is_overdue(membership, *, today: dt.date | None = None) -> bool:
    """SPEC FU-5: the member's cycle ran out without a visit."""
    today = today or timezone.localdate()
    return bool(membership.is_active and membership.next_visit_due and membership.next_visit_due < today)


def overdue_members_q(today: dt.date) -> Q:
    return Q(is_active=True, next_visit_due__lt=today)


def overdue_visits_q(today: dt.date) -> Q:
    """Open visits whose day has passed: the planned day, or the agreed day once announced."""
    start_of_today = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    return Q(state=VisitState.PLANNED, planned_on__lt=today) | Q(
        state=VisitState.ANNOUNCED, agreed_at__lt=start_of_today
    )


def visit_is_overdue(visit, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return visit.is_open and visit.due_on < today


# --- who may move a visit --------------------------------------------------------------------


def visit_refusal(visit: VipVisit, user, action: str) -> str | None:
    """Why `user` may not `action` this visit now (None: he may). The services ask this under the
    row lock; the pages and the API ask it before they offer the move."""
    from django.utils.translation import gettext as _

    from_states, _to, roles = VISIT_TRANSITIONS[action]
    role = Role.ADMIN if user.is_superuser else user.role
    if role not in roles or not can(user, "vip_visit", "change"):
        return _("Your role may not do this on a VIP visit.")
    if role == Role.ENGINEER and visit.engineer_id != user.pk:
        return _("Only the fixed engineer of this VIP customer may do this.")
    if visit.state not in from_states:
        return _("A VIP visit that is “%(state)s” cannot be changed this way.") % {
            "state": VisitState(visit.state).label
        }
    if action == "cancel" and role == Role.ENGINEER and visit.state == VisitState.ANNOUNCED:
        return _("The work order of this visit is registered: ask the technical head to cancel it.")
    if action == "announce" and not visit.membership.is_active:
        return _("This customer is no longer a VIP.")
    return None


def visit_allows(visit: VipVisit, user, action: str) -> bool:
    return visit_refusal(visit, user, action) is None


# --- re-tiering ------------------------------------------------------------------------------


@dataclass
class RetierRow:
    """What re-tiering does to one customer."""

    customer: object
    change: str
    amount: Decimal
    old_tier: VipTier | None
    new_tier: VipTier | None
    membership: VipMembership | None

    @property
    def change_label(self) -> str:
        return str(RetierChange(self.change).label)


@dataclass
class RetierPlan:
    """The preview of re-tiering on the purchase volumes of `year` (and, once applied, what was
    done): who joins, changes tier or leaves; members staying on their tier; customer records
    whose tier flag is out of step with the programme and gets corrected."""

    year: int
    tiers: list[VipTier]
    rows: list[RetierRow] = field(default_factory=list)
    kept: list[tuple[VipMembership, Decimal]] = field(default_factory=list)
    flags_to_fix: list[tuple[int, str]] = field(default_factory=list)

    def _count(self, change) -> int:
        return sum(1 for row in self.rows if row.change == change)

    @property
    def joining(self) -> int:
        return self._count(RetierChange.JOIN)

    @property
    def changing(self) -> int:
        return self._count(RetierChange.CHANGE)

    @property
    def leaving(self) -> int:
        return self._count(RetierChange.LEAVE)

    @property
    def staying(self) -> int:
        return len(self.kept)

    @property
    def members_after(self) -> int:
        return self.joining + self.changing + self.staying


def tier_for(amount: Decimal, tiers: list[VipTier]) -> VipTier | None:
    """The active tier with the highest threshold `amount` reaches (thresholds are inclusive)."""
    for tier in tiers:  # highest threshold first
        if amount >= tier.min_annual_volume:
            return tier
    return None


def retier_plan(*, year: int) -> RetierPlan:
    """Tier every customer by its purchase volume of `year` (no volume: 0) against the active
    tiers (SPEC FU-5 1). Inactive customers leave the programme."""
    from apps.customers.choices import CustomerTier
    from apps.customers.models import Customer

    tiers = active_tiers()
    plan = RetierPlan(year=year, tiers=tiers)
    volumes = dict(PurchaseVolume.objects.filter(year=year, is_active=True).values_list("customer_id", "amount"))
    lowest = tiers[-1].min_annual_volume if tiers else None
    qualifying = [pk for pk, amount in volumes.items() if lowest is not None and amount >= lowest]
    memberships = {
        m.customer_id: m
        for m in VipMembership.objects.filter(Q(customer_id__in=qualifying) | Q(is_active=True)).select_related(
            "tier", "engineer"
        )
    }
    customers = (
        Customer.objects.filter(Q(pk__in=qualifying, is_active=True) | Q(vip_membership__is_active=True))
        .select_related("city", "province", "responsible_engineer")
        .order_by("code")
    )
    staying_vip: set[int] = set()
    for customer in customers:
        amount = volumes.get(customer.pk, Decimal("0"))
        new = tier_for(amount, tiers) if customer.is_active else None
        membership = memberships.get(customer.pk)
        current = membership.tier if membership is not None and membership.is_active else None
        if new is not None:
            staying_vip.add(customer.pk)
        if new is not None and current is None:
            change = RetierChange.JOIN
        elif new is not None and new.pk != current.pk:
            change = RetierChange.CHANGE
        elif new is None and current is not None:
            change = RetierChange.LEAVE
        else:
            plan.kept.append((membership, amount))
            continue
        plan.rows.append(
            RetierRow(
                customer=customer, change=change, amount=amount, old_tier=current, new_tier=new, membership=membership
            )
        )
    # Customer records whose tier flag disagrees with the programme after re-tiering (set by
    # hand, or by an import): corrected in the same run so the two never drift apart.
    wrongly_vip = (
        Customer.objects.filter(tier=CustomerTier.VIP).exclude(pk__in=staying_vip).values_list("pk", flat=True)
    )
    wrongly_normal = (
        Customer.objects.filter(pk__in=staying_vip).exclude(tier=CustomerTier.VIP).values_list("pk", flat=True)
    )
    leaving_or_joining = {row.customer.pk for row in plan.rows}
    plan.flags_to_fix = [(pk, CustomerTier.NORMAL) for pk in wrongly_vip if pk not in leaving_or_joining] + [
        (pk, CustomerTier.VIP) for pk in wrongly_normal if pk not in leaving_or_joining
    ]
    return plan


def years_with_volumes() -> list[int]:
    return list(
        PurchaseVolume.objects.filter(is_active=True).values_list("year", flat=True).distinct().order_by("-year")
    )
