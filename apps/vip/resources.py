"""Purchase volumes in Excel: commerce keeps them in a spreadsheet (客户编码, 年度, 进货额). One row
per customer and year, matched on both; Chinese headers like every other import."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.instance_loaders import ModelInstanceLoader

from apps.core.imports import DecimalWidget, IntegerWidget, LookupWidget, RecordResource, column
from apps.customers.models import Customer
from apps.vip.models import PurchaseVolume


def _key_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class PurchaseVolumeResource(RecordResource):
    customer = column(
        "customer",
        "客户编码",
        LookupWidget(Customer, "code", limit={"is_active": True}, limit_reason=gettext_lazy("is deactivated")),
    )
    customer_name = column("customer__name", "客户名称", readonly=True)
    year = column("year", "年度", IntegerWidget())
    amount = column("amount", "进货额(元)", DecimalWidget(places=2))
    note = column("note", "备注")

    required_fields = ("customer", "year", "amount")
    sheet_title = "客户进货额"

    class Meta:
        model = PurchaseVolume
        import_id_fields = ("customer", "year")
        # Two key columns: the cached loader of the base class handles only one.
        instance_loader_class = ModelInstanceLoader
        fields = ("customer", "customer_name", "year", "amount", "note")
        export_order = fields
        import_order = fields

    def before_import_row(self, row, **kwargs):
        # One customer and year twice in a file would silently overwrite: the later row is an error.
        key = tuple(_key_text(row.get(self.fields[name].column_name)) for name in ("customer", "year"))
        if not all(key):
            return
        number = self.excel_row(kwargs.get("row_number", 0))
        first = self.seen_ids.setdefault(("customer_year", key), number)
        if first != number:
            raise ValidationError(
                {
                    "year": ValidationError(
                        _('%(column)s "%(value)s" also appears in row %(row)s')
                        % {
                            "column": f"{self.fields['customer'].column_name}/{self.fields['year'].column_name}",
                            "value": "/".join(key),
                            "row": first,
                        },
                        code="cell",
                    )
                }
            )
