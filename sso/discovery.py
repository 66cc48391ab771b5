"""The provider's endpoints, read from `<OIDC_ISSUER>/.well-known/openid-configuration`.

Read at the first sign-in, never at start-up (a provider that is down must not stop the site),
then kept in this process for `CACHE_SECONDS`. A failure is not kept: the next sign-in tries
again. Every caller gets `ProviderUnavailable` with a reason for the log.
"""

import threading
import time

import requests
from django.conf import settings

CACHE_SECONDS = 3600
WELL_KNOWN = "/.well-known/openid-configuration"
REQUIRED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")

_lock = threading.Lock()
_cache: dict[str, tuple[float, dict]] = {}


class ProviderUnavailable(Exception):
    """The provider cannot be reached, or answered something that is not its configuration."""


def configuration() -> dict:
    """The discovery document of OIDC_ISSUER (cached per process)."""
    issuer = settings.OIDC_ISSUER
    now = time.monotonic()
    with _lock:
        cached = _cache.get(issuer)
    if cached and cached[0] > now:
        return cached[1]
    document = _fetch(issuer)
    with _lock:
        _cache[issuer] = (now + CACHE_SECONDS, document)
    return document


def cached_configuration() -> dict | None:
    """The document if this process has it, without asking the provider (for signing out)."""
    with _lock:
        cached = _cache.get(settings.OIDC_ISSUER)
    return cached[1] if cached and cached[0] > time.monotonic() else None


def forget() -> None:
    """Drop what this process knows (tests; a provider that moved its endpoints)."""
    with _lock:
        _cache.clear()


def _fetch(issuer: str) -> dict:
    url = issuer + WELL_KNOWN
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"{url}: {error}") from error
    if not isinstance(document, dict) or any(
        not isinstance(document.get(key), str) for key in REQUIRED
    ):
        raise ProviderUnavailable(f"{url}: not an OpenID Connect discovery document")
    # The issuer it names must be the one configured (OpenID Connect Discovery, 4.3): ID tokens
    # are then checked against it.
    if document["issuer"].rstrip("/") != issuer:
        raise ProviderUnavailable(f"{url} names another issuer: {document['issuer']}")
    return document
