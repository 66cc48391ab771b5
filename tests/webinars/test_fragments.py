"""Cached webinar list items (webinars/fragments.py): reused, and never stale.

The page cache is off in these tests (PAGE_CACHE_SECONDS=0), so every request renders the page
and only the list items can come from the cache.
"""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone

from series.paths import slug_path
from tests.factories import add_speaker, make_registration, make_series, make_webinar
from tests.html import text_of
from webinars import fragments
from webinars.cache import CSRF_INPUT, content_changed
from webinars.models import Speaker, Webinar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.FRAGMENT_CACHE_SECONDS = 3600


def _speaker_queries(queries) -> int:
    return sum("webinars_webinarspeaker" in q["sql"] for q in queries)


def test_items_are_reused_and_the_page_is_the_same(client):
    series = make_series(title="Soil science")
    for n in range(5):
        add_speaker(make_webinar(series=series, title=f"Talk {n}"))

    with CaptureQueriesContext(connection) as first_queries:
        first = client.get("/")
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get("/")

    assert _speaker_queries(first_queries) == 1  # items rendered: speakers loaded once
    assert _speaker_queries(second_queries) == 0  # every item from the cache
    assert len(second_queries) < len(first_queries)
    assert second.content == first.content
    assert "Talk 4" in text_of(second)


def test_cached_items_read_the_same_as_items_rendered_afresh(client, settings):
    series = make_series(title="Soil science")
    webinar = make_webinar(series=series, title="Roots", capacity=10)
    add_speaker(webinar)
    make_registration(webinar, status="confirmed")
    client.get("/")
    cached = client.get("/").content

    settings.FRAGMENT_CACHE_SECONDS = 0
    fresh = client.get("/").content

    assert cached == fresh


def test_a_registration_that_fills_the_webinar_changes_its_badge(client):
    webinar = make_webinar(title="Small room", capacity=1)
    assert "Few seats left" in text_of(client.get("/"))

    make_registration(webinar, status="confirmed")

    page = text_of(client.get("/"))
    assert "Full: waiting list" in page
    assert "Few seats left" not in page


def test_a_renamed_speaker_shows_at_once(client):
    webinar = make_webinar(title="Clay minerals")
    speaker = add_speaker(webinar)
    client.get("/")
    client.get(reverse("series:detail", kwargs={"slug": make_series().slug}))

    speaker.name = "Dr Renamed Person"
    speaker.save()

    assert "Dr Renamed Person" in text_of(client.get("/"))


def test_a_renamed_series_shows_in_the_items_at_once(client):
    series = make_series(title="Old series name")
    make_webinar(series=series, title="Humus")
    assert "Old series name" in text_of(client.get("/"))

    series.title = "New series name"
    series.save()

    page = text_of(client.get("/"))
    assert "New series name" in page
    assert "Old series name" not in page


def test_content_changed_after_a_bulk_update_renews_items(client):
    webinar = make_webinar(title="Before")
    client.get("/")
    Webinar.objects.filter(pk=webinar.pk).update(title="After the bulk update")
    # update() sends no signal and keeps `updated`: the item is still the cached one ...
    assert "After the bulk update" not in text_of(client.get("/"))

    content_changed()  # ... until what an operator runs after a bulk change

    assert "After the bulk update" in text_of(client.get("/"))


def test_logged_in_organisers_get_fresh_items(client, organiser_client):
    webinar = make_webinar(title="Draft title")
    Client().get("/")
    Webinar.objects.filter(pk=webinar.pk).update(title="Checked by the organiser")

    assert "Checked by the organiser" in text_of(organiser_client.get("/"))


def test_items_without_their_series_line_on_a_series_page(client):
    series = make_series(title="Soil science")
    make_webinar(series=series, title="Roots")
    client.get("/")  # caches the item with its series line

    page = client.get(reverse("series:detail", kwargs={"slug": series.slug}))

    assert "Series: Soil science" not in text_of(page)
    assert "Series: Soil science" in text_of(client.get("/"))


def test_a_past_webinar_loses_its_badge_when_it_ends(client):
    webinar = make_webinar(title="Ending now", capacity=5)
    client.get("/")
    Webinar.objects.filter(pk=webinar.pk).update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
    )
    content_changed()  # the clock renews the generation in production; here, do it now

    page = client.get("/").content.decode()
    past = page[page.index('id="past-heading"') :]
    assert "Ending now" in past
    assert "badge--open" not in past


def test_a_cache_outage_still_renders_the_list(client, monkeypatch):
    make_webinar(title="Still shown")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "get", broken)

    response = client.get("/")

    assert response.status_code == 200
    assert "Still shown" in text_of(response)


def test_the_code_digest_changes_with_any_template(tmp_path, settings):
    for top in fragments.SOURCE_DIRS:
        (tmp_path / top).mkdir()
    item = tmp_path / "templates" / "item.html"
    item.write_text("<li>{{ webinar.title }}</li>")
    settings.BASE_DIR = tmp_path
    fragments.code_digest.cache_clear()
    try:
        before = fragments.code_digest()
        item.write_text("<li class='new'>{{ webinar.title }}</li>")
        fragments.code_digest.cache_clear()
        after = fragments.code_digest()
    finally:
        fragments.code_digest.cache_clear()

    assert before != after


def test_slug_paths_equal_reverse():
    for name in ("webinars:detail", "webinars:speaker", "series:detail", "series:register"):
        for slug in ("a", "soil-science_2026", "X1"):
            assert slug_path(name, slug) == reverse(name, kwargs={"slug": slug})


def test_slug_paths_follow_the_script_prefix():
    set_script_prefix("/events/")
    try:
        assert slug_path("webinars:detail", "roots") == "/events/webinars/roots/"
    finally:
        set_script_prefix("/")
    assert slug_path("webinars:detail", "roots") == "/webinars/roots/"


def test_a_slug_the_url_refuses_fails_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        slug_path("webinars:detail", "no spaces/allowed")


def test_model_urls_use_the_fast_path():
    speaker = Speaker(slug="ada")
    assert speaker.get_absolute_url() == reverse("webinars:speaker", kwargs={"slug": "ada"})


# --- Cached blocks of a webinar page -----------------------------------------------------


def _sibling_queries(queries, webinar) -> int:
    """Queries for the other webinars of the series (they exclude the page's own webinar)."""
    return sum(
        "webinars_webinar" in q["sql"] and "NOT (" in q["sql"] and str(webinar.pk) in q["sql"]
        for q in queries
    )


def test_the_series_list_of_a_webinar_page_survives_a_registration(client):
    series = make_series(title="Soil science")
    webinar = make_webinar(series=series, title="Roots", capacity=10)
    make_webinar(series=series, title="Leaves")
    url = webinar.get_absolute_url()
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url)

    make_registration(webinar, status="confirmed")  # the page renders again: seats left
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url)

    assert _sibling_queries(first_queries, webinar) == 1
    assert _sibling_queries(second_queries, webinar) == 0  # the block came from the cache
    assert "Leaves" in text_of(second)
    assert "9 seats left" in text_of(second)
    assert "10 seats left" in text_of(first)


def test_the_series_list_shows_a_renamed_or_cancelled_sibling_at_once(client):
    series = make_series(title="Soil science")
    webinar = make_webinar(series=series, title="Roots")
    other = make_webinar(series=series, title="Leaves")
    client.get(webinar.get_absolute_url())

    other.title = "Leaves and stems"
    other.status = Webinar.Status.CANCELLED
    other.save()

    page = text_of(client.get(webinar.get_absolute_url()))
    assert "Leaves and stems" in page
    assert "(cancelled)" in page


def test_the_cached_series_list_reads_as_the_fresh_one(client, settings):
    series = make_series(title="Soil science")
    webinar = make_webinar(series=series, title="Roots")
    for n in range(3):
        make_webinar(series=series, title=f"Sibling {n}")
    client.get(webinar.get_absolute_url())
    cached = _without_csrf(client.get(webinar.get_absolute_url()).content)

    settings.FRAGMENT_CACHE_SECONDS = 0
    fresh = _without_csrf(client.get(webinar.get_absolute_url()).content)

    assert cached == fresh
    assert b"Sibling 2" in fresh


def _without_csrf(content: bytes) -> bytes:
    """The page without its per-request CSRF token (masked differently on every render)."""
    assert CSRF_INPUT.search(content)
    return CSRF_INPUT.sub(b"csrf", content)


def test_staff_see_draft_siblings_that_visitors_do_not(client, organiser_client):
    series = make_series(title="Soil science")
    webinar = make_webinar(series=series, title="Roots")
    make_webinar(series=series, title="Secret draft", is_published=False)
    client.get(webinar.get_absolute_url())  # a visitor caches the block without the draft

    assert "Secret draft" in text_of(organiser_client.get(webinar.get_absolute_url()))
    assert "Secret draft" not in text_of(Client().get(webinar.get_absolute_url()))


def test_a_webinar_without_series_has_no_series_list(client):
    webinar = make_webinar(title="On its own")

    page = client.get(webinar.get_absolute_url())

    assert "Other webinars of the series" not in text_of(page)


def test_the_series_list_renders_during_a_cache_outage(client, monkeypatch):
    series = make_series(title="Soil science")
    webinar = make_webinar(series=series, title="Roots")
    make_webinar(series=series, title="Leaves")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "get", broken)

    response = client.get(webinar.get_absolute_url())

    assert response.status_code == 200
    assert "Leaves" in text_of(response)


def test_the_empty_form_rendered_once_equals_a_fresh_rendering():
    from django.template.loader import render_to_string

    from webinars.forms import RegistrationForm
    from webinars.templatetags.registration_tags import (
        FIELD_LIST_TEMPLATE,
        registration_field_list,
    )

    fresh = render_to_string(FIELD_LIST_TEMPLATE, {"form": RegistrationForm()})

    assert registration_field_list(RegistrationForm()) == fresh
    assert registration_field_list(RegistrationForm()) == fresh  # the memo, second time
    assert 'name="email"' in fresh


def test_a_form_with_errors_is_not_served_to_the_next_visitor(client):
    webinar = make_webinar(title="Roots")
    client.get(webinar.get_absolute_url())  # the empty form, rendered once

    answer = client.post(
        reverse("webinars:register", kwargs={"slug": webinar.slug}),
        {"name": "Ada", "email": "not-an-address", "consent": "on"},
    )
    page = client.get(webinar.get_absolute_url())

    assert "Please enter a valid email address" in text_of(answer)
    assert 'value="Ada"' in answer.content.decode()
    assert "Please enter a valid email address" not in text_of(page)
    assert 'value="Ada"' not in page.content.decode()


def test_the_series_filter_escapes_titles_and_marks_the_chosen_one(client):
    series = make_series(title='Soil & "water" <science>')
    make_webinar(series=series, title="Roots")
    make_webinar(series=make_series(title="Other"), title="Leaves")

    page = client.get("/", {"series": series.slug}).content.decode()

    option = f'<option value="{series.slug}" selected>Soil &amp; &quot;water&quot; &lt;science&gt;</option>'
    assert option in page
    assert page.count(" selected>") == 1
    assert "<science>" not in page
