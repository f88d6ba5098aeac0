import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import InstrumentModel
from apps.core.filters import IdFilter, RecordFilterSet, YesNoFilter
from apps.knowledge import selectors
from apps.knowledge.models import Case


class CaseFilter(RecordFilterSet):
    """The library's filters; `q` is the ranked Chinese search (selectors.case_search), applied
    after every other filter so that it ranks what is left."""

    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=500,
        help_text=_("A problem in Chinese (model and error codes too): cases ranked by relevance, best first."),
    )
    model = django_filters.ModelChoiceFilter(
        field_name="instrument_model",
        queryset=InstrumentModel.objects.filter(is_active=True).order_by("code"),
        label=_("Instrument model"),
    )
    reagent = django_filters.CharFilter(method="filter_reagent", label=_("Reagent / item"), max_length=64)
    lot_no = django_filters.CharFilter(method="filter_lot_no", label=_("Lot number"), max_length=32)
    # Ids from links and the API ("cases of this item / lot / complaint / job").
    item = IdFilter(field_name="item_id", label=_("Item id"))
    lot = IdFilter(field_name="lot_id", label=_("Lot id"))
    complaint = IdFilter(field_name="complaint_id", label=_("Complaint id"))
    work_order = IdFilter(field_name="work_order_id", label=_("Work order id"))
    published = YesNoFilter(label=_("Published"))
    mine = YesNoFilter(method="filter_mine", label=_("Written by me"))

    class Meta:
        model = Case
        fields = [
            "q",
            "model",
            "reagent",
            "lot_no",
            "item",
            "lot",
            "complaint",
            "work_order",
            "published",
            "mine",
            "status",
        ]

    def filter_queryset(self, queryset):
        text = self.form.cleaned_data.get("q") or ""
        for name, value in self.form.cleaned_data.items():
            if name != "q":
                queryset = self.filters[name].filter(queryset, value)
        return self.filters["q"].filter(queryset, text) if text.strip() else queryset

    def search(self, queryset, value):
        return selectors.case_search(queryset, value)

    def filter_reagent(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(item__code__iexact=value) | Q(item__name__icontains=value))

    def filter_lot_no(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(lot_no__iexact=value) if value else queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        return queryset.filter(author_id=user.pk) if value else queryset.exclude(author_id=user.pk)
