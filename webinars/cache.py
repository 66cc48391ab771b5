"""Shared page cache for visitors, invalidated whenever the content it shows changes.

How it works, in one place:

- Pages named in CACHED_URL_NAMES, requested with GET or HEAD by a visitor without a session
  cookie, are stored in the default cache (Redis in production), one entry per URL, together
  with the content *generation* they were rendered in; an entry is served only while that
  generation is current (both are read in one round trip).
- The generation is a token in the cache. `content_changed()` deletes it, so every stored page
  becomes stale at once; signals call it on every save or delete of anything a public page
  shows, and other code (registration services that use `QuerySet.update()`) calls it directly.
  Without any save, the generation also expires when the next webinar starts, ends or closes
  registration, because pages show "upcoming", "past" and "registration is open" from the clock.
- Staff and anyone logged in carry a session cookie and always get a fresh page, as does a
  visitor with a pending flash message (messages cookie); POSTs, other
  methods and non-200 responses are never stored. A response that set a cookie or rendered a CSRF
  token is never stored either: a CSRF token belongs to one visitor's cookie, so a registration
  form with a token must not be shared. Form pages (/webinars/<slug>/register/) stay uncached.
- `migrate` (run on every deploy) forgets the pages too, so new templates show at once.
- Stored pages carry an ETag and Last-Modified; a matching If-None-Match / If-Modified-Since gets
  a 304 without touching the database.
"""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

logger = logging.getLogger(__name__)

# URL names (namespace:name) whose pages are shared between visitors. Add new public,
# read-only pages here; never a page with a form that carries a CSRF token.
CACHED_URL_NAMES = frozenset(
    {
        "webinars:calendar",
        "webinars:month",
        "webinars:detail",
        "webinars:speaker",
        "webinars:ics",
        "webinars:calendar_ics",
        "webinars:feed",
        "webinars:atom_feed",
        "webinars:sitemap",
        "series:detail",
        "series:ics",
        "sitemap",
        "robots",
        "django.contrib.sitemaps.views.sitemap",
    }
)

# Public URL names deliberately never cached: forms with a CSRF token, a registrant's own pages
# (reached by a secret token), the health check. A test makes every public URL name appear in
# exactly one of the two sets, so a new view cannot be forgotten.
UNCACHED_URL_NAMES = frozenset(
    {
        "healthz",
        "webinars:register",
        "series:register",
        "webinars:registration",
        "webinars:registration_join",
        "webinars:registration_ics",
        "webinars:registration_cancel",
    }
)

# Apps whose models feed the public pages: any save or delete there changes the generation.
CONTENT_APPS = frozenset({"series", "webinars"})

GENERATION_KEY = "pages:generation"
PAGE_KEY_PREFIX = "pages:page"
# Response headers not replayed from the cache: validators are set again, the rest is per request.
UNSTORED_HEADERS = frozenset({"etag", "last-modified", "cache-control", "x-page-cache", "date"})


def content_changed() -> None:
    """Forget every cached page: call after any change to what public pages show."""
    _forget_generation()
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # A visitor may re-cache the old rows before the transaction commits; forget again then.
        transaction.on_commit(_forget_generation)


def _forget_generation() -> None:
    try:
        cache.delete(GENERATION_KEY)
    except Exception:  # noqa: BLE001 (a cache outage must not undo an organiser's save)
        logger.error("Cache unreachable: cached pages may stay stale.", exc_info=True)


def current_generation() -> str:
    """The token in every page key; created on first use, expiring at the next time boundary."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex[:16]
        if not cache.add(GENERATION_KEY, generation, _seconds_until_pages_change()):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def _seconds_until_pages_change() -> int:
    """Seconds until a webinar starts, ends or closes registration (a page then reads differently)."""
    from webinars.models import Webinar

    now = timezone.now()
    limit = settings.PAGE_CACHE_SECONDS
    upcoming = Webinar.objects.aggregate(
        next_start=Min("start", filter=Q(start__gt=now)),
        next_end=Min("end", filter=Q(end__gt=now)),
        next_close=Min("registration_closes", filter=Q(registration_closes__gt=now)),
    )
    moments = [m for m in upcoming.values() if m is not None]
    if moments:
        # One second late rather than early, so the page rendered then already reads the new way.
        until = min(moments) - now + timedelta(seconds=1)
        limit = min(limit, max(1, int(until.total_seconds()) + 1))
    return limit


def _page_key(request) -> str:
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{digest}"


def _is_cacheable_request(request) -> bool:
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        # Staff and logged-in users see drafts and admin links; visitors have no session. A
        # pending flash message ("You are registered") must be shown on a freshly rendered page.
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in CACHED_URL_NAMES or match.url_name in CACHED_URL_NAMES


def _is_shareable_response(request, response) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        # Set when a template asked for a CSRF token: that token only fits this visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def _with_validators(response, etag: str, last_modified: float):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Browsers and proxies may keep the page but must ask again; the answer is usually a 304.
    patch_cache_control(response, no_cache=True)
    return response


class PublicPageCacheMiddleware:
    """Serve and store visitors' public pages in the shared cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_cacheable_request(request):
            return self.get_response(request)

        # One round trip for both: the page is valid only if stored under the current generation.
        key = _page_key(request)
        try:
            found = cache.get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY) or current_generation()
        except Exception:  # noqa: BLE001 (without the cache, visitors still get fresh pages)
            logger.warning("Cache unreachable: serving pages uncached.", exc_info=True)
            return self.get_response(request)
        stored = found.get(key)
        if stored is not None and stored["generation"] == generation:
            response = HttpResponse(stored["content"], status=200)
            for header, value in stored["headers"].items():
                response[header] = value
            response["X-Page-Cache"] = "hit"
            _with_validators(response, stored["etag"], stored["last_modified"])
            return get_conditional_response(
                request,
                etag=stored["etag"],
                last_modified=int(stored["last_modified"]),
                response=response,
            )

        response = self.get_response(request)
        if not _is_shareable_response(request, response):
            return response
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        last_modified = timezone.now().timestamp()
        stored = {
            # The generation read before rendering: if content changed meanwhile, this page is
            # already out of date and will not be served.
            "generation": generation,
            "content": response.content,
            "headers": {
                h: v for h, v in response.headers.items() if h.lower() not in UNSTORED_HEADERS
            },
            "etag": etag,
            "last_modified": last_modified,
        }
        try:
            cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
        except Exception:  # noqa: BLE001 (the page is rendered; not storing it is harmless)
            logger.warning("Cache unreachable: page not stored.", exc_info=True)
            return response
        response["X-Page-Cache"] = "miss"
        _with_validators(response, etag, last_modified)
        return get_conditional_response(
            request, etag=etag, last_modified=int(last_modified), response=response
        )


def _on_content_saved(sender, **kwargs) -> None:
    if sender._meta.app_label not in CONTENT_APPS:
        return
    if sender._meta.model_name == "registration":
        instance = kwargs["instance"]
        if not _registration_changes_availability(instance):
            return
    content_changed()


def _registration_changes_availability(registration) -> bool:
    """A registration matters to public pages only near a capacity limit (full / one seat left)."""
    from webinars.models import Registration, Webinar

    # Registration services hold the (locked) webinar already: no query for its capacity then.
    if Registration._meta.get_field("webinar").is_cached(registration):
        capacity = registration.webinar.capacity
    else:
        capacity = (
            Webinar.objects.filter(pk=registration.webinar_id)
            .values_list("capacity", flat=True)
            .first()
        )
    if capacity is None:
        # Unlimited seats (or no webinar): the page reads "open" whatever the registrations.
        return False
    confirmed = Registration.objects.filter(
        webinar_id=registration.webinar_id, status=Registration.Status.CONFIRMED
    ).count()
    return confirmed >= capacity - 1


def _on_migrate(sender, **kwargs) -> None:
    # Every deploy runs migrate: new templates or code must not be hidden behind old pages.
    try:
        content_changed()
    except Exception:  # noqa: BLE001 (an unreachable cache must not stop a migration)
        logger.warning("Could not clear the page cache after migrate.", exc_info=True)


def connect_signals() -> None:
    """Called from WebinarsConfig.ready(): every model save or delete may change the pages."""
    post_save.connect(_on_content_saved, dispatch_uid="pages-content-saved")
    post_delete.connect(_on_content_saved, dispatch_uid="pages-content-deleted")
    post_migrate.connect(_on_migrate, dispatch_uid="pages-migrated")
