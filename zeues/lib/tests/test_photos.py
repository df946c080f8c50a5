"""Photos from a tablet are checked, shrunk, stripped of metadata and re-encoded before they are kept."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from zeues.lib import photos
from zeues.lib.errors import DatosInvalidos


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _image(fmt: str, size=(3000, 2000), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x8825] = {2: (33.0, 26.0, 0.0)}  # a GPS position
        data[0x010F] = "TabletMaker"
        kwargs["exif"] = data
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def test_a_big_png_is_kept_as_a_small_jpeg_without_metadata():
    name = photos.store(SimpleUploadedFile("foto.png", _image("PNG")), folder="rechazos")
    assert name.startswith("rechazos/") and name.endswith(".jpg")
    with default_storage.open(name) as f, Image.open(f) as kept:
        assert kept.format == "JPEG" and max(kept.size) == photos.MAX_SIDE


def test_camera_metadata_is_dropped():
    name = photos.store(SimpleUploadedFile("foto.jpg", _image("JPEG", (800, 600), exif=True)), folder="r")
    with default_storage.open(name) as f, Image.open(f) as kept:
        assert not kept.getexif()


@pytest.mark.parametrize("content", [b"not an image at all", b"\xff\xd8\xff" + b"\x00" * 100, b""])
def test_something_that_is_not_an_image_is_refused_and_nothing_is_stored(content, tmp_path):
    with pytest.raises(DatosInvalidos) as refused:
        photos.store(SimpleUploadedFile("foto.jpg", content), folder="r")
    assert list(refused.value.data["campos"]) == ["foto"]
    assert not any(tmp_path.rglob("*.jpg"))


def test_a_photo_over_the_size_cap_is_refused(settings, tmp_path):
    settings.ZEUES_PHOTO_MAX_BYTES = 50
    with pytest.raises(DatosInvalidos, match="máximo"):
        photos.store(SimpleUploadedFile("foto.png", _image("PNG", (200, 200))), folder="r")
    assert not any(tmp_path.rglob("*.jpg"))


def test_discard_removes_a_stored_photo():
    name = photos.store(SimpleUploadedFile("foto.png", _image("PNG", (50, 50))), folder="r")
    photos.discard(name)
    assert not default_storage.exists(name)
