"""The public read-only API: contract, filters, paging, privacy, caching, CORS, rate limit."""

import json
from datetime import UTC, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    add_speaker,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_speaker,
    make_webinar,
)

JOIN_URL = "https://meet.example.org/j/very-secret-room"
REGISTRANT = "registrant-address@example.org"


@pytest.fixture
def site(db):
    """A public series with an upcoming and a past webinar, and everything that must stay out."""
    now = timezone.now().replace(microsecond=0)
    series = make_series(
        title="Supply chains", slug="supply", description="About **mines**.",
        notify_email="organisers-private@example.org",
    )  # fmt: skip
    make_organisation(series, name="KU Leuven", url="https://kuleuven.be")
    make_disclaimer(series, text="Funded by the EU.")
    upcoming = make_webinar(
        series=series, slug="mining", number=1, title="Mining", join_url=JOIN_URL,
        start=now + timedelta(days=3), capacity=10,
    )  # fmt: skip
    past = make_webinar(series=series, slug="copper", number=2, start=now - timedelta(days=30))
    ada = add_speaker(upcoming, make_speaker(name="Ada", slug="ada"))
    add_speaker(upcoming, make_speaker(name="Mo", slug="mo"), role="moderator")
    add_speaker(past, ada)
    make_registration(upcoming, name="Registrant Person", email=REGISTRANT)
    # Unpublished: a draft webinar, its own speaker, and a series with only drafts.
    hidden_series = make_series(title="Hidden series", slug="hidden-series")
    draft = make_webinar(
        series=hidden_series, slug="draft-webinar", title="Secret draft", is_published=False
    )
    add_speaker(draft, make_speaker(name="Draft Only", slug="draft-only"))
    add_speaker(draft, ada)
    return {"series": series, "upcoming": upcoming, "past": past, "ada": ada}


def test_the_schema_is_openapi_3_and_lists_every_read(api, schema):
    assert schema["openapi"].startswith("3.")
    # The organisers' operations (with a token: tests/api/test_organisers.py) left aside.
    public = {
        path: {method for method, operation in item.items() if not operation.get("security")}
        for path, item in schema["paths"].items()
    }
    assert {path for path, methods in public.items() if methods} == {
        "/api/",
        "/api/series",
        "/api/series/{slug}",
        "/api/webinars",
        "/api/webinars/{slug}",
        "/api/speakers",
        "/api/speakers/{slug}",
    }
    # Reads only, and HEAD is not listed twice under one operationId.
    assert set().union(*public.values()) == {"get"}


def test_webinar_list_answers_every_public_field(api, site):
    response = api("/api/webinars?when=upcoming")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert (body["page"], body["next"], body["previous"]) == (1, None, None)
    [item] = body["items"]
    upcoming = site["upcoming"]
    assert item["id"] == upcoming.pk
    assert item["uid"] == str(upcoming.uid)
    assert item["slug"] == "mining"
    assert item["series"] == {
        "id": site["series"].pk,
        "slug": "supply",
        "title": "Supply chains",
        "url": "http://127.0.0.1:8000/series/supply/",
        "api_url": "http://127.0.0.1:8000/api/series/supply",
    }
    assert item["start"] == upcoming.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert item["time_zone"] == "Europe/Brussels"
    assert item["registration"]["state"] == "open"
    assert item["registration"]["url"] == "http://127.0.0.1:8000/webinars/mining/register/"
    assert [(s["slug"], s["role"]) for s in item["speakers"]] == [
        ("ada", "speaker"),
        ("mo", "moderator"),
    ]
    assert item["url"] == "http://127.0.0.1:8000/webinars/mining/"
    assert item["calendar_url"] == "http://127.0.0.1:8000/webinars/mining/calendar.ics"


def test_never_a_join_link_a_registrant_or_anything_unpublished(api, site):
    urls = [
        "/api/",
        "/api/webinars",
        "/api/webinars?when=past",
        "/api/webinars?series=supply",
        "/api/webinars?speaker=ada",
        "/api/webinars/mining",
        "/api/webinars/copper",
        "/api/series",
        "/api/series/supply",
        "/api/speakers",
        "/api/speakers/ada",
        "/api/speakers/mo",
    ]
    bodies = []
    for url in urls:
        response = api(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
    everything = "\n".join(bodies)

    for secret in (
        JOIN_URL, "very-secret-room", REGISTRANT, "Registrant Person",
        "organisers-private@example.org", "draft-webinar", "Secret draft", "draft-only",
        "Draft Only", "hidden-series", "Hidden series", "join_url", "token",
    ):  # fmt: skip
        assert secret not in everything, secret
    for url in (
        "/api/webinars/draft-webinar",
        "/api/series/hidden-series",
        "/api/speakers/draft-only",
    ):
        response = api(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found.", "errors": []}
    # A speaker's list of webinars leaves the draft out too.
    assert [w["webinar"] for w in api("/api/speakers/ada").json()["webinars"]] == [
        "mining",
        "copper",
    ]


def test_filters_series_upcoming_past_speaker_and_changed_since(api, site, _clock):
    other = make_webinar(slug="stand-alone", start=timezone.now() + timedelta(days=1))
    _clock.shift(timedelta(hours=2))
    site["past"].title = "Copper, revised"
    site["past"].save()

    def slugs(url):
        response = api(url)
        assert response.status_code == 200, url
        return [item["slug"] for item in response.json()["items"]]

    assert slugs("/api/webinars") == ["copper", "stand-alone", "mining"]
    assert slugs("/api/webinars?when=upcoming") == ["stand-alone", "mining"]
    assert slugs("/api/webinars?when=past") == ["copper"]
    assert slugs("/api/webinars?series=supply") == ["copper", "mining"]
    assert slugs("/api/webinars?series=no-such-series") == []
    assert slugs("/api/webinars?speaker=mo") == ["mining"]
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    assert slugs("/api/webinars?" + _query(changed_since=since)) == ["copper"]
    assert other.updated < timezone.now() - timedelta(minutes=5)


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


def test_changed_since_sees_a_renamed_speaker(api, site, _clock):
    _clock.shift(timedelta(days=1))
    since = timezone.now().isoformat()
    site["ada"].name = "Ada L."
    site["ada"].save()

    items = api("/api/speakers?" + _query(changed_since=since)).json()["items"]

    assert [(s["slug"], s["name"]) for s in items] == [("ada", "Ada L.")]


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("changed_since=2026-06-01T00:00:00", "changed_since: Input should have timezone info"),
        (
            "changed_since=yesterday",
            "changed_since: Input should be a valid datetime or date, input is too short",
        ),
        ("when=soon", "when: Input should be 'upcoming' or 'past'"),
        ("page=0", "page: Input should be greater than or equal to 1"),
        ("page_size=1000", "page_size: Input should be less than or equal to 100"),
        ("series=%3Cscript%3E", "series: String should match pattern '^[-a-zA-Z0-9_]+$'"),
    ],
)
def test_bad_parameters_get_a_clear_422(api, site, query, error):
    response = api("/api/webinars?" + query)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Invalid parameters."
    assert body["errors"] == [error]


def test_pages_link_to_each_other_until_the_last(api, db):
    start = timezone.now() + timedelta(days=1)
    made = [make_webinar(slug=f"w{i}", start=start + timedelta(days=i)).slug for i in range(5)]

    seen, url, pages = [], "/api/webinars?page_size=2", 0
    while url:
        body = api(url).json()
        pages += 1
        seen += [item["slug"] for item in body["items"]]
        url = body["next"] and body["next"].removeprefix("http://127.0.0.1:8000")
    last = api("/api/webinars?page_size=2&page=3").json()

    assert seen == made
    assert pages == 3
    assert last["previous"] == "http://127.0.0.1:8000/api/webinars?page=2&page_size=2"
    assert api("/api/webinars?page_size=2&page=40").json()["items"] == []


def test_answers_carry_an_etag_and_answer_304_until_something_changes(api, site):
    first = api("/api/webinars/mining")
    etag = first["ETag"]

    again = api("/api/webinars/mining", If_None_Match=etag)
    site["upcoming"].title = "Mining, moved"
    site["upcoming"].save()
    changed = api("/api/webinars/mining", If_None_Match=etag)

    assert etag.startswith('"')
    assert "public" in first["Cache-Control"]
    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["title"] == "Mining, moved"


def test_cors_lets_any_site_read_without_credentials(api, client, site):
    read = api("/api/webinars", Origin="https://elsewhere.example")
    preflight = client.options(
        "/api/webinars",
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    head = client.head("/api/webinars", headers={"Origin": "https://elsewhere.example"})

    assert read["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in read
    assert "ETag" in read["Access-Control-Expose-Headers"]
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    assert head.status_code == 200
    assert head.content == b""
    assert head["Access-Control-Allow-Origin"] == "*"
    # The rest of the site is not opened to other origins.
    assert "Access-Control-Allow-Origin" not in client.get(
        "/", headers={"Origin": "https://x.example"}
    )


def test_writes_are_refused(client, site):
    for method in ("put", "delete"):
        assert getattr(client, method)("/api/webinars").status_code == 405, method
    # The organisers' writes take a token (tests/api/test_organisers.py).
    assert client.post("/api/webinars").status_code == 401
    assert client.patch("/api/webinars/mining").status_code == 401


def test_unknown_api_addresses_answer_json_404(client, db):
    response = client.get("/api/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_each_client_is_rate_limited_cached_answers_included(api, client, site, settings):
    settings.API_RATE_LIMIT = 3
    answers = [api("/api/webinars") for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[1]["X-Page-Cache"] == "hit"
    assert answers[3]["Retry-After"] == str(settings.API_RATE_WINDOW)
    assert answers[3].json()["detail"] == "Too many requests: try again in 60 seconds."
    # One budget for the whole API; the site's pages are not counted against it.
    assert api("/api/series").status_code == 429
    assert client.get("/").status_code == 200


def _list_queries(client, url: str) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


LISTS = ["/api/webinars", "/api/webinars?when=upcoming", "/api/series", "/api/speakers"]


def test_list_query_counts_stay_fixed_however_many_items(client, db):
    def add(n):
        start = timezone.now() + timedelta(days=1)
        for i in range(n):
            series = make_series()
            make_organisation(series)
            make_disclaimer(series)
            webinar = make_webinar(series=series, start=start + timedelta(hours=i), capacity=5)
            add_speaker(webinar)
            add_speaker(webinar, role="moderator")
            make_registration(webinar)

    add(1)
    one = {url: _list_queries(client, url) for url in LISTS}
    add(19)
    twenty = {url: _list_queries(client, url) for url in LISTS}

    assert one == twenty
    assert max(twenty.values()) <= 4, twenty


def test_detail_query_counts_are_small(client, site):
    counts = {
        url: _list_queries(client, url)
        for url in ("/api/webinars/mining", "/api/series/supply", "/api/speakers/ada")
    }

    assert max(counts.values()) <= 4, counts


def test_the_schema_is_served_as_json_and_cached(client, db):
    first = client.get("/api/openapi.json")
    second = client.get("/api/openapi.json")

    assert json.loads(first.content)["info"]["title"] == "Webinars API"
    assert second["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "query",
    [
        # Valid offsets that carry the moment past year 9999 or before year 1 in UTC.
        "changed_since=9999-12-31T23:59:59-23:59",
        "changed_since=0001-01-01T00:00:00%2B23:59",
        "changed_since=2026-06-01T00:00:00%2B99:00",
        "changed_since=2026-06-01T00:00:00",
        "changed_since=%00",
        "page=0",
        "page=99999999999999999999999999",
        "page_size=101",
        "page=%C2%B2",
        "series=%00",
        "series=a%2Fb",
        "when=tomorrow",
    ],
)
def test_bad_list_parameters_are_a_json_422(client, site, query):
    response = client.get(f"/api/webinars?{query}")

    assert response.status_code == 422, response.content
    assert response.json()["detail"] == "Invalid parameters."
    assert response.json()["errors"]


def test_a_far_offset_inside_the_years_is_read_as_its_utc_moment(api, site):
    # 9999-12-31T12:00-11:00 is 23:00 UTC the same day: valid, and later than every save.
    response = api("/api/webinars?changed_since=9999-12-31T12:00:00-11:00")

    assert response.status_code == 200
    assert response.json()["items"] == []
    everything = api("/api/webinars?changed_since=0001-01-02T00:00:00%2B23:59")
    assert len(everything.json()["items"]) == 2
