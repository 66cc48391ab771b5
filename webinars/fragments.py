"""Rendered webinar list items, shared between page renders through the cache.

A list page (the calendar, a series) shows up to 40 webinars, and rendering those items is most
of what the page costs once its rows are read. Each item is stored in the shared cache under a
key made of everything it shows:

- the content generation of the page cache (webinars/cache.py), which every save or delete of
  anything public renews, as does `content_changed()` after a bulk update;
- the webinar row and its series row, through their `updated` times;
- the registration badge (its state code), which moves with seats and with the clock;
- whether the item shows its series line;
- the code that renders it: a digest of the project's templates and Python sources, so a
  deploy never serves an item rendered by the previous release.

A change therefore makes a new key; nothing is ever deleted, and old entries expire after
FRAGMENT_CACHE_SECONDS (0 turns fragments off). A registration does not renew the generation:
it changes an item only through its badge, which is in the key. Items read in one cache round
trip; only the missing ones load their speakers (one query) and render.

`cached_block()` does the same for a block that shows content only (no seats), such as the
other webinars of a series on a webinar page, keyed by the generation, the code and its own
parts; its queries run only when it is not in the cache.
"""

import hashlib
import logging
from collections.abc import Callable, Sequence
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from webinars.cache import current_generation
from webinars.models import Webinar, speakers_prefetch
from webinars.templatetags.ui_tags import list_registration_state

logger = logging.getLogger(__name__)

ITEM_TEMPLATE = "includes/webinar_item.html"
KEY_PREFIX = "fragments:webinar-item"
# What the digest covers: every template and every Python source of the project's apps.
SOURCE_DIRS = ("templates", "webinars", "series", "config")
SOURCE_SUFFIXES = frozenset({".html", ".txt", ".py"})


@once
def code_digest() -> str:
    """A digest of the templates and code that render an item (read once per process)."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for top in SOURCE_DIRS:
        for path in sorted((root / top).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(prefix: str, generation: str, parts: Sequence[str]) -> str:
    """A fragment's cache key: the code digest, the content generation and its own parts."""
    material = "|".join((code_digest(), generation, *parts))
    return f"{prefix}:{hashlib.sha256(material.encode()).hexdigest()[:32]}"


def item_key(webinar: Webinar, state, hide_series: bool, generation: str) -> str:
    series = webinar.series
    return _key(
        KEY_PREFIX,
        generation,
        (
            str(webinar.pk),
            webinar.updated.isoformat(),
            f"{series.pk}@{series.updated.isoformat()}" if series else "-",
            state.code if state else "-",
            "without-series" if hide_series else "with-series",
        ),
    )


def _render(webinars: Sequence[Webinar], states: dict, hide_series: bool) -> list[str]:
    prefetch_related_objects(list(webinars), *speakers_prefetch())
    template = get_template(ITEM_TEMPLATE)
    return [
        template.render({"webinar": w, "state": states[w.pk], "hide_series": hide_series})
        for w in webinars
    ]


def webinar_items(
    webinars: Sequence[Webinar], *, hide_series: bool = False, use_cache: bool = True
) -> SafeString:
    """The <li> items of a webinar list, from the cache where possible.

    The webinars need their series (select_related) and registration counts
    (selectors.attach_registration_counts); speakers are loaded here for items not cached.
    """
    now = timezone.now()
    states = {w.pk: list_registration_state(w, now) for w in webinars}
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or not use_cache:
        return mark_safe("".join(_render(webinars, states, hide_series)))  # noqa: S308
    try:
        generation = current_generation()
        keys = {w.pk: item_key(w, states[w.pk], hide_series, generation) for w in webinars}
        found = cache.get_many(list(keys.values()))
    except Exception:  # noqa: BLE001 (a cache outage only costs speed)
        logger.warning("Cache unreachable: rendering list items afresh.", exc_info=True)
        return mark_safe("".join(_render(webinars, states, hide_series)))  # noqa: S308
    missing = [w for w in webinars if keys[w.pk] not in found]
    if missing:
        html = _render(missing, states, hide_series)
        rendered = {keys[w.pk]: item for w, item in zip(missing, html, strict=True)}
        found.update(rendered)
        try:
            cache.set_many(rendered, seconds)
        except Exception:  # noqa: BLE001
            logger.warning("Cache unreachable: list items not stored.", exc_info=True)
    # Items are our own template's output (autoescaped), stored as plain strings.
    return mark_safe("".join(found[keys[w.pk]] for w in webinars))  # noqa: S308


def cached_block(
    name: str, parts: Sequence[str], render: Callable[[], str], *, use_cache: bool = True
) -> SafeString:
    """A rendered block of a page through the cache, keyed by `parts`, the generation and code.

    For blocks that change only when content changes (any save renews the generation), such
    as the other webinars of a series on a webinar page: a registration, which makes the
    page itself render again, reuses them. `render` runs (queries included) only on a miss.
    """
    seconds = settings.FRAGMENT_CACHE_SECONDS
    if seconds <= 0 or not use_cache:
        return mark_safe(render())  # noqa: S308 (our own templates' output)
    try:
        key = _key(f"fragments:{name}", current_generation(), parts)
        html = cache.get(key)
    except Exception:  # noqa: BLE001 (a cache outage only costs speed)
        logger.warning("Cache unreachable: rendering %s afresh.", name, exc_info=True)
        return mark_safe(render())  # noqa: S308
    if html is None:
        html = render()
        try:
            cache.set(key, html, seconds)
        except Exception:  # noqa: BLE001
            logger.warning("Cache unreachable: %s not stored.", name, exc_info=True)
    return mark_safe(html)  # noqa: S308
