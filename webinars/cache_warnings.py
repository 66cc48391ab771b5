"""An organiser's save that could not reach the page cache says so, in admin and in the log.

The change is saved and pages find out from the database's content generation (webinars.cache),
but a cache that refuses writes (down, disk full) may keep serving what it has, and a reverse
proxy its copies: better the organiser knows than a "saved" that is silently stale.
"""

import contextvars

from django.conf import settings
from django.contrib import messages
from django.utils.translation import ngettext

from core.viewer import is_staff

_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("cache_write_failed", default=False)


def cache_write_failed() -> None:
    """Note that telling the cache about a change failed while answering this request."""
    _failed.set(True)


def stale_minutes() -> int:
    """How long visitors may see an old page at most: the page cache's lifetime, rounded up."""
    return max(1, -(-settings.PAGE_CACHE_SECONDS // 60))


class CacheWriteWarningMiddleware:
    """Adds a warning to the organiser's next admin page. Inside MessageMiddleware, so that the
    message is stored with the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _failed.set(False)
        try:
            response = self.get_response(request)
            # Organisers only: a message would give a visitor a cookie (and private pages).
            if _failed.get() and is_staff(request):
                minutes = stale_minutes()
                messages.warning(
                    request,
                    ngettext(
                        "Saved, but the page cache could not be updated: visitors may see the "
                        "old page for up to %(minutes)d minute.",
                        "Saved, but the page cache could not be updated: visitors may see the "
                        "old page for up to %(minutes)d minutes.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
        finally:
            _failed.reset(token)
        return response
