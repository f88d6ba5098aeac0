import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.forms import VersionedModelForm, active_or_current
from apps.sla import policies
from apps.sla.durations import duration_input, parse_duration_text
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BusinessCalendarForm(VersionedModelForm):
    class Meta:
        model = BusinessCalendar
        fields = [
            "code",
            "name",
            "mode",
            "morning_start",
            "morning_end",
            "afternoon_start",
            "afternoon_end",
            "is_default",
        ]
        widgets = {name: TIME_WIDGET for name in ("morning_start", "morning_end", "afternoon_start", "afternoon_end")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class DayOverrideForm(VersionedModelForm):
    class Meta:
        model = DayOverride
        fields = ["date", "kind", "name", "calendar"]
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Active calendars, plus the one an existing entry already names (so an edit keeps it).
        current = Q(pk=self.instance.calendar_id) if self.instance.calendar_id else Q(pk__in=[])
        self.fields["calendar"].queryset = BusinessCalendar.objects.filter(Q(is_active=True) | current)
        self.fields["calendar"].empty_label = _("Every calendar")


class DeadlineForm(forms.Form):
    """The deadline calculator on a calendar's page (a technical head checks a rule with it)."""

    start = forms.DateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
    )
    hours = forms.DecimalField(
        label=_("Duration (hours)"),
        min_value=Decimal("0.01"),
        max_value=policies.CALCULATOR_MAX_HOURS,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.25"}),
    )


class DurationTextField(forms.DurationField):
    """A duration typed the way people say it: "10 min", "4 h", "1 h 30 min", "48小时", "1:30"."""

    widget = forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Write a duration with its unit, e.g. 10 min, 4 h or 1 h 30 min."),
    }

    def prepare_value(self, value):
        if isinstance(value, dt.timedelta):
            return duration_input(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.timedelta):
            return value
        parsed = parse_duration_text(str(value))
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class SlaPolicyForm(VersionedModelForm):
    """A technical head tunes a time limit; its code stays (the programme starts clocks by it)."""

    duration = DurationTextField(label=_("time limit"), help_text=_("e.g. 10 min, 4 h, 48 h"))
    warn_before = DurationTextField(
        label=_("warn before"),
        required=False,
        help_text=_("Warn the person responsible when this much time is left; empty for no warning."),
    )

    class Meta:
        model = SlaPolicy
        fields = ["name", "description", "duration", "calendar", "warn_before", "escalate_role"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = [self.instance.calendar_id] if self.instance.calendar_id else []
        self.fields["calendar"].queryset = active_or_current(BusinessCalendar.objects.all(), current)
        self.fields["calendar"].empty_label = _("Default calendar")

    def clean_warn_before(self):
        return self.cleaned_data.get("warn_before") or dt.timedelta(0)
