from django import forms
from django.utils.translation import gettext_lazy as _


class VersionedModelForm(forms.ModelForm):
    """A model form that remembers which version of the record the user started from.

    The form only validates; the service does the write and refuses a stale version.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["expected_version"].initial = self.instance.version

    def service_data(self) -> dict:
        """Cleaned values of the model's own (non-m2m) fields."""
        m2m = {f.name for f in self._meta.model._meta.many_to_many}
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "expected_version" and name not in m2m and name in self._meta.fields
        }

    def service_m2m(self) -> dict:
        m2m = {f.name for f in self._meta.model._meta.many_to_many}
        return {name: value for name, value in self.cleaned_data.items() if name in m2m}


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, widget=forms.TextInput)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
