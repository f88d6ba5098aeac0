"""Forms of the trace pages. They only validate and shape input; the services write (and judge)."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import CatalogItem, Lot
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.customers.models import Customer, Dealer
from apps.customers.selectors import customer_scope_q
from apps.instruments.models import Instrument
from apps.trace import policies
from apps.trace.choices import MANUAL_CHANNELS, NotifyChannel
from apps.trace.models import Delivery, FieldNotice, split_serials

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class DeliveryForm(VersionedModelForm):
    class Meta:
        model = Delivery
        fields = [
            "delivered_on",
            "customer",
            "item",
            "lot",
            "instrument",
            "serial_no",
            "quantity",
            "document_no",
            "dealer",
            "note",
        ]
        widgets = {
            "delivered_on": forms.DateInput(**DATE_WIDGET),
            # Tens of thousands of customers, lots and units: searched on the server as one types.
            "customer": SearchSelect("customers:customer_lookup"),
            "item": SearchSelect("catalog:item_lookup"),
            "lot": SearchSelect("catalog:lot_lookup"),
            "instrument": SearchSelect("instruments:instrument_lookup"),
            "quantity": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Customer.objects.all() if user is None else Customer.objects.filter(customer_scope_q(user))
        self.fields["customer"].queryset = customers
        self.fields["customer"].error_messages["invalid_choice"] = _("Choose a customer you serve.")
        self.fields["item"].queryset = CatalogItem.objects.all()
        self.fields["lot"].queryset = Lot.objects.select_related("item")
        self.fields["instrument"].queryset = Instrument.objects.select_related("model")
        self.fields["dealer"].queryset = Dealer.objects.order_by("name")
        self.limit_to_active("item", "lot", "instrument", "dealer")
        self.fields["lot"].help_text = _("Reagents, calibrators and QC materials: the lot shipped.")


class LotListField(forms.CharField):
    """Lots typed or pasted one per line: a lot number, or "item code / lot number" when several
    items share the number. Cleans to the list of catalogue lots."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "20260301\nR-GLU / 20260302"})

    def clean(self, value):
        text = super().clean(value)
        lots, errors = [], []
        for line in [raw.strip() for raw in (text or "").splitlines()]:
            if not line:
                continue
            code, sep, number = line.rpartition("/")
            number = number.strip()
            matches = Lot.objects.filter(lot_no__iexact=number).select_related("item")
            if sep:
                matches = matches.filter(item__code__iexact=code.strip())
            found = list(matches[:10])
            if not found:
                errors.append(_("“%(line)s”: no such lot in the catalogue.") % {"line": line})
            elif len(found) > 1:
                errors.append(
                    _("“%(line)s” is a lot of several items (%(items)s): write item code / lot number.")
                    % {"line": line, "items": ", ".join(lot.item.code for lot in found)}
                )
            elif found[0] not in lots:
                lots.append(found[0])
        if errors:
            raise forms.ValidationError(errors)
        return lots


class NoticeForm(forms.Form):
    """A draft notice. Lots and serial numbers are typed or pasted; a serial number that is an
    instrument's becomes that instrument, the others are parts' serial numbers."""

    number = forms.CharField(
        label=_("Number"), max_length=32, required=False, help_text=_("Leave empty to number it automatically.")
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    notice_class = forms.ChoiceField(
        label=_("Class"), choices=FieldNotice._meta.get_field("notice_class").choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    action_required = forms.CharField(
        label=_("Action required of the customer"), widget=forms.Textarea(attrs={"rows": 4})
    )
    lots = LotListField(label=_("Lots"), required=False, help_text=_("One per line."))
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Instruments and serial-tracked parts, one per line."),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instance: FieldNotice | None = None, **kwargs):
        self.instance = instance
        if instance is not None and not args and kwargs.get("data") is None:
            lots = instance.lots.select_related("item").order_by("item__code", "lot_no")
            units = instance.instruments.order_by("serial_no").values_list("serial_no", flat=True)
            kwargs["initial"] = {
                **{
                    "number": instance.number,
                    "title": instance.title,
                    "notice_class": instance.notice_class,
                    "reason": instance.reason,
                    "action_required": instance.action_required,
                    "lots": "\n".join(f"{lot.item.code} / {lot.lot_no}" for lot in lots),
                    "serials": "\n".join([*units, *instance.serial_list]),
                    "expected_version": instance.version,
                },
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["expected_version"].required = True

    def clean_serials(self):
        serials = split_serials(self.cleaned_data.get("serials", ""))
        if len(serials) > policies.MAX_SERIAL_NUMBERS:
            raise forms.ValidationError(
                _("At most %(n)s serial numbers per notice.") % {"n": policies.MAX_SERIAL_NUMBERS}
            )
        units = {}
        if serials:
            match = Q()
            for serial in serials:
                match |= Q(serial_no__iexact=serial)
            units = {u.serial_no.lower(): u for u in Instrument.objects.filter(match)}
        self.instruments = list(dict.fromkeys(units[s.lower()] for s in serials if s.lower() in units))
        self.part_serials = [s for s in serials if s.lower() not in units]
        return serials

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("lots") and not cleaned.get("serials"):
            raise forms.ValidationError(_("Name the lots or serial numbers the notice concerns."))
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "number": data["number"],
            "title": data["title"],
            "notice_class": data["notice_class"],
            "reason": data["reason"],
            "action_required": data["action_required"],
            "serial_numbers": "\n".join(self.part_serials),
        }

    def service_m2m(self) -> dict:
        return {"lots": self.cleaned_data["lots"], "instruments": self.instruments}


class NotifyForm(forms.Form):
    """Staff told the customer (by phone, on a visit …)."""

    channel = forms.ChoiceField(label=_("Told by way of"), choices=MANUAL_CHANNELS, initial=NotifyChannel.PHONE)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AcknowledgeForm(forms.Form):
    """Who at the customer acknowledged the notice (staff record it, or the customer's link)."""

    name = forms.CharField(label=_("Name"), max_length=64)
    position = forms.CharField(label=_("Position"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, public: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if public:
            del self.fields["expected_version"]
            self.fields["name"].label = _("Your name")
            self.fields["position"].label = _("Your position")
            self.fields["position"].required = True
            self.fields["note"].label = _("Remarks (optional)")
            for name in ("name", "position"):
                self.fields[name].widget.attrs.update(autocomplete="off")


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why close without every acknowledgement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class TraceForm(forms.Form):
    """A lot number or a serial number (one of them)."""

    lot_no = forms.CharField(label=_("Lot number"), max_length=32, required=False)
    serial_no = forms.CharField(label=_("Serial number"), max_length=64, required=False)
    lot = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean(self):
        cleaned = super().clean()
        lot_no = (cleaned.get("lot_no") or "").strip()
        serial_no = (cleaned.get("serial_no") or "").strip()
        if lot_no and serial_no:
            raise forms.ValidationError(_("Search by a lot number or by a serial number, not both."))
        cleaned["lot_no"], cleaned["serial_no"] = lot_no, serial_no
        return cleaned
