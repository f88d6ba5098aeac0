"""Django templates rendered to PDF with WeasyPrint, in a Chinese font that ships with the
project (SPEC WO-12: the signed service report is frozen as a PDF — hash, signer, time).

    from apps.core.pdf import content_hash, render_pdf

    data = render_pdf("workorders/pdf/service_report.html", {"order": order}, request=request)
    digest = content_hash(data)  # store both; re-rendering later gives other bytes

A report template extends ``core/pdf/base.html``. Every PDF gets, whatever its template, the
embedded Noto Sans SC subset (static/fonts/, built by scripts/build_font_subset.py), A4 pages
and a translated "page n of m" footer; the template's own CSS can override all of it.

Rendering never touches the network: http(s) URLs are refused (an image from the Internet is
simply left out), ``data:`` URLs are allowed — pass a signature or photo as
``data:image/png;base64,…`` — and ``file:`` URLs only inside the project's static folders,
so a value that ends up in a template can never pull a server file into a PDF.
"""

import hashlib
import logging
from pathlib import Path
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# WeasyPrint narrates each step at INFO (already while importing) and fontTools, its fallback
# font subsetter, lists every table it prunes: keep that out of the server log unless LOGGING
# configures these loggers.
for _logger_name in ("weasyprint.progress", "fontTools"):
    if logging.getLogger(_logger_name).level == logging.NOTSET:
        logging.getLogger(_logger_name).setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

# The family name the PDF CSS uses; unique, so a system-installed Noto never stands in for it.
PDF_FONT_FAMILY = "Noto Sans SC Report"
PDF_FONT_FILES = {
    "normal": "fonts/NotoSansSC-Regular-subset.otf",
    "bold": "fonts/NotoSansSC-Bold-subset.otf",
}


def content_hash(data: bytes) -> str:
    """The SHA-256 of a frozen document, as 64 lowercase hex digits."""
    return hashlib.sha256(data).hexdigest()


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    """Render a Django template to PDF bytes (in the active language)."""
    html = render_to_string(template_name, context or {}, request=request)
    fetcher = OfflineURLFetcher(allowed_roots=_static_roots())
    font_config = FontConfiguration()
    base_css = CSS(string=_base_css(), font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, base_url=_static_roots()[0].as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[base_css], font_config=font_config)


class OfflineURLFetcher(URLFetcher):
    """Fetches ``data:`` URLs and ``file:`` URLs under ``allowed_roots``; refuses everything else
    (http, https, ftp …), so that rendering a PDF never reaches the Internet or a server file."""

    def __init__(self, *, allowed_roots: list[Path], **kwargs):
        super().__init__(allowed_protocols=("data", "file"), timeout=1, **kwargs)
        self.allowed_roots = [root.resolve() for root in allowed_roots]

    def fetch(self, url, headers=None):
        if url.lower().startswith("file:"):
            path = Path(url2pathname(url[len("file:") :].split("?")[0].split("#")[0])).resolve()
            if not any(path.is_relative_to(root) for root in self.allowed_roots):
                raise ValueError(f"file outside the static folders refused: {url}")
        return super().fetch(url, headers)


def _static_roots() -> list[Path]:
    """The project's static folders: the first one holds the fonts (see PDF_FONT_FILES)."""
    roots = [Path(entry[1] if isinstance(entry, tuple | list) else entry) for entry in settings.STATICFILES_DIRS]
    return roots or [Path(settings.BASE_DIR) / "static"]


def _font_url(static_path: str) -> str:
    found = finders.find(static_path)
    if not found:
        raise ImproperlyConfigured(f"{static_path} is missing: run scripts/build_font_subset.py")
    return Path(found).resolve().as_uri()


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_counter_content() -> str:
    """CSS ``content`` for the footer: the translated "Page %(page)s of %(pages)s" with the
    placeholders replaced by the page counters (the word order differs between languages)."""
    marker_page, marker_pages = "\x00PAGE\x00", "\x00PAGES\x00"
    text = _("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages}
    parts = []
    for i, chunk in enumerate(text.split(marker_page)):
        if i:
            parts.append("counter(page)")
        for j, piece in enumerate(chunk.split(marker_pages)):
            if j:
                parts.append("counter(pages)")
            if piece:
                parts.append(_css_string(piece))
    return " ".join(parts)


def _base_css() -> str:
    faces = "\n".join(
        f"@font-face {{ font-family: {_css_string(PDF_FONT_FAMILY)}; font-weight: {weight}; "
        f"src: url({_css_string(_font_url(path))}); }}"
        for weight, path in PDF_FONT_FILES.items()
    )
    return f"""
{faces}
@page {{
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-center {{
    content: {_page_counter_content()};
    font-family: {_css_string(PDF_FONT_FAMILY)}, sans-serif;
    font-size: 8pt;
    color: #555;
  }}
}}
html {{ font-family: {_css_string(PDF_FONT_FAMILY)}, sans-serif; font-size: 10pt; line-height: 1.45; }}
"""
