"""The registration state of a webinar (open, few seats left, full, closed, cancelled) and form."""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

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


FIELD_LIST_TEMPLATE = "includes/registration_field_list.html"


@register.simple_tag
def registration_field_list(form) -> SafeString:
    """The error summary and fields of a registration form (the CSRF input is the caller's).

    Every webinar page shows the same empty form, and Django renders each widget through a
    template: the empty RegistrationForm is rendered once per process and language.
    """
    if type(form) is RegistrationForm and not (form.is_bound or form.initial or form.prefix):
        return _empty_field_list(form.auto_id, translation.get_language())
    return render_to_string(FIELD_LIST_TEMPLATE, {"form": form})


@cache
def _empty_field_list(auto_id, language) -> SafeString:
    return mark_safe(  # noqa: S308 (our own template's output)
        render_to_string(FIELD_LIST_TEMPLATE, {"form": RegistrationForm(auto_id=auto_id)})
    )


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
