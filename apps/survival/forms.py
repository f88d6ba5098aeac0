"""Forms of new-project survival: they only validate what the user typed against what he may
see; apps.survival.services decides (and checks the same rules again)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.catalog.choices import ItemKind
from apps.catalog.forms import KindSearchSelect
from apps.catalog.models import CatalogItem
from apps.core.forms import VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.customers.models import Customer
from apps.customers.selectors import customer_scope_q
from apps.instruments.selectors import instrument_list
from apps.survival.choices import CheckMethod, NotInUseReason, UsageUnit
from apps.survival.models import NewProject
from apps.survival.services import ENGINEER_ROLES

DATE = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.username


class ProjectForm(VersionedModelForm):
    """Create (customer chosen here) or correct a project (the customer stays)."""

    engineer = StaffChoiceField(queryset=User.objects.none(), label=_("responsible engineer"), required=False)
    sales = StaffChoiceField(queryset=User.objects.none(), label=_("sales"), required=False)

    class Meta:
        model = NewProject
        fields = ["customer", "name", "item", "instrument", "engineer", "sales", "started_on", "note"]
        widgets = {
            "customer": SearchSelect("customers:customer_lookup"),
            "item": KindSearchSelect("catalog:item_lookup", kinds=[ItemKind.REAGENT]),
            "instrument": SearchSelect("instruments:instrument_lookup"),
            "started_on": forms.DateInput(**DATE),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "name": _("The test the laboratory started, e.g. 胱抑素C (Cys-C)."),
            "started_on": _(
                "The day the laboratory started reporting results; checks are due a month, two and three later."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = Customer.objects.filter(customer_scope_q(user), is_active=True)
        self.fields["item"].queryset = CatalogItem.objects.filter(kind=ItemKind.REAGENT, is_active=True)
        self.fields["instrument"].queryset = instrument_list(user=user).filter(is_active=True)
        self.fields["engineer"].queryset = User.objects.filter(role__in=ENGINEER_ROLES, is_active=True).order_by(
            "name", "username"
        )
        self.fields["sales"].queryset = User.objects.filter(role=Role.SALES, is_active=True).order_by(
            "name", "username"
        )
        if self.instance.pk:
            # The customer of a tracked project does not change: stop it and enter the right one.
            self.fields["customer"].disabled = True
            self.fields["engineer"].required = True
        else:
            self.fields["started_on"].initial = timezone.localdate()
            self.fields["engineer"].help_text = _("Empty: you, if you are an engineer, else the customer's engineer.")
            self.fields["sales"].help_text = _("Empty: the customer's responsible sales person.")

    def service_kwargs(self) -> dict:
        """For services.project_create."""
        data = self.cleaned_data
        return {name: data.get(name) for name in self.Meta.fields}

    def update_data(self) -> dict:
        """For services.project_update: what staff may correct."""
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name != "customer"}


YES_NO = (("yes", _("Yes, in use")), ("no", _("No, not in use")))


class CheckForm(forms.Form):
    """The month's check (SPEC FU-6): how it was made, in use or not, the month's usage and
    shipments; when not in use, why (the sales person is told at once)."""

    month = forms.TypedChoiceField(label=_("month"), coerce=int, choices=())
    method = forms.ChoiceField(
        label=_("method"), choices=CheckMethod.choices, widget=forms.RadioSelect, initial=CheckMethod.PHONE
    )
    in_use = forms.TypedChoiceField(
        label=_("in use"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the project is in use.")},
    )
    usage = forms.IntegerField(label=_("monthly usage"), min_value=0, required=False)
    usage_unit = forms.ChoiceField(label=_("usage unit"), choices=UsageUnit.choices, initial=UsageUnit.TESTS)
    shipment = forms.IntegerField(
        label=_("shipment volume (kits)"),
        min_value=0,
        required=False,
        help_text=_("Kits shipped to the customer this month, from the commerce department."),
    )
    reason_kind = forms.ChoiceField(
        label=_("kind of reason"), choices=[("", "—"), *NotInUseReason.choices], required=False
    )
    reason = forms.CharField(
        label=_("why not in use"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Required when the project is not in use; the sales person receives it."),
    )
    suggestion = forms.CharField(label=_("advice to sales"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    note = forms.CharField(
        label=pgettext_lazy("check", "note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            (check.month, _("Month %(month)s (due %(day)s)") % {"month": check.month, "day": check.due_on.isoformat()})
            for check in project.checks.all()
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "month": data["month"],
            "method": data["method"],
            "in_use": data["in_use"],
            "usage": data.get("usage"),
            "usage_unit": data["usage_unit"],
            "shipment": data.get("shipment"),
            "reason_kind": data.get("reason_kind") or "",
            "reason": data.get("reason") or "",
            "suggestion": data.get("suggestion") or "",
            "note": data.get("note") or "",
            "expected_version": data.get("expected_version"),
        }

    @classmethod
    def initial_for(cls, check) -> dict:
        """The form filled with a recorded check, to correct it."""
        if check is None:
            return {}
        initial = {"month": check.month, "expected_version": check.version if check.recorded else None}
        if check.recorded:
            initial.update(
                method=check.method,
                in_use="yes" if check.in_use else "no",
                usage=check.usage,
                usage_unit=check.usage_unit or UsageUnit.TESTS,
                shipment=check.shipment,
                reason_kind=check.reason_kind,
                reason=check.reason,
                suggestion=check.suggestion,
                note=check.note,
            )
        return initial


class StopForm(forms.Form):
    reason = forms.CharField(label=_("Why does tracking stop?"), max_length=255)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
