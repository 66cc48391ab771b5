"""What the API says about a series, a webinar and a registration, without a request.

The public API, the organisers' API and webhook payloads all build their JSON here, so a
receiver reads the same fields whichever way the data reached it. Links are absolute
(SITE_URL), never the request's host.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from series.models import Series
from webinars.availability import registration_state
from webinars.models import Registration, Webinar, WebinarSpeaker
from webinars.text import render_markdown


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def api_url(name: str, **kwargs) -> str:
    return absolute(reverse(f"api:{name}", kwargs=kwargs or None))


def series_ref_data(series: Series) -> dict:
    return {
        "id": series.pk,
        "slug": series.slug,
        "title": series.title,
        "url": absolute(series.get_absolute_url()),
        "api_url": api_url("series_detail", slug=series.slug),
    }


def _speaker_role(link: WebinarSpeaker) -> dict:
    speaker = link.speaker
    return {
        "id": speaker.pk,
        "slug": speaker.slug,
        "name": speaker.name,
        "affiliation": speaker.affiliation,
        "role": link.role,
        "url": absolute(speaker.get_absolute_url()),
        "api_url": api_url("speaker_detail", slug=speaker.slug),
    }


def webinar_data(webinar: Webinar, now: datetime) -> dict:
    slug = webinar.slug
    return {
        "id": webinar.pk,
        "uid": webinar.uid,
        "slug": slug,
        "series": series_ref_data(webinar.series) if webinar.series else None,
        "number": webinar.number,
        "title": webinar.title,
        "description": webinar.description,
        "description_html": render_markdown(webinar.description),
        "start": webinar.start,
        "end": webinar.end,
        "time_zone": webinar.time_zone,
        "status": webinar.status,
        "online": webinar.is_online,
        "location": webinar.location,
        "event_url": webinar.event_url or None,
        "registration": {
            "state": registration_state(webinar, now).code,
            "closes": webinar.closes_at,
            "url": absolute(reverse("webinars:register", kwargs={"slug": slug})),
        },
        "speakers": [_speaker_role(link) for link in webinar.speakers + webinar.moderators],
        "url": absolute(webinar.get_absolute_url()),
        "api_url": api_url("webinar_detail", slug=slug),
        "calendar_url": absolute(reverse("webinars:ical", kwargs={"slug": slug})),
        "updated": webinar.updated,
    }


def registration_data(registration: Registration) -> dict:
    """A registration as organisers' tools see it: never its token or a join link."""
    return {
        "id": registration.pk,
        "webinar": registration.webinar.slug,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "status": registration.status,
        "language": registration.language,
        "created": registration.created,
        "updated": registration.updated,
        "cancelled_at": registration.cancelled_at,
        "attended_at": registration.attended_at,
    }
