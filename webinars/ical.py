"""iCalendar data for webinars: the one place .ics files and feeds are built.

Public calendars never carry the private join link.
"""

from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from webinars.models import Webinar

PRODID = "-//Webinar series//webinars//EN"


def webinar_uid(webinar: Webinar) -> str:
    """Stable across edits: derived from the webinar's UUID, never from its title or time."""
    return f"{webinar.uid}@webinars"


def _event(webinar: Webinar, *, attendee_email: str | None = None) -> icalendar.Event:
    page_url = settings.SITE_URL + webinar.get_absolute_url()
    event = icalendar.Event()
    event.add("uid", webinar_uid(webinar))
    event.add("dtstamp", timezone.now())
    event.add("last-modified", webinar.updated)
    event.add("sequence", webinar.sequence)
    event.add("dtstart", webinar.local_start)
    event.add("dtend", webinar.local_end)
    event.add("summary", webinar.title)
    event.add("description", f"{webinar.title}\n\n{page_url}")
    event.add("url", page_url)
    event.add("location", webinar.location or "Online")
    event.add("status", "CANCELLED" if webinar.is_cancelled else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{_from_address()}")
    organizer.params["cn"] = icalendar.vText("Webinars")
    event.add("organizer", organizer)
    if attendee_email:
        attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = icalendar.vText("ACCEPTED")
        event.add("attendee", attendee)
    return event


def _from_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "webinars@example.org"


def calendar_for(
    webinars: Iterable[Webinar],
    *,
    method: str | None = None,
    name: str | None = None,
    attendee_email: str | None = None,
) -> bytes:
    """A VCALENDAR with one VEVENT per webinar and the VTIMEZONEs they use.

    method="REQUEST" (with attendee_email) makes a mail attachment that Gmail and Outlook
    offer to add to the calendar; name sets X-WR-CALNAME for subscribable feeds.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for webinar in webinars:
        cal.add_component(_event(webinar, attendee_email=attendee_email))
    cal.add_missing_timezones()
    return cal.to_ical()


class CalendarResponse(HttpResponse):
    def __init__(self, content: bytes, *, filename: str | None = None, **kwargs):
        super().__init__(content, content_type="text/calendar; charset=utf-8", **kwargs)
        if filename:
            self["Content-Disposition"] = f'attachment; filename="{filename}"'
