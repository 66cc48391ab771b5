"""The private join link never appears on any public page, feed or calendar file.

Every URL pattern the site has (except admin) is requested with every matching value,
so pages added later are covered too.
"""

import re
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import timezone

from tests.factories import add_speaker, make_registration, make_series, make_webinar

SECRET = "https://meet.example.com/PRIVATE-join-4711"


def routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p.pattern, LocalePrefixPattern):
            # Every page in English (no prefix) and in Dutch.
            yield from routes(p.url_patterns, prefix)
            yield from routes(p.url_patterns, prefix + "nl/")
            continue
        if not isinstance(p.pattern, RoutePattern):
            continue  # admin and static patterns are regex-based and not public
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def fill(route: str, values: dict[str, list[str]]) -> list[str]:
    urls = [route]
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        options = values.get(name) or values.get(converter) or []
        urls = [re.sub(rf"<(?:\w+:)?{name}>", str(v), u, count=1) for u in urls for v in options]
    return ["/" + u for u in urls]


def test_join_link_appears_on_no_page_feed_or_calendar(client, db, settings):
    settings.JOIN_WINDOW_MINUTES = 10 * 24 * 60  # the window is open: the worst case
    series = make_series(slug="secret-series")
    soon = make_webinar(
        series=series,
        slug="soon",
        join_url=SECRET,
        capacity=1,
        start=timezone.now() + timedelta(days=1),
    )
    past = make_webinar(
        series=series, slug="past", join_url=SECRET, start=timezone.now() - timedelta(days=30)
    )
    speaker = add_speaker(soon)
    confirmed = make_registration(soon, status="confirmed")
    waiting = make_registration(soon, status="waitlisted")
    cancelled = make_registration(past, status="cancelled")
    now = timezone.now()
    values = {
        "slug": [soon.slug, past.slug, series.slug, speaker.slug],
        "token": [confirmed.token, waiting.token, cancelled.token],
        "year": [now.year],
        "yyyy": [now.year],
        "month": [now.month],
        "mm": [f"{now.month:02d}"],
        "int": [now.year, now.month],
    }

    checked = []
    for route in routes():
        for url in fill(route, values):
            response = client.get(url)
            if url.endswith("/join") and response.status_code == 302:
                continue  # the one place that may lead there: a confirmed registrant's redirect
            assert response.status_code < 500, url
            body = b"".join(response) if response.streaming else response.content
            assert SECRET.encode() not in body, url
            assert b"PRIVATE-join" not in body, url
            checked.append(url)

    assert len(checked) >= 20, checked
    assert "/" in checked
    assert "/webinars/soon/" in checked
    assert "/nl/webinars/soon/" in checked
    assert "/series/secret-series/" in checked
    assert "/webinars/soon/register/" in checked
    assert f"/registrations/{confirmed.token}/" in checked
    assert f"/registrations/{confirmed.token}/calendar.ics" in checked
    assert f"/registrations/{waiting.token}/join" in checked
    assert client.get(f"/registrations/{confirmed.token}/join")["Location"] == SECRET
