"""Stale state is healed or shown: a cache restored from an older snapshot cannot bring back
old pages or an old site name, and a save the cache could not take is reported."""

import logging

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import add_speaker, empty_cache, make_series, make_webinar
from tests.html import form_data, text_of
from webinars.cache import GENERATION_KEY, page_key
from webinars.models import SITE_SETTINGS_CACHE_KEY, SiteSettings, site
from webinars.models.site import SITE_SETTINGS_CACHE_SECONDS


class WriteRefusingCache(LocMemCache):
    """The test cache's own memory, readable, but every write fails as on a full disk."""

    def _refuse(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    add = set = set_many = delete = delete_many = touch = incr = _refuse


@pytest.fixture
def webinar(db):
    series = make_series(title="Supply chains", slug="supply")
    webinar = make_webinar(series=series, title="Mining minerals", slug="mining")
    add_speaker(webinar)
    return webinar


def _snapshot(*paths) -> dict:
    """What a cache snapshot holds of these pages, their generation and the site settings."""
    keys = [GENERATION_KEY, SITE_SETTINGS_CACHE_KEY]
    for path in paths:
        keys.append(page_key(RequestFactory().get(path), "webinars:detail"))
    return cache.get_many(keys)


def _another_process_that_read_the_generation_before(settings, row) -> None:
    """This process plays one that last read the database's generations a while ago."""
    site._remember(row)
    settings.CONTENT_GENERATION_SECONDS = 0


@pytest.mark.parametrize("other_process", [False, True])
def test_a_cache_restored_from_an_older_snapshot_serves_no_old_page(
    client, webinar, settings, other_process, django_capture_on_commit_callbacks
):
    assert client.get("/webinars/mining/")["X-Page-Cache"] == "miss"
    old_generation = site._known["row"]
    snapshot = _snapshot("/webinars/mining/")
    webinar.title = "Recycling metals"
    with django_capture_on_commit_callbacks(execute=True):
        webinar.save()

    cache.set_many(snapshot)
    if other_process:
        _another_process_that_read_the_generation_before(settings, old_generation)
    page = client.get("/webinars/mining/")
    again = client.get("/webinars/mining/")

    assert page["X-Page-Cache"] == "miss"
    assert "Recycling metals" in text_of(page)
    assert "Mining minerals" not in text_of(page)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == page.content


def test_a_cache_restored_from_an_older_snapshot_keeps_no_old_site_name(
    client, webinar, settings, django_capture_on_commit_callbacks
):
    SiteSettings.objects.create(site_name="Old name")
    assert "Old name" in text_of(client.get("/webinars/mining/"))
    old_generation = site._known["row"]
    snapshot = _snapshot("/webinars/mining/")
    record = SiteSettings.objects.get()
    record.site_name = "New name"
    with django_capture_on_commit_callbacks(execute=True):
        record.save()

    cache.set_many(snapshot)
    _another_process_that_read_the_generation_before(settings, old_generation)

    assert SiteSettings.current().site_name == "New name"
    page = text_of(client.get("/webinars/mining/"))
    assert "New name" in page
    assert "Old name" not in page


def test_site_settings_in_the_cache_expire_even_when_nothing_renews_them(db, _clock):
    if not isinstance(caches["default"], LocMemCache):
        pytest.skip("moves the clock of an in-process cache")
    SiteSettings.objects.create(site_name="Old name")
    assert SiteSettings.current().site_name == "Old name"
    # Changed behind the cache's back: no signal, no new generation.
    SiteSettings.objects.update(site_name="New name")

    assert SiteSettings.current().site_name == "Old name"
    _clock.shift(SITE_SETTINGS_CACHE_SECONDS + 1)
    assert SiteSettings.current().site_name == "New name"


def test_a_hit_costs_at_most_one_query_when_the_generation_is_read_again(client, webinar, settings):
    # As after a restart, the webinar saved: the generation read from the database.
    site._remember(None)
    site.content_generation()
    empty_cache()
    client.get("/webinars/mining/")
    with CaptureQueriesContext(connection) as remembered:
        hit = client.get("/webinars/mining/")
    settings.CONTENT_GENERATION_SECONDS = 0
    with CaptureQueriesContext(connection) as read_again:
        again = client.get("/webinars/mining/")

    assert hit["X-Page-Cache"] == again["X-Page-Cache"] == "hit"
    assert len(remembered.captured_queries) == 0
    assert len(read_again.captured_queries) == 1
    assert "webinars_contentgeneration" in read_again.captured_queries[0]["sql"]


def _refusing_writes(settings) -> None:
    current = settings.CACHES["default"]
    settings.CACHES = {
        "default": {**current, "BACKEND": f"{__name__}.WriteRefusingCache"},
    }


def test_a_save_the_cache_cannot_take_is_shown_to_the_organiser_and_logged(
    client, admin_client, webinar, settings, caplog, django_capture_on_commit_callbacks
):
    if settings.CACHES["default"]["BACKEND"] != "django.core.cache.backends.locmem.LocMemCache":
        pytest.skip("shares the in-process cache's memory")
    assert client.get("/webinars/mining/")["X-Page-Cache"] == "miss"
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    data = form_data(admin_client.get(url))
    data.pop("csrfmiddlewaretoken", None)
    data["title_en"] = "Cancelled: mining minerals"
    _refusing_writes(settings)

    with (
        caplog.at_level(logging.ERROR, logger="webinars.cache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        saved = admin_client.post(url, data, follow=True)
    page = client.get("/webinars/mining/")

    assert saved.status_code == 200
    shown = [str(message) for message in saved.context["messages"]]
    assert any("visitors may see the old page for up to 60 minutes" in m for m in shown), shown
    assert any(
        r.levelno == logging.ERROR and "Cache unreachable" in r.getMessage() for r in caplog.records
    )
    # The database's generation is newer than the stored page's: visitors get the new page.
    assert "Cancelled: mining minerals" in text_of(page)
    assert "X-Page-Cache" not in page


def test_a_save_the_cache_takes_shows_no_warning(admin_client, webinar):
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    data = form_data(admin_client.get(url))
    data.pop("csrfmiddlewaretoken", None)

    saved = admin_client.post(url, data, follow=True)

    shown = [str(message) for message in saved.context["messages"]]
    assert shown and not any("page cache" in m for m in shown)
