import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Qualification, Region, SkillGroup, User
from apps.accounts.selectors import region_search, staff_list, staff_search
from apps.core.filters import RecordFilterSet


class RegionFilter(RecordFilterSet):
    parent = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.PROVINCE), label=_("province")
    )

    class Meta:
        model = Region
        fields = ["q", "level", "parent", "tier", "status"]

    def search(self, queryset, value):
        return region_search(queryset, value)


class StaffFilter(RecordFilterSet):
    region = django_filters.ModelChoiceFilter(
        field_name="regions", queryset=Region.objects.select_related("parent"), label=_("region")
    )
    skill_group = django_filters.ModelChoiceFilter(
        field_name="skill_groups", queryset=SkillGroup.objects.all(), label=_("skill group")
    )

    class Meta:
        model = User
        fields = ["q", "role", "region", "skill_group", "status"]

    def search(self, queryset, value):
        return staff_search(queryset, value)


class QualificationFilter(RecordFilterSet):
    expires_before = django_filters.DateFilter(
        field_name="valid_until", lookup_expr="lte", label=_("expires on or before")
    )

    class Meta:
        model = Qualification
        fields = ["q", "engineer", "instrument_model", "expires_before", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            # Only the staff the user may see anyway.
            self.filters["engineer"].queryset = staff_list(user=user).filter(
                role__in=[Role.ENGINEER, Role.CUSTOMER_MANAGER, Role.SUPERVISOR]
            )

    def search(self, queryset, value):
        return queryset.filter(
            Q(engineer__name__icontains=value) | Q(instrument_model__code__icontains=value) | Q(certificate_no=value)
        )
