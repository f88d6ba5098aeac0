import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Region, User
from apps.core.filters import RecordFilterSet
from apps.customers.models import Contact, Customer, Dealer, Department
from apps.customers.selectors import customer_search


class CustomerFilter(RecordFilterSet):
    province = django_filters.ModelChoiceFilter(queryset=Region.objects.filter(level=RegionLevel.PROVINCE))
    city = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.CITY).select_related("parent")
    )
    responsible_sales = django_filters.ModelChoiceFilter(queryset=User.objects.filter(role=Role.SALES))
    responsible_engineer = django_filters.ModelChoiceFilter(queryset=User.objects.filter(role=Role.ENGINEER))
    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.all())

    class Meta:
        model = Customer
        fields = [
            "q",
            "province",
            "city",
            "grade",
            "kind",
            "tier",
            "product_line_usage",
            "in_arrears",
            "responsible_sales",
            "responsible_engineer",
            "dealer",
            "status",
        ]

    def search(self, queryset, value):
        return customer_search(queryset, value)


class ContactFilter(RecordFilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "role", "is_primary", "status"]

    def search(self, queryset, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(mobile__contains=value) | Q(customer__name__icontains=value)
        )


class DepartmentFilter(RecordFilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = Department
        fields = ["q", "customer", "status"]

    def search(self, queryset, value):
        return queryset.filter(Q(name__icontains=value) | Q(customer__name__icontains=value))


class DealerFilter(RecordFilterSet):
    region = django_filters.ModelChoiceFilter(
        field_name="regions", queryset=Region.objects.select_related("parent"), label=_("region served")
    )

    class Meta:
        model = Dealer
        fields = ["q", "region", "status"]

    def search(self, queryset, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))
