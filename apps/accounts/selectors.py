"""Reads of staff, regions and qualifications."""

from django.db.models import Count, Q, QuerySet

from apps.accounts.choices import Role
from apps.accounts.models import Qualification, Region, User
from apps.core.access import sees_all


def region_list(*, user) -> QuerySet[Region]:
    return (
        Region.objects.select_related("parent", "customer_manager")
        .annotate(staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True))
        .order_by("code", "name")
    )


def region_search(queryset, text: str):
    return queryset.filter(Q(name__icontains=text) | Q(parent__name__icontains=text) | Q(code__startswith=text))


def staff_list(*, user) -> QuerySet[User]:
    qs = User.objects.select_related("dealer").prefetch_related("regions__parent", "skill_groups")
    if sees_all(user):
        return qs.order_by("username")
    if user.role == Role.CUSTOMER_MANAGER:
        # A regional customer manager sees the staff working in his regions: those assigned to
        # the same region, to the province above it, or to a city inside it.
        own = Region.objects.filter(Q(staff=user) | Q(customer_manager=user))
        related = Region.objects.filter(
            Q(pk__in=own.values("pk")) | Q(pk__in=own.values("parent")) | Q(parent__in=own.values("pk"))
        )
        return qs.filter(Q(regions__in=related.values("pk")) | Q(pk=user.pk)).distinct().order_by("username")
    return qs.filter(pk=user.pk)


def staff_search(queryset, text: str):
    return queryset.filter(
        Q(username__icontains=text) | Q(name__icontains=text) | Q(phone__contains=text) | Q(email__icontains=text)
    )


def qualification_list(*, user) -> QuerySet[Qualification]:
    qs = Qualification.objects.select_related("engineer", "instrument_model")
    if sees_all(user):
        return qs.order_by("valid_until")
    visible = staff_list(user=user).values("pk")
    return qs.filter(engineer__in=visible).order_by("valid_until")


def engineers_qualified_for(*, instrument_model, on_date) -> QuerySet[User]:
    """Active engineers with a valid qualification for the model on that date (SPEC TR-3)."""
    return User.objects.filter(
        is_active=True,
        qualifications__instrument_model=instrument_model,
        qualifications__is_active=True,
        qualifications__valid_from__lte=on_date,
        qualifications__valid_until__gte=on_date,
    ).distinct()
