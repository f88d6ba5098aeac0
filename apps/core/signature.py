"""A customer's finger signature, drawn on the engineer's phone (SPEC WO-12).

The widget renders a canvas pad (static/js/signature-pad.js, no external script); the browser
posts the drawing as a ``data:image/png;base64,…`` string in a hidden input; the field checks
that it is a real, reasonably sized PNG with some ink on it and hands the PNG bytes to the
form's ``cleaned_data``. To show a stored signature in a PDF, pass ``png_data_url(png)`` as an
``<img src>`` (PDF rendering fetches no http URLs).

    class AcceptanceForm(forms.Form):
        signer_name = forms.CharField(label=_("Signed by"), max_length=100)
        signature = SignatureField(label=_("Customer signature"))

    The page must include ``{{ form.media }}`` (it loads the pad's script).
"""

import base64
import binascii
import io
import struct

from django import forms
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

DATA_URL_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A stroke drawing from a phone is tens of KB; anything near this limit is not a signature.
SIGNATURE_MAX_BYTES = 500 * 1024
# Canvas sizes: a phone pad is ~360x200 CSS px at up to 2x (the script caps the scale);
# a tablet in landscape is wider. Smaller than MIN_SIDE cannot hold a legible name.
SIGNATURE_MIN_SIDE = 50
SIGNATURE_MAX_SIDE = 4000
# Pixels darker than INK_LEVEL (0 black - 255 white, after flattening onto white) count as ink;
# fewer than MIN_INK_PIXELS of them is an empty box or a stray tap, not a signature.
INK_LEVEL = 200
MIN_INK_PIXELS = 30


def png_data_url(png: bytes) -> str:
    """A PNG as a ``data:`` URL, for ``<img src>`` in a page or a PDF template."""
    return DATA_URL_PREFIX + base64.b64encode(png).decode("ascii")


class SignaturePad(forms.Widget):
    """A drawable canvas with a hidden input that carries the PNG data URL."""

    template_name = "core/widgets/signature.html"

    class Media:
        js = [forms.Script("js/signature-pad.js", defer=True)]

    def format_value(self, value):
        if isinstance(value, bytes | bytearray | memoryview):
            return png_data_url(bytes(value))
        # Re-show what was posted after another field's error, but never echo junk or a huge value.
        if isinstance(value, str) and value.startswith(DATA_URL_PREFIX) and len(value) <= _max_data_url_length():
            return value
        return ""


class SignatureField(forms.Field):
    """Accepts a ``data:image/png;base64,…`` string; ``clean()`` returns the PNG bytes."""

    widget = SignaturePad
    default_error_messages = {
        "required": _("Please sign in the box."),
        "blank": _("Please sign in the box."),
        "not_png": _("The signature must be a PNG image drawn in the box."),
        "malformed": _("The signature could not be read; clear the box and sign again."),
        "too_large": _("The signature image is too large (at most %(max_kb)s KB)."),
        "bad_size": _("The signature image has an unusable size (%(width)s × %(height)s pixels)."),
    }

    def to_python(self, value) -> bytes | None:
        if value in self.empty_values:
            return None
        if isinstance(value, bytes | bytearray | memoryview):  # initial data: stored PNG bytes
            return bytes(value)
        if not isinstance(value, str):
            raise forms.ValidationError(self.error_messages["not_png"], code="not_png")
        value = value.strip()
        if not value[: len(DATA_URL_PREFIX)].lower() == DATA_URL_PREFIX:
            raise forms.ValidationError(self.error_messages["not_png"], code="not_png")
        payload = value[len(DATA_URL_PREFIX) :]
        if len(payload) > _max_data_url_length():  # refuse before decoding megabytes
            raise self._too_large()
        try:
            return base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError(self.error_messages["malformed"], code="malformed")

    def validate(self, value: bytes | None) -> None:
        super().validate(value)
        if value is None:
            return
        if not value.startswith(PNG_MAGIC):
            raise forms.ValidationError(self.error_messages["not_png"], code="not_png")
        if len(value) > SIGNATURE_MAX_BYTES:
            raise self._too_large()
        width, height = _png_dimensions(value)
        if width is None:
            raise forms.ValidationError(self.error_messages["malformed"], code="malformed")
        if not all(SIGNATURE_MIN_SIDE <= side <= SIGNATURE_MAX_SIDE for side in (width, height)):
            raise forms.ValidationError(
                self.error_messages["bad_size"], code="bad_size", params={"width": width, "height": height}
            )
        ink = _ink_pixels(value)
        if ink is None:
            raise forms.ValidationError(self.error_messages["malformed"], code="malformed")
        if ink < MIN_INK_PIXELS:
            raise forms.ValidationError(self.error_messages["blank"], code="blank")

    def _too_large(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["too_large"], code="too_large", params={"max_kb": SIGNATURE_MAX_BYTES // 1024}
        )


def _max_data_url_length() -> int:
    return len(DATA_URL_PREFIX) + (SIGNATURE_MAX_BYTES + 2) // 3 * 4


def _png_dimensions(data: bytes) -> tuple[int, int] | tuple[None, None]:
    """Width and height from the IHDR chunk, which a valid PNG has right after the signature."""
    header = data[8:24]
    if len(header) < 16 or header[:8] != b"\x00\x00\x00\x0dIHDR":
        return None, None
    return struct.unpack(">II", header[8:16])


def _ink_pixels(data: bytes) -> int | None:
    """How many pixels are visibly dark once the (usually transparent) drawing lies on white
    paper; None when Pillow cannot decode the whole image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return None
            # Checks every chunk's CRC up to IEND: catches a truncated upload even though
            # WeasyPrint switches on ImageFile.LOAD_TRUNCATED_IMAGES for the whole process.
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    paper.alpha_composite(rgba)
    histogram = paper.convert("L").histogram()
    return sum(histogram[:INK_LEVEL])
