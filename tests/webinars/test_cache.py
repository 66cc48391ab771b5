"""The shared page cache: what visitors get, and that every organiser's save shows at once."""

import os
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    add_speaker,
    make_disclaimer,
    make_organisation,
    make_registration,
    make_series,
    make_webinar,
)
from tests.html import form_data, text_of
from webinars.cache import content_changed
from webinars.models import Registration, Webinar
from webinars.services import webinar_save


def _admin_form_data(client, url) -> dict[str, str]:
    data = form_data(client.get(url))
    data.pop("csrfmiddlewaretoken", None)
    return data


def _get_counting_queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, len(ctx.captured_queries)


@pytest.fixture
def webinar(db):
    series = make_series(title="Supply chains", slug="supply")
    make_organisation(series, name="Uni Leuven")
    make_disclaimer(series, text="Funded by the EU.")
    webinar = make_webinar(series=series, title="Mining minerals", slug="mining", capacity=2)
    add_speaker(webinar)
    return webinar


def test_second_visitor_request_is_served_from_the_cache_without_queries(client, webinar):
    first, first_queries = _get_counting_queries(client, "/series/supply/")
    second, second_queries = _get_counting_queries(client, "/series/supply/")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert first_queries > 0
    assert second_queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Content-Length"] == str(len(second.content))


PUBLIC_PAGES = (
    "/",
    "/?q=mining",
    "/webinars/mining/",
    "/webinars/mining/register/",
    "/webinars/mining/register/thanks/",
    "/webinars/mining/calendar.ics",
    "/series/supply/",
    "/series/supply/register/",
    "/series/supply/calendar.ics",
    "/calendar.ics",
    "/feed/",
    "/feed/atom/",
    "/privacy/",
    "/sitemap.xml",
    "/robots.txt",
)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_set_no_cookie_and_are_the_same_bytes_for_two_visitors(webinar, url):
    first, second = Client(), Client()

    one, two = first.get(url), second.get(url)
    again = first.get(url)

    assert one.status_code == 200
    assert not one.cookies and not two.cookies and not again.cookies
    assert "Set-Cookie" not in one.headers
    assert "Cookie" not in one.get("Vary", "")
    assert one.content == two.content == again.content
    assert one["ETag"] == two["ETag"]
    cache_control = {part.strip() for part in one["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "s-maxage=10", "stale-while-revalidate=60"} <= cache_control


def test_the_webinar_page_form_carries_no_per_visitor_token(client, webinar):
    html = client.get("/webinars/mining/").content.decode()

    assert 'action="/webinars/mining/register/"' in html
    assert "csrfmiddlewaretoken" not in html


def test_a_visitor_registers_from_the_cached_page_without_any_cookie(webinar, settings):
    visitor = Client(enforce_csrf_checks=True, headers={"Origin": settings.SITE_URL})
    visitor.get("/webinars/mining/")
    page = visitor.get("/webinars/mining/")

    answer = visitor.post(
        "/webinars/mining/register/", {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    )
    thanks = visitor.get(answer["Location"])

    assert page["X-Page-Cache"] == "hit"
    assert answer.status_code == 302
    assert not answer.cookies and not thanks.cookies
    assert Registration.objects.filter(email="ada@example.org").count() == 1


def test_admin_title_edit_shows_on_the_calendar_at_the_next_request(client, admin_client, webinar):
    assert "Mining minerals" in text_of(client.get("/"))
    assert client.get("/")["X-Page-Cache"] == "hit"
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    data = _admin_form_data(admin_client, url)
    data["title_en"] = "Recycling metals"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = client.get("/")
    assert calendar["X-Page-Cache"] == "miss"
    assert "Recycling metals" in text_of(calendar)
    assert "Mining minerals" not in text_of(calendar)
    assert "Recycling metals" in text_of(client.get("/webinars/mining/"))


@pytest.mark.parametrize(
    ("change", "url", "expected"),
    [
        ("series", "/series/supply/", "Supply chains renamed"),
        ("organisation", "/webinars/mining/", "Leuven University"),
        ("disclaimer", "/webinars/mining/", "Funded by the people."),
        ("speaker", "/webinars/mining/", "Renamed Speaker"),
    ],
)
def test_saving_anything_a_page_shows_invalidates_it(client, webinar, change, url, expected):
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    series = webinar.series
    if change == "series":
        series.title = "Supply chains renamed"
        series.save()
    elif change == "organisation":
        org = series.partners.get().organisation
        org.name = "Leuven University"
        org.save()
    elif change == "disclaimer":
        disclaimer = series.disclaimers.get()
        disclaimer.text = "Funded by the people."
        disclaimer.save()
    else:
        speaker = webinar.webinar_speakers.get().speaker
        speaker.name = "Renamed Speaker"
        speaker.save()

    response = client.get(url)

    assert response["X-Page-Cache"] == "miss"
    assert expected in text_of(response)


def test_removing_a_speaker_from_a_webinar_invalidates_its_page(client, webinar):
    name = webinar.webinar_speakers.get().speaker.name
    assert name in text_of(client.get("/webinars/mining/"))

    webinar.webinar_speakers.get().delete()

    assert name not in text_of(client.get("/webinars/mining/"))


def test_the_webinar_page_changes_when_its_state_moves_and_only_then(client, webinar):
    before = client.get("/webinars/mining/")
    assert client.get("/webinars/mining/")["X-Page-Cache"] == "hit"

    _post_registration("one@example.org")  # one seat of two left: still "few seats left"
    same = client.get("/webinars/mining/")
    _post_registration("two@example.org")  # the last seat
    full = client.get("/webinars/mining/")

    assert "Registration open: few seats left." in text_of(before)
    assert same["X-Page-Cache"] == "hit"
    assert same.content == before.content
    assert full["X-Page-Cache"] == "miss"
    assert "Full: waiting list." in text_of(full)


def _badge(client, url) -> tuple[str, str]:
    """(X-Page-Cache, the text of the page's first badge) of a list page."""
    response = client.get(url)
    html = response.content.decode()
    start = html.index(">", html.index('class="badge ')) + 1
    return response["X-Page-Cache"], html[start : html.index("</strong>", start)].strip()


def _post_registration(email):
    response = Client(headers={"Origin": settings.SITE_URL}).post(
        "/webinars/mining/register/", {"name": "Ada", "email": email, "consent": "on"}
    )
    assert response.status_code == 302


def test_a_registration_that_moves_a_badge_forgets_the_lists_that_show_it(client, webinar):
    lists = ("/", "/series/supply/")
    for url in lists:
        client.get(url)
        assert _badge(client, url) == ("hit", "Few seats left")
    client.get("/calendar/" + webinar.start.strftime("%Y/%m/"))

    _post_registration("one@example.org")  # 2 seats: one left, still "few seats left"
    assert [_badge(client, url) for url in lists] == [("hit", "Few seats left")] * 2

    _post_registration("two@example.org")  # the last seat: the badge turns "full"
    assert [_badge(client, url) for url in lists] == [("miss", "Full: waiting list")] * 2

    _post_registration("three@example.org")  # waiting list: no badge moves
    assert [_badge(client, url)[0] for url in lists] == ["hit", "hit"]


def test_a_cancelled_seat_gives_the_lists_their_badge_back(client, webinar):
    from webinars.services import registration_cancel

    first = make_registration(webinar, status="confirmed")
    make_registration(webinar, status="confirmed")
    client.get("/")
    assert _badge(client, "/") == ("hit", "Full: waiting list")

    registration_cancel(registration=first)

    assert _badge(client, "/") == ("miss", "Few seats left")


def test_a_promotion_from_the_waiting_list_updates_the_lists(client, webinar):
    make_registration(webinar, status="confirmed")
    make_registration(webinar, status="confirmed")
    make_registration(webinar, status="waitlisted")
    client.get("/")
    assert _badge(client, "/") == ("hit", "Full: waiting list")

    webinar.capacity = 10
    webinar_save(webinar=webinar)  # promotes the waiting registrant (a save renews all anyway)

    assert _badge(client, "/") == ("miss", "Registration open")


def test_a_registration_deleted_in_admin_forgets_the_lists(client, webinar, admin_client):
    registration = make_registration(webinar, status="confirmed")
    make_registration(webinar, status="confirmed")
    client.get("/")
    assert _badge(client, "/") == ("hit", "Full: waiting list")

    response = admin_client.post(
        reverse("admin:webinars_registration_delete", args=[registration.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert _badge(client, "/") == ("miss", "Few seats left")


def test_registrations_that_keep_every_badge_keep_the_lists(client, db):
    make_webinar(title="Big hall", slug="mining", capacity=100)
    client.get("/")

    for n in range(3):
        _post_registration(f"p{n}@example.org")

    assert _badge(client, "/") == ("hit", "Registration open")


def test_a_cancellation_that_frees_the_last_seat_reopens_the_webinar_page(client, webinar):
    from webinars.services import registration_cancel

    first = make_registration(webinar)
    make_registration(webinar)
    assert "Full: waiting list." in text_of(client.get("/webinars/mining/"))
    assert client.get("/webinars/mining/")["X-Page-Cache"] == "hit"

    registration_cancel(registration=first)
    response = client.get("/webinars/mining/")

    assert response["X-Page-Cache"] == "miss"
    assert "Registration open: few seats left." in text_of(response)


def test_a_cancellation_whose_seat_goes_to_the_waiting_list_keeps_the_pages(client, webinar):
    from webinars.services import registration_cancel

    first = make_registration(webinar)
    make_registration(webinar)
    make_registration(webinar, status="waitlisted")
    client.get("/webinars/mining/")

    registration_cancel(registration=first)  # the waiting registrant takes the seat: still full
    response = client.get("/webinars/mining/")

    assert response["X-Page-Cache"] == "hit"
    assert "Full: waiting list." in text_of(response)


def test_registration_for_an_unlimited_webinar_keeps_its_cached_page(client, db):
    unlimited = make_webinar(slug="unlimited")
    client.get("/webinars/unlimited/")

    make_registration(unlimited)
    response = client.get("/webinars/unlimited/")

    assert response["X-Page-Cache"] == "hit"
    assert "Registration open. Free, no seat limit." in text_of(response)


def test_content_changed_forgets_pages_after_a_queryset_update(client, webinar):
    client.get("/")
    Webinar.objects.filter(pk=webinar.pk).update(title="Updated in bulk")
    assert "Updated in bulk" not in text_of(client.get("/"))  # update() sends no signal

    content_changed()

    assert "Updated in bulk" in text_of(client.get("/"))


def test_staff_bypass_the_cache_and_see_fresh_pages(organiser_client, webinar):
    client = Client()  # organiser_client is pytest-django's `client`, logged in
    client.get("/")
    Webinar.objects.filter(pk=webinar.pk).update(title="Fresh for staff")

    staff = organiser_client.get("/")

    assert "X-Page-Cache" not in staff
    assert "Fresh for staff" in text_of(staff)
    assert "Fresh for staff" not in text_of(client.get("/"))


def test_staff_draft_preview_is_never_served_to_visitors(organiser_client, db):
    client = Client()
    make_webinar(slug="draft", title="Secret draft", is_published=False)

    assert organiser_client.get("/webinars/draft/").status_code == 200
    assert client.get("/webinars/draft/").status_code == 404
    assert client.get("/webinars/draft/").status_code == 404


def test_post_bypasses_the_cache(client, webinar):
    client.get("/webinars/mining/")

    response = client.post("/webinars/mining/", {"anything": "1"})

    assert response.status_code == 405
    assert "X-Page-Cache" not in response


def test_not_found_pages_are_not_stored(client, db):
    client.get("/webinars/nothing-here/")
    make_webinar(slug="nothing-here", title="Arrived later")

    response = client.get("/webinars/nothing-here/")

    assert response.status_code == 200
    assert "Arrived later" in text_of(response)


def test_matching_etag_gets_304_without_a_body(client, webinar):
    first = client.get("/speakers/" + webinar.webinar_speakers.get().speaker.slug + "/")
    url = first.request["PATH_INFO"]
    etag = first["ETag"]

    again, queries = _get_counting_queries(client, url, HTTP_IF_NONE_MATCH=etag)
    stale = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')

    assert etag.startswith('"') and len(etag) == 34
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert queries == 0
    assert stale.status_code == 200
    assert stale.content == first.content


def test_a_conditional_get_of_a_stored_page_is_answered_without_rendering(client, webinar):
    first = client.get("/")

    again, queries = _get_counting_queries(client, "/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert queries == 0
    assert "public" in again["Cache-Control"]


def test_pages_carry_validators_with_the_page_cache_off(client, webinar, settings):
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get("/webinars/mining/")

    again = client.get("/webinars/mining/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert "X-Page-Cache" not in first
    assert first["ETag"].startswith('"')
    assert "public" in first["Cache-Control"]
    assert again.status_code == 304


def test_etag_changes_when_the_content_changes(client, webinar):
    etag = client.get("/")["ETag"]
    webinar.title = "Another title"
    webinar.save()

    response = client.get("/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


def test_admin_keeps_its_csrf_cookie_and_is_never_shared(client, db):
    client.get(reverse("admin:login"))
    response = client.get(reverse("admin:login"))

    assert "X-Page-Cache" not in response
    assert "csrftoken" in response.cookies
    assert "public" not in response.get("Cache-Control", "")


def test_staff_pages_are_marked_private(organiser_client, webinar):
    response = organiser_client.get("/webinars/mining/")

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_calendar_moves_a_webinar_to_past_when_it_ends_without_any_save(client, db):
    now = timezone.now()
    make_webinar(
        title="Ending now", start=now - timedelta(hours=1), duration=timedelta(hours=1, seconds=2)
    )
    upcoming = text_of(client.get("/"))
    assert upcoming.index("Ending now") < upcoming.index("Past webinars")

    time.sleep(3.2)
    past = text_of(client.get("/"))

    assert past.index("Ending now") > past.index("Past webinars")


def test_cache_backend_is_redis_when_cache_url_says_so():
    cache_url = os.environ.get("CACHE_URL", "")
    backend = settings.CACHES["default"]["BACKEND"]

    if cache_url.startswith("redis://"):
        import redis
        from django.core.cache.backends.redis import RedisCache

        assert isinstance(caches["default"], RedisCache)
        assert backend == "webinars.cache_backends.FailFastRedisCache"
        cache.set("probe", "stored in redis", 30)
        # The location the settings chose (each parallel test process has its own database).
        location = settings.CACHES["default"]["LOCATION"]
        assert redis.Redis.from_url(location).exists(cache.make_key("probe")) == 1
    else:
        assert backend == "django.core.cache.backends.locmem.LocMemCache"
    if os.environ.get("CI") == "true" and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        # .ci/run pairs PostgreSQL with Redis: the suite must really exercise the Redis cache.
        assert cache_url.startswith("redis://")


def test_migrate_forgets_cached_pages(client, webinar):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"

    call_command("migrate", verbosity=0)

    assert client.get("/")["X-Page-Cache"] == "miss"


def test_pages_and_saves_keep_working_when_redis_is_down(client, webinar, settings, caplog):
    # Nothing listens on port 1: every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    webinar.title = "Saved during the outage"
    webinar.save()
    response = client.get("/")

    assert response.status_code == 200
    assert "Saved during the outage" in text_of(response)
    assert "X-Page-Cache" not in response
    assert "Cache unreachable: stored pages may stay out of date." in caplog.messages
    assert "Cache unreachable: serving pages uncached." in caplog.messages


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_public_url_name_is_either_cached_or_deliberately_not():
    from django.urls import get_resolver

    from webinars.cache_names import CACHED_URL_NAMES, UNCACHED_URL_NAMES

    public = {n for n in _url_names(get_resolver().url_patterns) if not n.startswith("admin:")}

    undecided = public - CACHED_URL_NAMES - UNCACHED_URL_NAMES
    assert undecided == set(), (
        "Add these URL names to CACHED_URL_NAMES or UNCACHED_URL_NAMES in webinars/cache_names.py"
    )
    assert CACHED_URL_NAMES.isdisjoint(UNCACHED_URL_NAMES)
    assert {"webinars:calendar", "webinars:detail", "webinars:speaker", "series:detail"} <= (
        public & CACHED_URL_NAMES
    )


def test_a_page_that_disappears_is_not_served_from_its_old_copy(client, webinar):
    client.get("/webinars/mining/")
    webinar.is_published = False
    webinar.save()

    assert client.get("/webinars/mining/").status_code == 404


def test_registration_works_when_redis_is_down(client, webinar, settings, caplog):
    """The rate limit and the page cache live in Redis; a registration must not depend on it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = client.post(
        "/webinars/mining/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
    )

    assert response.status_code == 302
    assert Registration.objects.filter(email="ada@example.org", webinar=webinar).exists()
    assert "Cache unreachable: registration rate limit not counted." in caplog.messages
