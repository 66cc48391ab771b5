"""Resized copies of uploaded speaker photos and organisation logos, made once and kept in media.

Templates ask for a size; the first request writes the copy under media/thumbs/ and later ones
reuse it. Width and height come back too, so pages reserve the space and nothing shifts.
"""

import hashlib
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from core.uploads import max_pixels

THUMB_DIR = "thumbs"


@dataclass(frozen=True)
class Thumbnail:
    url: str
    width: int
    height: int


def _thumb_name(source_name: str, width: int, height: int, crop: bool) -> str:
    key = hashlib.sha256(f"{source_name}|{width}x{height}|{crop}".encode()).hexdigest()[:24]
    return f"{THUMB_DIR}/{key}.webp"


def thumbnail(image, *, width: int, height: int, crop: bool = False) -> Thumbnail | None:
    """A copy of `image` (an ImageField file) that fits width x height, or None if unusable.

    crop=True fills the box exactly (portraits); otherwise the image keeps its proportions
    inside the box (logos). A missing or broken upload gives None, so the page shows a fallback.
    """
    if not image or not getattr(image, "name", ""):
        return None
    name = _thumb_name(image.name, width, height, crop)
    try:
        if default_storage.exists(name):
            if crop:
                # A cropped copy is exactly the box: no need to open it for its size.
                return Thumbnail(default_storage.url(name), width, height)
            with default_storage.open(name) as existing, Image.open(existing) as done:
                return Thumbnail(default_storage.url(name), *done.size)
        with image.open("rb") as source, Image.open(source) as original:
            if original.width * original.height > max_pixels():
                # Stored before uploads were checked: decoding it could take gigabytes.
                return None
            picture = ImageOps.exif_transpose(original)
            picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
            if crop:
                picture = ImageOps.fit(picture, (width, height), Image.Resampling.LANCZOS)
            else:
                picture.thumbnail((width, height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            picture.save(buffer, "WEBP", quality=82)
        saved = default_storage.save(name, ContentFile(buffer.getvalue()))
        return Thumbnail(default_storage.url(saved), *picture.size)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
        # A file that is gone or not an image must not break the page: show the fallback.
        return None
