"""Filters of the VIP lists (pages and API): every choice offered is itself scoped, so a filter
never reveals a name the user could not otherwise see."""

import django_filters
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel
from apps.accounts.models import Region, User
from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter
from apps.vip import selectors
from apps.vip.choices import OPEN_VISIT_STATES, VisitState
from apps.vip.models import PurchaseVolume, VipMembership, VipTier, VipVisit


class TierFilter(RecordFilterSet):
    class Meta:
        model = VipTier
        fields = ["q", "status"]

    def search(self, queryset, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class VolumeFilter(RecordFilterSet):
    year = django_filters.NumberFilter(label=_("year"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = PurchaseVolume
        fields = ["q", "status", "year", "customer"]

    def search(self, queryset, value):
        return selectors.volume_search(queryset, value)


def _regions():
    return (
        Region.objects.filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY])
        .select_related("parent")
        .order_by("level", "code", "name")
    )


class MemberFilter(RecordFilterSet):
    """Active members by default (status); by tier, region, fixed engineer, overdue."""

    tier = django_filters.ModelChoiceFilter(queryset=VipTier.objects.order_by("position", "id"), label=_("tier"))
    region = django_filters.ModelChoiceFilter(queryset=_regions(), method="filter_region", label=_("region"))
    engineer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("fixed engineer"))
    overdue = YesNoFilter(method="filter_overdue", label=_("visit overdue"))
    customer = IdFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = VipMembership
        fields = ["q", "status", "tier", "region", "engineer", "overdue", "customer"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            visible = selectors.member_list(user=user).filter(engineer__isnull=False).values("engineer")
            self.filters["engineer"].queryset = User.objects.filter(pk__in=visible).order_by("name", "username")

    def search(self, queryset, value):
        return selectors.member_search(queryset, value)

    def filter_region(self, queryset, name, value):
        region = getattr(value, "pk", value)  # a region (page) or its id (API)
        return queryset.filter(Q(customer__city_id=region) | Q(customer__province_id=region))

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue_members_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class MemberApiFilter(MemberFilter):
    """The API names people, tiers and places by id."""

    tier = IdFilter(field_name="tier_id", label=_("tier id"))
    region = IdFilter(method="filter_region", label=_("region id (a province includes its cities)"))
    engineer = IdFilter(field_name="engineer_id", label=_("fixed engineer id"))

    def __init__(self, data=None, *args, **kwargs):
        super(MemberFilter, self).__init__(data, *args, **kwargs)


OPEN = "open"
VISIT_STATE_CHOICES = ((OPEN, _("Open (planned or announced)")), *VisitState.choices)


class VisitFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=VISIT_STATE_CHOICES, method="filter_state", label=_("state"))
    engineer = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("engineer"))
    mine = YesNoFilter(method="filter_mine", label=_("my visits"))
    overdue = YesNoFilter(method="filter_overdue", label=_("overdue"))
    planned_from = django_filters.DateFilter(field_name="planned_on", lookup_expr="gte", label=_("planned from"))
    planned_to = django_filters.DateFilter(field_name="planned_on", lookup_expr="lte", label=_("planned until"))
    member = IdFilter(field_name="membership_id", label=_("VIP customer id"))

    class Meta:
        model = VipVisit
        fields = ["state", "engineer", "mine", "overdue", "planned_from", "planned_to", "member"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            visible = selectors.visit_list(user=user).filter(engineer__isnull=False).values("engineer")
            self.filters["engineer"].queryset = User.objects.filter(pk__in=visible).order_by("name", "username")

    def filter_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(state__in=OPEN_VISIT_STATES)
        return queryset.filter(state=value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(engineer=user) if value else queryset.exclude(engineer=user)

    def filter_overdue(self, queryset, name, value):
        late = selectors.overdue_visits_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class VisitApiFilter(VisitFilter):
    engineer = IdFilter(field_name="engineer_id", label=_("engineer id"))

    def __init__(self, data=None, *args, **kwargs):
        super(VisitFilter, self).__init__(QueryDict(mutable=True) if data is None else data, *args, **kwargs)
