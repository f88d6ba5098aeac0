from django.db import migrations

from apps.core.migrations_util import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_audit_m2m")]
    operations = [
        trigram_indexes(
            ("catalogitem_name_trgm", "catalog_catalogitem", "name"),
            ("lot_number_trgm", "catalog_lot", "lot_no"),
        )
    ]
