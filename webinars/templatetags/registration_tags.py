"""The registration state of a webinar (open, few seats left, full, closed, cancelled) and form."""

from datetime import datetime
from functools import cache

from django import template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from webinars import addresses, formatting
from webinars.availability import RegistrationState, registration_state
from webinars.forms import RegistrationForm
from webinars.rules import registration

register = template.Library()


@register.simple_tag
def webinar_registration_state(webinar) -> RegistrationState:
    return registration_state(webinar)


FIELD_LIST_TEMPLATE = "includes/registration_field_list.html"


@register.simple_tag
def registration_field_list(form) -> SafeString:
    """The error summary and fields of a registration form (the CSRF input is the caller's).

    Every webinar page shows the same empty form, and Django renders each widget through a
    template: the empty RegistrationForm is rendered once per process and language.
    """
    if type(form) is RegistrationForm and not (
        form.is_bound or form.initial or form.prefix or form.questions
    ):
        return _empty_field_list(form.auto_id, translation.get_language())
    return render_to_string(FIELD_LIST_TEMPLATE, {"form": form})


@cache
def _empty_field_list(auto_id, language) -> SafeString:
    return mark_safe(  # noqa: S308 (our own template's output)
        render_to_string(FIELD_LIST_TEMPLATE, {"form": RegistrationForm(auto_id=auto_id)})
    )


@register.filter
def in_zone(value: datetime, webinar) -> str:
    """{{ moment|in_zone:webinar }}: '1 October 2020, 09:30 CEST', in the webinar's own zone."""
    return formatting.in_zone(value, webinar.tz)


@register.simple_tag
def any_registration_open(webinars) -> bool:
    """True if at least one of these webinars takes registrations now."""
    now = timezone.now()
    return any(registration.is_open_as_scheduled(webinar, now) for webinar in webinars)


@register.filter
def masked(address: str) -> str:
    """{{ registration.email|masked }}: 'a…@example.org'."""
    return addresses.masked(address)
