"""Machine-readable descriptions of a webinar page: schema.org JSON-LD and social tags.

The public page's address stands in for an online webinar's location: the join link is
private and never appears here.
"""

import json

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from series.models import Series, SeriesOrganisation
from webinars.availability import registration_state
from webinars.cover_image import cover_url
from webinars.formatting import absolute_url, page_url
from webinars.identity import site_name
from webinars.models import SiteSettings, Webinar
from webinars.rules import phase
from webinars.text import plain_text

SCHEMA = "https://schema.org/"
# Registration is free; schema.org offers want a currency next to a price of 0.
PRICE_CURRENCY = "EUR"
# Characters inside <script> that could end it or start markup; escaped as JSON allows.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _organisation(org, fallback_url: str) -> dict:
    # Without a website of its own, the series page (which presents it) is its address.
    return {"@type": "Organization", "name": org.name, "url": org.url or fallback_url}


def organisers(series: Series | None) -> list[dict]:
    """The series' organisers (role 'organised by'), or the site when there are none."""
    orgs = []
    if series is not None:
        series_url = absolute_url(series.get_absolute_url())
        orgs = [
            _organisation(p.organisation, series_url)
            for p in series.partners.all()
            if p.role == SeriesOrganisation.Role.ORGANISER
        ]
    return orgs or [{"@type": "Organization", "name": site_name(), "url": absolute_url("/")}]


def social_image_url() -> str:
    """The page's share image (og:image in base.html), absolute, with the site's name."""
    version = SiteSettings.current().version
    return absolute_url(reverse("webinars:social_image")) + f"?v={version}"


def _person(appearance) -> dict:
    speaker = appearance.speaker
    data = {
        "@type": "Person",
        "name": speaker.name,
        "url": absolute_url(speaker.get_absolute_url()),
    }
    if speaker.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": speaker.affiliation}
    return data


# schema.org ItemAvailability for each registration state (webinars.availability), so search
# results say what the page and the list badges say.
AVAILABILITY = {
    "open": "InStock",
    "few": "LimitedAvailability",
    "full": "SoldOut",  # a waiting list remains, but no seat
    "closed": "Discontinued",
    "cancelled": "Discontinued",
}


def availability(webinar: Webinar, now=None) -> str:
    """schema.org ItemAvailability of the (free) registration."""
    return SCHEMA + AVAILABILITY[registration_state(webinar, now).code]


def description(webinar: Webinar, *, limit: int = 300) -> str:
    """The description as one plain-text paragraph, cut at a word for meta tags."""
    text = " ".join(plain_text(webinar.description).split())
    return Truncator(text).chars(limit) if text else webinar.title


def event_data(webinar: Webinar, *, series: Series | None = None, now=None) -> dict:
    """schema.org Event for the webinar page."""
    url = page_url(webinar)
    if webinar.is_online:
        mode = "OnlineEventAttendanceMode"
        location = {"@type": "VirtualLocation", "url": url}
    else:
        mode = "OfflineEventAttendanceMode"
        location = {
            "@type": "Place",
            "name": webinar.location,
            "address": webinar.location,
        }
    if webinar.is_cancelled:
        status = "EventCancelled"
    elif webinar.previous_start is not None:
        status = "EventRescheduled"
    else:
        status = "EventScheduled"
    people = [_person(ws) for ws in [*webinar.speakers, *webinar.moderators]]
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url + "#event",
        "name": webinar.title,
        "description": description(webinar, limit=5000),
        "url": url,
        "startDate": webinar.local_start.isoformat(),
        "endDate": webinar.local_end.isoformat(),
        "eventStatus": SCHEMA + status,
        "eventAttendanceMode": SCHEMA + mode,
        "location": location,
        "image": [cover_url(webinar)],
        "organizer": organisers(series),
        # Speakers not announced yet: the organisers present it.
        "performer": people or organisers(series),
        "isAccessibleForFree": True,
        # The page's language: en-GB, or nl under /nl/.
        "inLanguage": to_locale(get_language() or settings.LANGUAGE_CODE).replace("_", "-"),
        "offers": {
            "@type": "Offer",
            "name": _("Free registration"),
            "price": "0",
            "priceCurrency": PRICE_CURRENCY,
            "availability": availability(webinar, now or timezone.now()),
            "url": url,
            "validFrom": webinar.created.isoformat(),
        },
    }
    if status == "EventRescheduled":
        data["previousStartDate"] = webinar.previous_start.astimezone(webinar.tz).isoformat()
    if webinar.capacity is not None:
        data["maximumAttendeeCapacity"] = webinar.capacity
    if webinar.has_public_recording and phase.is_over(webinar, now or timezone.now()):
        # Only a public recording: a registrants-only one must not leak through search engines.
        data["recordedIn"] = {
            "@type": "VideoObject",
            "name": webinar.title,
            "description": description(webinar),
            "url": webinar.recording_url,
            "uploadDate": webinar.local_end.isoformat(),
            "thumbnailUrl": cover_url(webinar),
        }
    if series is not None:
        data["superEvent"] = {
            "@type": "EventSeries",
            "name": series.title,
            "url": absolute_url(series.get_absolute_url()),
        }
    return data


def breadcrumb_data(webinar: Webinar, *, series: Series | None = None) -> dict:
    """schema.org BreadcrumbList: calendar > series > webinar."""
    trail = [(_("Calendar"), absolute_url(reverse("webinars:calendar")))]
    if series is not None:
        trail.append((series.title, absolute_url(series.get_absolute_url())))
    trail.append((webinar.title, page_url(webinar)))
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, 1)
        ],
    }


def json_ld_script(data: dict) -> SafeString:
    """<script type="application/ld+json"> whose content cannot close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped)


# Open Graph writes a locale as language_TERRITORY; a bare "nl" is not one.
OPEN_GRAPH_LOCALES = {"en-gb": "en_GB", "nl": "nl_NL", "fr": "fr_FR"}


def open_graph_locale(language: str | None) -> str:
    language = (language or settings.LANGUAGE_CODE).lower()
    return OPEN_GRAPH_LOCALES.get(language) or to_locale(language)


def social_meta(webinar: Webinar) -> dict:
    """Values for Open Graph and Twitter card tags (escaped by the template)."""
    return {
        "title": webinar.title,
        "description": description(webinar),
        "url": page_url(webinar),
        # Its own picture, so two webinars shared side by side look different.
        "image": cover_url(webinar),
        "site_name": site_name(),
        "locale": open_graph_locale(get_language()),
    }
