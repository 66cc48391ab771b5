"""Every public page type and state, in Chromium: axe-core finds nothing, nothing overflows
sideways, and a screenshot is kept for review (artifacts/screenshots/)."""

import pytest

from tests.e2e.conftest import NARROW, axe_violations, describe, horizontal_overflow, screenshot
from tests.e2e.site import build_site
from webinars.models import Webinar

pytestmark = pytest.mark.e2e

PAGES = [
    "calendar",
    "calendar-series",
    "calendar-no-results",
    "webinar-open",
    "webinar-few-seats",
    "webinar-waiting-list",
    "webinar-closed",
    "webinar-cancelled",
    "webinar-past",
    "series",
    "series-seed",
    "series-index",
    "speaker",
    "month",
    "month-seed",
    "privacy",
    "webinar-recorded",
    "registration-after",
    "feedback",
    "follow",
    "follow-sent",
    "follow-confirm",
    "follow-unsubscribe",
    "embed-calendar",
    "embed-series",
    "embed-register",
    "embed-series-register",
    "embed-thanks",
    "thanks",
    "registration-confirmed",
    "registration-waiting",
    "registration-cancelled",
    "registration-cancel",
    "not-found",
    "nl-calendar",
    "nl-webinar-open",
    "nl-webinar-waiting-list",
    "nl-webinar-cancelled",
    "nl-series",
    "nl-month",
    "nl-privacy",
    "nl-registration-after",
    "nl-follow",
    "nl-embed-register",
    "nl-not-found",
    "fr-calendar",
    "fr-webinar-open",
    "fr-webinar-waiting-list",
    "fr-month",
    "fr-registration-after",
    "fr-embed-register",
    "fr-not-found",
]
# (label, viewport, colour scheme): both sizes in light, and the phone in dark.
VARIANTS = [
    ("phone", "phone", "light"),
    ("desktop", "desktop", "light"),
    ("phone-dark", "phone", "dark"),
    ("desktop-dark", "desktop", "dark"),
]


@pytest.fixture
def site(live_server):
    return build_site()


@pytest.mark.parametrize(
    ("label", "viewport_name", "scheme"), VARIANTS, ids=[v[0] for v in VARIANTS]
)
def test_every_page_has_no_axe_violations(open_page, site, label, viewport_name, scheme):
    failures = {}
    for name in PAGES:
        page = open_page(viewport_name, site[name], color_scheme=scheme)
        screenshot(page, f"{label}-{name}")
        violations = axe_violations(page)
        if violations:
            failures[name] = describe(violations)
        overflow = horizontal_overflow(page)
        if overflow > 0:
            failures[f"{name} overflow"] = f"{overflow}px wider than the viewport"
        page.context.close()

    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_every_page_fits_a_320px_phone(open_page, site):
    too_wide = {}
    for name in PAGES:
        page = open_page("phone", site[name], size=NARROW)
        screenshot(page, f"narrow-320-{name}")
        overflow = horizontal_overflow(page)
        if overflow > 0:
            too_wide[name] = overflow
        page.context.close()

    assert too_wide == {}


def test_pages_answer_with_the_expected_status(open_page, site, live_server):
    page = open_page("desktop", "/")
    statuses = {}
    for name, path in site.items():
        statuses[name] = page.goto(live_server.url + path).status

    assert statuses == {name: 404 if name.endswith("not-found") else 200 for name in site}


def test_calendar_reads_at_a_glance(open_page, site):
    page = open_page("desktop", "/")

    # The next webinar leads under "Next up"; the other four follow.
    items = page.locator(
        "#next-up-heading + .webinar-list > li, #upcoming-heading + .webinar-list > li"
    )
    assert items.count() == 5
    first = items.nth(0)
    start = Webinar.objects.get(slug="open-data").local_start
    assert first.locator(".date-block").inner_text().split() == [
        str(start.day),
        f"{start:%b}".upper(),
        str(start.year),
    ]
    states = [items.nth(i).locator(".badge:not(.badge--series)").inner_text() for i in range(5)]
    assert states == [
        "Registration open",
        "Few seats left",
        "Full: waiting list",
        "Registration closed",
        "Cancelled",
    ]
    assert first.locator(".badge--series").inner_text() == "Open Science Evenings"


def test_webinar_page_states_are_words(open_page, site):
    expected = {
        "webinar-open": "Registration open. Free, no seat limit.",
        "webinar-few-seats": "Registration open: few seats left.",
        "webinar-waiting-list": "Full: waiting list. Register to join the waiting list; if a seat frees up, the first in line gets it and is told by email.",
        "webinar-closed": "Registration closed.",
        "webinar-cancelled": "Cancelled. This webinar will not take place.",
        # Over: when it took place, in place of the registration box.
        "webinar-past": "Took place on Thursday 1 October 2020.",
    }
    page = open_page("phone", "/")
    seen = {}
    for name in expected:
        page.goto(site[name])
        seen[name] = page.locator(
            ".webinar__registration .state, .webinar__recap .state"
        ).inner_text()

    assert seen == expected


def test_print_stylesheet_hides_navigation_on_a_webinar_page(open_page, site):
    page = open_page("desktop", site["webinar-open"])
    page.emulate_media(media="print")

    assert page.locator(".site-header nav[aria-label=Main]").is_hidden()
    assert page.locator(".language-switcher").is_hidden()
    assert page.locator(".site-footer").is_hidden()
    assert page.locator(".back").is_hidden()
    assert page.locator("h1").is_visible()
    assert page.locator(".webinar__description").is_visible()


def test_axe_check_reports_a_broken_page(open_page, site):
    # Guards the check itself: a page with known faults must not pass.
    page = open_page("desktop", "/")
    page.set_content('<html><body><img src="x.png"><a href="/"></a></body></html>')

    ids = {v["id"] for v in axe_violations(page)}

    assert {"image-alt", "link-name", "html-has-lang", "document-title"} <= ids


def test_visitor_abroad_sees_their_own_time_first_and_the_webinars_after(open_page, site):
    path = "/webinars/artisanal-and-small-scale-mining/"
    abroad = open_page("phone", path)  # a visitor in New York
    when = abroad.locator(".webinar__when .webinar-time")

    assert when.locator("time").inner_text() == (
        "Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time"
    )
    assert when.locator(".localtime").inner_text() == (
        "Your time: Thursday 1 October 2020, 04:00–05:30 EDT (New York)"
    )
    # The visitor's own time leads, on its own line; the webinar's follows.
    time_box = when.locator("time").bounding_box()
    line_box = when.locator(".localtime").bounding_box()
    assert time_box["y"] >= line_box["y"] + line_box["height"] - 1
    home = open_page("desktop", path)  # a visitor in Brussels: nothing to add
    assert home.locator(".localtime").count() == 0
