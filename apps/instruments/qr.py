"""QR codes for the installed base (SPEC MD-4: a QR code for self-service fault reporting)."""

import io

import segno
from django.conf import settings
from django.urls import reverse


def report_url(instrument, request=None) -> str:
    """Absolute URL a sticker on the analyser points at (/r/<token>/).

    A printed sticker outlives the host name an engineer happened to use, so a configured
    PUBLIC_BASE_URL (e.g. https://service.example.cn) wins over the request's host.
    """
    path = reverse("instruments:instrument_report", args=[instrument.qr_token])
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        return f"{base}{path}"
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def qr_svg(data: str, *, title: str = "") -> bytes:
    """An SVG QR code; always a full QR (phones' scanners, WeChat included, do not read Micro QR)."""
    code = segno.make_qr(data, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title=title or None)
    return buffer.getvalue()
