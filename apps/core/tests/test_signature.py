"""The customer signs with a finger on the engineer's phone; only a real drawn PNG is accepted
(SPEC WO-12)."""

import base64
import io
import random

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.utils import translation
from PIL import Image, ImageDraw, ImageFile

from apps.core.signature import SIGNATURE_MAX_BYTES, SignatureField, png_data_url


class AcceptanceForm(forms.Form):
    signature = SignatureField(label="Customer signature")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _png(size=(600, 200), *, strokes=True, background=(0, 0, 0, 0), mode="RGBA") -> bytes:
    image = Image.new(mode, size, background)
    if strokes:
        ImageDraw.Draw(image).line([(40, 150), (120, 60), (200, 140), (300, 50), (420, 150)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _errors(value) -> list[str]:
    form = AcceptanceForm(data={"signature": value})
    assert not form.is_valid()
    return form.errors["signature"]


def test_a_drawn_signature_is_accepted_and_returned_as_png_bytes():
    png = _png()
    form = AcceptanceForm(data={"signature": png_data_url(png)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["signature"] == png


def test_a_signature_on_an_opaque_white_background_is_accepted():
    png = _png(mode="RGB", background=(255, 255, 255))
    assert AcceptanceForm(data={"signature": png_data_url(png)}).is_valid()


def test_no_signature_asks_the_customer_to_sign():
    assert _errors("") == ["Please sign in the box."]


@pytest.mark.parametrize(
    "png",
    [
        _png(strokes=False),  # an untouched, transparent pad
        _png(strokes=False, mode="RGB", background=(255, 255, 255)),  # all white
        _png(strokes=False, background=(255, 255, 255, 255)),  # white with an alpha channel
    ],
    ids=["transparent", "white", "white-rgba"],
)
def test_a_blank_pad_is_rejected(png):
    assert _errors(png_data_url(png)) == ["Please sign in the box."]


def test_a_stray_tap_is_not_a_signature():
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    ImageDraw.Draw(image).point([(100, 100), (101, 100)], fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    assert _errors(png_data_url(out.getvalue())) == ["Please sign in the box."]


def test_a_jpeg_is_rejected():
    image = Image.new("RGB", (600, 200), "white")
    ImageDraw.Draw(image).line([(40, 150), (420, 50)], fill="black", width=5)
    out = io.BytesIO()
    image.save(out, "JPEG")
    jpeg = base64.b64encode(out.getvalue()).decode()
    expected = ["The signature must be a PNG image drawn in the box."]
    assert _errors("data:image/jpeg;base64," + jpeg) == expected
    assert _errors("data:image/png;base64," + jpeg) == expected  # the bytes decide, not the label


def test_text_that_is_not_a_data_url_is_rejected():
    assert _errors("张三") == ["The signature must be a PNG image drawn in the box."]


def test_malformed_base64_is_rejected():
    assert _errors("data:image/png;base64,@@not*base64@@") == [
        "The signature could not be read; clear the box and sign again."
    ]


@pytest.mark.parametrize("tolerant_pillow", [False, True], ids=["default", "weasyprint-loaded"])
def test_a_truncated_png_is_rejected(tolerant_pillow, monkeypatch):
    # WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process on import.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", tolerant_pillow)
    png = _png()
    assert _errors(png_data_url(png[: len(png) // 2])) == [
        "The signature could not be read; clear the box and sign again."
    ]


def test_an_oversized_image_is_rejected():
    noise = random.Random(7).randbytes(700 * 300 * 4)
    image = Image.frombytes("RGBA", (700, 300), noise)
    out = io.BytesIO()
    image.save(out, "PNG")
    assert len(out.getvalue()) > SIGNATURE_MAX_BYTES
    assert _errors(png_data_url(out.getvalue())) == ["The signature image is too large (at most 500 KB)."]


def test_a_huge_post_is_refused_before_decoding():
    assert _errors("data:image/png;base64," + "A" * (SIGNATURE_MAX_BYTES * 2)) == [
        "The signature image is too large (at most 500 KB)."
    ]


@pytest.mark.parametrize("size", [(20, 20), (5000, 60)])
def test_an_image_of_unusable_dimensions_is_rejected(size):
    [error] = _errors(png_data_url(_png(size=size)))
    assert error == f"The signature image has an unusable size ({size[0]} × {size[1]} pixels)."


def test_the_widget_renders_a_pad_with_a_clear_button_and_a_hint():
    html = str(AcceptanceForm()["signature"])
    assert "data-signature-pad" in html
    assert "<canvas" in html
    assert 'type="hidden" name="signature"' in html
    assert "data-signature-clear" in html and ">Clear</button>" in html
    assert "Sign with your finger" in html


def test_the_form_media_loads_the_pad_script_from_our_own_static_files():
    media = str(AcceptanceForm().media)
    assert "/static/js/signature-pad.js" in media
    assert "http" not in media
    assert finders.find("js/signature-pad.js")


def test_after_another_error_the_drawn_signature_is_kept_but_junk_is_not_echoed():
    url = png_data_url(_png())
    assert url in str(AcceptanceForm(data={"signature": url})["signature"])
    junk = AcceptanceForm(data={"signature": 'x" onfocus="alert(1)'})
    assert 'value=""' in str(junk["signature"])


def test_a_stored_signature_is_shown_again_as_initial_value():
    png = _png()
    form = AcceptanceForm(initial={"signature": png})
    assert png_data_url(png) in str(form["signature"])
