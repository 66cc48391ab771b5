"""Template tags for calendar links, feeds and a webinar page's structured data."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from webinars import calendar_links as links
from webinars import structured_data

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
    from django.utils import timezone

    today = timezone.localdate()
    return reverse(
        "webinars:month", kwargs={"year": f"{today.year:04d}", "month": f"{today.month:02d}"}
    )


@register.filter
def clock(webinar) -> str:
    """'23:30 EST': the start in the webinar's own zone (the date filter would convert it)."""
    start = webinar.local_start
    return f"{start:%H:%M} {start.tzname()}"
