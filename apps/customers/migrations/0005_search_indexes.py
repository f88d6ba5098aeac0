from django.db import migrations

from apps.core.migrations_util import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_coordinate_bounds")]
    operations = [
        trigram_indexes(
            ("customer_name_trgm", "customers_customer", "name"),
            ("customer_pinyin_trgm", "customers_customer", "name_pinyin"),
            ("customer_initials_trgm", "customers_customer", "name_initials"),
            ("contact_name_trgm", "customers_contact", "name"),
        )
    ]
