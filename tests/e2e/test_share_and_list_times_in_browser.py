"""In Chromium: the share buttons (Web Share API where the browser has it, copying the link
otherwise), no request to another site, and list cards that lead with the visitor's day."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_webinar

pytestmark = pytest.mark.e2e

RECORD_SHARE = """
window.__shared = [];
navigator.share = (data) => { window.__shared.push(data); return Promise.resolve(); };
"""


@pytest.fixture
def webinar(live_server):
    return make_webinar(slug="copper", title="Copper", start=timezone.now() + timedelta(days=9))


def test_share_button_opens_the_browsers_share_sheet(open_page, webinar, live_server):
    page = open_page("phone", "/")
    page.add_init_script(RECORD_SHARE)
    page.goto("/webinars/copper/")

    page.get_by_role("button", name="Share…").click()

    assert page.evaluate("window.__shared") == [
        {"title": "Copper", "url": f"{live_server.url}/webinars/copper/"}
    ]


def test_without_web_share_the_link_is_copied(open_page, webinar, live_server):
    page = open_page("desktop", "/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.add_init_script("delete Navigator.prototype.share; delete navigator.share;")
    page.goto("/webinars/copper/")

    expect(page.locator(".share__native")).to_be_hidden()
    page.get_by_role("button", name="Copy link").click()

    expect(page.locator(".share__status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == f"{live_server.url}/webinars/copper/"


def test_the_webinar_page_asks_nothing_of_other_sites(browser, webinar, live_server, settings):
    settings.SITE_URL = live_server.url
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/webinars/copper/", wait_until="networkidle")
    context.close()

    assert requested
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_list_cards_lead_with_the_visitors_time_and_day(open_page, live_server):
    # 02:30 in Brussels is the evening before in New York, where the phone visitor is.
    start = datetime(2099, 6, 10, 0, 30, tzinfo=UTC)
    make_webinar(slug="late", title="Late", start=start, time_zone="Europe/Brussels")

    page = open_page("phone", "/")
    card = page.locator(".webinar-item", has_text="Late")

    expect(card.locator(".webinar-time .localtime")).to_contain_text("20:30")
    expect(card.locator(".webinar-time .localtime")).to_contain_text("(New York)")
    expect(card.locator(".date-block__day")).to_have_text("9")
    expect(card.locator(".date-block__month")).to_have_text("Jun")
    expect(card.locator("time")).to_contain_text("02:30")


def test_list_cards_keep_the_day_where_it_is_the_same(open_page, live_server):
    start = datetime(2099, 6, 10, 12, 0, tzinfo=UTC)
    make_webinar(slug="noon", title="Noon", start=start, time_zone="Europe/Brussels")

    page = open_page("phone", "/")
    card = page.locator(".webinar-item", has_text="Noon")

    expect(card.locator(".webinar-time .localtime")).to_contain_text("08:00")
    expect(card.locator(".date-block__day")).to_have_text("10")
    expect(card.locator(".date-block")).not_to_have_class("date-block date-block--yours")
