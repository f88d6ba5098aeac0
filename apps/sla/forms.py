from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.core.forms import VersionedModelForm
from apps.sla import policies
from apps.sla.models import BusinessCalendar, DayOverride

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BusinessCalendarForm(VersionedModelForm):
    class Meta:
        model = BusinessCalendar
        fields = [
            "code", "name", "mode", "morning_start", "morning_end", "afternoon_start", "afternoon_end", "is_default",
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
