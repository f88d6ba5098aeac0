"""The installed base in Excel (issue #2 "Import and export"): Chinese headers, natural keys."""

from django.utils.translation import gettext_lazy as _

from apps.catalog.models import InstrumentModel
from apps.core.imports import ChoiceWidget, DateWidget, IntegerWidget, LookupWidget, RecordResource, column
from apps.customers.models import Customer, Dealer, Department
from apps.instruments.choices import InstrumentStatus, Ownership
from apps.instruments.models import Instrument

OWNERSHIP_ZH = {
    Ownership.CUSTOMER: "客户自有",
    Ownership.COMPANY: "公司投放",
    Ownership.DEALER: "经销商投放",
}
STATUS_ZH = {
    InstrumentStatus.INSTALLING: "装机中",
    InstrumentStatus.IN_USE: "在用",
    InstrumentStatus.IDLE: "闲置",
    InstrumentStatus.UNDER_REPAIR: "维修中",
    InstrumentStatus.RETURNED: "已退回",
    InstrumentStatus.SCRAPPED: "已报废",
}

CUSTOMER = "客户编码"
customer_widget = LookupWidget(Customer, "code", limit={"is_active": True}, limit_reason=_("is deactivated"))


def _default(name):
    return Instrument._meta.get_field(name).default


class InstrumentResource(RecordResource):
    """One row per analyser, matched by 序列号. 保修截止 is exported only (computed, SPEC WO-10)."""

    serial_no = column("serial_no", "序列号")
    model = column(
        "model",
        "型号编码",
        LookupWidget(InstrumentModel, "code", limit={"is_active": True}, limit_reason=_("is deactivated")),
    )
    customer = column("customer", CUSTOMER, customer_widget)
    department = column(
        "department",
        "科室",
        LookupWidget(
            Department,
            "name",
            limit={"is_active": True},
            limit_reason=_("is deactivated"),
            parent_column=CUSTOMER,
            parent_widget=customer_widget,
            parent_field="customer",
        ),
    )
    ownership = column("ownership", "归属", ChoiceWidget(Ownership, OWNERSHIP_ZH), default=_default("ownership"))
    dealer = column(
        "dealer",
        "投放经销商编码",
        LookupWidget(Dealer, "code", limit={"is_active": True}, limit_reason=_("is deactivated")),
    )
    install_date = column("install_date", "装机日期", DateWidget())
    acceptance_date = column("acceptance_date", "验收日期", DateWidget())
    contract_no = column("contract_no", "合同号")
    warranty_months = column("warranty_months", "保修月数", IntegerWidget(), default=_default("warranty_months"))
    warranty_end = column("warranty_end", "保修截止", DateWidget(), readonly=True)
    status = column("status", "状态", ChoiceWidget(InstrumentStatus, STATUS_ZH), default=_default("status"))
    notes = column("notes", "备注")

    required_fields = ("serial_no", "model", "customer")
    sheet_title = "设备档案"

    class Meta:
        model = Instrument
        import_id_fields = ("serial_no",)
        fields = (
            "serial_no", "model", "customer", "department", "ownership", "dealer", "install_date",
            "acceptance_date", "contract_no", "warranty_months", "warranty_end", "status", "notes",
        )
        export_order = fields
        import_order = fields
