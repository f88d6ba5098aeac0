from urllib.parse import urlencode

from django import forms
from django.db.models import Q

from apps.catalog.choices import ItemKind
from apps.catalog.models import CatalogItem, InstrumentModel, Lot, LotMatch
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class KindSearchSelect(SearchSelect):
    """A SearchSelect whose lookup only offers rows of the given item kinds (?kind=…)."""

    def __init__(self, lookup_url_name: str, kinds, attrs=None):
        self.kinds = list(kinds)
        super().__init__(lookup_url_name, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] += "?" + urlencode({"kind": ",".join(self.kinds)})
        return context


class InstrumentModelForm(VersionedModelForm):
    class Meta:
        model = InstrumentModel
        fields = ["code", "name", "family", "manufacturer", "registration_no", "is_third_party"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class CatalogItemForm(VersionedModelForm):
    class Meta:
        model = CatalogItem
        fields = [
            "code", "name", "kind", "specification", "unit", "pack_size", "tests_per_ml", "storage",
            "shelf_life_months", "onboard_stability_days", "opened_stability_days", "registration_no",
            "serial_tracked", "compatible_models",
        ]
        widgets = {"compatible_models": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Active models, plus any inactive one the item is already linked to (so an edit keeps it).
        linked = Q(pk__in=self.instance.compatible_models.values("pk")) if self.instance.pk else Q(pk__in=[])
        self.fields["compatible_models"].queryset = InstrumentModel.objects.filter(Q(is_active=True) | linked)


LOTTED_KINDS = [ItemKind.REAGENT, ItemKind.CALIBRATOR, ItemKind.QC]


class LotForm(VersionedModelForm):
    class Meta:
        model = Lot
        fields = ["item", "lot_no", "manufactured_on", "expires_on"]
        widgets = {
            "item": KindSearchSelect("catalog:item_lookup", kinds=LOTTED_KINDS),
            "manufactured_on": forms.DateInput(**DATE_WIDGET),
            "expires_on": forms.DateInput(**DATE_WIDGET),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Spare parts stay choosable so the model's own message ("use serial numbers") explains the refusal.
        self.fields["item"].queryset = CatalogItem.objects.all()


class LotMatchForm(VersionedModelForm):
    class Meta:
        model = LotMatch
        fields = ["reagent_lot", "calibrator_lot", "qc_lot", "note"]
        widgets = {
            "reagent_lot": KindSearchSelect("catalog:lot_lookup", kinds=[ItemKind.REAGENT]),
            "calibrator_lot": KindSearchSelect("catalog:lot_lookup", kinds=[ItemKind.CALIBRATOR]),
            "qc_lot": KindSearchSelect("catalog:lot_lookup", kinds=[ItemKind.QC]),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any lot is accepted here; LotMatch.clean() names a lot of the wrong kind.
        lots = Lot.objects.select_related("item")
        for name in ("reagent_lot", "calibrator_lot", "qc_lot"):
            self.fields[name].queryset = lots
