from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Region, User
from apps.core.forms import VersionedModelForm
from apps.core.ids import parse_id
from apps.customers.models import Contact, Customer, Dealer, Department


class CustomerForm(VersionedModelForm):
    class Meta:
        model = Customer
        fields = [
            "code", "name", "kind", "grade", "province", "city", "district", "address", "latitude",
            "longitude", "responsible_sales", "responsible_engineer", "dealer", "tier",
            "product_line_usage", "in_arrears", "arrears_note", "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["province"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE)
        self.fields["city"].queryset = Region.objects.filter(level=RegionLevel.CITY).select_related("parent")
        self.fields["responsible_sales"].queryset = User.objects.filter(role=Role.SALES)
        self.fields["responsible_engineer"].queryset = User.objects.filter(
            role__in=[Role.ENGINEER, Role.CUSTOMER_MANAGER]
        )
        self.fields["dealer"].queryset = Dealer.objects.all()
        self.limit_to_active("province", "city", "responsible_sales", "responsible_engineer", "dealer")
        # Cities of the chosen province only; changing the province reloads them (htmx).
        province = parse_id(self.data.get("province") if self.is_bound else self.initial.get("province"))
        if province is not None:
            self.fields["city"].queryset = self.fields["city"].queryset.filter(parent_id=province)
        else:
            self.fields["city"].queryset = self.fields["city"].queryset.none()
            self.fields["city"].help_text = _("Choose the province first.")
        self.fields["province"].widget.attrs.update(
            {"hx-get": reverse("accounts:city_options"), "hx-trigger": "change", "hx-target": "#id_city"}
        )


class ContactForm(VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["customer", "department", "name", "role", "title", "mobile", "email", "is_primary"]

    def __init__(self, *args, user=None, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        customer = customer or (self.instance.customer if self.instance.pk else None)
        if customer is not None:
            self.fields["customer"].queryset = Customer.objects.filter(pk=customer.pk)
            self.fields["customer"].initial = customer.pk
            self.fields["customer"].widget = forms.HiddenInput()
            self.fields["department"].queryset = Department.objects.filter(customer=customer)
            self.limit_to_active("department")


class DepartmentForm(VersionedModelForm):
    class Meta:
        model = Department
        fields = ["customer", "name", "phone"]

    def __init__(self, *args, user=None, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        customer = customer or (self.instance.customer if self.instance.pk else None)
        if customer is not None:
            self.fields["customer"].queryset = Customer.objects.filter(pk=customer.pk)
            self.fields["customer"].initial = customer.pk
            self.fields["customer"].widget = forms.HiddenInput()


class DealerForm(VersionedModelForm):
    class Meta:
        model = Dealer
        fields = ["code", "name", "contact_person", "phone", "address", "regions"]
        widgets = {"regions": forms.CheckboxSelectMultiple(attrs={"class": "checklist"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.select_related("parent")
        self.limit_to_active("regions")
