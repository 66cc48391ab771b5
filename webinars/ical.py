"""iCalendar data for webinars: the one place .ics files and feeds are built.

Every calendar names each webinar's own zone (DTSTART;TZID=Europe/Brussels) and carries a
VTIMEZONE for each zone it uses, written as Google, Outlook and Apple write them: a few
STANDARD/DAYLIGHT rules with RRULEs, derived from the zone's real transitions over every year
a webinar can fall in, so a zone reads the same in every file (webinars.vtimezone). An instant whose local wall time is ambiguous (the repeated hour of a
fall-back night) is written in UTC instead: RFC 5545 reads a repeated local time as its first
occurrence, and readers differ on it anyway. Public calendars never carry the private join link.
"""

import functools
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.timezones import is_ambiguous
from series.models import SeriesOrganisation
from webinars.formatting import page_url
from webinars.identity import site_name
from webinars.models import Webinar
from webinars.text import one_line, plain_text, xml_safe
from webinars.vtimezone import vtimezone_ical

PRODID = "-//Webinar series//webinars//EN"
UID_DOMAIN = "webinars"
# How often subscribed calendars should poll (RFC 7986 REFRESH-INTERVAL, X-PUBLISHED-TTL).
DEFAULT_REFRESH = timedelta(hours=12)


def webinar_uid(webinar: Webinar) -> str:
    """Stable across edits: derived from the webinar's UUID, never from its title or time."""
    return f"{webinar.uid}@{UID_DOMAIN}"


def organiser_names(webinar: Webinar) -> list[str]:
    """Names of the series' organisers (role 'organised by'), from prefetched rows if any."""
    if not webinar.series_id:
        return []
    return [
        p.organisation.name
        for p in webinar.series.partners.all()
        if p.role == SeriesOrganisation.Role.ORGANISER
    ]


def people_lines(webinar: Webinar) -> list[str]:
    """'Speakers: A (X), B (Y)' and 'Moderator: C (Z)' lines for plain-text descriptions."""

    def names(rows):
        return ", ".join(
            f"{ws.speaker.name} ({ws.speaker.affiliation})"
            if ws.speaker.affiliation
            else ws.speaker.name
            for ws in rows
        )

    lines = []
    if webinar.speakers:
        lines.append(
            ngettext("Speaker: %(names)s", "Speakers: %(names)s", len(webinar.speakers))
            % {"names": names(webinar.speakers)}
        )
    if webinar.moderators:
        lines.append(
            ngettext("Moderator: %(names)s", "Moderators: %(names)s", len(webinar.moderators))
            % {"names": names(webinar.moderators)}
        )
    return lines


def event_description(webinar: Webinar) -> str:
    """Plain text for calendar clients: series, description, speakers, the page URL."""
    parts = []
    if webinar.is_cancelled:
        parts.append(_("CANCELLED: this webinar will not take place."))
    if webinar.series_id:
        if webinar.number:
            parts.append(
                _("Webinar %(number)s of the series %(series)s")
                % {"number": webinar.number, "series": webinar.series.title}
            )
        else:
            parts.append(_("Part of %(series)s") % {"series": webinar.series.title})
    text = plain_text(webinar.description)
    if text:
        parts.append(text)
    people = people_lines(webinar)
    if people:
        parts.append("\n".join(people))
    parts.append(_("Details and registration: %(url)s") % {"url": page_url(webinar)})
    return "\n\n".join(parts)


@functools.lru_cache(maxsize=8)
def _parse_sender(sender: str) -> tuple[str, str]:
    name, address = parseaddr(sender)
    return name, address or "webinars@example.org"


def _from_address() -> str:
    return _parse_sender(settings.DEFAULT_FROM_EMAIL)[1]


def _event_fields(
    webinar: Webinar,
    *,
    stamp: datetime | None,
    attendee_email: str | None = None,
    cancelled: bool = False,
    tentative: bool = False,
    sequence_offset: int = 0,
    alarm: bool = False,
) -> tuple:
    """Everything a VEVENT says, as a hashable tuple (so its serialisation can be reused)."""
    organizer_name = one_line(
        ", ".join(organiser_names(webinar)) or parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    )
    # Organisers' titles go on one line (a raw line break would end the content line) and lose
    # what no calendar client can read; the description keeps its lines, which vText escapes.
    return (
        ("uid", webinar_uid(webinar)),
        # RFC 5545: without METHOD, DTSTAMP is when the information last changed; with one,
        # when the message was made. A fixed stamp also keeps feed bodies identical between polls.
        ("dtstamp", stamp or webinar.updated),
        ("last-modified", webinar.updated),
        ("created", webinar.created),
        ("sequence", webinar.sequence + sequence_offset),
        *unambiguous(webinar.local_start, webinar.local_end),
        ("summary", one_line(webinar.title)),
        ("description", xml_safe(event_description(webinar))),
        ("url", page_url(webinar)),
        ("location", one_line(webinar.location) or _("Online")),
        ("status", _status(webinar, cancelled=cancelled, tentative=tentative)),
        ("transp", "TRANSPARENT" if webinar.is_cancelled or tentative else "OPAQUE"),
        ("class", "PUBLIC"),
        ("categories", one_line(webinar.series.title) if webinar.series_id else None),
        ("organizer", (_from_address(), organizer_name or site_name())),
        ("attendee", attendee_email),
        ("alarm", _alarm_lead(webinar) if alarm and not cancelled and not tentative else None),
    )


def _alarm_lead(webinar: Webinar) -> tuple[int, str] | None:
    """Minutes before the start for the entry's own alarm, at the organiser's first (longest)
    reminder: it reaches people whose mail filters ate the reminder mail. None when cancelled
    or when the organiser chose no reminders."""
    if webinar.is_cancelled:
        return None
    leads = webinar.reminder_leads()
    if not leads:
        return None
    return leads[0], one_line(webinar.title)


def _status(webinar: Webinar, *, cancelled: bool, tentative: bool) -> str:
    if cancelled or webinar.is_cancelled:
        return "CANCELLED"
    return "TENTATIVE" if tentative else "CONFIRMED"


def unambiguous(start: datetime, end: datetime) -> tuple[tuple[str, datetime], ...]:
    """DTSTART and DTEND as local times (written with their TZID), or both in UTC (written
    ...Z) when either wall time alone would not say which instant is meant. Both, not one:
    readers such as recurring-ical-events work out a length from a UTC start and a local end
    in the wrong zone."""
    if is_ambiguous(start) or is_ambiguous(end):
        start, end = start.astimezone(UTC), end.astimezone(UTC)
    return (("dtstart", start), ("dtend", end))


def _text(value: str) -> icalendar.vText:
    """A TEXT value, escaped per RFC 5545 and marked VALUE=TEXT: readers such as ical.js do not
    know NAME or the X-WR- properties and would otherwise show their backslashes."""
    text = icalendar.vText(value)
    text.params["VALUE"] = "TEXT"
    return text


def _event(fields: tuple) -> icalendar.Event:
    event = icalendar.Event()
    for name, value in fields:
        if value is None:
            continue
        if name == "categories":
            event.add(name, [value])
        elif name == "organizer":
            address, cn = value
            organizer = icalendar.vCalAddress(f"mailto:{address}")
            organizer.params["cn"] = icalendar.vText(cn)
            event.add(name, organizer)
        elif name == "alarm":
            minutes, summary = value
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", timedelta(minutes=-minutes))
            event.add_component(alarm)
        elif name == "attendee":
            event.add(name, _attendee(value))
        else:
            event.add(name, value)
    return event


def _attendee(email: str) -> icalendar.vCalAddress:
    attendee = icalendar.vCalAddress(f"mailto:{email}")
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = icalendar.vText("ACCEPTED")
    return attendee


# A message's VEVENT differs from its neighbours' only in DTSTAMP and ATTENDEE: the rest is
# serialised once per webinar version, method and offset, with these in place of the two.
_STAMP_STANDIN = datetime(2000, 1, 1, tzinfo=UTC)
_ATTENDEE_STANDIN = "attendee@standin.invalid"
_STAMP_LINE = b"\r\nDTSTAMP:20000101T000000Z\r\n"
# A content line and its folded continuations (each starts with a space).
_ATTENDEE_LINE = re.compile(rb"(?<=\r\n)ATTENDEE(?:[^\r]|\r\n )*\r\n")


@functools.lru_cache(maxsize=256)
def _message_event_standin(fields: tuple) -> bytes:
    return _event(fields).to_ical()


def _message_event_ical(fields: tuple, stamp: datetime) -> bytes:
    """The VEVENT of a message, byte for byte what _event(fields).to_ical() gives."""
    attendee = dict(fields).get("attendee")
    standin = tuple(
        (
            name,
            _STAMP_STANDIN
            if name == "dtstamp"
            else _ATTENDEE_STANDIN
            if attendee and name == "attendee"
            else value,
        )
        for name, value in fields
    )
    ical = _message_event_standin(standin).replace(
        _STAMP_LINE,
        b"\r\nDTSTAMP:" + icalendar.vDatetime(stamp.astimezone(UTC)).to_ical() + b"\r\n",
        1,
    )
    if attendee:
        only = icalendar.Event()
        only.add("attendee", _attendee(attendee))
        line = _ATTENDEE_LINE.search(only.to_ical()).group(0)
        ical = _ATTENDEE_LINE.sub(lambda _match: line, ical, count=1)
    return ical


@functools.lru_cache(maxsize=8192)
def _feed_event_ical(fields: tuple) -> bytes:
    # Feeds are rebuilt whenever anything changes, but most of their events did not:
    # serialising 2,000 events with icalendar takes seconds, reusing them milliseconds.
    return _event(fields).to_ical()


def calendar_for(
    webinars: Iterable[Webinar],
    *,
    method: str | None = None,
    name: str | None = None,
    attendee_email: str | None = None,
    description: str | None = None,
    url: str | None = None,
    source: str | None = None,
    refresh: timedelta | None = None,
    tentative: bool = False,
    sequence_offset: int = 0,
    alarm: bool = False,
) -> bytes:
    """A VCALENDAR with one VEVENT per webinar and a VTIMEZONE for each zone they use.

    method="REQUEST" (with attendee_email) makes a mail attachment that Gmail and Outlook
    offer to add to the calendar, method="CANCEL" one that removes it from there; name
    (X-WR-CALNAME/NAME), description, url, source (the feed's own address) and refresh
    (polling interval) describe a subscribable feed. method="PUBLISH" with tentative (and no
    attendee) offers an entry without inviting (a waiting list); sequence_offset raises
    SEQUENCE for a message newer than the webinar's last change (a registrant's own CANCEL).
    alarm adds a VALARM at the first reminder lead: for one webinar's file and invitations,
    not for subscribable feeds, where every webinar of a site or series would ring, registered
    or not.
    """
    webinars = list(webinars)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    name = one_line(name) if name else None
    description = xml_safe(description) if description else None
    if name:
        cal.add("name", _text(name))
        cal.add("x-wr-calname", _text(name))
    if description:
        cal.add("description", description)
        cal.add("x-wr-caldesc", _text(description))
    if url:
        cal.add("url", url)
    if source:
        cal.add("source", source, parameters={"VALUE": "URI"})
    if refresh:
        cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(refresh))
    # RFC 5545 wants at least one component: a calendar with no event (a personal feed whose
    # webinars were all cancelled) keeps the site's zone so it stays valid.
    zones = [vtimezone_ical(tzid) for tzid in zones_of(webinars) or [settings.TIME_ZONE]]
    stamp = timezone.now() if method else None
    events = []
    for webinar in webinars:
        fields = _event_fields(
            webinar,
            stamp=stamp,
            attendee_email=attendee_email,
            cancelled=method == "CANCEL",
            tentative=tentative,
            sequence_offset=sequence_offset,
            alarm=alarm,
        )
        # Messages carry a fresh DTSTAMP and their own ATTENDEE; feeds reuse whole events.
        events.append(_message_event_ical(fields, stamp) if stamp else _feed_event_ical(fields))
    head, end = cal.to_ical().rsplit(b"END:VCALENDAR", 1)
    return head + b"".join(zones) + b"".join(events) + b"END:VCALENDAR" + end


def zones_of(webinars: Iterable[Webinar]) -> list[str]:
    """The zones the webinars use, each once, in a stable order."""
    return sorted({webinar.time_zone for webinar in webinars})


class CalendarResponse(HttpResponse):
    """text/calendar; a filename makes it a download, without one it is a subscribable feed."""

    def __init__(self, content: bytes, *, filename: str | None = None, **kwargs):
        super().__init__(content, content_type="text/calendar; charset=utf-8", **kwargs)
        if filename:
            self["Content-Disposition"] = f'attachment; filename="{filename}"'
