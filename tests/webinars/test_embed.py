"""Embed pages: framed only by EMBED_ALLOWED_ORIGINS, compact, forms working inside the frame."""

import re

import pytest
from django.urls import reverse

from tests.factories import add_speaker, make_series, make_webinar
from webinars.models import Registration

HOST = "https://www.example.org"
EMBED_PAGES = [
    "/embed/",
    "/embed/?series=supply",
    "/embed/series/supply/",
    "/embed/series/supply/register/",
    "/embed/series/supply/register/thanks/",
    "/embed/webinars/mining/register/",
    "/embed/webinars/mining/register/thanks/",
]


@pytest.fixture
def site(db):
    series = make_series(title="Supply chains", slug="supply")
    webinar = make_webinar(series=series, slug="mining", title="Mining")
    add_speaker(webinar)
    return webinar


@pytest.fixture
def allowed(settings):
    settings.EMBED_ALLOWED_ORIGINS = [HOST, "https://intranet.example.org:8443/path", "not a url"]


def _csp(response) -> dict[str, str]:
    return dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))


@pytest.mark.parametrize("url", EMBED_PAGES)
def test_embed_pages_may_be_framed_by_the_allowed_origins_only(client, site, allowed, url):
    fresh = client.get(url)
    cached = client.get(url)

    for response in (fresh, cached):
        assert response.status_code == 200
        assert _csp(response)["frame-ancestors"] == f"https://intranet.example.org:8443 {HOST}"
        assert "X-Frame-Options" not in response
        assert "Set-Cookie" not in response
        assert 'data-embed-origins="https://intranet.example.org:8443 https://www.example.org"' in (
            response.content.decode()
        )
    assert cached["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("url", ["/", "/webinars/mining/", "/series/supply/", "/api/webinars"])
def test_the_rest_of_the_site_still_refuses_framing(client, site, allowed, url):
    response = client.get(url)

    assert _csp(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_without_allowed_origins_embed_pages_refuse_framing_too(client, site, settings):
    settings.EMBED_ALLOWED_ORIGINS = []

    response = client.get("/embed/")

    assert _csp(response)["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def _links(html: str) -> list[str]:
    return re.findall(r"<a [^>]*>", html)


def test_embed_pages_have_no_site_header_and_open_full_pages_in_a_new_tab(client, site, allowed):
    html = client.get("/embed/series/supply/").content.decode()

    assert "site-header" not in html
    assert "Skip to content" not in html
    to_full = [a for a in _links(html) if 'href="/embed/' not in a]
    in_frame = [a for a in _links(html) if 'href="/embed/' in a]
    assert to_full and in_frame
    assert all('target="_blank" rel="noopener"' in a for a in to_full), to_full
    assert not any("target=" in a for a in in_frame), in_frame
    assert '<a href="/webinars/mining/" target="_blank" rel="noopener">Webinar' not in html
    assert (
        '<a href="/webinars/mining/" target="_blank" rel="noopener">Mining'
        '<span class="visually-hidden"> (opens in a new tab)</span></a>'
    ) in html
    assert 'href="/embed/webinars/mining/register/"' in html
    assert '<meta name="robots" content="noindex">' in html


PERSON = {"name": "Ada", "email": "ada@example.org", "consent": "on"}


def test_registering_inside_the_frame_shows_the_thanks_inside_it(client, site, allowed):
    response = client.post("/embed/webinars/mining/register/", PERSON)

    assert response.status_code == 302
    assert (
        response["Location"]
        == "/embed/webinars/mining/register/thanks/?to=a%E2%80%A6%40example.org"
    )
    assert Registration.objects.get(email="ada@example.org").webinar == site
    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert "Thank you" in html
    assert "site-header" not in html
    assert _csp(thanks)["frame-ancestors"].endswith(HOST)


def test_an_allowed_host_page_may_post_the_form_and_another_site_may_not(client, site, allowed):
    from_host = client.post("/embed/webinars/mining/register/", PERSON, headers={"Origin": HOST})
    from_elsewhere = client.post(
        "/embed/webinars/mining/register/",
        {**PERSON, "email": "eve@example.org"},
        headers={"Origin": "https://evil.example"},
    )

    assert from_host.status_code == 302
    assert from_elsewhere.status_code == 403
    assert list(Registration.objects.values_list("email", flat=True)) == ["ada@example.org"]


def test_a_bad_submission_keeps_what_was_typed_inside_the_frame(client, site, allowed):
    response = client.post("/embed/webinars/mining/register/", {"name": "Ada", "email": "nope"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ada"' in html
    assert "site-header" not in html
    assert _csp(response)["frame-ancestors"].endswith(HOST)
    assert not Registration.objects.exists()


def test_series_registration_inside_the_frame(client, site, allowed):
    response = client.post("/embed/series/supply/register/", {**PERSON, "webinars": [str(site.pk)]})

    assert response.status_code == 302
    assert (
        response["Location"] == "/embed/series/supply/register/thanks/?to=a%E2%80%A6%40example.org"
    )
    assert Registration.objects.filter(webinar=site, email="ada@example.org").exists()


def test_unpublished_webinars_and_series_are_not_embedded(client, site, allowed):
    hidden = make_series(slug="hidden")
    make_webinar(series=hidden, slug="draft", is_published=False)

    assert client.get("/embed/series/hidden/").status_code == 404
    assert client.get("/embed/webinars/draft/register/").status_code == 404
    assert "draft" not in client.get("/embed/").content.decode()


def test_admin_shows_the_snippet_for_each_series(admin_client, site, allowed):
    response = admin_client.get(reverse("admin:series_series_change", args=[site.series.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "&lt;iframe src=&quot;http://127.0.0.1:8000/embed/series/supply/&quot; "
        "title=&quot;Webinars: Supply chains&quot; data-webinars-embed"
    ) in html
    assert "&lt;script src=&quot;http://127.0.0.1:8000/static/js/embed.js&quot; async&gt;" in html
    assert (
        "Sites allowed to show it: https://intranet.example.org:8443, https://www.example.org."
        in html
    )


def test_admin_says_when_no_site_may_show_the_snippet(admin_client, site, settings):
    settings.EMBED_ALLOWED_ORIGINS = []

    response = admin_client.get(reverse("admin:series_series_change", args=[site.series.pk]))

    assert "No site may show it yet" in response.content.decode()


def test_an_entry_that_is_no_origin_is_reported_by_the_system_check(settings):
    from django.core.checks import run_checks

    settings.EMBED_ALLOWED_ORIGINS = [HOST, "www.example.org", "ftp://files.example.org"]

    messages = [m for m in run_checks() if m.id == "webinars.W001"]

    assert [m.msg.split(" is not")[0] for m in messages] == [
        "EMBED_ALLOWED_ORIGINS: 'www.example.org'",
        "EMBED_ALLOWED_ORIGINS: 'ftp://files.example.org'",
    ]
