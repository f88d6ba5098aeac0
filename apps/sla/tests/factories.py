import datetime as dt

import factory

from apps.accounts.choices import Role
from apps.sla.choices import CalendarMode, DayKind
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    """A business-hours calendar 08:30–12:00, 13:30–17:30 (not the default: the migration's
    "office" calendar is); `BusinessCalendarFactory(round_the_clock=True)` for a 24×7 one."""

    class Meta:
        model = BusinessCalendar

    code = factory.Sequence(lambda n: f"cal{n}")
    name = factory.Sequence(lambda n: f"服务日历 {n}")
    mode = CalendarMode.BUSINESS_HOURS
    morning_start = dt.time(8, 30)
    morning_end = dt.time(12, 0)
    afternoon_start = dt.time(13, 30)
    afternoon_end = dt.time(17, 30)

    class Params:
        round_the_clock = factory.Trait(
            mode=CalendarMode.ROUND_THE_CLOCK,
            morning_start=None,
            morning_end=None,
            afternoon_start=None,
            afternoon_end=None,
        )


class DayOverrideFactory(factory.django.DjangoModelFactory):
    """A holiday for every calendar on 2027-01-01 unless told otherwise."""

    class Meta:
        model = DayOverride

    calendar = None
    date = dt.date(2027, 1, 1)
    kind = DayKind.HOLIDAY
    name = "元旦"


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    """A 4-hour time limit on the default calendar, warning 1 hour before, escalating to the
    supervisor (the seeded policies of SPEC §3 exist too: SlaPolicy.objects.get(code=…))."""

    class Meta:
        model = SlaPolicy

    code = factory.Sequence(lambda n: f"test_policy_{n}")
    name = factory.Sequence(lambda n: f"Test time limit {n}")
    duration = dt.timedelta(hours=4)
    warn_before = dt.timedelta(hours=1)
    escalate_role = Role.SUPERVISOR
    calendar = None
