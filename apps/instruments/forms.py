from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import InstrumentModel
from apps.core.forms import VersionedModelForm
from apps.core.ids import parse_id
from apps.core.widgets import SearchSelect
from apps.customers.models import Customer, Dealer, Department
from apps.customers.selectors import customer_scope_q
from apps.instruments.models import Instrument


def _active_or_current(queryset, current_pk):
    """Active rows, plus the one already chosen (so editing a unit of a retired model still works)."""
    return queryset.filter(Q(is_active=True) | Q(pk=current_pk)) if current_pk else queryset.filter(is_active=True)


class InstrumentForm(VersionedModelForm):
    class Meta:
        model = Instrument
        fields = [
            "serial_no", "model", "customer", "department", "ownership", "dealer", "install_date",
            "acceptance_date", "warranty_months", "contract_no", "status", "notes",
        ]
        widgets = {
            # Tens of thousands of customers: search on the server as the user types.
            "customer": SearchSelect("customers:customer_lookup"),
            "install_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "acceptance_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            # SPEC WO-10: warranty runs from acceptance, not from installation.
            "acceptance_date": _("Warranty starts on the acceptance date."),
            "warranty_months": _("Warranty period of the contract; the warranty end is computed on save."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        # Only customers the user serves; the service checks the same rule (SPEC §0 scoping).
        customers = Customer.objects.all() if user is None else Customer.objects.filter(customer_scope_q(user))
        self.fields["customer"].queryset = customers
        self.fields["customer"].error_messages["invalid_choice"] = _("Choose a customer you serve.")
        self.fields["model"].queryset = _active_or_current(InstrumentModel.objects.all(), instance.model_id)
        self.fields["dealer"].queryset = _active_or_current(Dealer.objects.all(), instance.dealer_id)
        self.fields["dealer"].help_text = _("Only for dealer-placed instruments.")

        # Departments of the chosen customer only (never a list of every hospital's 检验科);
        # picking another customer reloads them through htmx.
        customer_id = self._chosen_customer_id()
        departments = Department.objects.filter(customer_id=customer_id, customer__in=customers)
        self.fields["department"].queryset = _active_or_current(
            departments.select_related("customer").order_by("name"), instance.department_id
        )
        if customer_id is None:
            self.fields["department"].help_text = _("Choose the customer first.")
        self.fields["customer"].widget.attrs.update(
            {
                "hx-get": reverse("customers:department_options"),
                "hx-trigger": "change",
                "hx-target": "#id_department",
                "hx-swap": "innerHTML",
            }
        )

    def _chosen_customer_id(self):
        raw = self.data.get("customer") if self.is_bound else None
        if raw is None:
            raw = self.initial.get("customer") or (self.instance.customer_id if self.instance.pk else None)
        return parse_id(raw)
