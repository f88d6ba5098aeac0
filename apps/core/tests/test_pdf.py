"""Service reports become self-contained PDFs: Chinese text in the embedded font, page numbers,
images only from data: URLs or the static folders, never from the network (SPEC WO-12)."""

import hashlib
import http.server
import io
import re
import shutil
import subprocess
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from apps.core.pdf import content_hash, render_pdf
from apps.core.signature import png_data_url

TEST_TEMPLATES = Path(__file__).parent / "templates"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]


def _report(**context) -> bytes:
    context = {"number": "WO-2026-0001", "customer": "武汉市第一医院", "signer": "张三", **context}
    with translation.override("en"):
        return render_pdf("pdf_tests/report.html", context)


def _pdf_objects(data: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated and appended."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def _signature_png() -> bytes:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(40, 150), (120, 60), (200, 140), (300, 50), (420, 150)], fill="#111", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _image_count(data: bytes) -> int:
    return len(re.findall(rb"/Subtype\s*/Image", _pdf_objects(data)))


def test_a_chinese_report_renders_to_a_pdf_that_embeds_the_shipped_font():
    data = _report()
    assert data.startswith(b"%PDF-")
    objects = _pdf_objects(data)
    # The font name comes from the @font-face family: only our font file carries it.
    descriptors = re.findall(rb"/FontName /[A-Z]{6}\+Noto-Sans-SC-Report(?:-Bold)?[^>]*?/FontFile3? \d+ 0 R", objects)
    assert descriptors, "the Noto Sans SC subset is not embedded"
    assert not re.search(rb"/BaseFont /(?![A-Z]{6}\+Noto-Sans-SC-Report)", objects), "another font was used"


@needs_poppler
def test_the_chinese_words_can_be_read_back_from_the_pdf(tmp_path):
    text = _pdf_text(_report(), tmp_path)
    for word in ("服务报告", "检验科", "客户验收", "工程师签名", "糖化血红蛋白分析仪", "武汉市第一医院", "张三"):
        assert word in text


@needs_poppler
def test_pdffonts_lists_only_the_embedded_subset(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(_report())
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout.splitlines()[2:]
    assert lines
    for line in lines:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert "Noto-Sans-SC-Report" in name
        assert (emb, sub, uni) == ("yes", "yes", "yes")


@needs_poppler
def test_every_page_is_numbered_in_the_footer(tmp_path):
    text = _pdf_text(_report(rows=range(80)), tmp_path)
    pages = text.count("\f")
    assert pages >= 2
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text


def test_a_signature_passed_as_a_data_url_is_drawn_into_the_pdf():
    assert _image_count(_report()) == 0
    assert _image_count(_report(signature_url=png_data_url(_signature_png()))) > 0  # the image (+ its alpha mask)


@needs_poppler
def test_the_signature_block_shows_the_signer_and_the_time_in_shanghai(tmp_path):
    signed_at = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
    text = _pdf_text(_report(signature_url=png_data_url(_signature_png()), signed_at=signed_at), tmp_path)
    assert "Signed by: 张三" in text
    assert "Signed at: 2026-11-02 09:30" in text


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(_signature_png())

    def log_message(self, *args):
        pass


def test_an_image_on_a_web_server_is_never_fetched():
    _CountingHandler.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        data = _report(image_url=f"http://127.0.0.1:{server.server_address[1]}/logo.png")
    finally:
        server.shutdown()
        server.server_close()
    assert data.startswith(b"%PDF-")
    assert _CountingHandler.requests == []
    assert _image_count(data) == 0


def test_a_file_outside_the_static_folders_is_not_read(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(_signature_png())
    assert _image_count(_report(image_url=secret.as_uri())) == 0


def test_a_file_in_the_static_folders_may_be_used_by_a_relative_path():
    # The fonts are the only static files this test can rely on; an <img> of a font draws
    # nothing, so check the fetcher's decision instead of the picture.
    from apps.core.pdf import OfflineURLFetcher, _static_roots

    fetcher = OfflineURLFetcher(allowed_roots=_static_roots())
    font = _static_roots()[0] / "fonts" / "NotoSansSC-Regular-subset.otf"
    assert fetcher.fetch(font.as_uri()).read(4) == b"OTTO"
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/logo.png")
    for outside in [(_static_roots()[0] / ".." / "manage.py").as_uri(), "FILE:///etc/hostname", "file:/etc/hostname"]:
        with pytest.raises(ValueError):
            fetcher.fetch(outside)


def test_content_hash_is_the_sha256_of_the_bytes():
    data = _report()
    assert content_hash(data) == hashlib.sha256(data).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(data))
    assert content_hash(data + b"\n") != content_hash(data)
