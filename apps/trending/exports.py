"""The trend report as an Excel workbook (SPEC CP-7, RP-1): one row per value, one column per
month, the total and the threshold; cells at or over the threshold filled red. Written in Chinese,
like every export, with openpyxl's write-only mode."""

import io

from django.utils import translation
from django.utils.translation import gettext as _

from apps.core.imports import FORMULA_PREFIXES, XLSX_CONTENT_TYPE
from apps.trending.choices import Dimension, Source

__all__ = ["XLSX_CONTENT_TYPE", "trend_workbook"]

EXPORT_LANGUAGE = "zh-hans"
OVER_FILL = "F8D7DA"  # the page's "over the threshold" red, lightened for print


def _text(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if value[:1] in FORMULA_PREFIXES:
        cell.data_type = "s"  # a lot number typed as "=…" is never a live formula
    return cell


def trend_workbook(table) -> io.BytesIO:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    with translation.override(EXPORT_LANGUAGE):
        title = f"{Source(table.source).label} · {Dimension(table.dimension).label}"
        sheet = workbook.create_sheet(title=str(_("Trend"))[:31])
        sheet.column_dimensions["A"].width = 36
        for i in range(len(table.months) + 2):
            sheet.column_dimensions[get_column_letter(i + 2)].width = 10
        sheet.freeze_panes = "B2"
        bold = Font(bold=True)
        over_fill = PatternFill("solid", start_color=OVER_FILL, end_color=OVER_FILL)
        headers = [title, *(f"{m:%Y-%m}" for m in table.months), str(_("Total")), str(_("Threshold"))]
        row = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            row.append(cell)
        sheet.append(row)
        for trend_row in table.rows:
            cells = [_text(sheet, trend_row.label)]
            for month_cell in trend_row.cells:
                cell = WriteOnlyCell(sheet, value=month_cell.count)
                if month_cell.over:
                    cell.fill = over_fill
                    cell.font = bold
                cells.append(cell)
            cells += [trend_row.total, trend_row.limit]
            sheet.append(cells)
        totals = [WriteOnlyCell(sheet, value=str(_("Total")))]
        totals[0].font = bold
        sheet.append([*totals, *table.month_totals, sum(table.month_totals), None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
