"""A series' webinars on its admin page: a short read-only list with links, never forms.

Forty editable rows took seconds and four hundred timed out; each webinar is edited on its own
page (where webinars.services.webinar_save tells registrants and followers). The list shows
the next UPCOMING_SHOWN and the last PAST_SHOWN, in two queries whatever the series' length,
and links to the webinar list filtered by the series for the rest.
"""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from webinars.formatting import span
from webinars.models import Webinar

UPCOMING_SHOWN = 20
PAST_SHOWN = 10


def state_label(webinar: Webinar) -> str:
    """Cancelled, published or draft: what the organiser needs to know of a webinar at a glance."""
    if webinar.status == Webinar.Status.CANCELLED:
        return _("cancelled")
    return _("published") if webinar.is_published else _("draft")


@dataclass
class SeriesWebinars:
    upcoming: list[Webinar]
    past: list[Webinar]
    more_upcoming: bool
    more_past: bool


def series_webinars(series_id: int, now: datetime) -> SeriesWebinars:
    """The series' next and last webinars with their seat counts, one query for each part."""
    rows = (
        Webinar.objects.filter(series=series_id)
        .with_counts()
        .only("number", "title", "start", "end", "time_zone", "status", "is_published", "capacity")
    )
    upcoming = list(rows.upcoming(now)[: UPCOMING_SHOWN + 1])
    past = list(rows.past(now)[: PAST_SHOWN + 1])
    return SeriesWebinars(
        upcoming=upcoming[:UPCOMING_SHOWN],
        # The last ones shown oldest first, so the table reads in date order like the page.
        past=past[:PAST_SHOWN][::-1],
        more_upcoming=len(upcoming) > UPCOMING_SHOWN,
        more_past=len(past) > PAST_SHOWN,
    )


def _row(webinar: Webinar):
    change = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    duplicate = reverse("admin:webinars_webinar_duplicate", args=[webinar.pk])
    registrations = (
        reverse("admin:webinars_registration_changelist") + f"?webinar__id__exact={webinar.pk}"
    )
    return (
        webinar.number or "",
        change,
        webinar.title,
        span(webinar.local_start, webinar.local_end),
        webinar.time_zone,
        state_label(webinar),
        registrations,
        webinar.confirmed_count,
        webinar.capacity or "∞",
        webinar.waitlisted_count,
        duplicate,
        _("Duplicate"),
    )


ROW = (
    '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{} <span class="quiet">({})</span></td>'
    '<td>{}</td><td><a href="{}">{} / {}</a> · {}</td><td><a href="{}">{}</a></td></tr>'
)


def webinar_table(series_id: int, now: datetime) -> str:
    """The list as HTML for the series' change page."""
    found = series_webinars(series_id, now)
    all_of_them = reverse("admin:webinars_webinar_changelist") + f"?series__id__exact={series_id}"
    if not found.upcoming and not found.past:
        return format_html("<p>{}</p>", _("No webinars in this series yet."))
    head = format_html(
        "<thead><tr>{}</tr></thead>",
        format_html_join(
            "",
            '<th scope="col">{}</th>',
            [
                (_("No."),),
                (_("Title"),),
                (_("Start (own zone)"),),
                (_("State"),),
                (_("Confirmed / capacity · waiting"),),
                (_("Copy"),),
            ],
        ),
    )
    sections = []
    for heading, webinars in (
        (
            _("The last %(count)d past webinars") if found.more_past else _("Past webinars"),
            found.past,
        ),
        (
            _("The next %(count)d upcoming webinars")
            if found.more_upcoming
            else _("Upcoming webinars"),
            found.upcoming,
        ),
    ):
        if webinars:
            sections.append(
                format_html(
                    '<tbody><tr><th colspan="6" scope="rowgroup">{}</th></tr>{}</tbody>',
                    # A mapping leaves a heading without a placeholder as it is.
                    heading % {"count": len(webinars)},
                    format_html_join("", ROW, (_row(w) for w in webinars)),
                )
            )
    return format_html(
        '<table class="series-webinars">{}{}</table><p><a href="{}">{}</a></p>',
        head,
        format_html_join("", "{}", ((s,) for s in sections)),
        all_of_them,
        _("All webinars of this series in the webinar list"),
    )
