"""A webinar's phase: upcoming, live, over.

Decided once: the end instant belongs to the past. A webinar is live from its start up to,
not including, its end, and over at and after its end. The Q objects take a `prefix` for a
relation ("webinar__", "webinars__") so queries through registrations or series agree too.
"""

from datetime import datetime

from django.db.models import Q

UPCOMING = "upcoming"
LIVE = "live"
OVER = "over"


def has_started(webinar, now: datetime) -> bool:
    return now >= webinar.start


def is_over(webinar, now: datetime) -> bool:
    return now >= webinar.end


def is_live(webinar, now: datetime) -> bool:
    return webinar.start <= now < webinar.end


def phase(webinar, now: datetime) -> str:
    if is_over(webinar, now):
        return OVER
    return LIVE if has_started(webinar, now) else UPCOMING


def not_over_q(now: datetime, prefix: str = "") -> Q:
    """Upcoming or live: what lists call upcoming (is_over is False)."""
    return Q(**{f"{prefix}end__gt": now})


def over_q(now: datetime, prefix: str = "") -> Q:
    """Over: is_over is True."""
    return Q(**{f"{prefix}end__lte": now})


def live_q(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start__lte": now}) & not_over_q(now, prefix)
