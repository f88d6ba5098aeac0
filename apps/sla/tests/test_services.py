import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory
from apps.core.exceptions import ConflictError
from apps.sla import services
from apps.sla.choices import CalendarMode, DayKind
from apps.sla.models import BusinessCalendar, DayOverride, SlaPolicy
from apps.sla.tests.factories import BusinessCalendarFactory, DayOverrideFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tech_head():
    return UserFactory(role=Role.TECH_HEAD)


@pytest.fixture
def office():
    return BusinessCalendar.objects.get(code="office")


def default_codes() -> list[str]:
    return list(BusinessCalendar.objects.filter(is_default=True).values_list("code", flat=True))


HOURS = {
    "morning_start": dt.time(9, 0),
    "morning_end": dt.time(12, 0),
    "afternoon_start": dt.time(13, 0),
    "afternoon_end": dt.time(18, 0),
}


# --- calendars -------------------------------------------------------------------------------


def test_it_creates_a_calendar_and_records_who_did_it(tech_head):
    calendar = services.calendar_create(
        actor=tech_head, data={"code": "lab", "name": "实验室", "mode": CalendarMode.BUSINESS_HOURS, **HOURS}
    )
    assert calendar.hours_display == "09:00–12:00, 13:00–18:00"
    assert not calendar.is_default
    assert calendar.history.get().history_user == tech_head


def test_a_new_default_calendar_takes_over_from_the_old_one_with_an_audit_row(tech_head, office):
    calendar = services.calendar_create(
        actor=tech_head, data={"code": "lab", "name": "实验室", "is_default": True, **HOURS}
    )
    assert default_codes() == ["lab"]
    office.refresh_from_db()
    assert office.version == 2
    latest = office.history.latest()
    assert latest.history_user == tech_head
    assert latest.history_change_reason == "Another calendar was made the default."
    assert calendar.is_default


def test_making_another_calendar_the_default_by_editing_it(tech_head, office):
    calendar = BusinessCalendarFactory()
    services.calendar_update(actor=tech_head, instance=calendar, data={"is_default": True}, expected_version=1)
    assert default_codes() == [calendar.code]


def test_the_default_cannot_simply_be_unset(tech_head, office):
    with pytest.raises(ValidationError) as excinfo:
        services.calendar_update(actor=tech_head, instance=office, data={"is_default": False}, expected_version=1)
    assert excinfo.value.message_dict["is_default"] == [
        "There must always be a default calendar: make another one the default instead."
    ]
    assert default_codes() == ["office"]


def test_a_stale_edit_moving_the_default_changes_nothing(tech_head, office):
    calendar = BusinessCalendarFactory()
    BusinessCalendar.objects.filter(pk=calendar.pk).update(version=2)
    with pytest.raises(ConflictError):
        services.calendar_update(actor=tech_head, instance=calendar, data={"is_default": True}, expected_version=1)
    assert default_codes() == ["office"]
    office.refresh_from_db()
    assert office.version == 1


def test_the_first_calendar_ever_becomes_the_default(tech_head):
    SlaPolicy.objects.all().delete()  # the seeded time limits name the 24×7 calendar
    BusinessCalendar.objects.all().delete()
    calendar = services.calendar_create(actor=tech_head, data={"code": "only", "name": "唯一", **HOURS})
    assert calendar.is_default


def test_the_default_calendar_cannot_be_deactivated(tech_head, office):
    with pytest.raises(ValidationError) as excinfo:
        services.calendar_set_active(actor=tech_head, instance=office, active=False, reason="不用了")
    assert excinfo.value.messages == [
        "The default calendar cannot be deactivated; make another calendar the default first."
    ]
    other = BusinessCalendar.objects.get(code="24x7")
    services.calendar_set_active(actor=tech_head, instance=other, active=False, reason="不用了")
    other.refresh_from_db()
    assert not other.is_active
    assert other.history.latest().history_change_reason == "不用了"


def test_an_inactive_calendar_cannot_become_the_default(tech_head):
    calendar = BusinessCalendarFactory(is_active=False)
    with pytest.raises(ValidationError) as excinfo:
        services.calendar_update(actor=tech_head, instance=calendar, data={"is_default": True}, expected_version=1)
    assert "is_default" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("hours", "field", "message"),
    [
        ({"morning_start": None}, "morning_start", "A business-hours calendar needs its first working period."),
        ({"morning_end": dt.time(8, 0)}, "morning_end", "A period must end after it starts."),
        ({"afternoon_end": None}, "afternoon_end", "Give both ends of the second period, or neither."),
        (
            {"afternoon_start": dt.time(11, 0)},
            "afternoon_start",
            "The second period must start after the first one ends.",
        ),
        ({"afternoon_end": dt.time(12, 30)}, "afternoon_end", "A period must end after it starts."),
    ],
)
def test_it_refuses_business_hours_that_make_no_sense(tech_head, hours, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.calendar_create(actor=tech_head, data={"code": "bad", "name": "错", **HOURS, **hours})
    assert excinfo.value.message_dict[field] == [message]
    assert not BusinessCalendar.objects.filter(code="bad").exists()


def test_a_24x7_calendar_needs_no_hours(tech_head):
    calendar = services.calendar_create(
        actor=tech_head, data={"code": "hotline", "name": "热线", "mode": CalendarMode.ROUND_THE_CLOCK}
    )
    assert calendar.hours_display == "24 hours a day, every day"


def test_a_calendar_with_one_period_is_fine(tech_head):
    calendar = services.calendar_create(
        actor=tech_head,
        data={"code": "half", "name": "半天", "morning_start": dt.time(9), "morning_end": dt.time(12)},
    )
    assert calendar.periods == [(dt.time(9), dt.time(12))]


# --- day overrides ---------------------------------------------------------------------------


def test_it_creates_an_override_for_every_calendar_with_its_history(tech_head):
    override = services.override_create(
        actor=tech_head, data={"date": dt.date(2027, 10, 1), "kind": DayKind.HOLIDAY, "name": "国庆节"}
    )
    assert override.calendar is None
    assert override.history.get().history_user == tech_head


def test_a_second_entry_for_the_same_date_and_calendar_is_refused_on_the_date(tech_head):
    DayOverrideFactory(date=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        services.override_create(
            actor=tech_head, data={"date": dt.date(2027, 1, 1), "kind": DayKind.WORKDAY, "name": "x"}
        )
    assert excinfo.value.message_dict == {"date": ["This date already has an active entry for this calendar."]}


def test_the_same_date_may_have_an_entry_per_calendar_and_after_a_deactivation(tech_head, office):
    old = DayOverrideFactory(date=dt.date(2027, 1, 1))
    services.override_create(
        actor=tech_head, data={"calendar": office, "date": dt.date(2027, 1, 1), "kind": DayKind.WORKDAY, "name": "值班"}
    )
    services.override_set_active(actor=tech_head, instance=old, active=False, reason="录错了")
    services.override_create(
        actor=tech_head, data={"date": dt.date(2027, 1, 1), "kind": DayKind.HOLIDAY, "name": "元旦"}
    )
    assert DayOverride.objects.filter(date=dt.date(2027, 1, 1), is_active=True).count() == 2
    # Reactivating the old entry would make two for the same date: refused.
    with pytest.raises(ValidationError):
        services.override_set_active(actor=tech_head, instance=old, active=True, reason="恢复")


def test_a_stale_override_edit_is_a_conflict(tech_head):
    override = DayOverrideFactory()
    DayOverride.objects.filter(pk=override.pk).update(version=2)
    with pytest.raises(ConflictError):
        services.override_update(actor=tech_head, instance=override, data={"name": "新"}, expected_version=1)
