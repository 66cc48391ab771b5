"""A webinar's picture: its uploaded cover, else its series', else one drawn from what it is.

The drawn one (1200 x 630 PNG, the Open Graph size) carries the site's accent, the series, the
title, the date in the webinar's own zone and the speakers' initials, so two webinars never
share the same preview. It is served at a URL whose ?v= changes with everything drawn on it,
and kept in the cache under that version.
"""

import hashlib
import io
import logging
import textwrap
from dataclasses import dataclass

from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import get_language
from PIL import Image, ImageDraw

from webinars import formatting, theme
from webinars.formatting import absolute_url, initials
from webinars.images import thumbnail
from webinars.models import SiteSettings
from webinars.social_image import INK, MUTED, PAPER, SIZE, _font

logger = logging.getLogger(__name__)

MAX_FACES = 4


@dataclass(frozen=True)
class Cover:
    url: str  # site-relative; absolute_url() for share tags
    width: int
    height: int
    drawn: bool


def _people(webinar) -> list[str]:
    return [appearance.speaker.name for appearance in webinar.speakers]


def version(webinar, site: SiteSettings | None = None) -> str:
    """Changes whenever something drawn on the picture does (speakers are rows of their own,
    so their names count, not only the webinar's last save)."""
    site = site or SiteSettings.current()
    series = webinar.series
    parts = [
        webinar.title,
        webinar.number or "",
        webinar.start.isoformat(),
        webinar.time_zone,
        series.title if series else "",
        site.version,
        *_people(webinar),
    ]
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def cover_for(webinar) -> Cover:
    """The webinar's picture: uploaded (cropped to 1200 x 630), its series', or drawn."""
    for image in (webinar.cover_image, webinar.series.cover_image if webinar.series else None):
        thumb = thumbnail(image, width=SIZE[0], height=SIZE[1], crop=True) if image else None
        if thumb is not None:
            return Cover(thumb.url, thumb.width, thumb.height, drawn=False)
    url = reverse("webinars:cover_image", kwargs={"slug": webinar.slug})
    return Cover(f"{url}?v={version(webinar)}", SIZE[0], SIZE[1], drawn=True)


def cover_url(webinar) -> str:
    """The picture's absolute URL, for share tags and structured data."""
    url = cover_for(webinar).url
    return url if url.startswith(("http://", "https://")) else absolute_url(url)


# Pillow's built-in font has no en dash or ellipsis: plain stand-ins rather than empty boxes.
PLAIN = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2026": "..."})


def render(webinar, site: SiteSettings) -> bytes:
    accent = (site.light or theme.HOUSE_LIGHT).accent
    picture = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(picture)
    draw.rectangle([0, 0, 36, SIZE[1]], fill=accent)
    left = 90
    y = 60
    if webinar.series:
        series = textwrap.shorten(webinar.series.title, width=60, placeholder="...")
        draw.text((left, y), series, font=_font(32), fill=MUTED)
        y += 60
    title = webinar.title.translate(PLAIN)
    if webinar.number:
        title = f"{webinar.number}. {title}"
    # The largest size at which the title takes three lines at most; cut short after that.
    size, lines = 46, textwrap.wrap(title, width=42)
    for candidate, chars in ((68, 28), (56, 34)):
        wrapped = textwrap.wrap(title, width=chars)
        if len(wrapped) <= 3:
            size, lines = candidate, wrapped
            break
    if len(lines) > 3:
        lines = [*lines[:2], lines[2].rstrip() + "..."]
    font = _font(size)
    for line in lines:
        draw.text((left, y), line, font=font, fill=INK)
        y += int(size * 1.2)
    when = formatting.when(webinar).translate(PLAIN)
    draw.text(
        (left, SIZE[1] - 190),
        textwrap.shorten(when, 70, placeholder="..."),
        font=_font(34),
        fill=accent,
    )
    x = left
    for name in _people(webinar)[:MAX_FACES]:
        draw.ellipse([x, SIZE[1] - 130, x + 80, SIZE[1] - 50], fill=accent)
        draw.text(
            (x + 40, SIZE[1] - 90), initials(name), font=_font(32), fill="#ffffff", anchor="mm"
        )
        x += 96
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def cover_png(webinar) -> tuple[bytes, str]:
    """The drawn picture and its version, from the cache when it was drawn before."""
    site = SiteSettings.current()
    current = version(webinar, site)
    key = f"cover-image:{webinar.pk}:{current}:{get_language()}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 (an unreachable cache only costs drawing it again)
        cached = None
    if cached is None:
        cached = render(webinar, site)
        try:
            cache.set(key, cached, 60 * 60 * 24 * 30)
        except Exception:  # noqa: BLE001 (the image is still served)
            logger.warning("Cache unreachable: a cover image is drawn on every request.")
    return cached, current
