"""Fast reverse() for the pages addressed by a slug (/webinars/<slug>/ and the like).

A list page links to every webinar, series and speaker it shows, and Django's reverse() resolves
the pattern again on each call (about 40 µs). The path of a slug page is the same string around
the slug, so it is worked out once per URL name, script prefix and URLconf, and the slug put in. The language is part of the key: Dutch pages live under /nl/.
A slug that the <slug:> converter would refuse goes through reverse() and fails as it would.
"""

import re
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_PLACEHOLDER = "slug-placeholder-4b1c"
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@lru_cache(maxsize=128)
def _around(viewname: str, prefix: str, urlconf, language: str | None) -> tuple[str, str]:
    head, _, tail = reverse(viewname, kwargs={"slug": _PLACEHOLDER}, urlconf=urlconf).partition(
        _PLACEHOLDER
    )
    return head, tail


def slug_path(viewname: str, slug: str) -> str:
    """reverse(viewname, kwargs={"slug": slug}), without resolving on every call."""
    if not _SLUG.fullmatch(slug):
        return reverse(viewname, kwargs={"slug": slug})
    head, tail = _around(viewname, get_script_prefix(), get_urlconf(), get_language())
    return f"{head}{slug}{tail}"
