from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import RegionLevel, Role
from apps.accounts.models import Qualification, Region, User
from apps.catalog.models import InstrumentModel
from apps.core.forms import VersionedModelForm


class RegionForm(VersionedModelForm):
    class Meta:
        model = Region
        fields = ["name", "level", "parent", "code", "tier", "customer_manager"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.filter(level=RegionLevel.PROVINCE)
        self.fields["customer_manager"].queryset = User.objects.filter(role__in=[Role.CUSTOMER_MANAGER, Role.TECH_HEAD])
        self.limit_to_active("parent", "customer_manager")


class StaffForm(VersionedModelForm):
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = User
        fields = ["username", "name", "role", "phone", "email", "regions", "skill_groups", "dealer", "password"]
        widgets = {
            "regions": forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
            "skill_groups": forms.CheckboxSelectMultiple(attrs={"class": "checklist"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["regions"].queryset = Region.objects.select_related("parent")
        self.limit_to_active("regions", "dealer")
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            validate_password(password, self.instance if self.instance.pk else None)
        return password


class QualificationForm(VersionedModelForm):
    class Meta:
        model = Qualification
        fields = ["engineer", "instrument_model", "certificate_no", "valid_from", "valid_until"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = User.objects.filter(
            role__in=[Role.ENGINEER, Role.CUSTOMER_MANAGER, Role.SUPERVISOR]
        )
        self.fields["instrument_model"].queryset = InstrumentModel.objects.all()
        self.limit_to_active("engineer", "instrument_model")
