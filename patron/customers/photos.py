"""Customer photos: checked, re-encoded and stripped of metadata before they are stored.

Only JPEG, PNG and WebP are accepted, decided by the file's content, never its name. Every photo
is decoded and written anew as WebP, so nothing of the upload survives but its pixels: no EXIF
(GPS), no embedded scripts, no polyglot tricks.
"""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from patron.core.errors import TooLarge, ValidationFailed

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="photo", code="invalid-photo")


def photo_too_large() -> TooLarge:
    """The refusal of a photo over the limit, wherever it is noticed (here, or while the API reads
    the upload), so every door answers the same code."""
    limit = settings.PATRON_PHOTO_MAX_BYTES // (1024 * 1024)
    return TooLarge(_("The photo is larger than %(limit)s MB.") % {"limit": limit}, field="photo",
                    code="photo-too-large")


def process_photo(data: bytes) -> bytes:
    """Return the WebP bytes to store for an uploaded photo, or raise a clear error."""
    if len(data) > settings.PATRON_PHOTO_MAX_BYTES:
        raise photo_too_large()
    if not data:
        raise _invalid("The file is empty.")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _reencode(data)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _invalid("The image has too many pixels.") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _invalid("This is not a JPEG, PNG or WebP image.") from None


def _reencode(data: bytes) -> bytes:
    max_pixels = settings.PATRON_PHOTO_MAX_PIXELS
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
        width, height = probe.size
        if width * height > max_pixels:
            raise Image.DecompressionBombError("too many pixels")
        probe.verify()
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        image.thumbnail((settings.PATRON_PHOTO_SIZE, settings.PATRON_PHOTO_SIZE))
        output = io.BytesIO()
        image.save(output, format="WEBP", quality=85, method=4)
        return output.getvalue()
