"""Recording deliveries: in the transaction of the change they tell, with the payload as it is.

The services of webinars and following send explicit signals (webinars.signals,
following.signals); the receivers here (connected in HooksConfig.ready) write one delivery per
endpoint that asked for the event and may see what it is about: its owner must organise the
series (series.access), and nothing about a draft webinar goes out. A change that no endpoint
asked for costs no query (the list of endpoints is cached); otherwise one query reads the
endpoints, one per endpoint whose owner organises only some series checks what it may see, and
one writes the deliveries, however many registrations the change concerns.
"""

import contextlib
import logging
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

from api.representations import registration_data, series_ref_data, webinar_data
from following.models import Follower
from hooks.events import TEST_EVENT
from hooks.models import WebhookDelivery, WebhookEndpoint
from series.access import organises_all_series, series_q
from webinars.models import Webinar, speakers_prefetch

# The active endpoints and their events, cached (shared by the processes, as the pages are) so
# that a change nobody listens to costs no query: a registration's answer stays as quick as
# before. Forgotten whenever an endpoint is saved or deleted (and when that commits).
logger = logging.getLogger(__name__)
ENDPOINTS_KEY = "hooks:active-endpoints"
ENDPOINTS_CACHE_SECONDS = 300


def _forget() -> None:
    try:
        cache.delete(ENDPOINTS_KEY)
    except Exception:  # noqa: BLE001 (an unreachable cache must not undo an organiser's save)
        logger.warning("The cached list of webhook endpoints could not be forgotten")


def forget_endpoints(**kwargs) -> None:
    _forget()
    transaction.on_commit(_forget, robust=True)


def _listening() -> list[tuple[int, list]]:
    try:
        rows = cache.get(ENDPOINTS_KEY)
    except Exception:  # noqa: BLE001 (without the cache, the database answers)
        rows = None
    if rows is None:
        rows = list(WebhookEndpoint.objects.filter(active=True).values_list("pk", "events"))
        # Not stored while the cache is away: read from the database again next time.
        with contextlib.suppress(Exception):
            cache.set(ENDPOINTS_KEY, rows, ENDPOINTS_CACHE_SECONDS)
    return rows


def endpoints_for(event: str) -> list[WebhookEndpoint]:
    pks = [pk for pk, events in _listening() if event in events]
    if not pks:
        return []
    endpoints = WebhookEndpoint.objects.filter(pk__in=pks).select_related("owner")
    return [endpoint for endpoint in endpoints if endpoint.wants(event)]


def visible(owner, rows: list, path: str) -> list:
    """The rows (of one model) whose series `owner` organises, asked of series.access."""
    if not rows or organises_all_series(owner):
        return rows
    model = type(rows[0])
    allowed = set(
        model.objects.filter(series_q(owner, path), pk__in=[row.pk for row in rows]).values_list(
            "pk", flat=True
        )
    )
    return [row for row in rows if row.pk in allowed]


def _record(event: str, rows: list, path: str, now: datetime, build) -> int:
    """One delivery per endpoint wanting `event` and per row it may see; build(row) gives the
    data and what the delivery is about."""
    deliveries = []
    for endpoint in endpoints_for(event) if rows else []:
        for row in visible(endpoint.owner, rows, path):
            data, about = build(row)
            deliveries.append(
                WebhookDelivery(
                    endpoint=endpoint, event=event, occurred_at=now, next_attempt_at=now,
                    data=data, created=now, **about,
                )
            )  # fmt: skip
    WebhookDelivery.objects.bulk_create(deliveries)
    return len(deliveries)


def on_registrations_changed(sender, *, event: str, registrations, now: datetime, **kwargs):
    # A draft webinar's registrations are nobody's business outside (and have none normally).
    published = [r for r in registrations if r.webinar.is_published]
    _record(
        f"registration.{event}",
        published,
        "webinar__series",
        now,
        lambda r: (registration_data(r), {"registration": r}),
    )


def _webinar_for_payload(webinar: Webinar) -> Webinar:
    """The webinar again, with its series and speakers in a fixed number of queries."""
    return (
        Webinar.objects.select_related("series")
        .prefetch_related(*speakers_prefetch())
        .get(pk=webinar.pk)
    )


def _record_webinar(event: str, webinar: Webinar, now: datetime, **extra) -> int:
    if not webinar.is_published or not endpoints_for(event):
        return 0
    full = _webinar_for_payload(webinar)
    return _record(event, [full], "series", now, lambda w: ({**webinar_data(w, now), **extra}, {}))


def on_webinar_published(sender, *, webinar: Webinar, now: datetime, **kwargs):
    _record_webinar("webinar.published", webinar, now)


def on_webinar_changed(sender, *, webinar: Webinar, changes, now: datetime, **kwargs):
    """webinar.cancelled, or webinar.changed with what changed ("time", "title", "status");
    a webinar published by this save is told by webinar.published alone, a new one by nothing."""
    if changes.created or changes.published:
        return
    if changes.cancelled:
        _record_webinar("webinar.cancelled", webinar, now)
        return
    changed = [
        name
        for name, flag in (
            ("time", changes.moved),
            ("title", changes.retitled),
            ("status", changes.status_changed),
        )
        if flag
    ]
    if changed:
        _record_webinar("webinar.changed", webinar, now, changed=changed)


def follower_data(follower: Follower) -> dict:
    return {
        "id": follower.pk,
        "series": series_ref_data(follower.series),
        "email": follower.email,
        "language": follower.language,
        "created": follower.created,
        "confirmed_at": follower.confirmed_at,
        "unsubscribed_at": follower.unsubscribed_at,
    }


def _record_follower(event: str, follower: Follower, now: datetime) -> int:
    return _record(event, [follower], "series", now, lambda f: (follower_data(f), {"follower": f}))


def on_follower_confirmed(sender, *, follower: Follower, now: datetime, **kwargs):
    _record_follower("follower.confirmed", follower, now)


def on_follower_unsubscribed(sender, *, follower: Follower, now: datetime, **kwargs):
    _record_follower("follower.unsubscribed", follower, now)


def on_registrations_anonymised(sender, *, ids, **kwargs):
    # Their names and addresses are in the payloads: those go with them, sent or not.
    WebhookDelivery.objects.filter(registration_id__in=ids).delete()


def record_test(endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """A test delivery to one endpoint, whatever events it asked for."""
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event=TEST_EVENT,
        occurred_at=now,
        next_attempt_at=now,
        created=now,
        data={"message": "A test event from the webinar site.", "endpoint": endpoint.url},
    )
