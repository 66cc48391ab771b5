"""The registration state of a webinar (open, few seats left, full, closed, cancelled) and form."""

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.utils import timezone

from webinars.forms import RegistrationForm

register = template.Library()


@dataclass(frozen=True)
class RegistrationState:
    code: str  # open / few / full / closed / cancelled
    label: str
    seats_left: int | None

    @property
    def is_open(self) -> bool:
        return self.code in {"open", "few", "full"}


def registration_state(webinar, now: datetime | None = None) -> RegistrationState:
    """What a visitor is told about registering; uses confirmed_count when annotated."""
    if webinar.is_cancelled:
        return RegistrationState("cancelled", "Cancelled", None)
    if not webinar.is_registration_open(now or timezone.now()):
        return RegistrationState("closed", "Registration closed", None)
    if webinar.capacity is None:
        return RegistrationState("open", "Registration open", None)
    confirmed = getattr(webinar, "confirmed_count", None)
    if confirmed is None:
        confirmed = webinar.registrations.confirmed().count()
    left = max(webinar.capacity - confirmed, 0)
    if left == 0:
        return RegistrationState("full", "Full: waiting list", 0)
    if left <= max(2, webinar.capacity // 10):
        return RegistrationState("few", "Few seats left", left)
    return RegistrationState("open", "Registration open", left)


@register.simple_tag
def webinar_registration_state(webinar) -> RegistrationState:
    return registration_state(webinar)


@register.simple_tag
def empty_registration_form() -> RegistrationForm:
    return RegistrationForm()


@register.filter
def in_zone(value: datetime, webinar) -> str:
    """'1 October 2020, 09:30 CEST': an instant in the webinar's own time zone."""
    local = value.astimezone(webinar.tz)
    return f"{local.day} {local:%B %Y}, {local:%H:%M} {local.tzname()}"


@register.simple_tag
def any_registration_open(webinars) -> bool:
    """True if at least one of these webinars takes registrations now."""
    now = timezone.now()
    return any(webinar.is_registration_open(now) for webinar in webinars)
