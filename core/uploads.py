"""Uploaded images, checked and cleaned before they are stored.

A photo straight from a phone carries EXIF: where it was taken (GPS), when, with what. Every
image organisers upload is decoded and written again without any of it, so no stored file can
give that away. Its size in pixels is read from the header first: a small file can declare a
huge image (a "decompression bomb") that would take gigabytes to decode.
"""

import io
import os

from django import forms
from django.conf import settings
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_PIXELS = 40_000_000

# Formats kept as they are; anything else (GIF, BMP, TIFF...) is stored as PNG, which keeps
# every pixel and its transparency.
KEPT_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}


def max_pixels() -> int:
    return getattr(settings, "IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def too_large_error() -> ValidationError:
    return ValidationError(
        _(
            "This image has more than %(limit)s million pixels. Make it smaller (a few "
            "thousand pixels wide is plenty) and upload it again."
        ),
        code="image_too_large",
        params={"limit": max_pixels() // 1_000_000},
    )


def clean_image(upload) -> SimpleUploadedFile:
    """The upload decoded and written again without metadata, turned upright, or a
    ValidationError for something that is not an image or is larger than the pixel limit."""
    upload.seek(0)
    try:
        with Image.open(upload) as header:
            # Only the header has been read: refuse before decoding a single pixel.
            width, height = header.size
            if width * height > max_pixels():
                raise too_large_error()
            image_format = header.format
            header.load()
            picture = ImageOps.exif_transpose(header)
    except Image.DecompressionBombError as bomb:
        # Pillow's own guard, for a header so large that opening it already refuses.
        raise too_large_error() from bomb
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as broken:
        raise ValidationError(
            _("Upload a valid image. The file was not an image or was damaged."),
            code="invalid_image",
        ) from broken
    extension = KEPT_FORMATS.get(image_format, ".png")
    target = image_format if image_format in KEPT_FORMATS else "PNG"
    if target == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif target != "JPEG" and picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        picture = picture.convert("RGBA")
    # A fresh image holds pixels only: nothing of the original's info (EXIF, XMP, comments,
    # ICC profiles) goes with it unless passed to save(), and nothing is.
    bare = Image.new(picture.mode, picture.size)
    if picture.mode == "P":
        bare.putpalette(picture.getpalette())
        if "transparency" in picture.info:
            bare.info["transparency"] = picture.info["transparency"]
    bare.paste(picture)
    buffer = io.BytesIO()
    options = {"quality": 90} if target in ("JPEG", "WEBP") else {"optimize": True}
    if "transparency" in bare.info:
        options["transparency"] = bare.info["transparency"]
    bare.save(buffer, target, **options)
    stem = os.path.splitext(os.path.basename(upload.name or "image"))[0] or "image"
    content_type = Image.MIME.get(target, "application/octet-stream")
    return SimpleUploadedFile(stem + extension, buffer.getvalue(), content_type=content_type)


class CleanImageField(forms.ImageField):
    """An image upload refused above the pixel limit and stored without its metadata."""

    def to_python(self, data):
        if data in self.empty_values:
            return None
        return super().to_python(clean_image(data))


# For ModelAdmin.formfield_overrides: every image field of the admin gets the cleaning field.
CLEAN_IMAGES = {
    models.ImageField: {"form_class": CleanImageField, "widget": widgets.AdminFileWidget}
}
