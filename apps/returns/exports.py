"""The return / exchange list as an Excel workbook, written by apps.core.imports.write_workbook
(bold headers, Excel dates, typed text never a live formula) in Chinese like every export."""

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.access import personal_data_for, sees_internal_notes
from apps.returns import policies


class ReturnSheet:
    """The columns of the export (the shape write_workbook reads)."""

    def __init__(self, *, user):
        self.user = user
        self.sheet_title = str(_("Returns and exchanges"))[:31]
        self._columns = self.columns()  # built once, in the export's language

    def columns(self):
        internal = sees_internal_notes(self.user)
        return [
            (_("Number"), lambda r: r.number),
            (_("Applied"), lambda r: r.applied_on),
            (_("Status"), lambda r: str(r.get_status_display())),
            (_("Customer"), lambda r: r.customer.name),
            (_("Applicant"), lambda r: r.applicant_name),
            (_("Phone"), lambda r: personal_data_for(self.user, phone=r.applicant_phone)[0]),
            (_("Kind of product"), lambda r: str(r.get_product_kind_display())),
            (_("Product"), lambda r: r.product_name),
            (_("Serial number"), lambda r: r.serial_no),
            (_("Lot number"), lambda r: r.lot_no),
            (_("Quantity"), lambda r: r.quantity),
            (_("Bought on"), lambda r: r.purchased_on),
            (_("Invoice / delivery note"), lambda r: r.purchase_document),
            (_("Fault"), lambda r: r.fault_description),
            (_("Asks for"), lambda r: str(r.get_requested_remedy_display())),
            (_("Allowed period ends"), lambda r: r.period_ends_on),
            (_("Within the period"), lambda r: str(_("yes") if r.in_period else _("no"))),
            (_("Why accepted outside the period"), lambda r: r.override_reason),
            (_("Cause"), lambda r: r.cause),
            (_("Responsibility"), lambda r: str(r.get_responsibility_display())),
            (_("Remedy"), lambda r: str(r.get_remedy_display())),
            (_("Charged"), lambda r: str(_("yes") if r.chargeable else "") if r.remedy else ""),
            (_("Why a refund"), lambda r: r.refund_reason),
            (_("What was done"), lambda r: r.work_done),
            (_("Done on"), lambda r: r.completed_on),
            (_("Refund (yuan)"), lambda r: float(r.refund_amount) if r.refund_amount is not None else None),
            (_("Refund paid on"), lambda r: r.refund_paid_on),
            (_("Payment reference"), lambda r: r.refund_reference if internal else ""),
            (_("Why rejected"), lambda r: r.reject_reason),
            (_("Sales"), lambda r: str(r.sales or "")),
        ]

    def get_export_headers(self) -> list[str]:
        return [str(header) for header, _value in self._columns]

    def export_queryset(self, queryset):
        return queryset[: policies.EXPORT_MAX_ROWS]

    def iter_queryset(self, queryset):
        return queryset.iterator(chunk_size=500)

    def export_resource(self, return_request) -> list:
        return [value(return_request) for _header, value in self._columns]


def filename() -> str:
    return f"returns-{timezone.localdate():%Y%m%d}.xlsx"
