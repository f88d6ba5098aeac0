import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class RecordTable(tables.Table):
    is_active = tables.BooleanColumn(verbose_name=_("active"), yesno=("✔", "✘"))

    class Meta:
        attrs = {"class": "table"}
        empty_text = _("Nothing matches these filters.")
        per_page = 25
