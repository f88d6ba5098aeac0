from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.choices import ItemKind
from apps.catalog.forms import KindSearchSelect
from apps.catalog.models import CatalogItem, InstrumentModel, Lot
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.trending.choices import Decision, Dimension, Source
from apps.trending.models import TrendThreshold


class ThresholdForm(VersionedModelForm):
    """A threshold: what is counted, per what, optionally one value, and the count that signals."""

    class Meta:
        model = TrendThreshold
        fields = ["name", "source", "dimension", "instrument_model", "lot", "part", "cause", "count", "note"]
        # Lots and parts run into thousands: searched as you type (catalogue lookups).
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "count": forms.NumberInput(attrs={"min": 1}),
            "instrument_model": SearchSelect("catalog:instrumentmodel_lookup"),
            "lot": SearchSelect("catalog:lot_lookup"),
            "part": KindSearchSelect("catalog:item_lookup", kinds=[ItemKind.SPARE_PART]),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument_model"].queryset = InstrumentModel.objects.all()
        self.fields["lot"].queryset = Lot.objects.select_related("item")
        self.fields["part"].queryset = CatalogItem.objects.filter(kind=ItemKind.SPARE_PART)
        self.limit_to_active("instrument_model", "lot", "part")
        for name in ("instrument_model", "lot", "part"):
            self.fields[name].help_text = _("Only with the matching “per”; empty watches every value.")
        self.fields["cause"].choices = [("", _("Any cause")), *self.fields["cause"].choices[1:]]
        self.fields["cause"].help_text = _("Only with “per cause”; empty watches every cause.")
        if self.instance.pk and not self.is_bound:
            # An unedited seeded name reads in the user's language and is saved as shown.
            self.initial["name"] = self.instance.label
            self.initial["note"] = self.instance.note_label

    def clean_name(self):
        # Left as shown: the stored (translatable) text stays, so it keeps reading in each language.
        name = self.cleaned_data["name"].strip()
        return self.instance.name if self.instance.pk and name == self.instance.label else name

    def clean_note(self):
        note = (self.cleaned_data.get("note") or "").strip()
        return self.instance.note if self.instance.pk and note == self.instance.note_label.strip() else note


class TrendQueryForm(forms.Form):
    """The report's choices: what, per what, from which month to which."""

    source = forms.ChoiceField(label=_("Count"), choices=Source.choices, initial=Source.COMPLAINTS)
    dimension = forms.ChoiceField(label=_("Per"), choices=Dimension.choices, initial=Dimension.LOT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" and "to" as in the API's query string (not valid Python names for declared fields).
        for name, label, placeholder in (("from", _("From month"), "2026-01"), ("to", _("To month"), "2026-12")):
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=7,
                widget=forms.TextInput(attrs={"type": "month", "placeholder": placeholder}),
            )


class ReviewForm(forms.Form):
    """The quality department's decision on a signal."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason / assessment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for “no action”: why the count needs no corrective action."),
    )
    capa = forms.ModelChoiceField(
        label=_("Link to an open CAPA"),
        required=False,
        queryset=None,
        empty_label=_("— open a new CAPA —"),
    )
    capa_title = forms.CharField(label=_("New CAPA: title"), required=False, max_length=200)
    capa_description = forms.CharField(
        label=_("New CAPA: description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capa_due_on = forms.DateField(
        label=_("New CAPA: due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from apps.complaints.choices import CapaState
        from apps.complaints.models import Capa

        super().__init__(*args, **kwargs)
        self.fields["capa"].queryset = Capa.objects.filter(state=CapaState.OPEN).order_by("-created_at", "-id")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "reason": data.get("reason", ""),
            "capa": data.get("capa"),
            "capa_title": data.get("capa_title", ""),
            "capa_description": data.get("capa_description", ""),
            "capa_due_on": data.get("capa_due_on"),
            "expected_version": data["expected_version"],
        }
