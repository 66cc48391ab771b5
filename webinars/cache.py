"""Shared page cache for visitors, invalidated whenever the content it shows changes.

How it works, in one place:

- Pages named in CACHED_URL_NAMES, requested with GET or HEAD by a visitor without a session
  cookie, are stored in the default cache (Redis in production), one entry per URL, together
  with the content *generation* they were rendered in; an entry is served only while that
  generation is current (page and generation are read in one round trip).
- The generation is a token in the cache. `content_changed()` replaces it, so every stored page
  becomes stale at once; signals call it on every save or delete of anything a public page
  shows (series, organisations, disclaimers, webinars, speakers, speaker links). Without any
  save, the generation also expires when the next webinar starts, ends or closes registration,
  because pages read "upcoming", "past" and "registration open" from the clock.
- A webinar page also carries its own token: it shows the seats left, so a registration (or a
  cancellation, a promotion) on a webinar with a capacity calls `webinar_changed()`, which
  forgets that one page only. Unlimited webinars read "no seat limit" whatever the count.
- Pages that list webinars with their badges (the calendar, a series) carry one shared token
  too: the registration services call `availability_changed()` when a webinar's badge moves
  (open, few seats left, full; webinars.availability.badge_changes), which forgets those pages
  and keeps every other one. Most registrations leave every badge as it was.
- The webinar page has the registration form, with a CSRF token that must match each visitor's
  own CSRF cookie. The stored copy keeps a placeholder instead of the token; every hit puts in
  a token for that visitor and sets their CSRF cookie, exactly as Django's CsrfViewMiddleware
  does. Such per-visitor answers are marked `Cache-Control: private` and sent without ETag.
- While one worker renders a page whose stored copy is out of date, the others serve that copy
  (X-Page-Cache: stale) instead of rendering it too: a claim in the cache, held for the render
  (RENDER_CLAIM_SECONDS at most). A rush of registrations changes a webinar page's seats many
  times a second; each change then costs one render, not one per visitor. A page that no
  longer renders for everyone (unpublished: 404) loses its stored copy at once.
- Staff and anyone logged in carry a session cookie and always get a fresh page, as does a
  visitor with a pending flash message (messages cookie). POSTs, other methods, non-200
  responses and responses setting any cookie but the CSRF one are never stored.
- `migrate` (run on every deploy) forgets the pages too, so new templates show at once.
- Other pages carry an ETag and Last-Modified; a matching If-None-Match / If-Modified-Since
  gets a 304 without touching the database.
"""

import hashlib
import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

logger = logging.getLogger(__name__)

# URL names (namespace:name) whose pages are shared between visitors. Add new public,
# read-only pages here; never a page with a form that carries a CSRF token.
CACHED_URL_NAMES = frozenset(
    {
        "webinars:calendar",
        "webinars:month",
        "webinars:detail",
        "webinars:speaker",
        "webinars:ical",
        "webinars:site_ical",
        "webinars:feed",
        "webinars:feed_atom",
        "webinars:sitemap",
        "webinars:robots",
        "webinars:privacy",
        "series:detail",
        "series:ical",
    }
)

# Public URL names deliberately never cached: form pages and their answers, a registrant's own
# pages (reached by a secret token), redirects, the health check. A test makes every public URL
# name appear in exactly one of the two sets, so a new view cannot be forgotten.
UNCACHED_URL_NAMES = frozenset(
    {
        "healthz",
        "webinars:current_month",
        "webinars:register",
        "webinars:register_thanks",
        "series:register",
        "series:register_thanks",
        "webinars:registration",
        "webinars:registration_cancel",
        "webinars:registration_join",
        "webinars:registration_calendar",
    }
)

# Pages that show one webinar's seats left: they also depend on that webinar's own token.
PER_WEBINAR_URL_NAMES = frozenset({"webinars:detail"})
# Pages that list webinars with their availability badges: they also depend on one shared token.
AVAILABILITY_URL_NAMES = frozenset({"webinars:calendar", "series:detail"})

# Apps whose models feed the public pages: any save or delete there changes the generation.
CONTENT_APPS = frozenset({"series", "webinars"})
# Models of those apps that no public page shows: saving them keeps every cached page.
NOT_CONTENT = frozenset({"webinars.pendingmail"})

# While one worker renders a page whose stored copy is out of date, the others serve that copy;
# a worker that dies mid-render holds its claim this long at most.
RENDER_CLAIM_SECONDS = 10

GENERATION_KEY = "pages:generation"
PAGE_KEY_PREFIX = "pages:page"
WEBINAR_KEY_PREFIX = "pages:webinar"
AVAILABILITY_KEY = "pages:availability"
# Response headers not replayed from the cache: validators are set again, the rest is per request.
UNSTORED_HEADERS = frozenset(
    {"etag", "last-modified", "cache-control", "x-page-cache", "date", "content-length"}
)
# Django's masked CSRF token as {% csrf_token %} renders it, and what the stored copy keeps.
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')
CSRF_PLACEHOLDER = b"@@csrf-token-for-this-visitor@@"


def content_changed() -> None:
    """Forget every cached page: call after any change to what public pages show."""
    _new_generation()
    if transaction.get_connection().in_atomic_block:
        # A visitor may re-cache the old rows before the transaction commits; renew again then.
        transaction.on_commit(_new_generation)


def webinar_changed(slug: str) -> None:
    """Forget the cached page of one webinar: call when its seats left change."""
    _forget_now_and_on_commit(f"{WEBINAR_KEY_PREFIX}:{slug}")


def availability_changed() -> None:
    """Forget the pages that list availability badges: call when a webinar's badge changes."""
    _forget_now_and_on_commit(AVAILABILITY_KEY)


def _forget_now_and_on_commit(key: str) -> None:
    _forget(key)
    if transaction.get_connection().in_atomic_block:
        # A visitor may store the page again before the transaction commits; forget it then too.
        transaction.on_commit(lambda: _forget(key))


def _new_generation() -> None:
    # Set here, at save time, rather than deleted: the first visitor after a change then needs
    # no extra query to learn when the pages next change by the clock.
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex[:16], _seconds_until_pages_change())
    except Exception:  # noqa: BLE001 (a cache outage must not undo an organiser's save)
        logger.error("Cache unreachable: cached pages may stay stale.", exc_info=True)


def _forget(key: str) -> None:
    try:
        cache.delete(key)
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


def _page_token(key: str) -> str:
    token = uuid.uuid4().hex[:16]
    if not cache.add(key, token, settings.PAGE_CACHE_SECONDS):
        token = cache.get(key) or token
    return token


def _seconds_until_pages_change() -> int:
    """Seconds until a webinar starts, ends or closes registration (a page then reads differently)."""
    from webinars.models import Webinar

    now = timezone.now()
    # The generation also keys the list-item fragments (webinars/fragments.py), which live on
    # with the page cache off: it lasts as long as the longer-lived of the two.
    limit = max(settings.PAGE_CACHE_SECONDS, settings.FRAGMENT_CACHE_SECONDS, 1)
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


def _claim_render(key: str) -> bool:
    """True if this worker may render the page now; False while another one does."""
    try:
        return cache.add(f"{key}:rendering", 1, RENDER_CLAIM_SECONDS)
    except Exception:  # noqa: BLE001 (without the cache, render)
        logger.warning("Cache unreachable: rendering without a claim.", exc_info=True)
        return True


def _release_render(key: str) -> None:
    _forget(f"{key}:rendering")


def _token_key(match) -> str | None:
    """The key of the page's own token besides the generation (seats left, badges), if any."""
    if match.view_name in PER_WEBINAR_URL_NAMES:
        return f"{WEBINAR_KEY_PREFIX}:{match.kwargs.get('slug', '')}"
    if match.view_name in AVAILABILITY_URL_NAMES:
        return AVAILABILITY_KEY
    return None


def _page_key(request) -> str:
    digest = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{digest}"


def _cacheable_match(request):
    """The resolved URL when this request may be answered from the cache, else None."""
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        # Staff and logged-in users see drafts and admin links; visitors have no session. A
        # pending flash message ("You are registered") must be shown on a freshly rendered page.
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match if match.view_name in CACHED_URL_NAMES else None


def _shareable_content(request, response) -> tuple[bytes, bool] | None:
    """What to store for everyone (CSRF token replaced by a placeholder), or None if nothing."""
    cache_control = response.get("Cache-Control", "")
    if (
        request.method != "GET"
        or response.status_code != 200
        or response.streaming
        or "private" in cache_control
        or "no-store" in cache_control
        or set(response.cookies) - {settings.CSRF_COOKIE_NAME}
    ):
        return None
    content = response.content
    if not (request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies):
        return content, False
    tokens = set(CSRF_INPUT.findall(content))
    if len(tokens) != 1:
        # get_token() was called but the token is not in the page as we know it: keep it private.
        return None
    return content.replace(tokens.pop(), CSRF_PLACEHOLDER), True


def _with_validators(response, etag: str, last_modified: float):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Browsers and proxies may keep the page but must ask again; the answer is usually a 304.
    patch_cache_control(response, no_cache=True)
    return response


def _for_this_visitor(response):
    # The page holds this visitor's CSRF token: no shared cache may keep it, no 304 may revive it.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


class PublicPageCacheMiddleware:
    """Serve and store visitors' public pages in the shared cache (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _cacheable_match(request)
        if match is None:
            return self.get_response(request)

        key = _page_key(request)
        token_key = _token_key(match)
        try:
            # One round trip: a page is valid only while the tokens it was stored with are.
            found = cache.get_many([k for k in (GENERATION_KEY, key, token_key) if k])
            generation = found.get(GENERATION_KEY) or current_generation()
            token = (found.get(token_key) or _page_token(token_key)) if token_key else None
        except Exception:  # noqa: BLE001 (without the cache, visitors still get fresh pages)
            logger.warning("Cache unreachable: serving pages uncached.", exc_info=True)
            return self.get_response(request)
        stored = found.get(key)
        if (
            stored is not None
            and stored["generation"] == generation
            and stored.get("token") == token
        ):
            return self._replay(request, stored)
        if stored is None:
            return self._render(request, key, None, generation, token)
        if not _claim_render(key):
            # Another worker is rendering this page's new version right now. The previous one,
            # a few milliseconds out of date, beats rendering it once per visitor: during a
            # registration rush a webinar page's seats change many times a second.
            return self._replay(request, stored, label="stale")
        try:
            return self._render(request, key, stored, generation, token)
        finally:
            _release_render(key)

    def _render(self, request, key, stale, generation, token):
        """Render the page and store it for the next visitors (`stale`: the copy it replaces)."""
        response = self.get_response(request)
        shareable = _shareable_content(request, response)
        if shareable is None:
            if stale is not None:
                # The page no longer exists for everyone (a 404 once unpublished, say): its old
                # copy must not be served again, not even while another worker renders it.
                _forget(key)
            return response
        content, has_token = shareable
        etag = response.get("ETag") or '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        last_modified = parse_http_date_safe(response.get("Last-Modified", "")) or int(
            timezone.now().timestamp()
        )
        stored = {
            # The tokens read before rendering: if content changed meanwhile, this page is
            # already out of date and will not be served.
            "generation": generation,
            "token": token,
            "content": content,
            "has_token": has_token,
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
        if has_token:
            return _for_this_visitor(response)
        _with_validators(response, etag, last_modified)
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )

    def _replay(self, request, stored, label: str = "hit"):
        content = stored["content"]
        csrf = None
        if stored["has_token"]:
            # Exactly what CsrfViewMiddleware does around a view that renders {% csrf_token %}.
            csrf = CsrfViewMiddleware(self.get_response)
            csrf.process_request(request)
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode("ascii"))
        response = HttpResponse(content, status=200)
        for header, value in stored["headers"].items():
            response[header] = value
        response["Content-Length"] = str(len(content))
        response["X-Page-Cache"] = label
        if csrf is not None:
            csrf.process_response(request, response)
            return _for_this_visitor(response)
        _with_validators(response, stored["etag"], stored["last_modified"])
        return get_conditional_response(
            request,
            etag=stored["etag"],
            last_modified=stored["last_modified"],
            response=response,
        )


def _on_content_saved(sender, **kwargs) -> None:
    if sender._meta.app_label not in CONTENT_APPS or sender._meta.label_lower in NOT_CONTENT:
        return
    if sender._meta.model_name == "registration":
        _on_registration_saved(kwargs["instance"], deleted=kwargs.get("signal") is post_delete)
        return
    content_changed()


def _on_registration_saved(registration, *, deleted: bool = False) -> None:
    """Seats left show only on the webinar's own page, and only when it has a capacity.

    List badges are the registration services' call (they know the seats taken under the
    webinar's lock); a registration deleted in admin may have freed a seat, so it forgets them.
    """
    from webinars.models import Registration, Webinar

    # Registration services hold the (locked) webinar already: no query for it then.
    if Registration._meta.get_field("webinar").is_cached(registration):
        webinar = registration.webinar
        slug, capacity = webinar.slug, webinar.capacity
    else:
        row = (
            Webinar.objects.filter(pk=registration.webinar_id)
            .values_list("slug", "capacity")
            .first()
        )
        if row is None:
            return
        slug, capacity = row
    if capacity is not None:
        webinar_changed(slug)
        if deleted:
            availability_changed()


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
