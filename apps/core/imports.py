"""Excel export and import of master data (issue #2 "Import and export").

How a company moves off its old spreadsheets:

- each app declares a resource (apps/<app>/resources.py): fixed Chinese column headers, choices
  by Chinese label or code, foreign keys by natural key (code, username, region name);
- `RecordExportView` streams the rows the user may see (the app's selector), filtered like the
  list page, as .xlsx;
- `RecordImportView`: upload → preview (a dry run in a transaction that is rolled back, every
  error with its Excel row number) → confirm (the same import for real, all-or-nothing).

Built on django-import-export; the widgets here replace its own so that every message a user
reads goes through our gettext catalogue, and a bad cell is a clear row error, never a 500.
"""

import copy
import datetime as dt
import io
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db.models import NOT_PROVIDED
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.generic import TemplateView, View
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import CachedInstanceLoader
from import_export.results import RowResult

from apps.core.access import sees_internal_notes
from apps.core.forms import ImportForm
from apps.core.views import ResourceMixin

logger = logging.getLogger(__name__)

# Limits of one upload: enough for a province's installed base, small enough for one request.
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
# Uploads nobody confirmed are removed after a day.
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
# The preview table shows this many rows; the error list is always complete.
PREVIEW_ROWS = 200

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGE_REASON = gettext_noop("Excel import")  # stored as the key; shown translated


def normalise_header(value) -> str:
    """'负责销售（用户名） ' and '负责销售(用户名)' are the same column."""
    if value is None:
        return ""
    text = str(value).replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text)


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _cell_text(value) -> str:
    """A cell as text: 12345.0 (Excel's number) → '12345', a date → '2024-03-01'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


# --- widgets: one cell ⇄ one Python value --------------------------------------------------
#
# A widget's clean() raises ValueError with a predicate about the cell ('"深川" does not exist in
# 广东省'); the resource puts the column header in front ('城市 "深川" does not exist in 广东省').


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _cell_text(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IntegerWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(_('"%(value)s" is not a whole number') % {"value": value})
        if isinstance(value, int):
            return value
        try:
            number = Decimal(_cell_text(value).replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise ValueError(_('"%(value)s" is not a whole number') % {"value": _cell_text(value)})
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalWidget(widgets.Widget):
    def __init__(self, places: int, **kwargs):
        self.quantum = Decimal(1).scaleb(-places)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        try:
            # str() first: Excel hands over binary floats (23.1 → 23.100000000000001).
            number = Decimal(_cell_text(value).replace(",", ""))
            if not number.is_finite():
                raise InvalidOperation
            return number.quantize(self.quantum, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            raise ValueError(_('"%(value)s" is not a number') % {"value": _cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return value


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = _cell_text(value)
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(_('"%(value)s" is not a date (write it like 2024-03-01)') % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value


class BooleanWidget(widgets.Widget):
    TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t", "有"}
    FALSE = {"否", "n", "no", "false", "0", "×", "x", "f", "无"}

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        if isinstance(value, bool):
            return value
        text = _cell_text(value).lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_('"%(value)s" is neither 是 nor 否') % {"value": _cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "是" if value else "否"


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label or its code; exported as the Chinese label.

    The Chinese labels are a fixed table here, not gettext: the file's format must not depend
    on the catalogue or on the language the user happens to browse in.
    """

    def __init__(self, choices, zh_labels: dict, **kwargs):
        if set(zh_labels) != set(choices.values):
            raise ImproperlyConfigured(f"Chinese labels of {choices.__name__} do not match its choices.")
        self.choices = choices
        self.zh_labels = dict(zh_labels)
        self.tables: dict = {}
        super().__init__(**kwargs)

    def _lookup(self) -> dict:
        language = translation.get_language()
        if language not in self.tables:
            self.tables[language] = self._build_lookup()
        return self.tables[language]

    def _build_lookup(self) -> dict:
        table = {}
        for code, label in self.choices.choices:
            names = {code, self.zh_labels[code], str(label)}
            with translation.override("en"):
                names.add(str(label))
            for name in names:
                table[normalise_header(name).lower()] = code
        return table

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        code = self._lookup().get(normalise_header(_cell_text(value)).lower())
        if code is None:
            raise ValueError(
                _('"%(value)s" is not one of: %(options)s')
                % {"value": _cell_text(value), "options": "、".join(self.zh_labels.values())}
            )
        return code

    def render(self, value, obj=None, **kwargs):
        return self.zh_labels.get(value, value or "")


class LookupWidget(widgets.Widget):
    """A foreign key by a natural key (a code, a username, a region's name).

    `limit` narrows the rows that may be chosen (the same rules as the edit form); a value that
    exists but falls outside gets `limit_reason` ("is not an active sales user").
    `parent_column`/`parent_widget`/`parent_field` look the value up within another cell's
    record (a city within the row's province, a department within the row's customer).
    `allow_prefix` accepts a unique prefix ("广东" for 广东省).
    """

    def __init__(
        self,
        model,
        field: str,
        *,
        limit=None,
        limit_reason=None,
        parent_column=None,
        parent_widget=None,
        parent_field=None,
        allow_prefix=False,
        **kwargs,
    ):
        self.model = model
        self.field = field
        self.limit = dict(limit or {})
        self.limit_reason = limit_reason
        self.parent_column = parent_column
        self.parent_widget = parent_widget
        self.parent_field = parent_field
        self.allow_prefix = allow_prefix
        self.cache: dict = {}
        super().__init__(**kwargs)

    def __deepcopy__(self, memo):
        # Each import gets its own lookup cache (a resource deep-copies its fields per instance).
        clone = copy.copy(self)
        memo[id(self)] = clone
        clone.cache = {}
        clone.parent_widget = copy.deepcopy(self.parent_widget, memo)
        return clone

    def _find(self, text, parent, limited=True):
        manager = self.model._default_manager
        base = manager.filter(**{self.parent_field: parent}) if parent is not None else manager.all()
        matches = list(base.filter(**{self.field: text})[:2])
        if len(matches) > 1:
            # Ambiguous (北京市 is a province and a city): the structural part of `limit`
            # decides; activity is checked below, for the precise reason.
            structural = {k: v for k, v in self.limit.items() if not k.startswith("is_active")}
            base = base.filter(**structural)
            matches = list(base.filter(**{self.field: text})[:2])
        if not matches and self.allow_prefix:
            matches = list(base.filter(**{f"{self.field}__startswith": text})[:2])
        if len(matches) != 1:
            where = {"value": text, "parent": parent}
            if parent is not None:
                return _('"%(value)s" does not exist in %(parent)s') % where
            return _('"%(value)s" does not exist') % where
        obj = matches[0]
        if limited and self.limit and not manager.filter(pk=obj.pk, **self.limit).exists():
            return _('"%(value)s" %(reason)s') % {"value": text, "reason": self.limit_reason}
        return obj

    def clean(self, value, row=None, current_pk=None, **kwargs):
        if _is_blank(value):
            return None
        text = _cell_text(value)
        parent = None
        if self.parent_column:
            try:
                parent = self.parent_widget.clean((row or {}).get(self.parent_column), row=row)
            except ValueError:
                parent = None
            if parent is None:
                raise ValueError(
                    _('"%(value)s" cannot be checked without a valid %(column)s')
                    % {"value": text, "column": self.parent_column}
                )
        key = (text, getattr(parent, "pk", None))
        if key not in self.cache:
            self.cache[key] = self._find(text, parent)
        found = self.cache[key]
        if isinstance(found, str):
            if current_pk is not None:
                unchanged = self._find(text, parent, limited=False)
                if getattr(unchanged, "pk", None) == current_pk:
                    return unchanged
            raise ValueError(found)
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.field)


class CodeListWidget(widgets.ManyToManyWidget):
    """A many-to-many by codes in one cell: 'YH-30, YH-50' (also ，、; or spaces between)."""

    SEPARATORS = re.compile(r"[,，、;；\n]+")  # not spaces: "Beckman AU5800" is one code

    def __init__(self, model, field: str = "code", **kwargs):
        super().__init__(model, separator=",", field=field, **kwargs)

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return []
        codes = [c.strip() for c in self.SEPARATORS.split(_cell_text(value)) if c.strip()]
        found = {getattr(o, self.field): o for o in self.model._default_manager.filter(**{f"{self.field}__in": codes})}
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValueError(_('"%(value)s" does not exist') % {"value": ", ".join(missing)})
        return list(dict.fromkeys(found[c] for c in codes))

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ",".join(sorted(str(getattr(o, self.field)) for o in value.all()))


def column(attribute: str, header: str, widget=None, *, default=NOT_PROVIDED, readonly=False) -> Field:
    """One column of a resource; `default` fills an empty cell (the model field's default)."""
    return Field(
        attribute=attribute, column_name=header, widget=widget or TextWidget(), default=default, readonly=readonly
    )


# --- resources ---------------------------------------------------------------------------


class RecordResource(resources.ModelResource):
    """Base of every Excel resource.

    Rows are matched by `import_id_fields` (a code or a serial number): existing rows are
    updated, others created. Every row goes through the model's full_clean (field rules and
    unique checks) and is saved with the importing user and the reason "Excel import" in the
    audit trail; an update bumps `version` so a form opened before the import sees a conflict.
    """

    # Field names whose columns the file must have.
    required_fields: tuple[str, ...] = ()
    sheet_title = "Sheet1"

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True
        instance_loader_class = CachedInstanceLoader

    def __init__(self, *, actor=None, row_numbers=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.row_numbers = row_numbers or []
        self.seen_ids: dict = {}

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # Tell lookups what the record links to now: an unchanged link to a since-deactivated
        # row (a sales person who left) stays valid, as it does in the edit form.
        current = getattr(instance, f"{field.attribute}_id", None) if instance.pk and field.attribute else None
        return super().import_field(field, instance, row, is_m2m, current_pk=current, **kwargs)

    def export_field(self, field, instance, **kwargs):
        # Company-internal columns (e.g. the arrears note) stay empty in a dealer's export.
        internal = getattr(self._meta.model, "INTERNAL_FIELDS", ())
        if field.attribute in internal and not sees_internal_notes(self.actor):
            return ""
        return super().export_field(field, instance, **kwargs)

    @classmethod
    def column_headers(cls) -> list[str]:
        return [f.column_name for f in cls.fields.values()]

    @classmethod
    def required_headers(cls) -> list[str]:
        return [cls.fields[name].column_name for name in cls.required_fields]

    @classmethod
    def import_headers(cls) -> list[tuple[str, bool]]:
        """(header, required) of the columns an import reads."""
        required = set(cls.required_headers())
        return [(f.column_name, f.column_name in required) for f in cls.fields.values() if not f.readonly]

    def get_queryset(self):
        # Lock the rows an import updates (a no-op on SQLite, whose write lock is taken at BEGIN).
        return self._meta.model._default_manager.select_for_update()

    def excel_row(self, index: int) -> int:
        """Dataset row 1 is Excel row 2 unless blank lines were skipped."""
        if 0 < index <= len(self.row_numbers):
            return self.row_numbers[index - 1]
        return index + 1

    def before_import_row(self, row, **kwargs):
        # Two rows for the same code would silently overwrite each other: the later one is an error.
        for name in self.get_import_id_fields():
            f = self.fields[name]
            key = _cell_text(row.get(f.column_name))
            if not key:
                continue
            number = self.excel_row(kwargs.get("row_number", 0))
            first = self.seen_ids.setdefault((name, key), number)
            if first != number:
                raise ValidationError(
                    {
                        f.attribute: ValidationError(
                            _('%(column)s "%(value)s" also appears in row %(row)s')
                            % {"column": f.column_name, "value": key, "row": first},
                            code="cell",
                        )
                    }
                )

    def import_instance(self, instance, row, **kwargs):
        """Like the library's, but errors name their column and many-to-many cells are checked too."""
        errors = {}
        for f in self.get_import_fields():
            if f.column_name not in row or f.readonly:
                continue
            try:
                if isinstance(f.widget, widgets.ManyToManyWidget):
                    f.clean(row)  # saved later by save_m2m; check it now
                else:
                    self.import_field(f, instance, row, **kwargs)
            except ValueError as error:
                errors[f.attribute] = ValidationError(f"{f.column_name} {error}", code="cell")
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        # Audit trail (simple-history): who imported, and why the row changed.
        instance._history_user = self.actor
        instance._change_reason = CHANGE_REASON
        if instance.pk is not None:
            instance.version += 1

    def export_queryset(self, queryset):
        """Hook: related rows an export needs in bulk (e.g. prefetch a many-to-many)."""
        return queryset


# --- reading the uploaded workbook ----------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be imported (wrong type, unreadable, columns missing)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple]
    row_numbers: list[int]  # the Excel row of each data row (the header is row 1)
    ignored_headers: list[str] = field(default_factory=list)


def read_sheet(fileobj, *, resource_class, filename: str = "") -> Sheet:
    """The first worksheet: row 1 holds the headers, blank rows are skipped (row numbers kept)."""
    if filename and not filename.lower().endswith(".xlsx"):
        raise ImportFileError(
            _("Only Excel workbooks (.xlsx) can be imported; save “%(name)s” as .xlsx and upload it again.")
            % {"name": filename}
        )
    fileobj.seek(0)
    if fileobj.read(4) != b"PK\x03\x04":
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx) or it is damaged."))
    fileobj.seek(0)
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # a damaged or disguised file: openpyxl raises many kinds
        logger.info("unreadable workbook %s", filename, exc_info=True)
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx) or it is damaged."))
    try:
        worksheet = workbook.worksheets[0]
        # Some programs write a wrong "used range"; read every cell rather than trust it.
        worksheet.reset_dimensions()
        lines = worksheet.iter_rows(min_row=1, values_only=True)
        header_cells = next(lines, None) or ()
        headers = [normalise_header(h) for h in header_cells]
        rows, numbers = [], []
        for number, cells in enumerate(lines, start=2):
            if all(_is_blank(c) for c in cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows; split it into smaller files.") % {"max": MAX_IMPORT_ROWS}
                )
            cells = tuple(cells)[: len(headers)]
            rows.append(cells + (None,) * (len(headers) - len(cells)))
            numbers.append(number)
    except ImportFileError:
        raise
    except Exception:
        logger.info("unreadable worksheet %s", filename, exc_info=True)
        raise ImportFileError(_("This file is not an Excel workbook (.xlsx) or it is damaged."))
    finally:
        workbook.close()

    # Columns without a header are ignored; a header twice is ambiguous.
    keep = [i for i, h in enumerate(headers) if h]
    named = [headers[i] for i in keep]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise ImportFileError(
            _("These columns appear more than once in row 1: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    missing = [h for h in resource_class.required_headers() if h not in named]
    if missing:
        raise ImportFileError(
            _(
                "Row 1 of the file lacks these columns: %(columns)s. "
                "The first row must hold the column headers (download an export to see them)."
            )
            % {"columns": ", ".join(missing)}
        )
    if not rows:
        raise ImportFileError(_("The file has no data rows below the headers."))
    known = set(resource_class.column_headers())
    return Sheet(
        headers=named,
        rows=[tuple(r[i] for i in keep) for r in rows],
        row_numbers=numbers,
        ignored_headers=[h for h in named if h not in known],
    )


# --- running an import -------------------------------------------------------------------

STATUS_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("New"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("Updated"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("Unchanged"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("Error"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("Error"),
}


@dataclass
class RowReport:
    number: int
    status: str
    values: list
    errors: list[str]

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_error(self) -> bool:
        return bool(self.errors)


@dataclass
class ImportReport:
    headers: list[str]
    rows: list[RowReport]
    errors: list[str]  # every problem, "Row 57: 城市 "深川" does not exist in 广东省"
    ignored_headers: list[str]
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def preview_rows(self) -> list[RowReport]:
        return self.rows[:PREVIEW_ROWS]


def _validation_messages(error: ValidationError, headers_by_attribute: dict) -> list[str]:
    texts = []
    if not hasattr(error, "error_dict"):
        return [str(m) for m in error.messages]
    for key, errs in error.error_dict.items():
        header = headers_by_attribute.get(key)
        for err in errs:
            for message in err.messages:
                if key == NON_FIELD_ERRORS or header is None or getattr(err, "code", None) == "cell":
                    texts.append(str(message))
                else:
                    texts.append(f"{header}: {message}")
    return texts


def _display(value) -> str:
    return _cell_text(value)


def run_import(*, resource_class, sheet: Sheet, actor, dry_run: bool) -> ImportReport:
    """Import the sheet in one transaction; on any error, or when `dry_run`, nothing is kept."""
    import tablib

    dataset = tablib.Dataset(*sheet.rows, headers=sheet.headers)
    resource = resource_class(actor=actor, row_numbers=sheet.row_numbers)
    result = resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
        raise_errors=False,
    )
    headers_by_attribute = {f.attribute: f.column_name for f in resource.fields.values()}
    headers_by_attribute.update({name: f.column_name for name, f in resource.fields.items()})
    shown = [h for h in resource_class.column_headers() if h in sheet.headers]
    positions = [sheet.headers.index(h) for h in shown]

    report = ImportReport(headers=shown, rows=[], errors=[], ignored_headers=sheet.ignored_headers)
    for base_error in result.base_errors:
        logger.error("import failed: %r", base_error.error, exc_info=base_error.error)
        report.errors.append(_("The import failed: %(error)s") % {"error": base_error.error})
    for index, row_result in enumerate(result.rows):
        number = sheet.row_numbers[index] if index < len(sheet.row_numbers) else index + 2
        problems = []
        if row_result.validation_error is not None:
            problems += _validation_messages(row_result.validation_error, headers_by_attribute)
        for err in row_result.errors:
            logger.warning("import row %s failed: %r", number, err.error, exc_info=err.error)
            problems.append(_("the row could not be saved: %(error)s") % {"error": err.error})
        values = [_display(sheet.rows[index][p]) for p in positions] if index < len(sheet.rows) else []
        status = row_result.import_type
        report.rows.append(RowReport(number=number, status=status, values=values, errors=problems))
        if problems:
            report.failed += 1
            report.errors += [_("Row %(row)s: %(problem)s") % {"row": number, "problem": p} for p in problems]
        elif status == RowResult.IMPORT_TYPE_NEW:
            report.new += 1
        elif status == RowResult.IMPORT_TYPE_UPDATE:
            report.updated += 1
        elif status == RowResult.IMPORT_TYPE_SKIP:
            report.unchanged += 1
    return report


# --- writing a workbook --------------------------------------------------------------------


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def write_workbook(*, resource, queryset) -> io.BytesIO:
    """Headers in bold, frozen below row 1; dates as Excel dates; values as the resource renders them."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=resource.sheet_title)
    headers = resource.get_export_headers()
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for obj in resource.iter_queryset(resource.export_queryset(queryset)):
        cells = []
        for value in resource.export_resource(obj):
            if isinstance(value, dt.date):
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
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


# --- views ---------------------------------------------------------------------------------


class RecordExportView(ResourceMixin, View):
    """GET: the rows of the list page (same selector, same filters) as <filename_stem>-YYYYMMDD.xlsx.

    Declared per app: resource, url_prefix, model, selector, filterset_class, resource_class,
    filename_stem.
    """

    action = "view"
    resource_class: type[RecordResource] = None
    filterset_class = None
    filename_stem = "export"

    def get(self, request, *args, **kwargs):
        queryset = self.scoped_queryset()
        filterset = self.filterset_class(request.GET, queryset=queryset, request=request)
        # Like the list page (FilterView, strict): invalid filters show nothing.
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        with translation.override("zh-hans"):
            buffer = write_workbook(resource=self.resource_class(actor=request.user), queryset=rows)
        filename = f"{self.filename_stem}-{timezone.localdate():%Y%m%d}.xlsx"
        return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_uploads() -> None:
    cutoff = time.time() - UPLOAD_MAX_AGE_SECONDS
    for path in imports_dir().glob("*.xlsx*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


class RecordImportView(ResourceMixin, TemplateView):
    """Upload → preview → confirm, on one URL.

    - POST file: checked (type, readable, headers), kept under DATA_DIR/imports/<token>.xlsx,
      the token remembered in this user's session; redirect to ?token=<token>.
    - GET ?token=: the preview — a dry run rolled back, counts, the first rows, every error.
    - POST token + confirm: the import for real, all-or-nothing; the file is deleted.
    - POST token + cancel: the file is deleted.
    Only the session that uploaded a file can preview or confirm it.
    """

    action = "import"
    resource_class: type[RecordResource] = None
    template_name = "core/import.html"
    preview_template_name = "core/import_preview.html"
    SESSION_KEY = "imports"

    # --- the upload remembered in the session ---

    def _uploads(self) -> dict:
        return self.request.session.get(self.SESSION_KEY, {})

    def _token(self, raw) -> str | None:
        try:
            token = uuid.UUID(str(raw)).hex
        except ValueError:
            return None
        upload = self._uploads().get(token)
        if not upload or upload.get("resource") != self.url_prefix:
            return None
        return token

    def _forget(self, token) -> None:
        uploads = dict(self._uploads())
        uploads.pop(token, None)
        self.request.session[self.SESSION_KEY] = uploads

    @staticmethod
    def _path(token) -> Path:
        return imports_dir() / f"{token}.xlsx"

    def _refuse(self):
        messages.error(
            self.request,
            _("This upload has expired or was made by someone else; nothing was imported. Upload the file again."),
        )
        return HttpResponseRedirect(self.request.path)

    def _sheet(self, path: Path, filename: str) -> Sheet:
        with path.open("rb") as handle:
            return read_sheet(handle, resource_class=self.resource_class, filename=filename)

    # --- pages ---

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            title=_("Import %(models)s from Excel") % {"models": self.model._meta.verbose_name_plural},
            columns=self.resource_class.import_headers(),
            max_rows=MAX_IMPORT_ROWS,
        )
        return ctx

    def get(self, request, *args, **kwargs):
        if "token" not in request.GET:
            return self.render_upload(ImportForm())
        token = self._token(request.GET["token"])
        path = self._path(token) if token else None
        if not token or not path.exists():
            return self._refuse()
        filename = self._uploads()[token].get("filename", "")
        try:
            sheet = self._sheet(path, filename)
        except ImportFileError as error:
            return self.render_upload(ImportForm(), error=error.message)
        report = run_import(resource_class=self.resource_class, sheet=sheet, actor=request.user, dry_run=True)
        return self.render_preview(report, token=token, filename=filename)

    def post(self, request, *args, **kwargs):
        if "token" in request.POST:
            return self.confirm(request.POST["token"], cancel="cancel" in request.POST)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_upload(form)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            return self.render_upload(
                form, error=_("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        try:
            read_sheet(upload, resource_class=self.resource_class, filename=upload.name)
        except ImportFileError as error:
            return self.render_upload(form, error=error.message)
        _remove_stale_uploads()
        token = uuid.uuid4().hex
        upload.seek(0)
        with self._path(token).open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        uploads = dict(self._uploads())
        uploads[token] = {"resource": self.url_prefix, "filename": upload.name, "at": timezone.now().isoformat()}
        request.session[self.SESSION_KEY] = uploads
        return HttpResponseRedirect(f"{request.path}?token={token}")

    def confirm(self, raw_token, *, cancel: bool):
        token = self._token(raw_token)
        if not token:
            return self._refuse()
        filename = self._uploads()[token].get("filename", "")
        self._forget(token)
        path = self._path(token)
        # Claim the file: of two clicks on "Import", only one gets to run.
        claimed = path.with_suffix(".xlsx.running")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return self._refuse()
        try:
            if cancel:
                messages.info(self.request, _("Import cancelled; nothing was imported."))
                return HttpResponseRedirect(self.list_url())
            sheet = self._sheet(claimed, filename)
            report = run_import(resource_class=self.resource_class, sheet=sheet, actor=self.request.user, dry_run=False)
        except ImportFileError as error:
            return self.render_upload(ImportForm(), error=error.message)
        finally:
            claimed.unlink(missing_ok=True)
        if not report.ok:
            # The data changed since the preview: everything was rolled back.
            return self.render_preview(report, token=None, filename=filename)
        messages.success(
            self.request,
            _("Imported %(new)s new, updated %(updated)s (%(unchanged)s unchanged).")
            % {"new": report.new, "updated": report.updated, "unchanged": report.unchanged},
        )
        return HttpResponseRedirect(self.list_url())

    def list_url(self) -> str:
        return reverse(f"{self.url_prefix}_list")

    def render_upload(self, form, error=None):
        form.fields["file"].widget.attrs["accept"] = f".xlsx,{XLSX_CONTENT_TYPE}"
        ctx = self.get_context_data(form=form, file_error=error)
        return render(self.request, self.template_name, ctx)

    def render_preview(self, report: ImportReport, *, token, filename):
        ctx = self.get_context_data(report=report, token=token, filename=filename)
        return render(self.request, self.preview_template_name, ctx)
