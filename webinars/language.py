"""The page's language: taken from the address (English bare, Dutch under /nl/), the same page's
address in the other languages (switcher, hreflang), and the redirect that brings a browser
asking for Dutch to the Dutch page when it arrives from outside the site.

No cookie remembers a choice, so the redirect cannot tell "this visitor chose English" from
"this visitor has never been here" except by where the request comes from: a link followed on
this site (the switcher included) sends its Referer, our own origin, and is never redirected.
"""

import re
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from webinars.cache import key_query
from webinars.formatting import absolute_url

DEFAULT = settings.LANGUAGE_CODE
# Pages only: calendar clients and feed readers ask for data, not for a page to read, and a
# framed page takes its language from the page framing it.
_NOT_REDIRECTED = (
    "webinars:site_ical",
    "webinars:ical",
    "webinars:feed",
    "webinars:feed_atom",
    "webinars:sitemap",
    "webinars:robots",
    "webinars:social_image",
    "webinars:theme_css",
    "webinars:registration_calendar",
)


# One element of Accept-Language (RFC 9110, section 12.5.4): a language range and its weight.
_ELEMENT = re.compile(
    r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*[qQ]=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?))?\s*"
)
# Longer headers are read up to the last whole element before this many characters, so that
# parsing costs nothing noticeable whatever a client sends.
_READ_AT_MOST = 500


def accepted_languages(header: str) -> list[tuple[str, float]]:
    """(language range in lower case, weight) pairs, most wanted first; [] for a malformed header.

    The header is ignored as a whole, not element by element, when any element is malformed:
    a client that garbles it tells nothing reliable about its order.
    """
    if len(header) > _READ_AT_MOST:
        header = header[: header.rfind(",", 0, _READ_AT_MOST + 1) + 1]
    found = []
    for position, element in enumerate(header.split(",")):
        if not element.strip():
            continue
        match = _ELEMENT.fullmatch(element)
        if match is None:
            return []
        code, quality = match.groups()
        found.append((-float(quality or 1), position, code.lower()))
    return [(code, -weight) for weight, _, code in sorted(found)]


def preferred_language(accept_language: str) -> str:
    """The first of our languages the Accept-Language header asks for, else the default."""
    for code, quality in accepted_languages(accept_language or ""):
        if code == "*" or quality <= 0:
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return DEFAULT


def _from_this_site(request) -> bool:
    referer = request.headers.get("Referer", "")
    if not referer:
        return False
    ours = urlsplit(settings.SITE_URL)
    came = urlsplit(referer)
    return (came.scheme, came.netloc) in {
        (ours.scheme, ours.netloc),
        (request.scheme, request.get_host()),
    }


class PreferredLanguageMiddleware:
    """A first visit to an English page from a browser that prefers Dutch goes to the Dutch one.

    The redirect is never stored by a shared cache (it depends on two request headers) and the
    English page itself is served unchanged to everyone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = self._redirect_to(request)
        if target is None:
            return self.get_response(request)
        response = HttpResponseRedirect(target)
        patch_vary_headers(response, ("Accept-Language", "Referer"))
        patch_cache_control(response, private=True, no_store=True)
        return response

    def _redirect_to(self, request) -> str | None:
        if request.method not in ("GET", "HEAD"):
            return None
        if translation.get_language_from_path(request.path_info) is not None:
            return None  # already says its language
        wanted = preferred_language(request.headers.get("Accept-Language", ""))
        if wanted == DEFAULT or _from_this_site(request):
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if (
            match.view_name in _NOT_REDIRECTED
            or match.namespace in ("admin", "embed")
            or match.app_name == "admin"
        ):
            return None
        target = translate_url(request.get_full_path(), wanted)
        return None if target == request.get_full_path() else target


def alternates(request) -> list[dict]:
    """The current page in each language: code, name, absolute address, and whether it is this
    page's language. Empty for an address outside the language prefixes.

    Built from the page's name, its arguments and the query parameters in its cache key only:
    a stored page is served to everyone, so nothing else a visitor put in the address (tracking
    tags, junk) may show in it.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return []
    query = urlencode(key_query(request, match.view_name))
    path = request.path + (f"?{query}" if query else "")
    current = translation.get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = translate_url(path, code)
        links.append(
            {
                "code": code,
                "hreflang": code.split("-")[0],
                "name": name,
                "path": url,
                "url": absolute_url(url),
                "current": code == current,
            }
        )
    return links
