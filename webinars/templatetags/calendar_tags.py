"""Template tags for calendar links, feeds and a webinar page's structured data."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from webinars import calendar_links as links
from webinars import structured_data
from webinars.formatting import clock

register = template.Library()


@register.simple_tag
def add_to_calendar_links(webinar) -> dict[str, str]:
    """{% add_to_calendar_links webinar as links %}: ics, google, outlook, office365."""
    return links.calendar_links(webinar)


@register.simple_tag
def feed_links(series=None) -> dict[str, str]:
    """{% feed_links series as feed %}: https and webcal addresses of the (series) feed."""
    if series is not None:
        path = reverse("series:ical", kwargs={"slug": series.slug})
    else:
        path = reverse("webinars:site_ical")
    return links.subscribe_links(path)


@register.simple_tag
def series_options(rows, active=None) -> SafeString:
    """{% series_options all_series active_series %}: the <option>s of the series filter.

    `rows` have .slug and .title (the calendar passes plain rows). Every page lists every
    series, so this is plain string building: a {% for %} (or format_html per option) cost
    more than the rest of the page's shell.
    """
    active_slug = active.slug if active is not None else None
    options = (
        f'<option value="{escape(row.slug)}"{" selected" if row.slug == active_slug else ""}>'
        f"{escape(row.title)}</option>"
        for row in rows
    )
    return mark_safe("".join(options))  # noqa: S308 (every value is escaped above)


@register.simple_tag
def webinar_json_ld(webinar, series=None):
    """The Event and BreadcrumbList JSON-LD scripts of a webinar page."""
    return format_html(
        "{}\n{}",
        structured_data.json_ld_script(structured_data.event_data(webinar, series=series)),
        structured_data.json_ld_script(structured_data.breadcrumb_data(webinar, series=series)),
    )


@register.simple_tag
def webinar_social(webinar) -> dict[str, str]:
    """{% webinar_social webinar as social %}: title, description, url, site_name."""
    return structured_data.social_meta(webinar)


@register.simple_tag
def this_month_url() -> str:
    """The month grid of the current month (server's zone)."""
    today = timezone.localdate()
    return reverse(
        "webinars:month", kwargs={"year": f"{today.year:04d}", "month": f"{today.month:02d}"}
    )


# Not Django's date filter: that would show the start in the server's zone.
register.filter(clock)
