import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Region, User
from apps.core.access import sees_all
from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter
from apps.customers.models import Contact, Customer, Dealer, Department
from apps.customers.selectors import contact_search, customer_search, dealer_list, staff_serving


class CustomerFilter(RecordFilterSet):
    province = django_filters.ModelChoiceFilter(queryset=Region.objects.filter(level=RegionLevel.PROVINCE))
    city = django_filters.ModelChoiceFilter(
        queryset=Region.objects.filter(level=RegionLevel.CITY).select_related("parent")
    )
    responsible_sales = django_filters.ModelChoiceFilter(queryset=User.objects.filter(role=Role.SALES))
    responsible_engineer = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role__in=[Role.ENGINEER, Role.CUSTOMER_MANAGER])
    )
    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.all())
    in_arrears = YesNoFilter(label=_("in arrears"))

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and not sees_all(user):
            # Offer only the dealers and staff behind the user's own customers.
            self.filters["dealer"].queryset = dealer_list(user=user)
            self.filters["responsible_sales"].queryset = staff_serving(user=user, role_field="responsible_sales")
            self.filters["responsible_engineer"].queryset = staff_serving(
                user=user, role_field="responsible_engineer"
            )

    def search(self, queryset, value):
        return customer_search(queryset, value, user=getattr(self.request, "user", None))


class ContactFilter(RecordFilterSet):
    customer = IdFilter(field_name="customer_id", label=_("customer id"))

    class Meta:
        model = Contact
        fields = ["q", "customer", "role", "is_primary", "status"]

    def search(self, queryset, value):
        return contact_search(queryset, value, user=getattr(self.request, "user", None))


class DepartmentFilter(RecordFilterSet):
    customer = IdFilter(field_name="customer_id", label=_("customer id"))

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
