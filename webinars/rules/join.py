"""The join window: a confirmed registrant's personal join link works from
JOIN_WINDOW_MINUTES before the start until the end (which, as everywhere, is already over)."""

from datetime import datetime, timedelta

from django.conf import settings

from webinars.rules import phase


def opens(webinar) -> datetime:
    return webinar.start - timedelta(minutes=settings.JOIN_WINDOW_MINUTES)


def closes(webinar) -> datetime:
    return webinar.end


def is_open(webinar, now: datetime) -> bool:
    """Whether the link leads to the meeting now (the registrant's own status aside)."""
    return not webinar.is_cancelled and opens(webinar) <= now and not phase.is_over(webinar, now)
