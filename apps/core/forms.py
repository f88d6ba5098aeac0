from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.ids import parse_id


def _impossible_id(value) -> bool:
    """Looks like a number but cannot be an id (e.g. 2**70): the field should call it invalid."""
    text = value.strip().lstrip("-") if isinstance(value, str) else ""
    return text.isdigit() and parse_id(value) is None


class VersionedModelForm(forms.ModelForm):
    """A model form that remembers which version of the record the user started from.

    The form only validates; the service does the write and refuses a stale version.
    """

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self._neutralise_impossible_ids()
        if self.instance.pk:
            # An edit must say which version it started from, or it could overwrite blindly.
            self.fields["expected_version"].required = True
            self.fields["expected_version"].error_messages["required"] = _(
                "This form is out of date; reload the page and apply your changes again."
            )
            if not self.is_bound:
                self.fields["expected_version"].initial = self.instance.version

    def _neutralise_impossible_ids(self) -> None:
        """An id beyond what the database can hold becomes an ordinary "invalid choice" error
        (SQLite would otherwise overflow while looking it up)."""
        data = None
        for name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            key = self.add_prefix(name)
            values = self.data.getlist(key) if hasattr(self.data, "getlist") else [self.data.get(key)]
            if any(_impossible_id(v) for v in values):
                data = data or self.data.copy()
                cleaned = ["invalid" if _impossible_id(v) else v for v in values]
                if hasattr(data, "setlist"):
                    data.setlist(key, cleaned)
                else:
                    data[key] = cleaned[0]
        if data is not None:
            self.data = data

    def limit_to_active(self, *names: str) -> None:
        """Offer only active rows in these choice fields, plus whatever the record already links
        to — so editing a record never silently clears a link to a since-deactivated row."""
        for name in names:
            field = self.fields[name]
            current = self.initial.get(name) if self.instance.pk else None
            if hasattr(current, "__iter__") and not isinstance(current, str):
                current = [getattr(v, "pk", v) for v in current]
            elif current is not None:
                current = [getattr(current, "pk", current)]
            field.queryset = active_or_current(field.queryset, current or [])

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


def active_or_current(queryset, current_pks):
    return queryset.filter(Q(is_active=True) | Q(pk__in=list(current_pks)))


# simple-history keeps a change reason in 100 characters.
REASON_MAX_LENGTH = 100


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.TextInput)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
