"""Forms of the actions on a work order (views_actions.py).

A form only parses and shapes the input; the service decides what is allowed and raises a
ValidationError keyed by the same field names, so its message lands under the right field.
Forms of moves that could overwrite someone else's change carry the order's `version` as
`expected_version` (the service refuses a stale one).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.catalog.choices import ItemKind
from apps.catalog.forms import KindSearchSelect
from apps.catalog.models import CatalogItem, Lot
from apps.complaints.choices import CauseCategory
from apps.core.forms import _impossible_id
from apps.core.widgets import SearchSelect
from apps.workorders import policies
from apps.workorders.choices import ApprovalStep, Billing, Decision, PartSupply, PauseKind

OUT_OF_DATE = _("This form is out of date; reload the page and apply your changes again.")

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _text(label, *, rows=3, required=True, max_length=None, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _when(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )


class ActionForm(forms.Form):
    """Base of every action form: the version of the order the user started from."""

    versioned = True

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, order=None, **kwargs):
        self.order = order
        super().__init__(*args, **kwargs)
        if self.versioned:
            field = self.fields["expected_version"]
            field.required = True
            field.error_messages["required"] = OUT_OF_DATE
            if not self.is_bound and order is not None:
                field.initial = self.current_version()
        else:
            del self.fields["expected_version"]

    def current_version(self) -> int:
        return self.order.version

    def service_kwargs(self) -> dict:
        """Cleaned values, named as the service's keyword arguments."""
        return dict(self.cleaned_data)

    def field_for_error(self, name: str) -> str | None:
        """Where a service's ValidationError for `name` is shown (None: above the form)."""
        return name if name in self.fields else None


class UnversionedActionForm(ActionForm):
    """Additions (a note, a photo, a part, a ticked checklist line) never overwrite anything,
    so a page opened before someone else's change may still add to the order."""

    versioned = False


# --- remote first (WO-2) ----------------------------------------------------------------------


class RemoteAttemptForm(ActionForm):
    actions = _text(_("What was tried by phone or remotely"), rows=4)
    callback_due_at = _when(
        _("Promised call-back time"),
        required=False,
        help_text=_("When we promised to call the customer back (application troubleshooting: within 1 hour)."),
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        if not self.is_bound and order is not None and order.callback_due_at:
            self.fields["callback_due_at"].initial = order.callback_due_at


class ResolveRemotelyForm(ActionForm):
    solution = _text(_("How it was solved"), rows=4)


class ReopenForm(ActionForm):
    reason = _text(_("Why it is reopened"))


# --- application and approval (WO-3, WO-9) ----------------------------------------------------


class ApplicationForm(ActionForm):
    billing = forms.ChoiceField(label=_("Billing"), widget=forms.RadioSelect)
    work_content = _text(
        _("Work content"),
        rows=4,
        required=False,
        help_text=_("What is to be done on site (application work: the new project or the problem)."),
    )
    user_and_dealer_agree = forms.BooleanField(
        label=_("The user and the dealer agree"),
        required=False,
        help_text=_("Needed for free hardware service to a customer who uses our full biochemistry line."),
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        choices = [(Billing.FREE, Billing.FREE.label), (Billing.PAID, Billing.PAID.label)]
        if order is not None and order.in_warranty:
            choices.insert(0, (Billing.WARRANTY, Billing.WARRANTY.label))
        self.fields["billing"].choices = choices
        if not self.is_bound:
            self.fields["billing"].initial = choices[0][0]


class DecideForm(ActionForm):
    """One step of the approval route; the fields shown depend on the step (SPEC WO-9)."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.HiddenInput)
    quote_amount = forms.DecimalField(
        label=_("Quoted price (CNY)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    quote_note = _text(_("Quote details"), required=False, help_text=_("Labour, parts, travel — at market rate."))
    contract_no = forms.CharField(label=_("Contract number"), required=False, max_length=64)
    deposit_reference = forms.CharField(
        label=_("Bank transfer reference of the deposit"), required=False, max_length=64
    )
    reason = _text(
        _("Reason / note"),
        required=False,
        help_text=_("Required when you reject: the reason goes back to the sales person."),
    )

    STEP_FIELDS = {
        ApprovalStep.QUOTE: ("quote_amount", "quote_note"),
        ApprovalStep.CUSTOMER_AGREEMENT: ("contract_no",),
        ApprovalStep.DEPOSIT: ("deposit_reference",),
    }
    OPTIONAL = ("quote_amount", "quote_note", "contract_no", "deposit_reference")

    def __init__(self, *args, order=None, step=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        keep = self.STEP_FIELDS.get(step, ())
        for name in self.OPTIONAL:
            if name not in keep:
                del self.fields[name]
        if "quote_amount" in self.fields:
            self.fields["quote_amount"].widget.attrs.update(inputmode="decimal", step="0.01")

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("quote_note", "contract_no", "deposit_reference", "reason"):
            data[name] = data.get(name) or ""
        return data


# --- readiness and appointment (WO-7, WO-8) ---------------------------------------------------


class ChecklistItemForm(UnversionedActionForm):
    done = forms.BooleanField(required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class ScheduleForm(ActionForm):
    appointment_at = _when(_("Visit time agreed with the customer"))
    agreed_with = forms.CharField(
        label=_("Agreed with"), max_length=64, help_text=_("Who at the customer agreed the time.")
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        if not self.is_bound and order is not None and order.contact_id:
            self.fields["agreed_with"].initial = order.contact.name


class RescheduleForm(ActionForm):
    appointment_at = _when(_("New visit time"))
    reason = _text(_("Reason for the change"))
    customer_informed = forms.BooleanField(
        label=_("The customer has been told in advance"),
        required=False,
        help_text=_("Promised times are kept; a delay is announced to the customer before it happens."),
    )


class PauseForm(ActionForm):
    kind = forms.ChoiceField(label=_("Waiting for"), choices=PauseKind.choices, widget=forms.RadioSelect)
    reason = _text(_("Reason"), rows=2)


class ConfirmForm(ActionForm):
    """A move without input (check in, resume the clocks): only the version."""


class LotChoiceField(forms.ModelChoiceField):
    """A lot by id; an id beyond what the database can hold is an ordinary invalid choice."""

    def to_python(self, value):
        if _impossible_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


# --- the visit (WO-11, WO-16) -----------------------------------------------------------------


class VisitForm(ActionForm):
    """The engineer's record of the open visit; its own version, saved as often as he likes."""

    findings = _text(_("Findings"), rows=4, required=False)
    work_done = _text(_("Work done"), rows=4, required=False)
    measurements = _text(
        _("Measurements"), rows=3, required=False, help_text=_("Readings, test results, QC values after the work.")
    )
    drift_warning_given = forms.BooleanField(
        label=_("Customer warned of possible result drift and recalibration after hardware work"), required=False
    )
    lab_head_consent = forms.BooleanField(label=_("The lab head agreed before I leave"), required=False)
    lab_head_name = forms.CharField(label=_("Lab head's name"), required=False, max_length=64)
    # Issue 5: kept on the work order (lot trace, CP-7 trending), recorded with the visit.
    lot = LotChoiceField(
        label=_("Lot concerned"),
        queryset=Lot.objects.filter(is_active=True),
        required=False,
        widget=SearchSelect("catalog:lot_lookup"),
        help_text=_("Only when the fault concerns a reagent, calibrator or QC lot."),
    )
    fault_cause = forms.ChoiceField(
        label=_("Cause found"), choices=[("", "---------"), *CauseCategory.choices], required=False
    )

    def __init__(self, *args, order=None, visit=None, **kwargs):
        self.visit = visit
        if visit is not None and not args and kwargs.get("data") is None:
            kwargs.setdefault(
                "initial",
                {
                    "findings": visit.findings,
                    "work_done": visit.work_done,
                    "measurements": visit.measurements,
                    "drift_warning_given": visit.drift_warning_given,
                    "lab_head_consent": visit.lab_head_consent,
                    "lab_head_name": visit.lab_head_name,
                    "lot": order.lot_id if order is not None else None,
                    "fault_cause": order.fault_cause if order is not None else "",
                },
            )
        super().__init__(*args, order=order, **kwargs)

    def current_version(self) -> int:
        return self.visit.version


class PartForm(UnversionedActionForm):
    item = forms.ModelChoiceField(
        label=_("Spare part"),
        queryset=CatalogItem.objects.filter(kind=ItemKind.SPARE_PART, is_active=True),
        widget=KindSearchSelect("catalog:item_lookup", kinds=[ItemKind.SPARE_PART]),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    supply = forms.ChoiceField(label=_("Supply"), choices=PartSupply.choices, widget=forms.RadioSelect)
    fitted = forms.BooleanField(label=_("Already fitted"), required=False)

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        self.fields["quantity"].widget.attrs.update(inputmode="numeric")


class ResultForm(UnversionedActionForm):
    text = _text(_("Result"), rows=4, help_text=_("Goes to the sales person, the dealer and the supervisor."))
    quality_problem = forms.BooleanField(
        label=_("Major quality problem: raise an external quality information report"), required=False
    )


class AssessForm(ActionForm):
    """ISO 13485 7.5.4: every service record is assessed as a complaint or not."""

    is_complaint = forms.TypedChoiceField(
        label=_("Is this service record a complaint?"),
        choices=[("yes", _("Yes, a complaint")), ("no", _("No, not a complaint"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255, widget=forms.Textarea(attrs={"rows": 2}))


class BalanceForm(ActionForm):
    invoice_no = forms.CharField(label=_("Invoice number"), max_length=64)


class CloseForm(ActionForm):
    note = _text(_("Note"), rows=2, required=False)


class CancelForm(ActionForm):
    reason = _text(_("Reason for cancelling"))


class NoteForm(UnversionedActionForm):
    text = _text(_("Note"), rows=4)


class AttachForm(UnversionedActionForm):
    """A photo or video taken on the phone, or any accepted file (one per upload)."""

    photo = forms.FileField(
        label=_("Take a photo or video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*,video/*", "capture": "environment"}),
    )
    file = forms.FileField(
        label=_("… or choose a file"),
        required=False,
        help_text=_("Photos, videos, PDF and office files."),
        widget=forms.FileInput,
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=255)

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, order=order, **kwargs)
        # The phone's picker offers what the service accepts (policies.ATTACHMENT_EXTENSIONS).
        extensions = sorted({f".{ext}" for exts in policies.ATTACHMENT_EXTENSIONS.values() for ext in exts})
        self.fields["file"].widget.attrs["accept"] = ",".join(["image/*", "video/*", *extensions])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("photo") and not cleaned.get("file") and not self.errors:
            raise forms.ValidationError(_("Take a photo or choose a file."), code="required")
        if cleaned.get("photo") and cleaned.get("file"):
            raise forms.ValidationError(_("One file at a time, please."), code="too_many")
        return cleaned

    def service_kwargs(self) -> dict:
        upload = self.cleaned_data.get("photo") or self.cleaned_data["file"]
        return {"upload": upload, "caption": self.cleaned_data["caption"]}

    def field_for_error(self, name: str) -> str | None:
        """The service names the upload `file`; the photo field is where a photo's error belongs."""
        if name == "file" and self.cleaned_data.get("photo"):
            return "photo"
        return name if name in self.fields else None
