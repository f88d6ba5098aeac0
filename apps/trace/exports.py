"""The trace as an Excel workbook (issue 5): one sheet per question — customers and deliveries,
instruments, complaints, service records, notices. In Chinese like every export, written with
openpyxl's write-only mode; every row of the trace (no page limit)."""

import datetime as dt
import io

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.core.imports import FORMULA_PREFIXES, XLSX_CONTENT_TYPE
from apps.trace.selectors import Trace

__all__ = ["XLSX_CONTENT_TYPE", "trace_workbook"]

EXPORT_LANGUAGE = "zh-hans"


def _sheet(workbook, title: str, headers: list[str]):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    return sheet


def _row(sheet, values) -> None:
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).replace(tzinfo=None)
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        elif isinstance(value, dt.date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        elif isinstance(value, str) and value[:1] in FORMULA_PREFIXES:
            # Text a user typed is never a live formula in the exported sheet.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)


def trace_workbook(trace: Trace) -> io.BytesIO:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    with translation.override(EXPORT_LANGUAGE):
        sheet = _sheet(
            workbook,
            _("Deliveries"),
            [
                _("Customer code"),
                _("Customer"),
                _("Delivered on"),
                _("Item / instrument"),
                _("Quantity"),
                _("Delivery note / order"),
                _("Dealer"),
                _("Note"),
            ],
        )
        for d in trace.deliveries:
            _row(
                sheet,
                [
                    d.customer.code,
                    d.customer.name,
                    d.delivered_on,
                    d.what,
                    d.quantity,
                    d.document_no,
                    d.dealer.name if d.dealer_id else "",
                    d.note,
                ],
            )
        sheet = _sheet(
            workbook,
            _("Instruments"),
            [_("Serial number"), _("Model"), _("Customer"), _("Status"), _("Install date"), _("Warranty end")],
        )
        for unit in trace.instruments:
            _row(
                sheet,
                [
                    unit.serial_no,
                    f"{unit.model.code} {unit.model.name}",
                    unit.customer.name,
                    str(unit.get_status_display()),
                    unit.install_date,
                    unit.warranty_end,
                ],
            )
        sheet = _sheet(
            workbook,
            _("Complaints"),
            [_("Number"), _("Received"), _("Customer"), _("Complaint"), _("Status")],
        )
        for c in trace.complaints:
            _row(
                sheet,
                [
                    c.number,
                    c.received_at,
                    c.customer.name if c.customer_id else c.complainant_name,
                    c.summary,
                    str(c.get_status_display()),
                ],
            )
        sheet = _sheet(
            workbook,
            _("Service records"),
            [_("Number"), _("Registered"), _("Customer"), _("Instrument"), _("Status"), _("Problem description")],
        )
        for o in trace.work_orders:
            _row(
                sheet,
                [
                    o.number,
                    o.created_at,
                    o.customer.name,
                    o.instrument.serial_no if o.instrument_id else "",
                    str(o.get_status_display()),
                    o.description,
                ],
            )
        sheet = _sheet(
            workbook,
            _("Field safety notices"),
            [_("Number"), _("Title"), _("Class"), _("State"), _("Issued")],
        )
        for n in trace.notices:
            _row(
                sheet,
                [n.number, n.title, str(n.get_notice_class_display()), str(n.get_state_display()), n.issued_at],
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
