"""RSS and Atom feeds, the sitemap and robots.txt: only published webinars, absolute links."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import add_speaker, make_series, make_speaker, make_webinar
from webinars.models import Webinar

SITE = "https://webinars.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SECRET = "https://meet.example.org/secret-room-42"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


def xml_of(response) -> ElementTree.Element:
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own response)


def sitemap_urls(client) -> list[ElementTree.Element]:
    """Every <url> of every file the sitemap index names."""
    index = client.get("/sitemap.xml")
    assert index.status_code == 200
    urls = []
    for loc in xml_of(index).iter(f"{SITEMAP}loc"):
        section = client.get(loc.text.removeprefix(SITE))
        assert section.status_code == 200 and section["Content-Type"] == "application/xml"
        urls += xml_of(section).findall(f"{SITEMAP}url")
    return urls


def test_rss_lists_published_webinars_newest_first(client, seed):
    # A week ahead at 10:00 in Brussels, whatever the hour the suite runs at.
    day = (timezone.now() + timedelta(days=7)).astimezone(ZoneInfo("Europe/Brussels")).date()
    start = datetime.combine(day, time(10), tzinfo=ZoneInfo("Europe/Brussels"))
    newer = make_webinar(title="Announced later", join_url=SECRET, start=start)
    add_speaker(newer, make_speaker(name="Ada Lovelace", affiliation="Analytical"))
    make_webinar(title="Draft", is_published=False)

    response = client.get("/feed/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = xml_of(response).find("channel")
    assert channel.findtext("title") == "Webinars: new webinars"
    assert channel.findtext("link") == f"{SITE}/"
    items = channel.findall("item")
    assert [item.findtext("link") for item in items] == [
        f"{SITE}/webinars/{newer.slug}/",
        # The seed's three were announced together: the last added first.
        f"{SITE}/webinars/trade-union-rights-indonesia/",
        f"{SITE}/webinars/artisanal-and-small-scale-mining/",
        f"{SITE}/webinars/challenges-in-the-copper-supply-chain/",
    ]
    first = items[0]
    when = newer.local_start
    assert first.findtext("title") == (
        f"Announced later ({when:%A} {when.day} {when:%B %Y}, 10:00–11:30 {when.tzname()}, "
        "Brussels time)"
    )
    assert first.findtext("guid") == f"urn:uuid:{newer.uid}"
    assert "Speaker: Ada Lovelace (Analytical)" in first.findtext("description")
    assert b"secret-room" not in response.content
    assert b"Draft" not in response.content


def test_rss_item_of_webinar_2_has_its_details(client, seed):
    response = client.get("/feed/")

    items = xml_of(response).find("channel").findall("item")
    webinar_2 = next(i for i in items if i.findtext("guid").endswith("0a02"))
    assert webinar_2.findtext("title") == (
        "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain "
        "(Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time)"
    )
    assert webinar_2.findtext("pubDate") == "Tue, 01 Sep 2020 08:00:00 +0000"
    assert webinar_2.findtext("category") == (
        "Towards a Responsible Supply Chain for Electronics: From Mining to Manufacturing"
    )
    description = webinar_2.findtext("description")
    assert description.startswith("<p>Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time</p>")
    assert "Moderator: Piet Wostyn (KU Leuven)" in description


def test_cancelled_webinar_is_marked_in_the_feed(client, db):
    make_webinar(title="Called off", status=Webinar.Status.CANCELLED)

    response = client.get("/feed/")

    title = xml_of(response).find("channel").find("item").findtext("title")
    assert title.startswith("Cancelled: Called off (")


def test_atom_feed_lists_the_same_webinars(client, seed):
    make_webinar(title="Draft", is_published=False)

    response = client.get("/feed/atom/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = xml_of(response)
    assert feed.findtext(f"{ATOM}title") == "Webinars: new webinars"
    links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert sorted(links) == [
        f"{SITE}/webinars/artisanal-and-small-scale-mining/",
        f"{SITE}/webinars/challenges-in-the-copper-supply-chain/",
        f"{SITE}/webinars/trade-union-rights-indonesia/",
    ]
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == f"{SITE}/feed/atom/"


def test_sitemap_lists_only_published_pages(client, seed):
    drafts = make_series(slug="drafts-only")
    make_webinar(slug="draft", series=drafts, is_published=False)
    hidden = make_speaker(slug="only-in-drafts")
    add_speaker(Webinar.objects.get(slug="draft"), hidden)

    urls = sitemap_urls(client)
    english = [
        f"{SITE}/",
        f"{SITE}/webinars/challenges-in-the-copper-supply-chain/",
        f"{SITE}/webinars/artisanal-and-small-scale-mining/",
        f"{SITE}/webinars/trade-union-rights-indonesia/",
        f"{SITE}/series/responsible-supply-chain-electronics/",
        f"{SITE}/speakers/erik-smolders/",
        f"{SITE}/speakers/boris-verbruggen/",
        f"{SITE}/speakers/alberto-vazquez-ruiz/",
        f"{SITE}/speakers/piet-wostyn/",
    ]
    dutch = [url.replace(SITE, f"{SITE}/nl", 1) for url in english]
    french = [url.replace(SITE, f"{SITE}/fr", 1) for url in english]
    assert sorted(u.findtext(f"{SITEMAP}loc") for u in urls) == sorted(english + dutch + french)
    # Each page names its other languages and the English page as the default.
    links = {
        (link.get("hreflang"), link.get("href"))
        for link in urls[0].findall("{http://www.w3.org/1999/xhtml}link")
    }
    assert links == {
        ("en-gb", f"{SITE}/"),
        ("nl", f"{SITE}/nl/"),
        ("fr", f"{SITE}/fr/"),
        ("x-default", f"{SITE}/"),
    }
    webinar_2 = next(u for u in urls if "artisanal" in u.findtext(f"{SITEMAP}loc"))
    assert webinar_2.findtext(f"{SITEMAP}lastmod") == "2020-09-01"


def test_every_sitemap_address_has_a_lastmod(client, seed):
    speaker = Webinar.objects.get(slug="artisanal-and-small-scale-mining").speakers[0].speaker

    urls = sitemap_urls(client)

    lastmods = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in urls}
    assert None not in lastmods.values()
    # The calendar changes with its newest webinar, a speaker's page with their webinars.
    latest = max(w.updated for w in Webinar.objects.filter(is_published=True))
    assert lastmods[f"{SITE}/"] == f"{latest:%Y-%m-%d}"
    assert lastmods[SITE + speaker.get_absolute_url()] >= "2020-09-01"


def test_every_atom_entry_has_an_author(client, seed):
    make_webinar(title="Without a series")

    feed = xml_of(client.get("/feed/atom/"))

    authors = {
        e.findtext(f"{ATOM}title"): e.findtext(f"{ATOM}author/{ATOM}name")
        for e in feed.findall(f"{ATOM}entry")
    }
    assert authors[next(t for t in authors if t.startswith("Without a series"))] == "Webinars"
    assert {a for t, a in authors.items() if not t.startswith("Without")} == {"Make ICT Fair"}
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Webinars"


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def assert_atom_identity(element, where: str):
    # RFC 4287 4.2.6/4.2.14/4.2.15, as the W3C validator checks them: one absolute IRI id, one
    # non-empty title, one RFC 3339 updated.
    ids = element.findall(f"{ATOM}id")
    assert len(ids) == 1, where
    assert urlsplit(ids[0].text.strip()).scheme, (where, ids[0].text)
    titles = element.findall(f"{ATOM}title")
    assert len(titles) == 1 and titles[0].text and titles[0].text.strip(), where
    updated = element.findall(f"{ATOM}updated")
    assert len(updated) == 1 and RFC3339.match(updated[0].text), (where, updated)


def test_atom_feed_keeps_the_rules_the_w3c_validator_enforces(client, seed):
    # No validator of RFC 4287 is on PyPI, so the rules a change here could break are checked
    # one by one, with the entries most likely to break them: cancelled, moved, without series.
    make_webinar(title="Without a series")
    make_webinar(title="Called off", status="cancelled")
    moved = make_webinar(title="Moved")
    moved.start += timedelta(days=2)
    moved.end += timedelta(days=2)
    moved.save()

    feed = xml_of(client.get("/feed/atom/"))

    assert feed.tag == f"{ATOM}feed"
    assert_atom_identity(feed, "feed")
    self_links = [e for e in feed.findall(f"{ATOM}link") if e.get("rel") == "self"]
    assert [e.get("href") for e in self_links] == [f"{SITE}/feed/atom/"]
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) >= 5
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids), ids
    feed_has_author = feed.find(f"{ATOM}author/{ATOM}name") is not None
    for entry in entries:
        where = entry.findtext(f"{ATOM}title")
        assert_atom_identity(entry, where)
        # Without an author on the feed, every entry needs its own (RFC 4287 4.1.1).
        names = [a.findtext(f"{ATOM}name") for a in entry.findall(f"{ATOM}author")]
        assert all(n and n.strip() for n in names), where
        assert names or feed_has_author, where
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        # At most one alternate per type and language; with no content, one is required.
        kinds = [(link.get("type"), link.get("hreflang")) for link in alternates]
        assert len(kinds) == len(set(kinds)), where
        if entry.find(f"{ATOM}content") is None:
            assert alternates, where
            assert entry.find(f"{ATOM}summary") is not None, where
        for link in entry.findall(f"{ATOM}link"):
            assert urlsplit(link.get("href")).scheme == "https", (where, link.get("href"))


def test_robots_txt_points_to_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "User-agent: *\n"
        "Disallow: /admin/\n"
        "Disallow: /registrations/\n"
        "\n"
        f"Sitemap: {SITE}/sitemap.xml\n"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-webinars.xml",
        "/sitemap-series.xml",
        "/sitemap-speakers.xml",
    ],
)
def test_feed_query_count_does_not_grow_with_webinars(client, db, path):
    counts = []
    for size in (1, 30):
        Webinar.objects.all().delete()
        series = make_series()
        for n in range(size):
            webinar = make_webinar(series=series, start=timezone.now() + timedelta(days=n))
            add_speaker(webinar)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        root = xml_of(response)
        entries = root.findall("channel/item") + root.findall(f"{ATOM}entry")
        # In the sitemap every address has a lastmod: the calendar, the webinars, their one
        # series and their speakers (one each), each in English, Dutch and French.
        entries += root.findall(f"{SITEMAP}url/[{SITEMAP}lastmod]")
        expected = {
            "/sitemap.xml": 0,
            "/sitemap-pages.xml": 3,
            "/sitemap-webinars.xml": 3 * size,
            "/sitemap-series.xml": 3,
            "/sitemap-speakers.xml": 3 * size,
        }
        assert len(entries) == expected.get(path, size)
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_sitemap_is_an_index_of_sections_paged_under_the_limit(client, db, monkeypatch):
    monkeypatch.setattr("pages.sitemaps.WebinarSitemap.limit", 4)
    series = make_series()
    for n in range(5):
        make_webinar(series=series, slug=f"talk-{n}", start=timezone.now() + timedelta(days=n))

    index = xml_of(client.get("/sitemap.xml", HTTP_HOST="localhost"))

    locations = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    # Five webinars in three languages: fifteen addresses, four a file.
    assert locations == [
        f"{SITE}/sitemap-pages.xml",
        f"{SITE}/sitemap-series.xml",
        f"{SITE}/sitemap-webinars.xml",
        f"{SITE}/sitemap-webinars.xml?p=2",
        f"{SITE}/sitemap-webinars.xml?p=3",
        f"{SITE}/sitemap-webinars.xml?p=4",
        f"{SITE}/sitemap-speakers.xml",
    ]
    last = xml_of(client.get("/sitemap-webinars.xml", {"p": "4"}))
    assert len(last.findall(f"{SITEMAP}url")) == 3
    assert client.get("/sitemap-webinars.xml", {"p": "5"}).status_code == 404
    assert client.get("/sitemap-webinars.xml", {"p": "x"}).status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404
