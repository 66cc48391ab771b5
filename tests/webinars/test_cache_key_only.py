"""A stored page is a function of its cache key: nothing a visitor adds to the address or the
headers, beyond what the key holds, reaches the bytes the next visitor is served."""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import add_speaker, empty_cache, make_series, make_speaker, make_webinar
from webinars.cache import CACHED_URL_NAMES, QUERY_PARAMETERS

JUNK = "zq<script>alert(1)</script>x"
LONG = "L" * 4000
# Every parameter a page may read, with junk in it, plus parameters no page reads.
# Every parameter some page reads, with junk in it, and parameters no page reads.
JUNK_PARAMETERS = {
    "utm_source": JUNK,
    "zzz": LONG,
    "q": JUNK,
    "series": JUNK,
    "page": "2",
    "upcoming": "3",
    "domain": JUNK,
    "p": "2",
    "cancelled": "1",
    "confirmed": "1",
    "v": JUNK,
    "language": "nl",
    JUNK: "1",
}
JUNK_HEADERS = {
    "HTTP_HOST": "localhost",
    "HTTP_X_FORWARDED_HOST": "evil.example",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_REFERER": f"{settings.SITE_URL}/{JUNK}?{JUNK}",
    "HTTP_ACCEPT_LANGUAGE": "nl-NL,nl;q=0.9",
    "HTTP_COOKIE": f"tracking={'T' * 20}; django_language=nl",
    "HTTP_USER_AGENT": JUNK,
}

# One address per cached page type, English and Dutch, and the parameters each page reads
# set to ordinary values (they are part of the key, so the page may show them).
PAGES = {
    "webinars:calendar": ["/", "/nl/", "/?q=mining", "/?series=supply&page=1"],
    "webinars:month": ["/calendar/2026/06/", "/nl/calendar/2026/06/"],
    "series:index": ["/series/", "/nl/series/"],
    "series:detail": ["/series/supply/", "/nl/series/supply/"],
    "series:register": ["/series/supply/register/"],
    "series:register_thanks": ["/series/supply/register/thanks/"],
    "series:ical": ["/series/supply/calendar.ics"],
    "webinars:detail": ["/webinars/mining/", "/nl/webinars/mining/"],
    "webinars:register": ["/webinars/mining/register/", "/nl/webinars/mining/register/"],
    "webinars:register_thanks": [
        "/webinars/mining/register/thanks/",
        "/webinars/mining/register/thanks/?domain=gmail.com",
        "/nl/webinars/mining/register/thanks/",
    ],
    "webinars:speaker": ["/speakers/ada/", "/nl/speakers/ada/"],
    "webinars:ical": ["/webinars/mining/calendar.ics"],
    "webinars:site_ical": ["/calendar.ics", "/nl/calendar.ics"],
    "webinars:feed": ["/feed/", "/nl/feed/"],
    "webinars:feed_atom": ["/feed/atom/"],
    "webinars:sitemap": ["/sitemap.xml"],
    "webinars:sitemap_section": ["/sitemap-webinars.xml", "/sitemap-webinars.xml?p=1"],
    "webinars:robots": ["/robots.txt"],
    "webinars:privacy": ["/privacy/", "/nl/privacy/"],
    "following:follow": ["/series/supply/follow/", "/nl/series/supply/follow/"],
    "following:sent": ["/series/supply/follow/sent/"],
    "embed:calendar": ["/embed/", "/nl/embed/", "/embed/?q=mining"],
    "embed:series": ["/embed/series/supply/"],
    "embed:register": ["/embed/webinars/mining/register/"],
    "embed:register_thanks": ["/embed/webinars/mining/register/thanks/"],
    "embed:series_register": ["/embed/series/supply/register/"],
    "embed:series_register_thanks": ["/embed/series/supply/register/thanks/"],
    "api:index": ["/api/"],
    "api:series_list": ["/api/series", "/api/series?page=1&page_size=5"],
    "api:series_detail": ["/api/series/supply"],
    "api:webinar_list": ["/api/webinars", "/api/webinars?page_size=1"],
    "api:webinar_detail": ["/api/webinars/mining"],
    "api:speaker_list": ["/api/speakers"],
    "api:speaker_detail": ["/api/speakers/ada"],
    "api:openapi-json": ["/api/openapi.json"],
}
ADDRESSES = [(name, address) for name, addresses in PAGES.items() for address in addresses]


@pytest.fixture
def content(db):
    series = make_series(title="Supply chains", slug="supply")
    webinar = make_webinar(series=series, title="Mining minerals", slug="mining")
    add_speaker(webinar, make_speaker(name="Ada Lovelace", slug="ada"))
    # Enough past webinars that the calendar pages its past list.
    for n in range(25):
        make_webinar(series=series, slug=f"old-{n}", start=webinar.start.replace(year=2025))


def test_every_cached_page_type_is_checked():
    assert set(PAGES) == set(CACHED_URL_NAMES)


def _with_junk(name: str, address: str) -> str:
    """The address with junk in every parameter the page does not read (those it reads are in
    the key: another value is another page)."""
    read = QUERY_PARAMETERS.get(name, frozenset())
    junk = urlencode([(k, v) for k, v in JUNK_PARAMETERS.items() if k not in read])
    return address + ("&" if "?" in address else "?") + junk


def _plain(address: str):
    response = Client().get(address)
    assert response.status_code == 200, address
    return response


@pytest.mark.parametrize(("name", "address"), ADDRESSES)
def test_a_page_stored_after_a_junk_request_is_the_plain_page(content, name, address):
    fresh = _plain(address).content
    empty_cache()

    junk = Client().get(_with_junk(name, address), **JUNK_HEADERS)
    served = _plain(address)

    assert junk.status_code == 200
    assert served["X-Page-Cache"] == "hit"
    assert served.content == fresh
    body = served.content.decode()
    for trace in ("zq", "LLLL", "evil.example", "localhost", "utm_source", "TTTT"):
        assert trace not in body


@pytest.mark.parametrize(
    ("first", "plain"),
    [
        # Views read the last value of a repeated parameter; so does the key.
        ("/?q=zqfirst&q=mining", "/?q=mining"),
        ("/embed/?series=zqfirst&series=supply", "/embed/?series=supply"),
        ("/api/webinars?page_size=7&page_size=1", "/api/webinars?page_size=1"),
        # The same path written another way.
        ("/webinars/%6Dining/", "/webinars/mining/"),
        ("/nl/series/%73upply/", "/nl/series/supply/"),
    ],
)
def test_another_spelling_of_the_same_key_stores_the_plain_page(content, first, plain):
    fresh = _plain(plain).content
    empty_cache()

    Client().get(first, **JUNK_HEADERS)
    served = _plain(plain)

    assert served["X-Page-Cache"] == "hit"
    assert served.content == fresh
    assert b"zq" not in served.content and b"page_size=7" not in served.content


def test_repeated_parameters_in_another_order_are_another_page(content):
    mining = Client().get("/?q=nothing&q=mining")
    nothing = Client().get("/?q=mining&q=nothing")

    assert mining["X-Page-Cache"] == nothing["X-Page-Cache"] == "miss"
    assert b"Mining minerals" in mining.content
    assert b"Mining minerals" not in nothing.content
