"""The thank-you letter (感谢函, [S0 3.(四)二.3]) of an answered suggestion, rendered once to PDF with
apps.core.pdf in the company's language when the suggestion is answered; the stored bytes are
what is downloaded later."""

from django.conf import settings
from django.utils import translation

from apps.core.pdf import render_pdf


def company() -> dict:
    return {
        "company_name": getattr(settings, "COMPANY_NAME", ""),
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
    }


def letter_pdf(suggestion) -> bytes:
    """The letter of an answered suggestion (its letter fields set), in the default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_pdf("suggestions/pdf/letter.html", {"suggestion": suggestion, **company()})


def pdf_filename(suggestion) -> str:
    return f"{suggestion.letter_number or suggestion.number}.pdf"
