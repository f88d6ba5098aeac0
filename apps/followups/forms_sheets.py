"""Forms of the follow-up sheet pages (FU-4) and of the rules table (FU-1).

They only parse and validate input; the services (apps.followups.services) decide and write.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apps.accounts.choices import Role
from apps.core.forms import VersionedModelForm
from apps.followups.choices import SheetState, Stage
from apps.followups.models import FollowUpRule
from apps.followups.services import LEADERS, week_of

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Who can have a follow-up sheet: whoever calls customers (FU-4: 回访人).
CALLER_ROLES = (Role.ENGINEER, Role.CLERK, *sorted(LEADERS))


# --- rules table (FU-1) ------------------------------------------------------------------------


class FollowUpRuleForm(VersionedModelForm):
    """An admin or the technical head adds or changes one line of the rules table. The model's
    clean() checks what belongs together (a regular follow-up needs its interval and horizon)."""

    class Meta:
        model = FollowUpRule
        fields = [
            "job",
            "sequence",
            "stage",
            "offset",
            "unit",
            "channel",
            "assignee_role",
            "questionnaire",
            "interval_days",
            "horizon_days",
            "note",
        ]
        widgets = {
            "offset": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "interval_days": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "horizon_days": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # "Planned by hand" is how a caller schedules one follow-up himself, not a rule.
        self.fields["stage"].choices = [c for c in Stage.choices if c[0] != Stage.MANUAL]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stage") != Stage.RECURRING:
            # Only regular follow-ups repeat: other stages keep no stale interval.
            cleaned["interval_days"] = 0
            cleaned["horizon_days"] = 0
        return cleaned


# --- the follow-up sheet (FU-4) ----------------------------------------------------------------


class SheetFilterForm(forms.Form):
    """The sheet list's filters: state, and for leaders whose sheets."""

    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *SheetState.choices])
    caller = forms.ModelChoiceField(
        label=pgettext_lazy("follow-up", "Caller"), required=False, queryset=None, empty_label=_("Everybody")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.accounts.models import User

        if user.role in LEADERS:
            self.fields["caller"].queryset = User.objects.filter(role__in=CALLER_ROLES).order_by("name", "username")
        else:
            del self.fields["caller"]


class SheetCreateForm(forms.Form):
    """A new sheet: the period (this week unless changed) and, for leaders, whose calls."""

    period_start = forms.DateField(label=_("From"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Until"), widget=DATE_WIDGET)
    caller = forms.ModelChoiceField(label=pgettext_lazy("follow-up", "Caller"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from apps.accounts.models import User

        self.user = user
        start, end = week_of(timezone.localdate())
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end
        if user.role in LEADERS:
            field = self.fields["caller"]
            field.queryset = User.objects.filter(is_active=True, role__in=CALLER_ROLES).order_by("name", "username")
            field.initial = user.pk
            field.required = True
            field.help_text = _("The person whose follow-ups the sheet lists.")
        else:
            del self.fields["caller"]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "caller": data.get("caller") or self.user,
            "period_start": data["period_start"],
            "period_end": data["period_end"],
        }


class SheetActionForm(forms.Form):
    """Submit, review, return or sign: the version the page showed and, where needed, a comment."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, comment_label=None, comment_max=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].error_messages["required"] = _(
            "This form is out of date; reload the page and apply your changes again."
        )
        if comment_max:
            # A one-line note (the department head's) instead of a free text.
            self.fields["comment"] = forms.CharField(label=_("Comments"), required=False, max_length=comment_max)
        if comment_label:
            self.fields["comment"].label = comment_label
