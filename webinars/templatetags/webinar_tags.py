"""Template filters for showing webinars: times in their own zone, Markdown."""

from datetime import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from webinars.text import render_markdown

register = template.Library()


def _day(dt: datetime) -> str:
    return f"{dt.day} {dt:%B %Y}"


@register.filter
def when(webinar) -> str:
    """'1 October 2020, 10:00-11:30 CEST' in the webinar's own zone."""
    start, end = webinar.local_start, webinar.local_end
    if start.date() == end.date():
        return f"{_day(start)}, {start:%H:%M}-{end:%H:%M} {end.tzname()}"
    return (
        f"{_day(start)}, {start:%H:%M} {start.tzname()} - {_day(end)}, {end:%H:%M} {end.tzname()}"
    )


@register.simple_tag
def webinar_time(webinar) -> str:
    """The webinar's time in its own zone, marked up for localtime.js (which adds the reader's).

    A tag rather than an included template: lists show it for every webinar.
    """
    return format_html(
        '<span class="webinar-time" data-end="{}"><time datetime="{}">{}</time></span>',
        webinar.local_end.isoformat(timespec="seconds"),
        webinar.local_start.isoformat(timespec="seconds"),
        when(webinar),
    )


@register.filter
def short_when(webinar) -> str:
    """'Thu 1 Oct 2020, 10:00 CEST' for lists."""
    start = webinar.local_start
    return f"{start:%a} {start.day} {start:%b %Y}, {start:%H:%M} {start.tzname()}"


@register.filter
def local_start(webinar) -> datetime:
    return webinar.local_start


@register.filter
def markdown(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 (sanitised by nh3 in render_markdown)
