"""How webinars read as text: dates, time ranges and zones, and absolute addresses.

One definition for pages (the template tags wrap these), mail, calendar files, feeds, forms
and structured data, so a time reads the same everywhere. Times are shown in the webinar's
own zone: the reader's own is added in the browser (localtime.js), never on the server.
"""

from datetime import datetime, tzinfo

from django.conf import settings


def absolute_url(path: str) -> str:
    """SITE_URL + path: links leaving the site (mail, feeds, calendars) never use the request's
    host, which a visitor controls."""
    return settings.SITE_URL + path


def page_url(webinar) -> str:
    """The absolute public page of the webinar."""
    return absolute_url(webinar.get_absolute_url())


def _day(moment: datetime) -> str:
    # "%d" would zero-pad the day ("01 October").
    return f"{moment.day} {moment:%B %Y}"


def when(webinar, tz: tzinfo | None = None) -> str:
    """'1 October 2020, 10:00-11:30 CEST' in the webinar's own zone (or in tz)."""
    if tz is None:
        start, end = webinar.local_start, webinar.local_end
    else:
        start, end = webinar.start.astimezone(tz), webinar.end.astimezone(tz)
    if start.date() == end.date():
        return f"{_day(start)}, {start:%H:%M}-{end:%H:%M} {end.tzname()}"
    return (
        f"{_day(start)}, {start:%H:%M} {start.tzname()} - {_day(end)}, {end:%H:%M} {end.tzname()}"
    )


def in_zone(value: datetime, tz: tzinfo) -> str:
    """'1 October 2020, 09:30 CEST': an instant in the zone tz (a webinar's own, webinar.tz)."""
    local = value.astimezone(tz)
    return f"{_day(local)}, {local:%H:%M} {local.tzname()}"


def clock(webinar) -> str:
    """'23:30 EST': the start in the webinar's own zone."""
    start = webinar.local_start
    return f"{start:%H:%M} {start.tzname()}"


def date_parts(webinar) -> dict[str, str]:
    """Day, short month and year of the start, in the webinar's own zone, for a date block."""
    start = webinar.local_start
    return {"day": str(start.day), "month": f"{start:%b}", "year": str(start.year)}


def iso_datetime(value: datetime) -> str:
    """ISO 8601 to the second, with the offset (HTML's <time datetime> allows 3 decimals)."""
    return value.isoformat(timespec="seconds")
