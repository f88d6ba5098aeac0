"""Forms of the VIP pages. They only validate input; the services write (and judge)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.models import User
from apps.core.forms import REASON_MAX_LENGTH, VersionedModelForm
from apps.core.widgets import SearchSelect
from apps.customers.models import Contact, Customer
from apps.customers.selectors import customer_scope_q
from apps.vip import policies
from apps.vip.models import PurchaseVolume, VipTier


class TierForm(VersionedModelForm):
    class Meta:
        model = VipTier
        fields = ["code", "name", "min_annual_volume", "visit_cycle_days", "service_content", "position"]
        widgets = {"service_content": forms.Textarea(attrs={"rows": 4})}


class VolumeForm(VersionedModelForm):
    class Meta:
        model = PurchaseVolume
        fields = ["customer", "year", "amount", "note"]
        widgets = {
            # Tens of thousands of customers: search on the server as the user types.
            "customer": SearchSelect("customers:customer_lookup"),
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "amount": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Customer.objects.all() if user is None else Customer.objects.filter(customer_scope_q(user))
        self.fields["customer"].queryset = customers
        self.fields["customer"].error_messages["invalid_choice"] = _("Choose a customer you serve.")
        if not self.instance.pk and not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year - 1


class EngineerForm(forms.Form):
    """SPEC FU-5 2: the VIP's fixed engineer."""

    engineer = forms.ModelChoiceField(label=_("Fixed engineer"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Engineers serving the customer's city or province (the service checks the same rule).
        engineers = User.objects.filter(is_active=True, role__in=[Role.ENGINEER, Role.CUSTOMER_MANAGER])
        if customer is not None:
            engineers = engineers.filter(
                pk__in=User.objects.filter(regions__in=[customer.city_id, customer.province_id]).values("pk")
            ) | engineers.filter(pk=customer.responsible_engineer_id)
        self.fields["engineer"].queryset = engineers.order_by("name", "username").distinct()


class CycleForm(forms.Form):
    """SPEC FU-5 3: the customer's own visit cycle by company policy, or the tier's."""

    cycle_days = forms.IntegerField(
        label=_("Own visit cycle (days)"),
        min_value=1,
        max_value=policies.MAX_VISIT_CYCLE_DAYS,
        required=False,
        help_text=_("Leave empty to use the tier's cycle."),
    )
    reason = forms.CharField(label=_("Policy / reason"), max_length=255)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class AnnounceForm(forms.Form):
    """SPEC FU-5 4: 服务前和负责人联系，告知服务时间和内容，询问客户是否有特殊要求。"""

    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    contact_name = forms.CharField(
        label=_("Lab head told"),
        max_length=64,
        required=False,
        help_text=_("The person at the customer you called, if not in the contact list."),
    )
    agreed_at = forms.DateTimeField(
        label=_("Agreed date and time"), widget=DateTimeLocalInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    content = forms.CharField(label=_("Service content"), widget=forms.Textarea(attrs={"rows": 4}))
    special_requests = forms.CharField(
        label=_("Special requests of the customer"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if visit is not None:
            customer = visit.membership.customer
            self.fields["contact"].queryset = Contact.objects.filter(customer=customer, is_active=True).order_by(
                "-is_primary", "name"
            )
            if not self.is_bound:
                self.initial.setdefault("content", visit.membership.tier.service_content)
                self.initial.setdefault("expected_version", visit.version)
                day = max(visit.planned_on, timezone.localdate())
                self.initial.setdefault(
                    "agreed_at", timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))).strftime("%Y-%m-%dT%H:%M")
                )

    def clean(self):
        data = super().clean()
        if not data.get("contact") and not (data.get("contact_name") or "").strip():
            self.add_error("contact_name", _("Whom at the customer did you tell (the lab head)?"))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class RetierForm(forms.Form):
    year = forms.IntegerField(
        label=_("Purchase volumes of the year"), min_value=policies.FIRST_YEAR, max_value=policies.LAST_YEAR
    )
