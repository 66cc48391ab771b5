"""'Add to calendar' and 'Subscribe' links, and the visitor's-local-time hooks on pages."""

from datetime import datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.factories import make_series, make_webinar
from tests.html import text_of
from webinars.calendar_links import calendar_links, google_calendar_url, outlook_url
from webinars.models import Webinar

SITE = "https://webinars.example.org"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def across_dst(db, settings):
    """Two New York webinars at 10:00 local, either side of the US DST change of 8 March 2026.

    The server is in Brussels, which changes three weeks later: a link built from the
    server's zone or a fixed offset would be an hour off for one of them.
    """
    settings.TIME_ZONE = "Europe/Brussels"
    before = make_webinar(
        title="Before the change",
        start=datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK),
        time_zone="America/New_York",
    )
    after = make_webinar(
        title="After the change",
        start=datetime(2026, 3, 9, 10, 0, tzinfo=NEW_YORK),
        time_zone="America/New_York",
    )
    return before, after


def test_google_calendar_links_carry_utc_times_across_dst(across_dst):
    before, after = across_dst

    first, second = query(google_calendar_url(before)), query(google_calendar_url(after))

    assert first["dates"] == "20260307T150000Z/20260307T163000Z"  # EST, UTC-5
    assert "&dates=20260307T150000Z/20260307T163000Z&" in google_calendar_url(before)
    assert second["dates"] == "20260309T140000Z/20260309T153000Z"  # EDT, UTC-4
    assert first["action"] == "TEMPLATE"
    assert first["text"] == "Before the change"
    assert first["ctz"] == "America/New_York"
    assert first["location"] == "Online"
    assert first["details"] == f"Details: {SITE}/webinars/{before.slug}/"


def test_outlook_links_carry_utc_times_across_dst(across_dst):
    before, after = across_dst

    first, second = query(outlook_url(before)), query(outlook_url(after))

    assert (first["startdt"], first["enddt"]) == ("2026-03-07T15:00:00Z", "2026-03-07T16:30:00Z")
    assert (second["startdt"], second["enddt"]) == ("2026-03-09T14:00:00Z", "2026-03-09T15:30:00Z")
    assert first["subject"] == "Before the change"
    assert first["rru"] == "addevent"
    assert first["path"] == "/calendar/action/compose"
    assert outlook_url(before).startswith(
        "https://outlook.live.com/calendar/0/deeplink/compose?path=/calendar/action/compose&"
        "rru=addevent&subject=Before+the+change&startdt=2026-03-07T15:00:00Z&"
        "enddt=2026-03-07T16:30:00Z&"
    )


def test_webinar_page_shows_add_to_calendar_links(client, across_dst, _clock):
    before, _ = across_dst
    links = calendar_links(before)
    # A week before it: a webinar that is over offers no calendar links.
    _clock.move_to(before.start - timedelta(days=7))

    response = client.get(before.get_absolute_url())

    html = unescape(response.content.decode())
    assert "Add to your calendar" in text_of(response)
    assert (
        f'<a href="/webinars/{before.slug}/calendar.ics" download>Calendar file (.ics)</a>' in html
    )
    assert f'<a href="{links["google"]}" rel="noopener noreferrer">Google Calendar</a>' in html
    assert f'<a href="{links["outlook"]}" rel="noopener noreferrer">Outlook.com</a>' in html
    assert links["office365"].startswith("https://outlook.office.com/calendar/0/deeplink/compose?")
    assert f'href="{links["office365"]}"' in html


def test_cancelled_webinar_page_offers_only_the_updated_ics(client, db):
    webinar = make_webinar(status=Webinar.Status.CANCELLED)

    response = client.get(webinar.get_absolute_url())

    assert "download the updated calendar file (.ics)" in text_of(response)
    assert "calendar.google.com" not in response.content.decode()


def test_calendar_page_offers_subscription_month_view_and_feeds(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert '<a href="webcal://webinars.example.org/calendar.ics">' in html
    assert f'<a href="{SITE}/calendar.ics" class="subscribe__url">{SITE}/calendar.ics</a>' in html
    assert ">Month view</a>" in html
    assert '<a href="/feed/">RSS feed</a>' in html
    assert '<link rel="alternate" type="application/rss+xml"' in html


def test_calendar_page_filtered_by_series_offers_the_series_feed(client, db):
    series = make_series(slug="mining")
    make_webinar(series=series)

    response = client.get("/", {"series": "mining"})

    assert '<a href="webcal://webinars.example.org/series/mining/calendar.ics">' in (
        response.content.decode()
    )
    assert "Subscribe to this series" in text_of(response)


def test_series_page_offers_subscription(client, db):
    series = make_series(slug="mining")
    make_webinar(series=series)

    response = client.get("/series/mining/")

    html = response.content.decode()
    assert '<a href="webcal://webinars.example.org/series/mining/calendar.ics">' in html
    assert f'<a href="{SITE}/series/mining/calendar.ics" class="subscribe__url">' in html


def test_times_carry_start_and_end_for_the_local_time_script(client, seed):
    response = client.get("/webinars/artisanal-and-small-scale-mining/")

    html = response.content.decode()
    assert (
        '<span class="webinar-time" data-end="2020-10-01T11:30:00+02:00" '
        'data-yours="Your time: {time} ({zone})" data-live="Live now" '
        'data-today="today at {time}"><time datetime="2020-10-01T10:00:00+02:00">'
        "Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time</time></span>"
    ) in html
    assert '<script src="/static/js/localtime.js" defer></script>' in html
    assert "<script>" not in html  # no inline script: a strict CSP will come


def test_local_time_script_is_served(client, db):
    response = client.get("/static/js/localtime.js")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert b"data-yours" in body
