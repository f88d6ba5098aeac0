from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from apps.core import views as generic
from apps.core.dates import parse_day
from apps.sla import filters, forms, policies, selectors, services, tables
from apps.sla.calendar import CalendarError, hours_as_duration
from apps.sla.durations import format_duration
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy

# --- calendars -------------------------------------------------------------------------------


class CalendarMixin:
    resource = "calendar"
    url_prefix = "sla:calendar"
    model = BusinessCalendar
    selector = selectors.calendar_list


class CalendarListView(CalendarMixin, generic.RecordListView):
    filterset_class = filters.CalendarFilter
    table_class = tables.CalendarTable


class CalendarDetailView(CalendarMixin, generic.RecordDetailView):
    """The calendar, the next weeks day by day (SPEC SLA-5) and a deadline calculator."""

    template_name = "sla/calendar_detail.html"
    detail_fields = ("code", "name", "mode", "is_default")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        calendar = self.object
        ctx["facts"].insert(3, (_("business hours"), calendar.hours_display))
        today = timezone.localdate()
        # ?from=2027-01-01 shows another window (e.g. to check next year's entered schedule).
        first = parse_day(self.request.GET.get("from")) or today
        days = policies.PREVIEW_DAYS
        ctx.update(
            preview_days=days,
            preview_first=first,
            preview_earlier=first - timedelta(days=days),
            preview_later=first + timedelta(days=days),
            months=selectors.calendar_preview(calendar=calendar, first=first, days=days),
            today=today,
        )
        monday = today - timedelta(days=today.weekday())
        ctx["weekday_labels"] = [date_format(monday + timedelta(days=i), "D") for i in range(7)]
        form = forms.DeadlineForm(self.request.GET if "start" in self.request.GET else None)
        if form.is_valid():
            try:
                ctx["check"] = selectors.deadline_check(
                    calendar=calendar,
                    start=form.cleaned_data["start"],
                    duration=hours_as_duration(form.cleaned_data["hours"]),
                )
            except CalendarError as error:
                form.add_error(None, str(error))
        ctx["deadline_form"] = form
        return ctx


class CalendarCreateView(CalendarMixin, generic.RecordCreateView):
    form_class = forms.BusinessCalendarForm
    create_service = services.calendar_create


class CalendarUpdateView(CalendarMixin, generic.RecordUpdateView):
    form_class = forms.BusinessCalendarForm
    update_service = services.calendar_update


class CalendarDeactivateView(CalendarMixin, generic.RecordSetActiveView):
    set_active_service = services.calendar_set_active


class CalendarReactivateView(CalendarDeactivateView):
    activate = True


# --- day overrides ---------------------------------------------------------------------------


class OverrideMixin:
    resource = "calendar"
    url_prefix = "sla:override"
    model = DayOverride
    selector = selectors.override_list


class OverrideListView(OverrideMixin, generic.RecordListView):
    filterset_class = filters.DayOverrideFilter
    table_class = tables.DayOverrideTable


class OverrideDetailView(OverrideMixin, generic.RecordDetailView):
    template_name = "sla/override_detail.html"
    detail_fields = ("date", "kind", "name", "calendar")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["facts"][3] = (ctx["facts"][3][0], self.object.calendar or _("every calendar"))
        ctx["without_override"] = selectors.day_without_overrides(calendar=self.object.calendar, day=self.object.date)
        return ctx


class OverrideCreateView(OverrideMixin, generic.RecordCreateView):
    form_class = forms.DayOverrideForm
    create_service = services.override_create
    prefill_from_query = ("calendar",)

    def get_initial(self):
        # "Override this day" on a calendar's page arrives with ?date=…&calendar=….
        initial = super().get_initial()
        day = parse_day(self.request.GET.get("date"))
        if day is not None:
            initial["date"] = day
        return initial


class OverrideUpdateView(OverrideMixin, generic.RecordUpdateView):
    form_class = forms.DayOverrideForm
    update_service = services.override_update


class OverrideDeactivateView(OverrideMixin, generic.RecordSetActiveView):
    set_active_service = services.override_set_active


class OverrideReactivateView(OverrideDeactivateView):
    activate = True


# --- time limits (SPEC §3) -------------------------------------------------------------------


class PolicyMixin:
    resource = "sla_policy"
    url_prefix = "sla:policy"
    model = SlaPolicy
    selector = selectors.policy_list


class PolicyListView(PolicyMixin, generic.RecordListView):
    filterset_class = filters.SlaPolicyFilter
    table_class = tables.SlaPolicyTable


class PolicyDetailView(PolicyMixin, generic.RecordDetailView):
    detail_fields = ("code", "name", "description", "duration", "calendar", "warn_before", "escalate_role")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        policy = self.object
        shown = {
            "name": policy.label,
            "description": policy.description_label or "—",
            "duration": format_duration(policy.duration),
            "calendar": policy.calendar or _("default calendar"),
            "warn_before": format_duration(policy.warn_before) if policy.warn_before else _("no warning"),
        }
        pairs = zip(ctx["facts"], self.detail_fields, strict=True)
        ctx["facts"] = [(label, shown.get(name, value)) for (label, value), name in pairs]
        return ctx


class PolicyUpdateView(PolicyMixin, generic.RecordUpdateView):
    form_class = forms.SlaPolicyForm
    update_service = services.policy_update


class PolicyDeactivateView(PolicyMixin, generic.RecordSetActiveView):
    set_active_service = services.policy_set_active


class PolicyReactivateView(PolicyDeactivateView):
    activate = True
