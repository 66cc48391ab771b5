"""Measured in Chromium: captions on one line, admin tables inside their box, no stray notes."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, describe, horizontal_overflow, screenshot
from tests.e2e.site import build_site
from tests.factories import make_registration
from webinars.models import SiteSettings, Webinar

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


def admin_login(page):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill("organiser-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_webinar_list_fits_its_box_at_1366px(open_page, site, e2e_organiser, scheme):
    # The phone context's visitor is in New York: the list still shows each webinar's own zone.
    page = open_page("desktop", "/", color_scheme=scheme)
    admin_login(page)

    page.goto("/admin/webinars/webinar/")

    table = page.locator("#result_list")
    box = page.locator("#changelist .results")
    screenshot(page, f"look-admin-webinars-1366-{scheme}")
    table_width = table.evaluate("el => el.getBoundingClientRect().width")
    box_width = box.evaluate("el => el.clientWidth")
    assert table_width <= box_width
    assert box.evaluate("el => el.scrollWidth - el.clientWidth") == 0
    titles = page.locator("#result_list tbody td.field-title_series a")
    expect(titles.first).to_have_text("Open data in practice")
    cell = page.locator("#result_list tbody td.field-title_series").first
    assert cell.evaluate("el => el.getBoundingClientRect().width") > 200


def test_admin_forms_show_no_server_time_offset_note(open_page, site, e2e_organiser):
    # A visitor in New York; the server's zone is Brussels. Times are typed in the webinar's
    # zone, so Django's "You are 6 hours behind server time" would mislead.
    page = open_page("phone", "/", size={"width": 1366, "height": 900})
    admin_login(page)

    page.goto("/admin/webinars/webinar/add/")
    expect(page.locator("#id_start_1")).to_be_visible()
    expect(page.locator(".clockbox, .datetimeshortcuts").first).to_be_attached()
    expect(page.locator(".timezonewarning")).to_have_count(0)


def box(locator) -> dict:
    return locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, bottom: r.bottom}; }"
    )


def test_webinar_page_on_desktop_keeps_the_registration_card_beside_the_content(open_page, site):
    page = open_page("desktop", site["webinar-open"])
    card = page.locator(".webinar__registration")
    about = page.locator(".webinar__description")

    assert box(card)["x"] > box(about)["x"] + box(about)["width"]
    assert box(card)["y"] < 500
    expect(page.locator(".webinar__jump")).to_be_hidden()
    # At its full height: nothing scrolls inside the card.
    assert card.evaluate("el => el.scrollHeight - el.clientHeight") <= 1
    expect(card.get_by_role("button", name="Register")).to_be_visible()
    # What follows the content (the speakers) follows it closely, whatever the card's height.
    content = page.locator(".webinar__content")
    more = page.locator(".webinar__more")
    assert box(more)["y"] - box(content)["bottom"] <= 40


def test_webinar_page_on_a_phone_has_a_full_width_register_button_to_the_form(open_page, site):
    page = open_page("phone", site["webinar-open"])
    jump = page.locator(".webinar__jump a")
    main = page.locator("main")

    assert box(jump)["y"] < 844
    assert box(jump)["width"] >= main.evaluate("el => el.clientWidth") - 40
    jump.click()

    expect(page).to_have_url(re.compile(r"#registration$"))
    name = page.get_by_label("Name")
    expect(name).to_be_in_viewport()
    calendars = page.locator("#add-to-calendar-heading")
    assert box(calendars)["y"] > box(page.locator(".registration-form"))["bottom"]


@pytest.mark.parametrize("width", [320, 390])
def test_long_series_names_stay_one_box_on_phones(open_page, site, width):
    page = open_page("phone", "/?q=mining", size={"width": width, "height": 800})

    badges = page.locator(".badge--series")

    expect(badges.first).to_be_visible()
    for i in range(badges.count()):
        # One box however many lines: an inline badge splits into a box per line.
        assert badges.nth(i).evaluate("el => el.getClientRects().length") == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("colour", ["#ffcc00", "#0a0a40"])
def test_any_accent_colour_keeps_pages_accessible(open_page, site, scheme, colour):
    # Yellow is unreadable on white and navy on black as chosen; pages use readable shades.
    SiteSettings.objects.create(site_name="Yellow Webinars", accent_colour=colour)
    failures = {}
    for name in ("calendar", "webinar-open", "month", "series-index"):
        page = open_page("desktop", site[name], color_scheme=scheme)
        expect(page.locator(".site-name")).to_have_text("Yellow Webinars")
        violations = axe_violations(page)
        if violations:
            failures[name] = describe(violations)
        page.context.close()

    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_admin_index_dashboard_and_webinar_list_fit_without_sideways_scrolling(
    open_page, site, e2e_organiser, scheme, viewport_name
):
    page = open_page(viewport_name, "/", color_scheme=scheme)
    admin_login(page)
    width = page.viewport_size["width"]

    dashboard = page.get_by_role("region", name="Upcoming webinars")
    expect(dashboard).to_be_visible()
    expect(dashboard.get_by_role("listitem").first).to_contain_text("new this week")
    screenshot(page, f"look-admin-index-{width}-{scheme}")
    index_overflow = horizontal_overflow(page)
    page.goto("/admin/webinars/webinar/")
    screenshot(page, f"look-admin-webinars-{width}-{scheme}")

    assert index_overflow == 0
    assert horizontal_overflow(page) == 0
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_webinar_page_says_its_time_once_beside_the_card(open_page, site, scheme, viewport_name):
    page = open_page(viewport_name, site["webinar-open"], color_scheme=scheme)
    width = page.viewport_size["width"]
    screenshot(page, f"look-webinar-{width}-{scheme}")

    expect(page.locator(".webinar__when")).to_be_visible()
    card_when = page.locator(".webinar__card-when")
    # Beside the header on desktop the card would repeat it; on a phone the card comes after
    # the content, far below the header, and says it again.
    if viewport_name == "desktop":
        expect(card_when).to_be_hidden()
    else:
        expect(card_when).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_series_banner_and_logo_fit_the_page(
    open_page, site, settings, tmp_path, scheme, viewport_name
):
    from series.models import Series
    from tests.webinars.test_design import png

    settings.MEDIA_ROOT = tmp_path
    series = Series.objects.get(slug="open-science")
    series.banner.save("banner.png", png(2400, 900, "#2d6a4f"))
    series.logo.save("logo.png", png(300, 100, "#b7e4c7"))

    for name in ("series", "series-index"):
        page = open_page(viewport_name, site[name], color_scheme=scheme)
        width = page.viewport_size["width"]
        screenshot(page, f"look-{name}-{width}-{scheme}")
        assert horizontal_overflow(page) == 0
        banner = page.locator(".series__banner, .series-list__banner").first
        expect(banner).to_be_visible()
        violations = axe_violations(page)
        assert violations == [], describe(violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_calendar_list_items_show_speaker_faces(
    open_page, site, settings, tmp_path, scheme, viewport_name
):
    from tests.webinars.test_design import png
    from webinars.models import Speaker

    settings.MEDIA_ROOT = tmp_path
    speaker = Speaker.objects.filter(name__contains="Lovelace").first()
    speaker.photo.save("ada.png", png(400, 400, "#9d4edd"))

    page = open_page(viewport_name, "/", color_scheme=scheme)
    width = page.viewport_size["width"]
    screenshot(page, f"look-calendar-{width}-{scheme}")

    expect(page.locator(".faces img.avatar--small").first).to_be_visible()
    assert horizontal_overflow(page) == 0
    violations = axe_violations(page)
    assert violations == [], describe(violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_registrations_list_shows_status_without_scrolling_at_1366px(
    open_page, site, e2e_organiser, scheme
):
    webinar = Webinar.objects.order_by("pk").first()
    webinar.title = "Open data in practice: publishing municipal budgets that people can read"
    webinar.save()
    make_registration(
        webinar,
        name="Maximiliaan Vandenberghe-Van Oostveldt",
        email="maximiliaan.vandenberghe-van.oostveldt@stad-gent-digitaal.example.org",
        organisation="Stad Gent, Dienst Data en Informatie, Team Open Data",
    )
    page = open_page("desktop", "/", color_scheme=scheme, size={"width": 1366, "height": 900})
    admin_login(page)

    page.goto("/admin/webinars/registration/")

    screenshot(page, f"look-admin-registrations-1366-{scheme}")
    status = page.locator("#result_list tbody td.field-status").first
    expect(status).to_be_visible()
    right = status.evaluate("el => el.getBoundingClientRect().right")
    assert right <= page.evaluate("() => document.documentElement.clientWidth")
    box = page.locator("#changelist .results")
    assert box.evaluate("el => el.scrollWidth - el.clientWidth") == 0
    assert horizontal_overflow(page) == 0
