"""What guards the public forms instead of a per-visitor token: the origin check and a rate limit.

Visitors carry no cookie, so the forms cannot hold Django's CSRF token. A cross-site form post
is refused by its origin instead: browsers send `Origin` with every POST (and `Referer`, unless
told not to), and a page on another site cannot forge either. Allowed are SITE_URL and the
origins in EMBED_ALLOWED_ORIGINS (sites that embed the forms).
"""

import ipaddress
import logging
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """'https://example.org' for any URL on that origin; None for anything that is not one."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    origin = f"{parts.scheme}://{parts.hostname}"
    if port is not None and port != DEFAULT_PORTS[parts.scheme]:
        origin += f":{port}"
    return origin


def allowed_origins() -> frozenset[str]:
    origins = {origin_of(settings.SITE_URL), *map(origin_of, settings.EMBED_ALLOWED_ORIGINS)}
    return frozenset(o for o in origins if o)


def posted_from_allowed_origin(request) -> bool:
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        # Some browsers leave Origin out of same-origin posts; Referer then tells where from.
        origin = request.META.get("HTTP_REFERER")
    # "null" (a sandboxed or privacy-stripped page) and no header at all are refused alike.
    return bool(origin) and origin_of(origin) in allowed_origins()


def refused_origin_response(request):
    logger.warning(
        "Refused a form post from origin %r (referer %r).",
        request.META.get("HTTP_ORIGIN"),
        request.META.get("HTTP_REFERER"),
    )
    return render(request, "403_origin.html", {"site_url": settings.SITE_URL}, status=403)


def public_form(view):
    """For views whose POST a visitor sends: no CSRF token, the origin checked instead."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST" and not posted_from_allowed_origin(request):
            return refused_origin_response(request)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)


def client_network(address: str) -> str:
    """The client an address counts as: an IPv4 address itself, an IPv6 address's network.

    One IPv6 connection usually holds a whole /64 (RATE_LIMIT_IPV6_PREFIX) and may pick any
    address in it, so counting addresses would let one client through without a limit.
    """
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return address[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    network = ipaddress.ip_network(f"{ip}/{settings.RATE_LIMIT_IPV6_PREFIX}", strict=False)
    return str(network)


def client_ip(group, request) -> str:
    """The client's network (client_network) of REMOTE_ADDR, or of the address the trusted
    proxies saw (RATE_LIMIT_PROXY_COUNT): the key every rate limit counts under."""
    proxies = settings.RATE_LIMIT_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            return client_network(forwarded[-proxies])
    return client_network(request.META.get("REMOTE_ADDR", "unknown"))


def over_limit(request, *, group: str, limit: int, window: int, methods, key=client_ip) -> bool:
    """Count this request against the client in `group`; True once over `limit` per `window` s.

    The client is its network (client_ip) unless `key` (group, request) -> str names another.

    Counted in the cache (Redis in production), so the count holds across workers. If the cache
    is down, the request goes through: losing registrations (or answering no reads) is worse
    than a pause in the limit.
    """
    try:
        return is_ratelimited(
            request,
            group=group,
            key=key,
            rate=f"{limit}/{window}s",
            method=methods,
            increment=True,
        )
    except Exception:  # noqa: BLE001 (see the docstring)
        logger.error("Cache unreachable: %s rate limit not counted.", group, exc_info=True)
        return False


def is_rate_limited(request) -> bool:
    """Count this registration submission; True once over REGISTRATION_RATE_LIMIT."""
    return over_limit(
        request,
        group="registration",
        limit=settings.REGISTRATION_RATE_LIMIT,
        window=settings.REGISTRATION_RATE_WINDOW,
        methods="POST",
    )


def rate_limited_response(request):
    response = render(
        request,
        "429.html",
        {"retry_minutes": max(1, settings.REGISTRATION_RATE_WINDOW // 60)},
        status=429,
    )
    response["Retry-After"] = str(settings.REGISTRATION_RATE_WINDOW)
    return response


def private_page(view):
    """Token pages: not stored by shared caches, not indexed, no Referer to other sites."""

    uncached = never_cache(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = uncached(request, *args, **kwargs)
        # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on the
        # page's own cancel form, which the origin check refuses.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped
