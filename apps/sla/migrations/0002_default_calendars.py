"""The two calendars every installation starts with (SPEC SLA-5): office hours (the default) and 24×7."""

import datetime as dt

from django.db import migrations

CALENDARS = [
    {
        "code": "office",
        "name": "工作时间",
        "mode": "business_hours",
        "morning_start": dt.time(8, 30),
        "morning_end": dt.time(12, 0),
        "afternoon_start": dt.time(13, 30),
        "afternoon_end": dt.time(17, 30),
        "is_default": True,
    },
    {"code": "24x7", "name": "全天候 (7×24)", "mode": "round_the_clock", "is_default": False},
]


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    has_default = BusinessCalendar.objects.filter(is_default=True).exists()
    for row in CALENDARS:
        row = dict(row, is_default=row["is_default"] and not has_default)
        BusinessCalendar.objects.get_or_create(code=row["code"], defaults=row)


def remove(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    BusinessCalendar.objects.filter(code__in=[row["code"] for row in CALENDARS], overrides__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
