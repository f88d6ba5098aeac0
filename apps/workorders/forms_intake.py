"""The intake form (SPEC WO-1): the hotline clerk registers a call in under a minute.

The customer is found by any part of its name, its pinyin initials or a contact's phone (the
customers' htmx lookup); the instrument by serial number among that customer's units (or, before
a customer is chosen, among every unit the user may see); contacts and departments follow the
customer through htmx. The form only validates choices against the user's scope; the service
(services.workorder_create) decides and checks the same scope again.
"""

from django import forms
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.catalog.models import InstrumentModel, Lot
from apps.core.access import personal_data_for
from apps.core.forms import _impossible_id
from apps.core.ids import parse_id
from apps.core.widgets import SearchSelect
from apps.customers.models import Contact, Customer, Department
from apps.customers.selectors import customer_scope_q
from apps.instruments.models import Instrument
from apps.instruments.selectors import instrument_scope_q
from apps.workorders import policies
from apps.workorders.choices import Channel, Urgency, WorkType

# Roles that open requests for themselves rather than taking a call (SPEC WO-1).
STAFF_CHANNEL_ROLES = frozenset({Role.ENGINEER, Role.SALES, Role.DEALER, Role.CUSTOMER_MANAGER})


def _interpolate(text, values) -> str:
    return str(text) % values


lazy_interpolate = lazy(_interpolate, str)


class InstrumentSelect(SearchSelect):
    """Serial-number search limited to the chosen customer (its id goes along with every
    lookup); with a customer chosen, all of its units are offered at once."""

    template_name = "workorders/widgets/instrument_select.html"
    show_all = False

    def optgroups(self, name, value, attrs=None):
        if self.show_all:
            return forms.Select.optgroups(self, name, value, attrs)
        return super().optgroups(name, value, attrs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos, videos or files at once; each is checked by services.workorder_attach."""

    def __init__(self, *args, **kwargs):
        extensions = sorted({f".{e}" for exts in policies.ATTACHMENT_EXTENSIONS.values() for e in exts})
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(["image/*", "video/*", *extensions])}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ContactChoiceField(forms.ModelChoiceField):
    """A customer's contact with role and phone — the phone as this user may see it (SPEC MD-5)."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        phone = personal_data_for(self.user, phone=obj.mobile)[0]
        return " · ".join(part for part in (obj.name, str(obj.get_role_display()), phone) if part)


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.serial_no} · {obj.model.code} {obj.model.name}"


class IntakeForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        required=False,
        widget=SearchSelect("customers:customer_lookup"),
        help_text=_("Any part of the name, pinyin initials, or a contact's phone."),
    )
    instrument = InstrumentChoiceField(
        label=_("Instrument"),
        queryset=Instrument.objects.none(),
        required=False,
        widget=InstrumentSelect("workorders:instrument_options"),
        help_text=_("Serial number; leave empty and choose the model if the unit is not registered."),
    )
    instrument_model = forms.ModelChoiceField(
        label=_("Instrument model"),
        queryset=InstrumentModel.objects.filter(is_active=True).order_by("code"),
        required=False,
        help_text=_("Only when the serial number is unknown."),
    )
    # Issue 5: the reagent / calibrator / QC lot the call is about (lot trace, field safety notices).
    lot = forms.ModelChoiceField(
        label=_("Lot concerned"),
        queryset=Lot.objects.filter(is_active=True),
        required=False,
        widget=SearchSelect("catalog:lot_lookup"),
        help_text=_("Only when the problem concerns a reagent, calibrator or QC lot: its lot number."),
    )
    contact = ContactChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    caller_name = forms.CharField(label=_("Caller"), max_length=64, required=False)
    caller_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False)
    work_type = forms.ChoiceField(label=_("Type"), choices=[("", "---------"), *WorkType.choices])
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    description = forms.CharField(
        label=_("Problem description"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the caller reports: symptoms, alarm codes, since when."),
    )
    remote_actions = forms.CharField(
        label=_("Tried remotely"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was suggested or tried on the phone."),
    )
    attachments = MultipleFileField(
        label=_("Photos, videos, files"),
        required=False,
        # Lazy: formatted when the form is shown, in the reader's language.
        help_text=lazy_interpolate(
            _("Several files at once; up to %(mb)s MB each."), {"mb": policies.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.is_bound:
            self._neutralise_impossible_ids()
        customers = Customer.objects.filter(customer_scope_q(user), is_active=True)
        self.fields["customer"].queryset = customers
        self.fields["customer"].error_messages["invalid_choice"] = _("Choose a customer you serve.")
        if not self.is_bound and user.role in STAFF_CHANNEL_ROLES:
            self.fields["channel"].initial = Channel.STAFF

        customer_id = self._chosen("customer")
        instrument = self.fields["instrument"]
        instrument.error_messages["invalid_choice"] = _("Choose one of this customer's instruments.")
        units = Instrument.objects.filter(instrument_scope_q(user), is_active=True).select_related("model")
        if customer_id is not None:
            # Only this customer's units: all of them in the list, a search narrows it down.
            instrument.queryset = units.filter(customer_id=customer_id, customer__in=customers).order_by("serial_no")
            instrument.widget.show_all = True
        else:
            # No customer yet: a unit found by its serial brings its customer with it.
            instrument.queryset = units.select_related("customer")

        contacts = Contact.objects.filter(customer_id=customer_id, customer__in=customers, is_active=True)
        self.fields["contact"].queryset = contacts.order_by("-is_primary", "name")
        self.fields["contact"].user = user
        self.fields["department"].queryset = Department.objects.filter(
            customer_id=customer_id, customer__in=customers, is_active=True
        ).order_by("name")

        # Everything that depends on the customer reloads when it changes (htmx).
        follow = {"hx-trigger": "change from:#id_customer", "hx-include": "#id_customer", "hx-swap": "innerHTML"}
        self.fields["contact"].widget.attrs.update({"hx-get": reverse("workorders:contact_options"), **follow})
        self.fields["department"].widget.attrs.update({"hx-get": reverse("customers:department_options"), **follow})
        instrument.widget.attrs.update(
            {
                "hx-get": reverse("workorders:instrument_options"),
                **follow,
                # The new list may pick a unit: the facts panel follows.
                "hx-on::after-swap": "this.dispatchEvent(new Event('change', {bubbles: true}))",
            }
        )

    def _chosen(self, name):
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        return parse_id(raw)

    def _neutralise_impossible_ids(self):
        # Same guard as VersionedModelForm: an id beyond the database's range is an ordinary
        # "invalid choice", not an overflow.
        data = None
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and _impossible_id(self.data.get(name)):
                data = data or self.data.copy()
                data[name] = "invalid"
        if data is not None:
            self.data = data

    def clean(self):
        cleaned = super().clean()
        customer = cleaned.get("customer")
        instrument = cleaned.get("instrument")
        if "customer" in self.errors:
            return cleaned
        if customer is None and instrument is not None:
            # Found by serial number first: the unit says where it stands.
            if self.fields["customer"].queryset.filter(pk=instrument.customer_id).exists():
                cleaned["customer"] = customer = instrument.customer
            else:
                self.add_error("customer", _("Choose a customer you serve."))
                return cleaned
        if customer is None:
            self.add_error("customer", _("Choose the customer."))
            return cleaned
        contact = cleaned.get("contact")
        if contact is not None:
            # The caller is usually the contact: take the name and phone unless typed.
            cleaned["caller_name"] = cleaned.get("caller_name") or contact.name
            cleaned["caller_phone"] = cleaned.get("caller_phone") or contact.mobile
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "customer",
                "instrument",
                "instrument_model",
                "lot",
                "contact",
                "department",
                "caller_name",
                "caller_phone",
                "work_type",
                "urgency",
                "channel",
                "description",
                "remote_actions",
            )
        }
