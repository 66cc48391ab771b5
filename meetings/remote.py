"""Calls to a meeting provider: every one with a timeout, every failure one ProviderError.

The standard library's client is enough for a few GETs and POSTs, and it adds no dependency.
MEETING_TIMEOUT_SECONDS bounds connecting and each read, so a provider that is down or slow
costs its caller seconds, never a hung request.
"""

import http.client
import urllib.error
import urllib.request
from typing import NamedTuple

from django.conf import settings

# Enough for any answer the site reads (XML or JSON about one meeting or its recordings).
MAX_ANSWER_BYTES = 2_000_000


class ProviderError(Exception):
    """The provider could not be reached, refused the call or answered nonsense. The message
    is for organisers (admin shows it) and never names a secret. `status` is the provider's
    HTTP status when it answered one (a provider may retry a 401 with a fresh token)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Answer(NamedTuple):
    status: int
    body: bytes
    headers: dict


def call(
    url: str,
    *,
    method: str = "GET",
    data: bytes | None = None,
    headers: dict | None = None,
    timeout: float | None = None,
    what: str = "the meeting service",
) -> Answer:
    """The provider's answer; ProviderError for a network failure, a timeout or a status of
    400 and above (the provider's own words, shortened, in the message)."""
    # Only addresses built from settings (the provider's API) reach here, never a visitor's.
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)  # noqa: S310
    wait = settings.MEETING_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        with urllib.request.urlopen(request, timeout=wait) as response:  # noqa: S310 (https from settings)
            return Answer(response.status, response.read(MAX_ANSWER_BYTES), dict(response.headers))
    except urllib.error.HTTPError as error:
        detail = error.read(300).decode("utf-8", "replace").strip()
        raise ProviderError(f"{what} answered {error.code}: {detail[:200]}", error.code) from error
    except TimeoutError as error:
        raise ProviderError(f"{what} did not answer within {wait:g} s") from error
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise ProviderError(f"{what} could not be reached: {reason}") from error
