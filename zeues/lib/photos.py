"""A photo from a tablet's camera, made safe to keep: checked, shrunk and re-encoded as JPEG.

Whatever the tablet sends (HEIC-renamed JPEGs, 12-megapixel PNGs, a text file called foto.jpg) is
decoded with Pillow; only a real image within the size cap is kept, re-encoded without its
metadata (no GPS position in EXIF), at most MAX_SIDE pixels on its longer side. It is stored
through Django's storage API, so a deployment can point the default storage elsewhere.
"""

from __future__ import annotations

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from zeues.lib.errors import DatosInvalidos

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding them


def store(upload: object, *, folder: str) -> str:
    """Check, re-encode and save an uploaded image; returns its storage name (or DATOS_INVALIDOS)."""
    size = getattr(upload, "size", 0) or 0
    if size > settings.ZEUES_PHOTO_MAX_BYTES:
        raise DatosInvalidos(
            f"La foto pesa {size / 1_000_000:.1f} MB; el máximo es "
            f"{settings.ZEUES_PHOTO_MAX_BYTES / 1_000_000:.0f} MB.",
            data={"campos": {"foto": ["demasiado grande"]}},
        )
    try:
        with Image.open(upload) as image:  # type: ignore[arg-type]
            if image.width * image.height > MAX_PIXELS:
                raise DatosInvalidos(
                    "La foto tiene demasiados píxeles.", data={"campos": {"foto": ["demasiado grande"]}}
                )
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DatosInvalidos(
            "El archivo no es una foto que se pueda leer.", data={"campos": {"foto": ["no es una imagen"]}}
        ) from exc
    name = f"{folder}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.jpg"
    return default_storage.save(name, ContentFile(out.getvalue()))


def discard(name: str) -> None:
    """Delete a stored photo whose action did not happen."""
    if name:
        default_storage.delete(name)
