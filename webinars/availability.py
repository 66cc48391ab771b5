"""What a visitor is told about registering for a webinar: open, few seats left, full, closed,
cancelled. One definition for the webinar page, the list badges and the structured data.

Pages show the state, never the exact number of seats left, so a registration changes what
they show only when it moves the state (badge_changes).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from webinars.rules import phase, registration, seats


@dataclass(frozen=True)
class RegistrationState:
    code: str  # open / few / full / closed / cancelled
    label: str
    seats_left: int | None

    @property
    def is_open(self) -> bool:
        return self.code in {"open", "few", "full"}


def seats_state(capacity: int | None, confirmed: int) -> RegistrationState:
    """The state of a webinar open for registration with `confirmed` seats taken."""
    left = seats.seats_left(capacity, confirmed)
    if seats.is_full(capacity, confirmed):
        return RegistrationState("full", _("Full: waiting list"), left)
    if seats.few_left(capacity, confirmed):
        return RegistrationState("few", _("Few seats left"), left)
    return RegistrationState("open", _("Registration open"), left)


def registration_state(webinar, now: datetime | None = None) -> RegistrationState:
    """What a visitor is told about registering; uses confirmed_count when annotated."""
    # Publication aside: only staff see an unpublished webinar, as visitors will once published.
    refusal = registration.scheduled_refusal(webinar, now or timezone.now())
    if refusal == registration.CANCELLED:
        return RegistrationState("cancelled", pgettext("webinar", "Cancelled"), None)
    if refusal is not None:
        return RegistrationState("closed", _("Registration closed"), None)
    if webinar.capacity is None:
        return seats_state(None, 0)
    confirmed = getattr(webinar, "confirmed_count", None)
    if confirmed is None:
        confirmed = webinar.registrations.confirmed().count()
    return seats_state(webinar.capacity, confirmed)


def list_state(webinar, now: datetime) -> RegistrationState | None:
    """The badge of a list item; None once a (not cancelled) webinar is over."""
    if not webinar.is_cancelled and phase.is_over(webinar, now):
        return None
    return registration_state(webinar, now)


def badge_changes(capacity: int | None, before: int, after: int) -> bool:
    """Whether going from `before` to `after` confirmed seats changes what lists show.

    List badges show the state (open, few seats left, full), not the number of seats left.
    """
    if capacity is None:
        return False
    return seats_state(capacity, before).code != seats_state(capacity, after).code
