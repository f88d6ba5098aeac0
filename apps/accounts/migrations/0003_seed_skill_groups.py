from django.db import migrations

CODES = ["app_reagent", "app_verification", "app_qc", "hw_poct", "hw_hba1c", "hw_biochem_maint", "hw_biochem_repair"]


def seed(apps, schema_editor):
    SkillGroup = apps.get_model("accounts", "SkillGroup")
    for code in CODES:
        SkillGroup.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
