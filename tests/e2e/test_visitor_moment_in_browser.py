"""A visitor's pages measured in Chromium: the thank-you page's date on desktop, the room around
the content, and the visitor's own time leading with how far off it is."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.site import build_site
from tests.factories import make_webinar

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(live_server):
    return build_site()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_thanks_page_shows_the_date_at_1366px(open_page, site, scheme):
    page = open_page("desktop", site["thanks"], color_scheme=scheme)
    screenshot(page, f"look-thanks-1366-{scheme}")

    expect(page.locator(".thanks__webinar .webinar__card-when")).to_be_visible()
    expect(page.locator(".thanks__webinar time")).to_be_visible()
    expect(page.locator(".thanks__sent-to")).to_contain_text("a…@example.org")


@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_main_content_has_room_above_and_below(open_page, site, viewport_name):
    page = open_page(viewport_name, site["calendar"])

    padding = page.locator("main").evaluate(
        "el => [getComputedStyle(el).paddingTop, getComputedStyle(el).paddingBottom]"
    )

    assert [float(value.rstrip("px")) for value in padding] >= [20, 40]


def test_own_time_leads_with_how_far_off_it_is(open_page, site, live_server):
    # Six days ahead in New York, noon there: the browser's clock is pinned to the server's.
    now = timezone.now()
    new_york = ZoneInfo("America/New_York")
    day = now.astimezone(new_york).date() + timedelta(days=6)
    start = datetime(day.year, day.month, day.day, 12, 0, tzinfo=new_york)
    make_webinar(slug="six-days", title="Six days on", start=start, time_zone="Europe/Brussels")
    page = open_page("phone", "/")  # a visitor in New York
    page.clock.set_fixed_time(now)
    page.goto("/webinars/six-days/")
    when = page.locator(".webinar__when .webinar-time")

    expect(when.locator(".relative-time")).to_have_text("in 6 days")
    expect(when.locator(".localtime")).to_contain_text("12:00")
    expect(when.locator(".localtime")).to_contain_text("(New York)")
    expect(when.locator("time")).to_contain_text("18:00")
    expect(when.locator("time")).to_contain_text("Brussels time")
    order = when.evaluate("el => [...el.children].map(child => child.className || child.tagName)")
    assert order == ["localtime", "TIME", "relative-time"]


def test_a_webinar_on_now_reads_live_now_and_today_reads_today_at(open_page, site):
    now = timezone.now()
    make_webinar(slug="on-now", start=now - timedelta(minutes=10), duration=timedelta(hours=1))
    make_webinar(slug="later-today", start=now + timedelta(minutes=30))
    page = open_page("desktop", "/")  # a visitor in Brussels, the webinars' zone
    page.clock.set_fixed_time(now)

    page.goto("/webinars/on-now/")
    expect(page.locator(".webinar__when .relative-time")).to_have_text("Live now")
    expect(page.locator(".webinar__when .localtime")).to_have_count(0)

    page.goto("/webinars/later-today/")
    clock = (now + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/Brussels"))
    expect(page.locator(".webinar__when .relative-time")).to_have_text(f"today at {clock:%H:%M}")


def test_without_javascript_the_webinars_own_time_stands_alone(browser, live_server, site):
    context = browser.new_context(
        java_script_enabled=False, timezone_id="America/New_York", base_url=live_server.url
    )
    page = context.new_page()
    page.goto(site["webinar-open"])

    expect(page.locator(".webinar__when time")).to_contain_text("time")
    expect(page.locator(".localtime, .relative-time")).to_have_count(0)
    context.close()
