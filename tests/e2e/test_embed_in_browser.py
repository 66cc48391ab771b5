"""The embed pages framed by another site in Chromium, third-party cookies blocked.

The site runs on localhost (pytest-django's live server); the host pages on 127.0.0.2, another
site for the browser, so the frame is a third-party context. One host origin is allowed by
EMBED_ALLOWED_ORIGINS, the other is not.
"""

import http.server
import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, require, screenshot
from tests.factories import add_speaker, make_series, make_speaker, make_webinar
from webinars.models import Registration

pytestmark = pytest.mark.e2e

ALLOWED_HOST = ("127.0.0.2", 3121)
OTHER_HOST = ("127.0.0.2", 3122)


def _origin(host) -> str:
    return f"http://{host[0]}:{host[1]}"


def _serve_host_page(host, site_url: str, path: str):
    """A tiny web server on `host` whose only page frames `path` of the site, as the admin's
    snippet does."""
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Our organisation"
        "</title></head><body><h1>Our organisation's events</h1>"
        f'<iframe src="{site_url}{path}" title="Webinars" data-webinars-embed width="100%" '
        'height="300" style="border:1px solid #888"></iframe>'
        f'<script src="{site_url}/static/js/embed.js" async></script></body></html>'
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(host, Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def framed(live_server, settings, browser_type):
    """(page opener, site URL): host pages on two origins, one of them allowed to frame."""
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    settings.SITE_URL = live_server.url
    settings.EMBED_ALLOWED_ORIGINS = [_origin(ALLOWED_HOST)]
    series = make_series(title="Open Science Evenings", slug="open-science")
    webinar = make_webinar(
        series=series,
        slug="open-data",
        number=1,
        title="Open data in practice",
        start=timezone.now() + timedelta(days=3),
    )
    add_speaker(webinar, make_speaker(name="Dr Ada Lovelace", slug="ada"))
    servers = [
        _serve_host_page(host, live_server.url, "/embed/series/open-science/")
        for host in (ALLOWED_HOST, OTHER_HOST)
    ]
    # Third-party cookies blocked, as Chromium does for everyone once they are phased out.
    browser = browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"],
        headless=True,
    )
    contexts = []

    def open_host(host, *, width=1366, color_scheme="light"):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=color_scheme, locale="en-GB"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(_origin(host) + "/")
        return page

    yield open_host, webinar
    for context in contexts:
        context.close()
    browser.close()
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_allowed_site_frames_the_series_and_a_visitor_registers_inside(framed):
    open_host, webinar = framed
    page = open_host(ALLOWED_HOST)
    frame = page.frame_locator("iframe[data-webinars-embed]")

    expect(frame.get_by_role("heading", level=1)).to_have_text("Open Science Evenings")
    # The host's script sized the frame to its content (it starts at 300 px).
    iframe = page.locator("iframe[data-webinars-embed]")
    page.wait_for_function(
        "() => document.querySelector('iframe').style.height !== ''", timeout=10_000
    )
    content_height = page.frames[1].evaluate("document.documentElement.scrollHeight")
    assert abs(iframe.bounding_box()["height"] - content_height) <= 3
    # The frame is a third-party context whose cookies the browser refuses.
    embedded = page.frames[1]
    embedded.evaluate("document.cookie = 'probe=1; SameSite=None; Secure'")
    assert embedded.evaluate("document.cookie") == ""
    # The webinar's title opens the full page in a new tab, outside the frame.
    title_link = frame.get_by_role("link", name="Webinar 1: Open data in practice")
    expect(title_link).to_have_attribute("target", "_blank")

    frame.locator('a[href="/embed/webinars/open-data/register/"]').click()
    frame.get_by_label("Name").fill("Grace Hopper")
    frame.get_by_label("Email").fill("grace@example.org")
    frame.get_by_label("privacy notice", exact=False).check()
    frame.get_by_role("button", name="Register").click()

    expect(frame.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert page.url == _origin(ALLOWED_HOST) + "/"  # the visitor never left the host page
    assert Registration.objects.filter(webinar=webinar, email="grace@example.org").exists()
    assert page.context.cookies() == []


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1366])
def test_screenshots_of_the_framed_series(framed, width, color_scheme):
    open_host, _ = framed
    page = open_host(ALLOWED_HOST, width=width, color_scheme=color_scheme)
    frame = page.frame_locator("iframe[data-webinars-embed]")
    expect(frame.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_function("() => document.querySelector('iframe').style.height !== ''")

    screenshot(page, f"embed-series-{width}-{color_scheme}")
    frame.locator('a[href="/embed/webinars/open-data/register/"]').click()
    expect(frame.get_by_role("button", name="Register")).to_be_visible()
    screenshot(page, f"embed-form-{width}-{color_scheme}")


def test_a_site_not_listed_cannot_frame_the_pages(framed):
    open_host, _ = framed
    page = open_host(OTHER_HOST)
    page.wait_for_timeout(1000)

    embedded = page.frames[1]
    assert embedded.url.startswith("chrome-error://"), embedded.url
    assert (
        page.frame_locator("iframe").get_by_role("heading", name="Open Science Evenings").count()
        == 0
    )


def test_the_frame_shrinks_when_a_shorter_page_follows_a_taller_one(framed):
    open_host, webinar = framed
    page = open_host(ALLOWED_HOST)
    frame = page.frame_locator("iframe[data-webinars-embed]")
    iframe = page.locator("iframe[data-webinars-embed]")
    frame.locator('a[href="/embed/webinars/open-data/register/"]').click()
    frame.get_by_label("Name").fill("Grace Hopper")
    # The form is taller than the thanks page that follows it.
    form_height = page.frames[1].evaluate("document.body.getBoundingClientRect().height")
    page.wait_for_function(
        "h => Math.abs(parseInt(document.querySelector('iframe').style.height) - h) <= 2",
        arg=form_height,
        timeout=10_000,
    )

    frame.get_by_label("Email").fill("grace@example.org")
    frame.get_by_label("privacy notice", exact=False).check()
    frame.get_by_role("button", name="Register").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Thank you")

    page.wait_for_function(
        f"() => parseInt(document.querySelector('iframe').style.height) < {form_height}",
        timeout=10_000,
    )
    content_height = page.frames[1].evaluate("document.body.getBoundingClientRect().height")
    assert content_height < form_height - 100
    assert abs(iframe.bounding_box()["height"] - content_height) <= 3
