"""The printable documents of a case (SPEC SQ-2, SQ-3): the quality feedback form (质量反馈表)
and the thank-you / reply letter (感谢函 / 回复函), rendered to PDF with apps.core.pdf from the
rows as issued (the rows are never changed after issue, so a re-print says the same)."""

from django.conf import settings

from apps.core.pdf import render_pdf
from apps.surveys.models import CaseLetter, QualityFeedbackForm


def _company() -> dict:
    return {
        "company_name": getattr(settings, "COMPANY_NAME", ""),
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
    }


def quality_form_pdf(form: QualityFeedbackForm, *, request=None) -> bytes:
    case = form.case
    return render_pdf(
        "surveys/pdf/quality_form.html",
        {"form": form, "case": case, "survey": case.survey, **_company()},
        request=request,
    )


def letter_pdf(letter: CaseLetter, *, request=None) -> bytes:
    case = letter.case
    return render_pdf(
        "surveys/pdf/letter.html",
        {"letter": letter, "case": case, "survey": case.survey, **_company()},
        request=request,
    )


def pdf_filename(prefix: str, number: str) -> str:
    return f"{prefix}-{number}.pdf"
