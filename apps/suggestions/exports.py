"""The suggestion list as an Excel workbook, written by apps.core.imports.write_workbook (bold
headers, Excel dates, typed text never a live formula) in Chinese like every export."""

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.access import personal_data_for
from apps.suggestions import policies


class SuggestionSheet:
    """The columns of the export (the shape write_workbook reads)."""

    def __init__(self, *, user):
        self.user = user
        self.sheet_title = str(_("Suggestions"))[:31]
        self._columns = self.columns()  # built once, in the export's language

    def columns(self):
        return [
            (_("Number"), lambda s: s.number),
            (_("Received"), lambda s: s.received_on),
            (_("From"), lambda s: str(s.get_source_display())),
            (_("Customer"), lambda s: s.customer.name if s.customer_id else ""),
            (_("Made by"), lambda s: s.submitter_name),
            (_("Contact"), lambda s: personal_data_for(self.user, phone=s.submitter_contact)[0]),
            (_("Category"), lambda s: str(s.get_category_display())),
            (_("Suggestion in one line"), lambda s: s.title),
            (_("Suggestion"), lambda s: s.content),
            (_("Status"), lambda s: str(s.get_status_display())),
            (_("Discussed with"), lambda s: "、".join(s.department_labels)),
            (_("Decision"), lambda s: str(s.get_decision_display())),
            (_("Conclusion"), lambda s: s.decision_text),
            (_("Decided by"), lambda s: str(s.decided_by or "")),
            (_("Letter"), lambda s: s.letter_number),
            (_("Letter date"), lambda s: s.letter_date),
            (_("Recorded by"), lambda s: str(s.received_by)),
            (_("Withdrawn because"), lambda s: s.withdraw_reason),
        ]

    def get_export_headers(self) -> list[str]:
        return [str(header) for header, _value in self._columns]

    def export_queryset(self, queryset):
        return queryset[: policies.EXPORT_MAX_ROWS]

    def iter_queryset(self, queryset):
        return queryset.iterator(chunk_size=500)

    def export_resource(self, suggestion) -> list:
        return [value(suggestion) for _header, value in self._columns]


def filename() -> str:
    return f"suggestions-{timezone.localdate():%Y%m%d}.xlsx"
