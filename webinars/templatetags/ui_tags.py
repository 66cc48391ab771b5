"""Template helpers for the visual design: date blocks, state badges, initials, and resized
photos and logos."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from webinars.formatting import date_parts, initials, iso_datetime
from webinars.images import Thumbnail, thumbnail

register = template.Library()


register.filter(date_parts)
register.filter(iso_datetime)
register.filter(initials)


@register.simple_tag
def portrait(image, size: int = 112) -> Thumbnail | None:
    """A square, cropped copy of a speaker photo (size px, shown at half for sharp screens)."""
    return _shown_at_half(thumbnail(image, width=size, height=size, crop=True))


@register.simple_tag
def face(person, large: bool = False, small: bool = False) -> str:
    """A person's portrait, or their initials without one (includes/person.html).

    A tag rather than the include's markup: lists show up to four faces per webinar, and an
    included template costs several times as much to render.
    """
    size = "avatar--large" if large else "avatar--small" if small else ""
    classes = f"avatar {size}" if size else "avatar"
    photo = portrait(person.photo, 240 if large else 64 if small else 112)
    if not photo:
        return format_html(
            '<span class="{}" aria-hidden="true">{}</span>', classes, initials(person.name)
        )
    alt = _("Portrait of %(name)s") % {"name": person.name} if large else ""
    return format_html(
        '<img class="{}" src="{}" alt="{}" width="{}" height="{}" decoding="async">',
        classes,
        photo.url,
        alt,
        photo.width,
        photo.height,
    )


@register.simple_tag
def logo(image, height: int = 96) -> Thumbnail | None:
    """A logo scaled to fit `height` px high and at most 3x as wide, proportions kept."""
    return _shown_at_half(thumbnail(image, width=height * 3, height=height))


@register.simple_tag
def banner(image, width: int = 1600, height: int = 500) -> Thumbnail | None:
    """A wide banner, cropped to width x height px (shown at half for sharp screens)."""
    return _shown_at_half(thumbnail(image, width=width, height=height, crop=True))


def _shown_at_half(thumb: Thumbnail | None) -> Thumbnail | None:
    # Files are made at twice the shown size so they stay sharp on high-density screens;
    # the width/height attributes give the shown size, which reserves the space.
    if thumb is None:
        return None
    return Thumbnail(thumb.url, max(thumb.width // 2, 1), max(thumb.height // 2, 1))


@register.simple_tag
def list_cover(webinar, width: int = 480, height: int = 252) -> Thumbnail | None:
    """An uploaded cover (the webinar's, else its series') for a list card, or None: a drawn
    picture would only repeat the card's own words, at a cost in bytes per card."""
    series = webinar.series
    for image in (webinar.cover_image, series.cover_image if series else None):
        if image:
            thumb = _shown_at_half(thumbnail(image, width=width, height=height, crop=True))
            if thumb is not None:
                return thumb
    return None
