"""Seats: how many are left, when a webinar is full, when only a few are left, and who on the
waiting list gets a freed seat. Counting the confirmed registrations is the caller's, under the
webinar's row lock when the answer decides a registration (services.seats)."""

from datetime import datetime

from webinars.rules import phase

# First come, first served: waiting registrants are promoted, and pending ones approved or
# confirmed, in the order they registered.
PROMOTION_ORDER = ("created", "pk")


def seats_left(capacity: int | None, confirmed: int) -> int | None:
    """Free seats; None for unlimited."""
    if capacity is None:
        return None
    return max(capacity - confirmed, 0)


def is_full(capacity: int | None, confirmed: int) -> bool:
    """No free seat: the next registration goes on the waiting list."""
    return capacity is not None and confirmed >= capacity


def few_left_threshold(capacity: int) -> int:
    """At most this many seats left reads "few seats left": a tenth of them, and at least 2."""
    return max(2, capacity // 10)


def few_left(capacity: int | None, confirmed: int) -> bool:
    left = seats_left(capacity, confirmed)
    return left is not None and 0 < left <= few_left_threshold(capacity)


def waiting_list_moves(webinar, now: datetime) -> bool:
    """Whether freed seats go to the waiting list: not once the webinar is cancelled or has
    started (a seat then is no use to anyone)."""
    return not webinar.is_cancelled and not phase.has_started(webinar, now)


def promotion_limit(capacity: int | None, confirmed: int) -> int | None:
    """How many waiting registrants to promote now, the first in PROMOTION_ORDER: one per free
    seat; None for unlimited seats (all of them)."""
    return seats_left(capacity, confirmed)
