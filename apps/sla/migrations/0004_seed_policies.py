"""The time limits of SPEC §3 and WO-2 every installation starts with (numbers: apps.sla.policies)."""

from django.db import migrations

from apps.sla.policies import SEED_POLICIES


def create(apps, schema_editor):
    BusinessCalendar = apps.get_model("sla", "BusinessCalendar")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    calendars = {c.code: c for c in BusinessCalendar.objects.all()}
    for seed in SEED_POLICIES:
        SlaPolicy.objects.get_or_create(
            code=seed.code,
            defaults={
                "name": seed.name,
                "description": seed.description,
                "duration": seed.duration,
                "warn_before": seed.warn_before,
                "escalate_role": seed.escalate_role,
                # A 24×7 calendar an installation removed falls back to the default calendar.
                "calendar": calendars.get(seed.calendar_code) if seed.calendar_code else None,
            },
        )


def remove(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    SlaPolicy.objects.filter(code__in=[seed.code for seed in SEED_POLICIES], clocks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_clocks")]

    operations = [migrations.RunPython(create, remove)]
