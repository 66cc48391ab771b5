"""Measured in Chromium: captions on one line, admin tables inside their box, no stray notes."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.site import build_site

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(live_server):
    return build_site()


def line_count(locator) -> float:
    """How many lines of text an element takes: its height over its line height."""
    return locator.evaluate(
        "el => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight)"
    )


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_month_caption_is_one_line(open_page, site, width):
    page = open_page("phone", site["month-seed"], size={"width": width, "height": 800})

    caption = page.locator(".month-grid caption")

    expect(caption).to_have_text("October 2020")
    assert line_count(caption) < 1.5
