"""Whether a webinar takes registrations now, and if not why.

The reason codes are those of services.RegistrationError; the words for visitors stay there
and in availability, chosen by the code decided here.
"""

from datetime import datetime

from django.db.models import Q

from webinars.rules import phase

UNPUBLISHED = "unavailable"
CANCELLED = "cancelled"
OVER = "past"
CLOSED = "closed"


def closes_at(webinar) -> datetime:
    """The webinar's own closing time when it is set before the start, else the start."""
    if webinar.registration_closes and webinar.registration_closes < webinar.start:
        return webinar.registration_closes
    return webinar.start


def refusal(webinar, now: datetime) -> str | None:
    """Why registration is closed now (a reason code above), or None when it is open."""
    if not webinar.is_published:
        return UNPUBLISHED
    return scheduled_refusal(webinar, now)


def scheduled_refusal(webinar, now: datetime) -> str | None:
    """refusal, publication aside: staff preview an unpublished webinar as it will be."""
    if webinar.is_cancelled:
        return CANCELLED
    if phase.is_over(webinar, now):
        return OVER
    if now >= closes_at(webinar):
        return CLOSED
    return None


def is_open(webinar, now: datetime) -> bool:
    return refusal(webinar, now) is None


def is_open_as_scheduled(webinar, now: datetime) -> bool:
    return scheduled_refusal(webinar, now) is None


def open_q(now: datetime) -> Q:
    """is_open in SQL: published, not cancelled, before the start and the closing time.

    Before the start means before the end too, and before closes_at whichever of the two it is.
    """
    return (
        Q(is_published=True, start__gt=now)
        & ~Q(status="cancelled")  # Webinar.Status.CANCELLED
        & (Q(registration_closes__isnull=True) | Q(registration_closes__gt=now))
    )
