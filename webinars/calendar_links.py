"""Links that put a webinar into someone's calendar: .ics, Google Calendar, Outlook, webcal://.

Google and Outlook take the times in UTC ("...Z"), so the link is right whatever zone the
server, the webinar and the visitor are in.
"""

from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.urls import reverse
from django.utils.translation import gettext as _

from webinars.formatting import absolute_url, page_url
from webinars.ical import people_lines
from webinars.models import Webinar

GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/deeplink/compose"
OUTLOOK_OFFICE = "https://outlook.office.com/calendar/0/deeplink/compose"


def _short_details(webinar: Webinar) -> str:
    # Kept short: the whole description would make the link too long for some browsers.
    return "\n\n".join([*people_lines(webinar), _("Details: %(url)s") % {"url": page_url(webinar)}])


def _location(webinar: Webinar) -> str:
    return webinar.location or _("Online")


def ics_url(webinar: Webinar) -> str:
    return reverse("webinars:ical", kwargs={"slug": webinar.slug})


def google_calendar_url(webinar: Webinar) -> str:
    """Google Calendar's 'create event' page, times in UTC (dates=20201001T080000Z/...)."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    params = {
        "action": "TEMPLATE",
        "text": webinar.title,
        "dates": f"{stamp(webinar.start)}/{stamp(webinar.end)}",
        "details": _short_details(webinar),
        "location": _location(webinar),
        # Shows the event in the webinar's own zone in Google's form; the instant is the UTC one.
        "ctz": webinar.time_zone,
    }
    return f"{GOOGLE_CALENDAR}?{urlencode(params, safe='/:')}"


def outlook_url(webinar: Webinar, *, base: str = OUTLOOK_COM) -> str:
    """Outlook on the web's 'new event' form (outlook.com; pass base=OUTLOOK_OFFICE for 365)."""

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": webinar.title,
        "startdt": stamp(webinar.start),
        "enddt": stamp(webinar.end),
        "body": _short_details(webinar),
        "location": _location(webinar),
    }
    return f"{base}?{urlencode(params, safe='/:')}"


def calendar_links(webinar: Webinar) -> dict[str, str]:
    """Every 'add to calendar' link for the webinar page."""
    return {
        "ics": ics_url(webinar),
        "google": google_calendar_url(webinar),
        "outlook": outlook_url(webinar),
        "office365": outlook_url(webinar, base=OUTLOOK_OFFICE),
    }


def subscribe_links(path: str) -> dict[str, str]:
    """The https:// and webcal:// addresses of a feed path such as /calendar.ics."""
    https = absolute_url(path)
    scheme, netloc, url_path, query, fragment = urlsplit(https)
    return {"https": https, "webcal": urlunsplit(("webcal", netloc, url_path, query, fragment))}
