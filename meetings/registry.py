"""The meeting providers the site knows, and which of them this site's environment sets up."""

from django.utils.translation import gettext_lazy as _

from meetings.providers.base import Provider
from meetings.providers.bigbluebutton import BigBlueButton
from meetings.providers.jitsi import Jitsi
from meetings.providers.zoom import Zoom
from webinars.models import MeetingProvider

# A new provider: a module in providers/ with a Provider subclass, added here.
PROVIDERS: dict[str, Provider] = {p.name: p for p in (BigBlueButton(), Jitsi(), Zoom())}


def provider_for(name: str) -> Provider | None:
    """The provider of that name if this site configures it, else None (manual included)."""
    provider = PROVIDERS.get(name)
    return provider if provider is not None and provider.is_configured() else None


def people_registering_providers() -> set[str]:
    """The configured providers that register each registrant with their service."""
    return {n for n, p in PROVIDERS.items() if p.registers_people and p.is_configured()}


def offered_choices(current: str = "") -> list[tuple[str, str]]:
    """Admin's choices: the typed link, the configured providers, and the webinar's current
    one even when no longer configured (said so), so saving the form does not change it."""
    choices = [(MeetingProvider.MANUAL.value, MeetingProvider.MANUAL.label)]
    for value, label in MeetingProvider.choices:
        if value == MeetingProvider.MANUAL:
            continue
        if provider_for(value) is not None:
            choices.append((value, label))
        elif value == current:
            choices.append((value, _("%(name)s (not set up on this site)") % {"name": label}))
    return choices
