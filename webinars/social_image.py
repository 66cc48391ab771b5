"""The share image (Open Graph, JSON-LD): the site's name and accent on the house picture.

Drawn from the site settings, so a renamed site shares its own name; made once per version of
the settings and kept in the cache.
"""

import io
import logging
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from webinars import theme
from webinars.models import SiteSettings

logger = logging.getLogger(__name__)

SIZE = (1200, 630)
HOUSE = Path(settings.BASE_DIR) / "static" / "img" / "social.png"
INK = "#1b2330"
MUTED = "#4a5565"
PAPER = "#f7f7f4"


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    # Pillow's own scalable font: the same on every machine, no system font needed.
    return ImageFont.load_default(size=size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, sizes=(96, 80, 64, 52, 44)):
    """The largest size at which text fits width on one line, shortened if none does."""
    for size in sizes:
        font = _font(size)
        if draw.textlength(text, font=font) <= width:
            return text, font
    font = _font(sizes[-1])
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…", font


def render(site: SiteSettings) -> bytes:
    """A 1200 x 630 PNG with the site's name, its accent bars and the house calendar icon."""
    accent = (site.light or theme.HOUSE_LIGHT).accent
    with Image.open(HOUSE) as original:
        house = original.convert("RGB")
    picture = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 0, SIZE[0], 24], fill=accent)
    draw.rectangle([0, SIZE[1] - 24, SIZE[0], SIZE[1]], fill=accent)
    if site.logo:
        try:
            with site.logo.open("rb") as source, Image.open(source) as logo:
                mark = logo.convert("RGBA")
                mark.thumbnail((220, 220))
                picture.paste(
                    mark, (80 + (220 - mark.width) // 2, 205 + (220 - mark.height) // 2), mark
                )
        except OSError:
            picture.paste(house.crop((85, 145, 295, 355)), (85, 210))
    else:
        # Without a logo, the house picture's calendar icon.
        picture.paste(house.crop((85, 145, 295, 355)), (85, 210))
    text_x, text_width = 350, SIZE[0] - 350 - 70
    name, font = _fit(draw, site.site_name, text_width)
    draw.text((text_x, 215), name, font=font, fill=INK)
    draw.text((text_x, 340), _("Webinars in series"), font=_font(40), fill=MUTED)
    draw.text(
        (text_x, 395), _("Calendar, registration, calendar files."), font=_font(34), fill=MUTED
    )
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def social_png(site: SiteSettings) -> bytes:
    key = f"social-image:{site.version}:{get_language()}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 (an unreachable cache only costs drawing it again)
        cached = None
    if cached is None:
        cached = render(site)
        try:
            cache.set(key, cached, 60 * 60 * 24 * 30)
        except Exception:  # noqa: BLE001 (the image is still served)
            logger.warning("Cache unreachable: the share image is drawn on every request.")
    return cached
