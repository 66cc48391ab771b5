"""A series' admin page and "Add a run of webinars" in Chromium at 1366 px, light and dark:
the list of webinars, the form, the preview across a change of summer time, accessible."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, describe, horizontal_overflow, screenshot
from tests.e2e.site import build_site
from tests.e2e.test_layout_in_browser import admin_login
from webinars.models import Webinar

pytestmark = [pytest.mark.e2e]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_series_page_and_a_run_preview_read_well_at_1366px(open_page, e2e_organiser, scheme):
    build_site()
    series = Webinar.objects.get(slug="open-data").series
    before = Webinar.objects.count()
    page = open_page("desktop", "/", color_scheme=scheme, size={"width": 1366, "height": 900})
    admin_login(page)
    failures = {}

    page.goto(f"/admin/series/series/{series.pk}/change/")
    expect(page.locator("table.series-webinars")).to_be_visible()
    screenshot(page, f"look-admin-series-webinars-1366-{scheme}")
    page.get_by_role("link", name="Add a run of webinars").click()
    expect(page.get_by_label("First date")).to_be_visible()
    screenshot(page, f"look-admin-run-form-1366-{scheme}")
    if violations := axe_violations(page):
        failures["form"] = describe(violations)

    page.get_by_label("First date").fill("2026-10-20")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Time zone").select_option("Europe/Brussels")
    page.get_by_label("How many webinars").fill("4")
    page.get_by_role("button", name="Preview the dates").click()
    rows = page.locator("table[aria-labelledby=preview-heading] tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("UTC+02:00")
    expect(rows.nth(1)).to_contain_text("10:00")
    expect(rows.nth(1)).to_contain_text("UTC+01:00")
    screenshot(page, f"look-admin-run-preview-1366-{scheme}")
    if violations := axe_violations(page):
        failures["preview"] = describe(violations)
    if horizontal_overflow(page) > 0:
        failures["overflow"] = "wider than the viewport"
    assert Webinar.objects.count() == before

    page.get_by_role("button", name="Create these 4 drafts").click()
    expect(page.locator(".messagelist")).to_contain_text("4 drafts added to the series")
    assert Webinar.objects.count() == before + 4
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())
