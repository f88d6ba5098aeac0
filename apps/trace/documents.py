"""The field safety notice letter (现场安全通知) as a PDF (apps.core.pdf), for staff to print,
fax or hand over, and for the customer on the acknowledgement page. Addressed to one recipient
(its affected products and an acknowledgement slip) or, without one, the general letter."""

from django.conf import settings

from apps.core.pdf import render_pdf
from apps.trace.models import FieldNotice, NoticeRecipient


def notice_letter_pdf(notice: FieldNotice, *, recipient: NoticeRecipient | None = None, request=None) -> bytes:
    lots = list(notice.lots.select_related("item").order_by("item__code", "lot_no"))
    instruments = list(notice.instruments.select_related("model").order_by("serial_no"))
    return render_pdf(
        "trace/pdf/notice_letter.html",
        {
            "notice": notice,
            "recipient": recipient,
            "lots": lots,
            "instruments": instruments,
            "company_name": getattr(settings, "COMPANY_NAME", ""),
            "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
        },
        request=request,
    )


def pdf_filename(notice: FieldNotice, recipient: NoticeRecipient | None = None) -> str:
    suffix = f"-{recipient.customer.code}" if recipient is not None else ""
    return f"field-safety-notice-{notice.number}{suffix}.pdf"
