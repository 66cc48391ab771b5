"""Nothing of any provider (room names, join URLs, secrets, meeting ids, checksums, tokens)
appears on any public page, feed, calendar file, API answer, sitemap or embed, in any language.

Every URL pattern the site has (admin aside) is requested with every value that fits it, so
pages added later are searched too.
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import timezone

from meetings import identity, jobs
from meetings.models import MeetingRegistrant, MeetingRoom
from meetings.providers import zoom_api
from tests.factories import add_speaker, make_registration, make_series, make_webinar
from tests.meetings.conftest import join_as_browser
from tests.meetings.test_jitsi import APP_SECRET


def routes(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p.pattern, LocalePrefixPattern):
            for language in ("", "nl/", "fr/"):
                yield from routes(p.url_patterns, prefix + language)
            continue
        if not isinstance(p.pattern, RoutePattern):
            continue  # admin and static files: regex patterns, not public
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from routes(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def fill(route: str, values: dict[str, list]) -> list[str]:
    urls = [route]
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        options = values.get(name) or values.get(converter) or []
        urls = [re.sub(rf"<(?:\w+:)?{name}>", str(v), u, count=1) for u in urls for v in options]
    return ["/" + u for u in urls]


def test_no_provider_secret_reaches_a_public_answer(client, organiser_client, bbb, zoom, settings):
    settings.JOIN_WINDOW_MINUTES = 10 * 24 * 60  # every join window open: the worst case
    settings.JITSI_URL = "https://meet.example.org"
    settings.JITSI_APP_ID, settings.JITSI_APP_SECRET = "webinars", APP_SECRET
    series = make_series(slug="provider-series")
    start = timezone.now() + timedelta(days=1)
    bbb_webinar = make_webinar(
        series=series, slug="bbb-one", meeting_provider="bigbluebutton", start=start
    )
    jitsi_webinar = make_webinar(
        series=series, slug="jitsi-one", meeting_provider="jitsi", start=start
    )
    zoom_webinar = make_webinar(
        series=series, slug="zoom-one", meeting_provider="zoom", start=start
    )
    speaker = add_speaker(bbb_webinar)
    add_speaker(jitsi_webinar, speaker)
    add_speaker(zoom_webinar, speaker)
    people = {
        webinar: (
            make_registration(webinar, status="confirmed"),
            make_registration(webinar, status="pending"),
        )
        for webinar in (bbb_webinar, jitsi_webinar, zoom_webinar)
    }
    secrets = {settings.BBB_SECRET, APP_SECRET, settings.BBB_API_URL, "meet.example.org"}
    secrets |= {settings.ZOOM_CLIENT_SECRET, settings.ZOOM_WEBHOOK_SECRET, "zoom.example"}
    jobs.run_due()  # the Zoom meeting made, its confirmed registrant added
    for webinar, (confirmed, _pending) in people.items():
        url = client.get(f"/registrations/{confirmed.token}/join")["Location"]
        secrets.add(url)
        query = parse_qs(urlsplit(url).query)
        secrets.update(query.get("checksum", []) + query.get("jwt", []))
        secrets.add(identity.registrant_user_id(confirmed.pk))
        if webinar is bbb_webinar:
            join_as_browser(url)
    for webinar in (bbb_webinar, zoom_webinar):
        host = organiser_client.get(f"/admin/webinars/webinar/{webinar.pk}/meeting-host/")
        secrets.add(host["Location"])
    for meeting in zoom.meetings.values():
        secrets.add(str(meeting.id))
        secrets.update(meeting.registrants)  # Zoom's registrant ids
    admin_page = organiser_client.get(f"/admin/webinars/webinar/{bbb_webinar.pk}/change/")
    host_links = re.findall(r"/meetings/host/([^/<]+)/", admin_page.content.decode())
    assert host_links
    secrets.update(host_links)
    for room in MeetingRoom.objects.all():
        assert room.room_id
        secrets.add(room.room_id)
    for row in MeetingRegistrant.objects.all():
        secrets.update({row.join_url, row.remote_id})
    assert {row.registration_id for row in MeetingRegistrant.objects.all()} == {
        people[zoom_webinar][0].pk
    }
    secrets.add(cache.get(zoom_api.token_cache_key()))
    client.logout()

    now = timezone.now()
    values = {
        "slug": [
            bbb_webinar.slug,
            jitsi_webinar.slug,
            zoom_webinar.slug,
            series.slug,
            speaker.slug,
        ],
        "token": [r.token for pair in people.values() for r in pair],
        "year": [now.year],
        "yyyy": [now.year],
        "month": [now.month],
        "mm": [f"{now.month:02d}"],
        "int": [now.year, now.month, bbb_webinar.pk],
        "provider": ["bigbluebutton", "jitsi", "zoom"],
        "kind": ["ended", "analytics", "recording", "webhook"],
    }
    checked = []
    for route in routes():
        for url in fill(route, values):
            if "/meetings/" in url:
                continue  # the callbacks and host links take tokens, checked elsewhere
            response = client.get(url)
            if url.endswith("/join") and response.status_code == 302:
                continue  # a confirmed registrant's own redirect: the one way in
            assert response.status_code < 500, url
            body = b"".join(response) if response.streaming else response.content
            for secret in secrets:
                assert secret.encode() not in body, (url, secret)
            checked.append(url)

    for expected in (
        "/",
        "/webinars/bbb-one/",
        "/nl/webinars/jitsi-one/",
        "/fr/webinars/bbb-one/",
        "/webinars/bbb-one/calendar.ics",
        "/webinars/zoom-one/",
        "/webinars/zoom-one/calendar.ics",
        "/api/webinars/zoom-one",
        f"/registrations/{people[zoom_webinar][0].token}/",
        "/series/provider-series/calendar.ics",
        "/calendar.ics",
        "/feed/",
        "/sitemap.xml",
        "/api/webinars",
        "/api/webinars/bbb-one",
        "/embed/",
        "/fr/embed/series/provider-series/",
        f"/registrations/{people[bbb_webinar][0].token}/",
        f"/registrations/{people[bbb_webinar][0].token}/calendar.ics",
        f"/registrations/{people[jitsi_webinar][1].token}/join",
    ):
        assert expected in checked, expected
