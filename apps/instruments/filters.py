import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel
from apps.accounts.models import Region
from apps.catalog.choices import ProductFamily
from apps.catalog.models import InstrumentModel
from apps.core.filters import IdFilter, RecordFilterSet
from apps.customers.models import Dealer
from apps.customers.selectors import dealer_list
from apps.instruments.choices import InstrumentStatus, WarrantyState
from apps.instruments.models import Instrument
from apps.instruments.selectors import instrument_search


class InstrumentFilter(RecordFilterSet):
    model = django_filters.ModelChoiceFilter(queryset=InstrumentModel.objects.all(), label=_("model"))
    family = django_filters.ChoiceFilter(
        field_name="model__family", choices=ProductFamily.choices, label=_("product family")
    )
    # `status` is the shared active / inactive / all filter (apps.core.filters); the unit's
    # operating status therefore gets its own name.
    instrument_status = django_filters.ChoiceFilter(
        field_name="status", choices=InstrumentStatus.choices, label=_("instrument status")
    )
    warranty = django_filters.ChoiceFilter(
        choices=WarrantyState.choices, method="filter_warranty", label=_("warranty")
    )
    province = django_filters.ModelChoiceFilter(
        field_name="customer__province",
        queryset=Region.objects.filter(level=RegionLevel.PROVINCE),
        label=_("province"),
    )
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    dealer = django_filters.ModelChoiceFilter(queryset=Dealer.objects.all(), label=_("placing dealer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            self.filters["dealer"].queryset = dealer_list(user=user)

    class Meta:
        model = Instrument
        fields = [
            "q", "model", "family", "instrument_status", "ownership", "warranty", "province", "customer",
            "dealer", "status",
        ]

    def search(self, queryset, value):
        return instrument_search(queryset, value)

    def filter_warranty(self, queryset, name, value):
        # SPEC WO-10: in warranty up to and including the warranty end; measured against today.
        today = timezone.localdate()
        if value == WarrantyState.IN_WARRANTY:
            return queryset.filter(warranty_end__gte=today)
        if value == WarrantyState.EXPIRED:
            return queryset.filter(warranty_end__lt=today)
        if value == WarrantyState.NOT_ACCEPTED:
            return queryset.filter(warranty_end__isnull=True)
        return queryset
