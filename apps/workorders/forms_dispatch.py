"""The dispatch form (SPEC WO-4 … WO-6, WO-15): pick an engineer, give the reason, record who
agreed to serve a customer in arrears. It only validates; the service decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.models import User

REASON_LABELS = {
    "dispatch": _("Note for the engineer"),
    "emergency": _("Why this cannot wait (who gave the superior's nod)"),
    "reallocate": _("Why the job is re-allocated (local sales are told)"),
}


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        regions = "、".join(r.name for r in obj.regions.all())
        return f"{obj} · {regions}" if regions else str(obj)


class DispatchForm(forms.Form):
    """`engineer` comes from the ranked suggestions (radio buttons); `other_engineer` from the
    list of every active field engineer — when both are given, the explicit pick in the list wins."""

    engineer = forms.ModelChoiceField(queryset=User.objects.none(), required=False, widget=forms.RadioSelect)
    other_engineer = EngineerChoiceField(
        label=_("Another engineer"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    reason = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    arrears_agreement = forms.CharField(
        label=_("Customer in arrears: who (sales or the company) agreed to serve, and how"),
        max_length=255,
        required=False,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, mode: str, facts, exclude_pk=None, **kwargs):
        super().__init__(*args, **kwargs)
        engineers = User.objects.filter(role=Role.ENGINEER, is_active=True)
        if exclude_pk:
            engineers = engineers.exclude(pk=exclude_pk)
        self.fields["engineer"].queryset = engineers
        self.fields["other_engineer"].queryset = engineers.prefetch_related("regions").order_by("name", "username")
        self.fields["reason"].label = REASON_LABELS[mode]
        self.fields["reason"].required = facts.reason_required
        if not facts.needs_arrears_agreement:
            del self.fields["arrears_agreement"]
        else:
            self.fields["arrears_agreement"].required = True
        self.fields["expected_version"].error_messages["required"] = _(
            "This form is out of date; reload the page and dispatch again."
        )

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("other_engineer") or cleaned.get("engineer")
        if chosen is None and not self.has_error("engineer") and not self.has_error("other_engineer"):
            self.add_error("engineer", _("Choose the engineer."))
        cleaned["chosen_engineer"] = chosen
        return cleaned
