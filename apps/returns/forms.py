"""Forms of the return / exchange pages: they only parse what the user typed (and find the linked
complaint or work order by its number in his scope); apps.returns.services decides and raises
ValidationErrors keyed by the field names used here."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import CatalogItem, Lot
from apps.complaints.choices import CauseCategory
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.customers.models import Customer
from apps.customers.selectors import customer_scope_q
from apps.instruments.models import Instrument
from apps.instruments.selectors import instrument_list
from apps.returns import policies, transitions
from apps.returns.choices import PERIOD_OVERRIDERS, AttachmentKind, RefundBasis, Remedy, RequestedRemedy, Responsibility

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUT_OF_DATE = _("This form is out of date; reload the page and apply your changes again.")
ACCEPT = ",".join(["image/*", "video/*", *sorted(f".{ext}" for ext in policies.ATTACHMENT_EXTENSIONS)])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or files at once; each is checked by services.check_upload."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _text(label, *, rows=3, required=True, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=policies.TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReturnForm(forms.Form):
    """The application [S4 3.1]: customer and applicant, the product, the purchase and its proof,
    the device's data and the fault, what the customer asks for."""

    customer = forms.ModelChoiceField(
        label=_("customer"), queryset=Customer.objects.none(), widget=SearchSelect("customers:customer_lookup")
    )
    applicant_name = forms.CharField(label=_("applicant"), max_length=64, help_text=_("e.g. 李主任 of the laboratory"))
    applicant_phone = forms.CharField(label=_("applicant's phone"), max_length=32, required=False)
    instrument = forms.ModelChoiceField(
        label=_("instrument"),
        queryset=Instrument.objects.none(),
        required=False,
        widget=SearchSelect("instruments:instrument_lookup"),
        help_text=_("For an analyser: its serial number."),
    )
    item = forms.ModelChoiceField(
        label=_("catalogue item"),
        queryset=CatalogItem.objects.none(),
        required=False,
        widget=SearchSelect("catalog:item_lookup"),
        help_text=_("For a reagent, calibrator, QC material or spare part."),
    )
    lot = forms.ModelChoiceField(
        label=_("lot"), queryset=Lot.objects.none(), required=False, widget=SearchSelect("catalog:lot_lookup")
    )
    lot_no = forms.CharField(
        label=_("lot number"), max_length=32, required=False, help_text=_("As printed on the kit.")
    )
    serial_no = forms.CharField(label=_("serial number"), max_length=64, required=False)
    quantity = forms.IntegerField(label=_("quantity"), min_value=1, max_value=policies.MAX_QUANTITY, initial=1)
    purchased_on = forms.DateField(label=_("bought on"), widget=DATE_WIDGET)
    purchase_document = forms.CharField(label=_("invoice / delivery note number"), max_length=64)
    proof = MultipleFileField(
        label=_("proof of purchase"),
        required=False,
        help_text=_("Invoice, delivery note or contract: a photo or a PDF. Required."),
    )
    photos = MultipleFileField(label=_("photos or records of the fault"), required=False)
    device_data = _text(
        _("device data"), required=False, help_text=_("Software version, run hours, alarm codes, QC results, storage.")
    )
    fault_description = _text(_("fault description"), rows=4)
    requested_remedy = forms.ChoiceField(
        label=_("customer asks for"), choices=RequestedRemedy.choices, widget=forms.RadioSelect
    )
    complaint_number = forms.CharField(
        label=_("complaint number"), max_length=20, required=False, help_text=_("When it comes from a complaint.")
    )
    work_order_number = forms.CharField(
        label=_("work order number"), max_length=32, required=False, help_text=_("When it comes from a service job.")
    )
    override_reason = _text(
        _("why accept it outside the allowed period"),
        required=False,
        help_text=_("Only when the allowed period is over and you accept the application anyway."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.is_bound:
            VersionedModelForm._neutralise_impossible_ids(self)
        self.fields["customer"].queryset = Customer.objects.filter(customer_scope_q(user), is_active=True)
        self.fields["instrument"].queryset = instrument_list(user=user).filter(is_active=True)
        self.fields["item"].queryset = CatalogItem.objects.filter(is_active=True)
        self.fields["lot"].queryset = Lot.objects.select_related("item")
        if transitions.role_of(user) not in PERIOD_OVERRIDERS:
            del self.fields["override_reason"]
        if not self.is_bound:
            self.fields["purchased_on"].initial = None

    def clean_complaint_number(self):
        from apps.complaints.selectors import complaint_list

        number = self.cleaned_data.get("complaint_number", "").strip()
        if not number:
            return None
        complaint = complaint_list(user=self.user).filter(number__iexact=number).first()
        if complaint is None:
            raise forms.ValidationError(_("No complaint with this number in your scope."))
        return complaint

    def clean_work_order_number(self):
        from apps.workorders.selectors import workorder_list

        number = self.cleaned_data.get("work_order_number", "").strip()
        if not number:
            return None
        order = workorder_list(user=self.user).filter(number__iexact=number).first()
        if order is None:
            raise forms.ValidationError(_("No work order with this number in your scope."))
        return order

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["complaint"] = data.pop("complaint_number", None)
        data["work_order"] = data.pop("work_order_number", None)
        proofs = data.pop("proof", [])
        photos = data.pop("photos", [])
        override_reason = data.pop("override_reason", "")
        return {"data": data, "proofs": proofs, "photos": photos, "override_reason": override_reason}

    def field_for_error(self, name: str) -> str | None:
        mapped = {"complaint": "complaint_number", "work_order": "work_order_number"}.get(name, name)
        return mapped if mapped in self.fields else None


class MoveForm(forms.Form):
    """Carries the version of the application the user started from."""

    expected_version = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE}
    )

    def __init__(self, *args, return_request, **kwargs):
        super().__init__(*args, **kwargs)
        self.return_request = return_request
        if not self.is_bound:
            self.fields["expected_version"].initial = return_request.version

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)

    def field_for_error(self, name: str) -> str | None:
        return name if name in self.fields else None


class AssessForm(MoveForm):
    cause = _text(_("cause found"), rows=4, help_text=_("What was examined and what was found."))
    cause_category = forms.ChoiceField(
        label=_("kind of cause"), choices=[("", "—"), *CauseCategory.choices], required=False
    )
    responsibility = forms.ChoiceField(
        label=_("responsibility"), choices=Responsibility.choices, widget=forms.RadioSelect
    )


class DecideForm(MoveForm):
    remedy = forms.ChoiceField(label=_("remedy"), choices=Remedy.choices, widget=forms.RadioSelect)
    refund_basis = forms.ChoiceField(
        label=_("why a refund"),
        choices=RefundBasis.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Only for a refund: repair or replacement comes first."),
    )
    refund_reason = _text(_("why repair or replacement does not solve it"), required=False)
    note = _text(_("note"), rows=2, required=False)


class CompleteForm(MoveForm):
    work_done = _text(_("what was done"), rows=4)
    completed_on = forms.DateField(label=_("done on"), required=False, widget=DATE_WIDGET)
    goods_received_on = forms.DateField(label=_("goods received back on"), required=False, widget=DATE_WIDGET)
    replacement_serial = forms.CharField(label=_("replacement serial / lot"), max_length=64, required=False)
    refund_amount = forms.DecimalField(
        label=_("refund (yuan)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    refund_paid_on = forms.DateField(label=_("refund paid on"), required=False, widget=DATE_WIDGET)
    refund_reference = forms.CharField(label=_("payment reference"), max_length=64, required=False)

    def __init__(self, *args, return_request, **kwargs):
        super().__init__(*args, return_request=return_request, **kwargs)
        if not self.is_bound:
            self.fields["completed_on"].initial = timezone.localdate()
        refund_fields = ("refund_amount", "refund_paid_on", "refund_reference")
        if return_request.remedy == Remedy.REFUND:
            for name in refund_fields:
                self.fields[name].required = True
            del self.fields["replacement_serial"]
        else:
            for name in refund_fields:
                del self.fields[name]


class CloseForm(MoveForm):
    note = _text(_("closing note"), rows=2, required=False, help_text=_("How the customer confirmed the outcome."))


class RejectForm(MoveForm):
    reason = _text(_("why rejected"))


MOVE_FORMS = {
    "assess": AssessForm,
    "decide": DecideForm,
    "complete": CompleteForm,
    "close": CloseForm,
    "reject": RejectForm,
}


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=AttachmentKind.choices, initial=AttachmentKind.FAULT)
    file = forms.FileField(label=_("file"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
