"""English without a prefix, Dutch under /nl/ (French under /fr/ works the same): each page says its language, links to the other,
is stored per language by the page cache, and a registrant's mail follows the page they used."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_series, make_webinar
from webinars.language import preferred_language
from webinars.models import Registration

pytestmark = pytest.mark.django_db

HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}


@pytest.fixture
def webinar():
    series = make_series(title="Metals", slug="metals")
    return make_webinar(
        series=series,
        title="Copper supply",
        title_nl="Koperbevoorrading",
        slug="copper",
        start=timezone.now() + timedelta(days=10),
    )


def test_each_language_names_itself_and_links_the_other(client, webinar):
    english = client.get("/webinars/copper/").content.decode()
    dutch_response = client.get("/nl/webinars/copper/")
    dutch = dutch_response.content.decode()

    assert '<html lang="en-gb"' in english
    assert '<html lang="nl"' in dutch
    assert dutch_response["Content-Language"] == "nl"
    for page in (english, dutch):
        assert (
            '<link rel="alternate" hreflang="en" href="http://127.0.0.1:8000/webinars/copper/">'
            in page
        )
        assert (
            '<link rel="alternate" hreflang="nl" href="http://127.0.0.1:8000/nl/webinars/copper/">'
            in page
        )
        assert (
            '<link rel="alternate" hreflang="x-default" href="http://127.0.0.1:8000/webinars/copper/">'
            in page
        )
    assert 'href="/nl/webinars/copper/" hreflang="nl" lang="nl">Nederlands</a>' in english
    assert 'href="/webinars/copper/" hreflang="en" lang="en-gb">English</a>' in dutch


def test_organisers_dutch_text_shows_on_dutch_pages_and_english_falls_back(client, webinar):
    assert "Koperbevoorrading" in client.get("/nl/webinars/copper/").content.decode()
    assert "Copper supply" in client.get("/webinars/copper/").content.decode()
    # No Dutch series title yet: the Dutch page shows the English one rather than nothing.
    assert "Metals" in client.get("/nl/webinars/copper/").content.decode()


def test_the_page_cache_keeps_each_language_apart(client, webinar):
    assert client.get("/")["X-Page-Cache"] == "miss"
    dutch = client.get("/nl/")
    assert dutch["X-Page-Cache"] == "miss"
    assert "Koperbevoorrading" in dutch.content.decode()
    english = client.get("/")
    assert english["X-Page-Cache"] == "hit"
    assert "Koperbevoorrading" not in english.content.decode()


def test_dutch_pages_set_no_cookie(client, webinar):
    for url in (
        "/nl/",
        "/nl/webinars/copper/",
        "/nl/webinars/copper/register/",
        "/nl/series/metals/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url


@pytest.mark.parametrize(
    "header, expected",
    [
        ("nl-BE,nl;q=0.9,en;q=0.8", "nl"),
        ("nl", "nl"),
        ("en-US,en;q=0.9,nl;q=0.8", "en-gb"),
        ("fr-BE,fr;q=0.9", "fr"),
        ("fr, nl;q=0.5", "fr"),
        ("de-CH,de;q=0.9", "en-gb"),
        ("de, nl;q=0.5", "nl"),
        ("nl;q=0, en", "en-gb"),
        ("", "en-gb"),
        ("*;q=0.1,,;;", "en-gb"),
        ("fr;q=0.9, nl;Q=0.95", "nl"),
        (", ,nl", "nl"),
        ("en;q=2, nl", "en-gb"),
        ("de," * 200 + "nl", "en-gb"),
    ],
)
def test_preferred_language_reads_the_browsers_order(header, expected):
    assert preferred_language(header) == expected


def test_a_dutch_browser_arriving_from_elsewhere_is_sent_to_the_dutch_page(client, webinar):
    response = client.get("/webinars/copper/?x=1", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9", **HTML)

    assert response.status_code == 302
    assert response["Location"] == "/nl/webinars/copper/?x=1"
    assert "Accept-Language" in response["Vary"] and "Referer" in response["Vary"]
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    followed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="nl", **HTML)
    assert followed.status_code == 200


def test_choosing_english_on_the_site_is_never_undone(client, webinar):
    # The switcher is a link on this site: its request carries our own origin as Referer.
    response = client.get(
        "/webinars/copper/",
        HTTP_ACCEPT_LANGUAGE="nl",
        HTTP_REFERER="http://127.0.0.1:8000/nl/webinars/copper/",
        **HTML,
    )
    assert response.status_code == 200
    assert '<html lang="en-gb"' in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/calendar.ics", "/feed/", "/webinars/copper/calendar.ics", "/sitemap.xml", "/embed/"]
)
def test_files_feeds_and_frames_are_not_redirected(client, webinar, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl", **HTML)
    assert response.status_code == 200, url


def test_any_client_asking_for_dutch_gets_the_dutch_page(client, webinar):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nl", HTTP_ACCEPT="*/*", follow=True)
    assert response.redirect_chain == [("/nl/", 302)]
    assert '<html lang="nl"' in response.content.decode()


def test_a_form_post_is_never_redirected(client, webinar):
    response = client.post(
        "/webinars/copper/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert response["Location"].startswith("/webinars/copper/register/thanks/")


def test_a_registration_on_a_dutch_page_gets_its_mail_in_dutch(client, webinar, flush_mail):
    response = client.post(
        "/nl/webinars/copper/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.language == "nl"
    (message,) = flush_mail()
    assert "Koperbevoorrading" in message.subject
    assert f"http://127.0.0.1:8000/nl/registrations/{registration.token}/" in message.body
    assert message.alternatives[0][0].count("/nl/registrations/") >= 1


def test_a_registration_on_an_english_page_gets_its_mail_in_english(client, webinar, flush_mail):
    client.post(
        "/webinars/copper/register/",
        {"name": "Ada", "email": "ada@example.org", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    registration = Registration.objects.get()
    assert registration.language == "en-gb"
    (message,) = flush_mail()
    assert "Copper supply" in message.subject
    assert "/nl/" not in message.body


def test_structured_data_names_the_pages_language(client, webinar):
    assert '"inLanguage": "en-GB"' in client.get("/webinars/copper/").content.decode()
    assert '"inLanguage": "nl"' in client.get("/nl/webinars/copper/").content.decode()


def test_the_dutch_feed_says_it_is_dutch(client, webinar):
    assert "<language>nl</language>" in client.get("/nl/feed/").content.decode()
    assert "<language>en-gb</language>" in client.get("/feed/").content.decode()
