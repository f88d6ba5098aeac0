"""Reads of customers, contacts, departments and dealers, scoped to what the user may see."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from apps.accounts.choices import Role
from apps.core.access import sees_all, sees_personal_data
from apps.customers.models import Contact, Customer, Dealer, Department


def customer_scope_q(user, prefix: str = "") -> Q:
    """Which customers a user may see (SPEC §0, issue #2 'Access'). `prefix` reaches a customer FK."""
    if sees_all(user):
        return Q()
    from apps.accounts.models import Region

    if user.role in (Role.ENGINEER, Role.CUSTOMER_MANAGER):
        regions = Region.objects.filter(Q(staff=user) | Q(customer_manager=user)).values("pk")
        return (
            Q(**{f"{prefix}province__in": regions})
            | Q(**{f"{prefix}city__in": regions})
            | Q(**{f"{prefix}responsible_engineer": user})
        )
    if user.role == Role.SALES:
        return Q(**{f"{prefix}responsible_sales": user})
    if user.role == Role.DEALER and user.dealer_id:
        return Q(**{f"{prefix}dealer_id": user.dealer_id})
    return Q(pk__in=[])


def customer_list(*, user) -> QuerySet[Customer]:
    return (
        Customer.objects.filter(customer_scope_q(user))
        .select_related("province", "city__parent", "responsible_sales", "responsible_engineer", "dealer")
        .order_by("code")
    )


def customer_search(queryset: QuerySet[Customer], text: str, *, user=None) -> QuerySet[Customer]:
    """Any part of the name, its pinyin or pinyin initials, the code — and, for roles that may
    see contacts' phones, a contact's mobile (others could recover a masked number by guessing)."""
    lowered = text.lower().replace(" ", "")
    query = (
        Q(name__icontains=text)
        | Q(code__iexact=text)
        | Q(name_initials__icontains=lowered)
        | Q(name_pinyin__icontains=lowered)
    )
    if user is not None and sees_personal_data(user) and text.replace("-", "").isdigit() and len(text) >= 4:
        query |= Exists(Contact.objects.filter(customer=OuterRef("pk"), mobile__contains=text, is_active=True))
    return queryset.filter(query)


def contact_search(queryset: QuerySet[Contact], text: str, *, user=None) -> QuerySet[Contact]:
    query = Q(name__icontains=text) | Q(customer__name__icontains=text)
    if user is not None and sees_personal_data(user):
        query |= Q(mobile__contains=text)
    return queryset.filter(query)


def contact_list(*, user) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(customer_scope_q(user, "customer__"))
        .select_related("customer", "department")
        .order_by("customer__code", "-is_primary", "name")
    )


def department_list(*, user) -> QuerySet[Department]:
    return (
        Department.objects.filter(customer_scope_q(user, "customer__"))
        .select_related("customer")
        .order_by("customer__code", "name")
    )


def dealer_list(*, user) -> QuerySet[Dealer]:
    qs = Dealer.objects.annotate(
        customer_count=Count("customers", filter=Q(customers__is_active=True))
    ).prefetch_related("regions__parent")
    if user.role == Role.DEALER and not user.is_superuser:
        qs = qs.filter(pk=user.dealer_id) if user.dealer_id else qs.none()
    return qs.order_by("code")


def staff_serving(*, user, role_field: str) -> QuerySet:
    """Staff named as `role_field` (responsible_sales / responsible_engineer) on customers the
    user may see — the choices a filter may offer without revealing anyone else."""
    from apps.accounts.models import User

    visible = Customer.objects.filter(customer_scope_q(user)).values(role_field)
    return User.objects.filter(pk__in=visible).order_by("username")
