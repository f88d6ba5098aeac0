from django.db import migrations

from apps.core.migrations_util import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("instruments", "0002_warranty_bounds")]
    operations = [
        trigram_indexes(
            ("instrument_serial_trgm", "instruments_instrument", "serial_no"),
            ("instrument_contract_trgm", "instruments_instrument", "contract_no"),
        )
    ]
