"""The page cache: visitors' public pages, the same bytes for everyone, kept in Django's cache.

- Visitors carry no cookie, so a public page is one answer per URL. It is stored under its URL
  with the content *generation* it was rendered in, and served while that generation is current
  (both read in one round trip).
- `content_changed()` renews the generation, so every stored page is out of date at once. It runs on
  every save or delete of what public pages show, when a webinar's availability state moves
  (webinars.signals.availability_changed: open, few seats left, full), when a registration of a
  webinar whose page shows its registered count is added or changes status, and after migrate.
  The generation also expires by itself at the next moment a webinar starts, ends or closes
  registration, because pages read "upcoming" and "open" from the clock.
- The cache's generation starts with the database's (webinars.models.ContentGeneration, renewed
  in the same transaction as the change), which each process reads at most once per
  CONTENT_GENERATION_SECONDS: a cache that missed a change, or came back from an older snapshot,
  is found out of date instead of serving its old pages until they expire.
- A page is stored under its path and the query parameters it reads (QUERY_PARAMETERS), nothing
  else of the request: what a page builds from the address (language links, pagination) comes
  from those parts only (key_query), and absolute links from SITE_URL, so junk in an address
  or a header never reaches the copy everyone is served.
- Every cacheable answer carries a strong ETag and `Cache-Control: public` with `s-maxage` and
  `stale-while-revalidate`, so a reverse proxy (docs/deploy.md) can keep it too; a matching
  If-None-Match gets a 304 from the stored copy, without rendering.
- Staff (a session cookie) see drafts: their pages are never stored and are marked private.
"""

import hashlib
import logging
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import parse_http_date_safe

from webinars.cache_names import CACHED_URL_NAMES
from webinars.cache_warnings import cache_write_failed
from webinars.models import (
    Registration,
    Webinar,
    content_generation,
    renew_content_generation,
)
from webinars.rules import phase
from webinars.signals import availability_changed

logger = logging.getLogger(__name__)

# The query parameters each page reads. Only these make another copy of a page: tracking tags
# (utm_source ...), cache-busters and typos leave the page as it is, and stay out of the key.
# Apps whose views read others add them with vary_on_query().
_CALENDAR_PARAMETERS = frozenset({"q", "series", "page", "upcoming"})
_THANKS_PARAMETERS = frozenset({"domain", "to"})
QUERY_PARAMETERS: dict[str, frozenset[str]] = {
    "webinars:calendar": _CALENDAR_PARAMETERS,
    "embed:calendar": _CALENDAR_PARAMETERS,
    "webinars:register_thanks": _THANKS_PARAMETERS,
    "series:register_thanks": _THANKS_PARAMETERS,
    "embed:register_thanks": _THANKS_PARAMETERS,
    "embed:series_register_thanks": _THANKS_PARAMETERS,
    "webinars:speaker": frozenset({"page"}),
    "webinars:sitemap_section": frozenset({"p"}),  # django.contrib.sitemaps pages with ?p=
}


def vary_on_query(view_name: str, names) -> None:
    """Declare the query parameters a cached page reads (see QUERY_PARAMETERS)."""
    QUERY_PARAMETERS[view_name] = frozenset(names)


def key_query(request, view_name: str) -> list[tuple[str, str]]:
    """The query parameters the page reads, by name: the only part of the query in its key.

    One value each, the last, as views read them (QueryDict.get, django-ninja): `?q=a&q=b` and
    `?q=b&q=a` are different pages and must not share a key.
    """
    used = QUERY_PARAMETERS.get(view_name, frozenset())
    return [(name, request.GET[name]) for name in sorted(used) if name in request.GET]


def page_key(request, view_name: str) -> str:
    """The cache key of a page: its path with only the parameters the page reads, sorted.

    Not the host or scheme: a page builds its absolute links from SITE_URL, so every host the
    site answers to is served the same bytes.
    """
    address = f"{request.path}?{urlencode(key_query(request, view_name))}"
    return "pages:page:" + hashlib.sha256(address.encode()).hexdigest()


# Models no public page shows. Registrations change pages only through availability states.
NOT_CONTENT = frozenset(
    {
        "webinars.contentgeneration",
        "webinars.pendingmail",
        "webinars.registration",
        "afterwards.followup",
        "afterwards.followupdelivery",
        "afterwards.feedback",
        "webinars.answer",
        "webinars.remindersent",
        "webinars.registrantmessage",
        "webinars.messagedelivery",
    }
)
CONTENT_APPS = frozenset({"series", "webinars", "afterwards"})

GENERATION_KEY = "pages:generation"
# Headers set again on every answer rather than replayed from the stored copy.
UNSTORED_HEADERS = frozenset({"etag", "cache-control", "date", "content-length", "x-page-cache"})


def content_changed() -> None:
    """Make every stored page out of date: call after any change to what public pages show.

    The new generation goes to the database first: a cache that misses this write (down, disk
    full, or later restored from an older snapshot) is found out of date by every process
    within CONTENT_GENERATION_SECONDS.
    """
    previous = content_generation()
    content = renew_content_generation()
    if transaction.get_connection().in_atomic_block:
        # Until the commit other processes still read the previous content generation: pages
        # stored so far go out of date under it, and a visitor may store the old rows again
        # before the commit, so the new one follows then.
        _renew(previous)
        transaction.on_commit(lambda: _renew(content))
    else:
        _renew(content)


def _renew(content: str) -> None:
    try:
        cache.set(GENERATION_KEY, _new_generation(content), seconds_until_pages_change())
    except Exception:  # noqa: BLE001 (a cache outage must not undo an organiser's save)
        logger.error("Cache unreachable: stored pages may stay out of date.", exc_info=True)
        cache_write_failed()


def _new_generation(content: str) -> str:
    """A cache generation: the database's content generation, then this clock period's."""
    return f"{content}.{uuid.uuid4().hex[:16]}"


def _is_current(generation: str) -> bool:
    """Whether the generation is the database's content generation's (re-read before a no)."""
    content = generation.partition(".")[0]
    return content == content_generation() or content == content_generation(max_age=0)


def _start_generation(stale: str | None = None) -> str:
    """A generation where none (or only a `stale` one) is current; another worker's, if first."""
    generation = _new_generation(content_generation())
    if stale is not None:
        # The cache came back from an older snapshot: its pages must not be served.
        logger.warning("The page cache held an older content generation; starting anew.")
        cache.set(GENERATION_KEY, generation, seconds_until_pages_change())
    elif not cache.add(GENERATION_KEY, generation, seconds_until_pages_change()):
        generation = cache.get(GENERATION_KEY) or generation
    return generation


def seconds_until_pages_change(now: datetime | None = None) -> int:
    """Seconds until a webinar starts, ends or closes registration, at most PAGE_CACHE_SECONDS."""
    now = now or timezone.now()
    limit = max(settings.PAGE_CACHE_SECONDS, 1)
    moments = Webinar.objects.aggregate(
        start=Min("start", filter=Q(start__gt=now)),
        end=Min("end", filter=phase.not_over_q(now)),
        close=Min("registration_closes", filter=Q(registration_closes__gt=now)),
    )
    soonest = min((m for m in moments.values() if m is not None), default=None)
    if soonest is not None:
        # A second late rather than early, so the page rendered then reads the new way.
        until = soonest - now + timedelta(seconds=1)
        limit = min(limit, max(1, int(until.total_seconds()) + 1))
    return limit


def _is_staff_request(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _cached_view(request) -> str | None:
    """The URL name of a page to serve from the cache, or None."""
    if request.method not in ("GET", "HEAD") or _is_staff_request(request):
        return None
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return None
    return view_name if view_name in CACHED_URL_NAMES else None


def _shared(response, etag: str):
    response["ETag"] = etag
    # Browsers ask again each time (usually a 304); shared caches may keep the page a little.
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PAGE_CACHE_SHARED_SECONDS,
        stale_while_revalidate=settings.PAGE_CACHE_STALE_SECONDS,
    )
    return response


class PublicPageCacheMiddleware:
    """Serve and store visitors' public pages (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view_name = _cached_view(request)
        if view_name is None:
            response = self.get_response(request)
            if _is_staff_request(request):
                patch_cache_control(response, private=True)
            return response
        if settings.PAGE_CACHE_SECONDS <= 0:
            return self._answer(request, self.get_response(request), None, None)
        key = page_key(request, view_name)
        try:
            found = cache.get_many([GENERATION_KEY, key])
            # The generation was in that round trip: only a missing one needs another.
            generation = found.get(GENERATION_KEY)
            if generation is None or not _is_current(generation):
                generation = _start_generation(stale=generation)
        except Exception:  # noqa: BLE001 (without the cache, visitors still get fresh pages)
            logger.warning("Cache unreachable: serving pages uncached.", exc_info=True)
            return self._answer(request, self.get_response(request), None, None)
        stored = found.get(key)
        if stored is not None and stored["generation"] == generation:
            response = HttpResponse(stored["content"])
            for header, value in stored["headers"].items():
                response[header] = value
            response["Content-Length"] = str(len(stored["content"]))
            response["X-Page-Cache"] = "hit"
            return self._conditional(request, _shared(response, stored["etag"]), stored["etag"])
        return self._answer(request, self.get_response(request), key, generation)

    def _answer(self, request, response, key: str | None, generation: str | None):
        """A freshly rendered page: stored under `key` when shareable, with validators."""
        if response.status_code != 200 or response.streaming or response.cookies:
            return response
        etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
        if key is not None and request.method == "GET":
            stored = {
                # The generation read before rendering: if content changed meanwhile, this copy
                # is already out of date and will not be served.
                "generation": generation,
                "content": response.content,
                "etag": etag,
                "headers": {
                    h: v for h, v in response.headers.items() if h.lower() not in UNSTORED_HEADERS
                },
            }
            try:
                cache.set(key, stored, settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
            except Exception:  # noqa: BLE001 (the page is rendered; not storing it is harmless)
                logger.warning("Cache unreachable: page not stored.", exc_info=True)
        return self._conditional(request, _shared(response, etag), etag)

    @staticmethod
    def _conditional(request, response, etag: str):
        # Calendar feeds also say when they last changed; clients may ask by date.
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )


def _on_saved(sender, **kwargs) -> None:
    meta = sender._meta
    if meta.app_label not in CONTENT_APPS:
        return
    if meta.label_lower not in NOT_CONTENT:
        content_changed()
    elif meta.label_lower == "webinars.registration" and kwargs.get("signal") is post_delete:
        # A registration deleted in admin may free a seat: too rare to work out the new state.
        content_changed()
    elif meta.label_lower == "webinars.registration" and _shows_count_of(kwargs):
        content_changed()


def _shows_count_of(kwargs) -> bool:
    """Whether a saved registration may change a count its webinar's page shows: only those pages
    say how many registered (a rounded count would be wrong for some visitors at every step)."""
    update_fields = kwargs.get("update_fields")
    if not kwargs.get("created") and update_fields is not None and "status" not in update_fields:
        return False
    registration = kwargs["instance"]
    if not isinstance(registration, Registration):
        return False  # a migration's historical model: no page to keep fresh
    if Registration.webinar.is_cached(registration):
        return registration.webinar.show_registered_count
    return Webinar.objects.filter(pk=registration.webinar_id, show_registered_count=True).exists()


def _on_availability_changed(sender, **kwargs) -> None:
    content_changed()


def _on_migrate(sender, **kwargs) -> None:
    # Every deploy runs migrate: new templates must not hide behind pages stored by the old ones.
    try:
        content_changed()
    except Exception:  # noqa: BLE001 (an unreachable cache must not stop a migration)
        logger.warning("Could not renew the page cache after migrate.", exc_info=True)


def connect_signals() -> None:
    """Called from WebinarsConfig.ready()."""
    post_save.connect(_on_saved, dispatch_uid="pages-content-saved")
    post_delete.connect(_on_saved, dispatch_uid="pages-content-deleted")
    post_migrate.connect(_on_migrate, dispatch_uid="pages-migrated")
    availability_changed.connect(_on_availability_changed, dispatch_uid="pages-availability")
