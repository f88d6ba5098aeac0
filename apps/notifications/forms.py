from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.forms import VersionedModelForm
from apps.notifications.models import WebhookEndpoint


def _formfield(field, **kwargs):
    # Robot addresses are https; a typed address without a scheme gets https (Django 6 default).
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class WebhookEndpointForm(VersionedModelForm):
    """The secret is never shown again: left empty on an edit it keeps its value."""

    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "kind", "url", "secret"]
        formfield_callback = _formfield
        widgets = {"secret": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.secret:
            self.fields["secret"].help_text = _("A secret is set. Leave empty to keep it.")
        else:
            del self.fields["clear_secret"]

    def service_data(self) -> dict:
        data = super().service_data()
        if self.instance.pk and not data.get("secret"):
            if self.cleaned_data.get("clear_secret"):
                data["secret"] = ""
            else:
                data.pop("secret", None)
        return data
