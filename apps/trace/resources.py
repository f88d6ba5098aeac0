"""Deliveries in Excel (commerce / logistics keep them in spreadsheets before the order module
writes them): Chinese headers, natural keys. One row per delivery line, matched on delivery note
+ item + lot + serial number (the same file imported twice changes nothing); the import is all or
nothing, and a bad row is named with its Excel row number."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.instance_loaders import ModelInstanceLoader

from apps.catalog.models import CatalogItem, Lot
from apps.core.imports import DateWidget, IntegerWidget, LookupWidget, RecordResource, column
from apps.customers.models import Customer, Dealer
from apps.trace.models import Delivery

ITEM = "物料编码"
INACTIVE = gettext_lazy("is deactivated")


def _key_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


item_widget = LookupWidget(CatalogItem, "code", limit={"is_active": True}, limit_reason=INACTIVE)


class DeliveryResource(RecordResource):
    delivered_on = column("delivered_on", "发货日期", DateWidget())
    customer = column(
        "customer", "客户编码", LookupWidget(Customer, "code", limit={"is_active": True}, limit_reason=INACTIVE)
    )
    customer_name = column("customer__name", "客户名称", readonly=True)
    item = column("item", ITEM, item_widget)
    item_name = column("item__name", "物料名称", readonly=True)
    lot = column(
        "lot",
        "批号",
        LookupWidget(
            Lot,
            "lot_no",
            limit={"is_active": True},
            limit_reason=INACTIVE,
            parent_column=ITEM,
            parent_widget=item_widget,
            parent_field="item",
        ),
    )
    serial_no = column("serial_no", "序列号")
    quantity = column("quantity", "数量", IntegerWidget(), default=1)
    document_no = column("document_no", "发货单号")
    dealer = column(
        "dealer", "经销商编码", LookupWidget(Dealer, "code", limit={"is_active": True}, limit_reason=INACTIVE)
    )
    note = column("note", "备注")

    required_fields = ("delivered_on", "customer", "document_no")
    sheet_title = "发货记录"
    KEY = ("document_no", "item", "lot", "serial_no")

    class Meta:
        model = Delivery
        import_id_fields = ("document_no", "item", "lot", "serial_no")
        # Several key columns: the cached loader of the base class handles only one.
        instance_loader_class = ModelInstanceLoader
        fields = (
            "delivered_on",
            "customer",
            "customer_name",
            "item",
            "item_name",
            "lot",
            "serial_no",
            "quantity",
            "document_no",
            "dealer",
            "note",
        )
        export_order = fields
        import_order = fields

    def before_import_row(self, row, **kwargs):
        # One delivery line twice in a file would silently overwrite: the later row is an error.
        # (The base class checks each key column alone; a delivery note has many lines.)
        key = tuple(_key_text(row.get(self.fields[name].column_name)) for name in self.KEY)
        if not key[0]:
            return
        number = self.excel_row(kwargs.get("row_number", 0))
        first = self.seen_ids.setdefault(("line", key), number)
        if first != number:
            columns = "/".join(self.fields[name].column_name for name in self.KEY)
            raise ValidationError(
                {
                    "document_no": ValidationError(
                        _('%(column)s "%(value)s" also appears in row %(row)s')
                        % {"column": columns, "value": "/".join(key), "row": first},
                        code="cell",
                    )
                }
            )
