"""What an endpoint's address may be: HTTPS, or plain HTTP to this machine or with DEBUG on."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from hooks.events import EVENTS

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_endpoint_url(url: str) -> None:
    """Refuse what is not an absolute http(s) URL, and plain http unless it stays on this
    machine or DEBUG is on: a payload carries names and addresses, not to be sent in clear."""
    URLValidator(schemes=["http", "https"], message=_("Enter a full address, such as https://..."))(
        url
    )
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(
            _("Leave the user name and password out of the address."), code="credentials"
        )
    if parts.scheme == "http" and not (settings.DEBUG or is_loopback(parts.hostname or "")):
        raise ValidationError(
            _(
                "Use an https:// address: deliveries carry names and addresses. Plain http:// "
                "is accepted only for this machine (localhost, 127.0.0.1) or with DEBUG on."
            ),
            code="insecure",
        )


def validate_events(events) -> None:
    if not isinstance(events, list) or not events:
        raise ValidationError(_("Choose at least one event."), code="no_events")
    unknown = [str(event) for event in events if event not in EVENTS]
    if unknown:
        raise ValidationError(
            _("Unknown event %(events)s; choose from %(known)s.")
            % {"events": ", ".join(unknown), "known": ", ".join(EVENTS)},
            code="unknown_event",
        )
