"""Journeys a visitor and an organiser make, in Chromium at a phone and a desktop size."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.site import build_site
from webinars.models import Webinar

pytestmark = pytest.mark.e2e


@pytest.fixture
def site(live_server):
    return build_site()


def test_visitor_browses_the_calendar_filters_by_series_and_opens_a_webinar(
    open_page, site, viewport
):
    page = open_page(viewport, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Webinar calendar")

    page.get_by_label("Series").select_option(label="Open Science Evenings")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"\?q=&series=open-science$"))
    expect(page.get_by_role("status")).to_contain_text(
        "Showing webinars in the series Open Science Evenings."
    )
    upcoming = page.locator("#upcoming-heading + .webinar-list .webinar-item__title")
    expect(upcoming).to_have_text(
        [
            "Webinar 1: Open data in practice",
            "Webinar 2: Research software that lasts",
            "Webinar 3: Preprints and peer review",
            "Webinar 4: Registration closed early",
            "Webinar 5: A talk that was called off",
        ]
    )
    expect(page.get_by_text("No past webinars match your search.")).to_be_visible()

    page.get_by_role("link", name="Webinar 3: Preprints and peer review").click()

    expect(page).to_have_url(re.compile(r"/webinars/preprints/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Webinar 3: Preprints and peer review"
    )
    expect(page.locator(".webinar__registration .state")).to_have_text(
        "Full: waiting list. Register to join the waiting list; if a seat frees up, the first in line gets it and is told by email."
    )
    expect(page.locator(".people")).to_contain_text("Dr Ada Lovelace (Analytical Society)")
    expect(page.locator(".moderator")).to_contain_text("Moderator: Alan Turing (Bletchley)")


def test_visitor_with_a_keyboard_skips_to_content_and_opens_a_webinar(open_page, site, viewport):
    page = open_page(viewport, "/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0  # visible when focused
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/#main$"))
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is the first control of the content, not the header again.
    assert page.evaluate(
        "() => { const main = document.querySelector('main'), el = document.activeElement;"
        " return el !== main && main.contains(el); }"
    )

    # The next webinar ("Next up") may be that very first stop.
    target = page.get_by_role("link", name="Webinar 1: Open data in practice")
    for _ in range(20):
        if page.evaluate("() => document.activeElement.textContent") == (
            "Webinar 1: Open data in practice"
        ):
            break
        page.keyboard.press("Tab")
    expect(target).to_be_focused()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/webinars/open-data/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Webinar 1: Open data in practice")


def admin_login(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill("organiser-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Series, webinars and registrations")


def choose_in_autocomplete(page, field_id: str, search: str, option: str):
    """Pick a value in Django admin's autocomplete (select2) widget, as a person would."""
    page.locator(f"#{field_id} ~ .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()


def test_organiser_creates_a_webinar_with_speakers_publishes_it_and_sees_it_on_the_calendar(
    open_page, site, e2e_organiser, viewport
):
    page = open_page(viewport, "/")
    admin_login(page)
    start = timezone.localtime(timezone.now() + timedelta(days=40))

    page.goto("/admin/webinars/webinar/add/")
    choose_in_autocomplete(page, "id_series", "Open Science", "Open Science Evenings")
    page.get_by_label("Number in the series").fill("6")
    page.locator("#id_title_en").fill("Citizen science with schools")
    page.locator("#id_description_en").fill("Pupils count birds; researchers get data.")
    page.locator("#id_start_0").fill(f"{start:%Y-%m-%d}")
    page.locator("#id_start_1").fill("14:00:00")
    page.locator("#id_end_0").fill(f"{start:%Y-%m-%d}")
    page.locator("#id_end_1").fill("15:30:00")
    page.get_by_label("Published").uncheck()
    add_row = page.get_by_role("button", name="Add another Speaker of the webinar")
    add_row.click()
    add_row.click()
    choose_in_autocomplete(page, "id_webinar_speakers-0-speaker", "Ada", "Dr Ada Lovelace")
    choose_in_autocomplete(page, "id_webinar_speakers-1-speaker", "Grace", "Grace Hopper")
    page.locator("#id_webinar_speakers-1-order").fill("1")
    choose_in_autocomplete(page, "id_webinar_speakers-2-speaker", "Alan", "Alan Turing")
    page.locator("#id_webinar_speakers-2-role").select_option("moderator")
    page.locator("input[name=_continue]").click()

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    page.goto("/")
    expect(page.get_by_text("Citizen science with schools")).to_have_count(0)

    page.goto("/admin/webinars/webinar/")
    page.get_by_role("link", name="Citizen science with schools").click()
    page.get_by_label("Published").check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto("/")
    page.get_by_role("link", name="Webinar 6: Citizen science with schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Webinar 6: Citizen science with schools"
    )
    expect(page.locator(".people > li")).to_have_text(
        [
            re.compile(r"Dr Ada Lovelace \(Analytical Society\)$"),
            re.compile(r"Grace Hopper \(Navy Lab\)$"),
        ]
    )
    expect(page.locator(".moderator")).to_contain_text("Moderator: Alan Turing (Bletchley)")
    expect(page).to_have_url(re.compile(r"/webinars/citizen-science-with-schools/$"))
    webinar = Webinar.objects.get(title="Citizen science with schools")
    assert (webinar.slug, webinar.is_published, webinar.series.slug) == (
        "citizen-science-with-schools",
        True,
        "open-science",
    )


def test_organiser_cancels_a_webinar_and_its_page_says_so(open_page, site, e2e_organiser, viewport):
    page = open_page(viewport, "/")
    admin_login(page)

    page.goto("/admin/webinars/webinar/")
    page.get_by_role("link", name="Open data in practice").click()
    page.get_by_label("Status").select_option("cancelled")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto("/webinars/open-data/")
    expect(page.locator(".webinar__registration .state")).to_have_text(
        "Cancelled. This webinar will not take place."
    )
    page.goto("/")
    item = page.locator(".webinar-item", has_text="Open data in practice")
    expect(item.locator(".badge--cancelled")).to_have_text("Cancelled")
