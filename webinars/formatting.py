"""How webinars read as text: dates, time ranges and zones, and absolute addresses.

One definition for pages (the template tags wrap these), mail, calendar files, feeds, forms
and structured data, so a time reads the same everywhere. Times are shown in the webinar's
own zone: the reader's own is added in the browser (localtime.js), never on the server.
"""

from datetime import datetime, tzinfo

from django.conf import settings
from django.utils import dateformat
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _


def absolute_url(path: str) -> str:
    """SITE_URL + path: links leaving the site (mail, feeds, calendars) never use the request's
    host, which a visitor controls."""
    return settings.SITE_URL + path


def page_url(webinar) -> str:
    """The absolute public page of the webinar."""
    return absolute_url(webinar.get_absolute_url())


def _day(moment: datetime) -> str:
    """'Thursday 1 October 2020': the weekday always, names in the active language."""
    return dateformat.format(moment, "l j F Y")


def _clock(moment: datetime) -> str:
    return dateformat.format(moment, "H:i")


# The zones webinars are most often held in, named as a whole so that a language can say
# "Brusselse tijd" rather than put a city before a word for time; others fall back to the
# pattern with the zone's own (English) city name.
NAMED_ZONES = {
    "Europe/Brussels": pgettext_lazy("time zone", "Brussels time"),
    "Europe/Amsterdam": pgettext_lazy("time zone", "Amsterdam time"),
    "Europe/Paris": pgettext_lazy("time zone", "Paris time"),
    "Europe/Berlin": pgettext_lazy("time zone", "Berlin time"),
    "Europe/Luxembourg": pgettext_lazy("time zone", "Luxembourg time"),
    "Europe/London": pgettext_lazy("time zone", "London time"),
    "Europe/Lisbon": pgettext_lazy("time zone", "Lisbon time"),
    "Europe/Madrid": pgettext_lazy("time zone", "Madrid time"),
    "Europe/Rome": pgettext_lazy("time zone", "Rome time"),
    "Europe/Athens": pgettext_lazy("time zone", "Athens time"),
    "America/New_York": pgettext_lazy("time zone", "New York time"),
    "America/Chicago": pgettext_lazy("time zone", "Chicago time"),
    "America/Los_Angeles": pgettext_lazy("time zone", "Los Angeles time"),
    "Asia/Tokyo": pgettext_lazy("time zone", "Tokyo time"),
    "Asia/Kolkata": pgettext_lazy("time zone", "Kolkata time"),
    "Australia/Sydney": pgettext_lazy("time zone", "Sydney time"),
}


def zone_name(tz: tzinfo) -> str:
    """'Brussels time', 'New York time', 'UTC': the zone as people name it."""
    key = getattr(tz, "key", None) or str(tz)
    if key in {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu"}:
        return "UTC"
    if key in NAMED_ZONES:
        return str(NAMED_ZONES[key])
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    return _("%(city)s time") % {"city": city}


def span(start: datetime, end: datetime, *, with_date: bool = True) -> str:
    """A range of two instants already in one zone, each end with its own abbreviation when
    they differ (a range across a daylight-saving change):
    'Thursday 1 October 2020, 10:00–11:30 CEST',
    'Sunday 28 March 2027, 01:30 CET – 03:30 CEST',
    'Sunday 1 March 2026, 23:30 CET – Monday 2 March 2026, 00:30 CET'.
    """
    first, last = start.tzname(), end.tzname()
    day = f"{_day(start)}, " if with_date else ""
    if start.date() == end.date() or not with_date:
        if first == last:
            return f"{day}{_clock(start)}\u2013{_clock(end)} {last}"
        return f"{day}{_clock(start)} {first} \u2013 {_clock(end)} {last}"
    return f"{day}{_clock(start)} {first} \u2013 {_day(end)}, {_clock(end)} {last}"


def when(webinar, tz: tzinfo | None = None) -> str:
    """'Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time', in the webinar's own zone
    (or in tz, e.g. a registrant's own)."""
    if tz is None:
        tz, start, end = webinar.tz, webinar.local_start, webinar.local_end
    else:
        start, end = webinar.local_start.astimezone(tz), webinar.local_end.astimezone(tz)
    text = span(start, end)
    zone = zone_name(tz)
    if zone == end.tzname():
        return text  # "..., 09:00–09:30 UTC" says it already
    return _("%(when)s, %(zone)s") % {"when": text, "zone": zone}


def in_zone(value: datetime, tz: tzinfo) -> str:
    """'Thursday 1 October 2020, 09:30 CEST': an instant in the zone tz (a webinar's own)."""
    local = value.astimezone(tz)
    return f"{_day(local)}, {_clock(local)} {local.tzname()}"


def clock(webinar) -> str:
    """'10:00–11:30 CEST': the webinar's times without the date (a day of the month grid),
    each end with its own abbreviation when they differ."""
    return span(webinar.local_start, webinar.local_end, with_date=False)


# Django's three-letter French months read "Jui" for both juin and juillet: these are the
# usual French abbreviations (as the browser's Intl writes them), unambiguous in a date block.
FRENCH_MONTHS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip


def short_month(moment: datetime) -> str:
    if (get_language() or "").split("-")[0] == "fr":
        return FRENCH_MONTHS[moment.month - 1]
    return dateformat.format(moment, "M")


def date_parts(webinar) -> dict[str, str]:
    """Day, short month and year of the start, in the webinar's own zone, for a date block."""
    start = webinar.local_start
    return {"day": str(start.day), "month": short_month(start), "year": str(start.year)}


def iso_datetime(value: datetime) -> str:
    """ISO 8601 to the second, with the offset (HTML's <time datetime> allows 3 decimals)."""
    return value.isoformat(timespec="seconds")


# Titles that are not part of a person's initials ("Prof Erik Smolders" -> "ES").
HONORIFICS = {"prof", "prof.", "dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "mx", "sir"}


def initials(name: str) -> str:
    """'Prof Erik Smolders' -> 'ES'; at most two letters, for a portrait fallback."""
    words = [w for w in str(name).split() if w.lower() not in HONORIFICS and w[:1].isalpha()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()
