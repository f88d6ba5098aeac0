"""The monthly report as an Excel workbook (SPEC FU-6, RP-1): sheet 1 the project table (新增客户
项目开展表) with each month's check, sheet 2 the month's survival rates. Written in Chinese, like
every export, with openpyxl's write-only mode."""

import io

from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.imports import FORMULA_PREFIXES, XLSX_CONTENT_TYPE
from apps.survival import selectors

__all__ = ["XLSX_CONTENT_TYPE", "report_workbook"]

EXPORT_LANGUAGE = "zh-hans"


class Percent(float):
    """A share written as a percentage cell (0.8 shows as 80.0%)."""


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
    import datetime as dt

    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, Percent):
            cell = WriteOnlyCell(sheet, value=float(value))
            cell.number_format = "0.0%"
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


def _yes_no(value) -> str:
    if value is None:
        return ""
    return str(_("yes") if value else _("no"))


def report_workbook(*, projects, month) -> io.BytesIO:
    import openpyxl

    rows = list(selectors.report_projects(projects))
    months = selectors.month_columns(rows)
    rows = selectors.with_month_cells(rows, months)
    report = selectors.survival_report(projects=projects, month=month)
    workbook = openpyxl.Workbook(write_only=True)
    with translation.override(EXPORT_LANGUAGE):
        headers = [
            _("Customer"),
            _("Project"),
            _("Reagent"),
            _("Instrument"),
            _("Engineer"),
            _("Sales"),
            _("Region"),
            _("Went live"),
            _("State"),
        ]
        for n in range(1, months + 1):
            headers += [
                _("Month %(n)s due") % {"n": n},
                _("Month %(n)s in use") % {"n": n},
                _("Month %(n)s usage") % {"n": n},
                _("Month %(n)s usage unit") % {"n": n},
                _("Month %(n)s shipment (kits)") % {"n": n},
                _("Month %(n)s method") % {"n": n},
                _("Month %(n)s reason not in use") % {"n": n},
            ]
        sheet = _sheet(workbook, str(_("New projects")), headers)
        for project in rows:
            values = [
                project.customer.name,
                project.name,
                str(project.item or ""),
                str(project.instrument or ""),
                str(project.engineer),
                str(project.sales or ""),
                str(project.region or ""),
                project.started_on,
                str(project.get_state_display()),
            ]
            for check in project.cells:
                if check is None:
                    values += [None, "", None, "", None, "", ""]
                    continue
                recorded = check.recorded
                values += [
                    check.due_on,
                    _yes_no(check.in_use) if recorded else "",
                    check.usage if recorded else None,
                    str(check.get_usage_unit_display()) if recorded and check.usage is not None else "",
                    check.shipment if recorded else None,
                    str(check.get_method_display()) if recorded else "",
                    check.reason if recorded else "",
                ]
            _row(sheet, values)

        rates = _sheet(
            workbook,
            str(_("Survival rate")),
            [
                _("Group"),
                _("Name"),
                _("Tracked"),
                _("In use"),
                _("Not in use"),
                _("Not checked"),
                _("Checked this month"),
                _("Survival rate"),
            ],
        )
        groups = [
            (_("Month %(month)s") % {"month": f"{report.month:%Y-%m}"}, [report.overall]),
            (_("Region"), report.regions),
            (_("Engineer"), report.engineers),
            (_("Trend"), report.trend),
        ]
        for group, items in groups:
            for rate in items:
                _row(
                    rates,
                    [
                        str(group),
                        rate.label,
                        rate.tracked,
                        rate.in_use,
                        rate.not_in_use,
                        rate.unchecked,
                        rate.checked_this_month,
                        Percent(rate.rate) if rate.rate is not None else None,
                    ],
                )
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
