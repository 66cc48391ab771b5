"""Template filters for showing webinars: times in their own zone (webinars.formatting), Markdown."""

import zoneinfo
from functools import lru_cache
from types import SimpleNamespace

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from webinars import formatting
from webinars.text import render_markdown

register = template.Library()

register.filter(formatting.when)


@register.simple_tag
def webinar_time(webinar) -> str:
    """The webinar's time in its own zone, marked up for localtime.js (which puts the reader's
    first and says how far off it is, from the translated words in the data- attributes).

    A tag rather than an included template: lists show it for every webinar. The markup depends
    only on the instants, the zone and the language, so each process keeps the ones it made
    (lists show the same webinars on every page and in every request).
    """
    return _webinar_time(webinar.start, webinar.end, webinar.time_zone, get_language())


@lru_cache(maxsize=4096)
def _webinar_time(start, end, time_zone: str, language: str | None) -> str:
    tz = zoneinfo.ZoneInfo(time_zone)
    webinar = SimpleNamespace(tz=tz, local_start=start.astimezone(tz), local_end=end.astimezone(tz))
    return format_html(
        '<span class="webinar-time" data-end="{}" data-yours="{}" data-live="{}" data-today="{}">'
        '<time datetime="{}">{}</time></span>',
        formatting.iso_datetime(webinar.local_end),
        # Translators: {time} is the visitor's date and time, {zone} their zone ("New York").
        _("Your time: {time} ({zone})"),
        _("Live now"),
        # Translators: {time} is the start in the visitor's own time ("15:00").
        _("today at {time}"),
        formatting.iso_datetime(webinar.local_start),
        formatting.when(webinar),
    )


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 in render_markdown)


@register.simple_tag
def moment(value, webinar) -> str:
    """One instant (when the join link opens) in the webinar's zone, marked up for localtime.js
    to lead with the reader's. Inside a sentence ("opens at ..."), so the reader's time comes
    without the "Your time:" label that heads a line elsewhere."""
    return format_html(
        '<span class="webinar-time webinar-time--inline" data-yours="{}"><time datetime="{}">{}'
        "</time></span>",
        "{time} ({zone})",
        formatting.iso_datetime(value.astimezone(webinar.tz)),
        formatting.in_zone(value, webinar.tz),
    )
