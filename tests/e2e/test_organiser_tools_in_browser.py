"""Organiser tools in Chromium, with JavaScript on and off: a series question answered once for
three webinars, the browser's zone kept for reminders, and the new pages valid and accessible
(pending and held registrations, confirming an address, an expired link)."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import (
    TIME_ZONES,
    VIEWPORTS,
    axe_violations,
    describe,
    horizontal_overflow,
    screenshot,
)
from tests.e2e.site import build_site
from tests.e2e.test_html_valid import HTML_DIR, run_vnu
from tests.e2e.test_registration_journeys import fill_person
from webinars.models import Answer, Question, Registration, Webinar

pytestmark = [pytest.mark.e2e, pytest.mark.needs_registration]

# The screenshots an organiser-tools change is judged by; outside the repository.
SHOTS = Path("/tmp/shots-org")  # noqa: S108 (the helper rules name this folder)


@pytest.fixture
def site(live_server):
    pages = build_site()
    Question.objects.create(
        series=Webinar.objects.get(slug="open-data").series,
        kind="choice",
        label="Your sector",
        options="Industry\nAcademia\nCivil society",
        required=True,
        help_text="So the speakers know who is listening.",
    )
    return pages


def keep(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_series_question_is_answered_once_for_three_webinars(
    browser, live_server, settings, site, viewport, javascript, mailoutbox
):
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        viewport=VIEWPORTS[viewport],
        base_url=live_server.url,
        locale="en-GB",
        timezone_id=TIME_ZONES[viewport],
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.goto("/series/open-science/register/")
    for title in ("Open data in practice", "Research software that lasts", "Preprints"):
        page.get_by_role("checkbox", name=re.compile(title)).check()
    fill_person(page, email=f"three.{viewport}@example.org")
    page.get_by_role("button", name=re.compile("register", re.I)).click()

    # Required and not answered: the browser itself holds the form back (the server's own
    # error for it is tested in tests/webinars/test_questions.py).
    assert page.get_by_role("radio", name="Academia").evaluate("e => e.validity.valueMissing")
    assert not Registration.objects.filter(email=f"three.{viewport}@example.org").exists()
    page.get_by_role("radio", name="Academia").check()
    page.get_by_role("button", name=re.compile("register", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    rows = Registration.objects.filter(email=f"three.{viewport}@example.org")
    assert sorted(r.webinar.slug for r in rows) == ["open-data", "preprints", "research-software"]
    assert set(Answer.objects.filter(registration__in=rows).values_list("value", flat=True)) == {
        "Academia"
    }
    assert {r.time_zone for r in rows} == {TIME_ZONES[viewport] if javascript else ""}
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_organiser_tool_pages_have_no_axe_violations(
    open_page, site, viewport, scheme, settings, mailoutbox
):
    open_data = Webinar.objects.get(slug="open-data")
    open_data.requires_approval = True
    open_data.save()
    soon = timezone.now() + timedelta(minutes=30)
    pending = Registration.objects.create(
        webinar=open_data, name="Pending Person", email="pending@example.org", status="pending"
    )
    held = Registration.objects.create(
        webinar=Webinar.objects.get(slug="research-software"),
        name="Held Person",
        email="held@example.org",
        status="pending",
        hold_expires_at=soon,
    )
    pages = {
        "series-register-question": "/series/open-science/register/",
        "register-question": "/webinars/research-software/register/",
        "pending-page": f"/registrations/{pending.token}/",
        "held-page": f"/registrations/{held.token}/",
        "confirm-address": f"/webinars/research-software/confirm-address/{held.token}/",
        "confirm-address-gone": f"/webinars/research-software/confirm-address/{'x' * 30}/",
    }
    failures = {}
    for name, path in pages.items():
        page = open_page(viewport, path, color_scheme=scheme)
        keep(page, f"org-{viewport}-{scheme}-{name}")
        if violations := axe_violations(page):
            failures[name] = describe(violations)
        if horizontal_overflow(page) > 0:
            failures[f"{name} overflow"] = "wider than the viewport"
        if name == "series-register-question":
            # The server's error state: past the browser's own checks, as an old browser would.
            page.evaluate("document.querySelector('form.registration-form').noValidate = true")
            page.get_by_role("button", name=re.compile("register", re.I)).click()
            expect(page.get_by_role("alert")).to_be_focused()
            keep(page, f"org-{viewport}-{scheme}-{name}-errors")
            if violations := axe_violations(page):
                failures[f"{name}-errors"] = describe(violations)
        page.context.close()

    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_organiser_tool_pages_are_valid_html(client, db, mailoutbox):
    build_site()
    open_data = Webinar.objects.get(slug="open-data")
    Question.objects.create(
        webinar=open_data, kind="choices", label="Topics", options="Data\nSoftware"
    )
    Question.objects.create(webinar=open_data, kind="long_text", label="Why?", required=True)
    Question.objects.create(webinar=open_data, kind="checkbox", label="Photos are fine")
    held = Registration.objects.create(
        webinar=open_data,
        name="Held Person",
        email="held@example.org",
        status="pending",
        hold_expires_at=timezone.now() + timedelta(minutes=30),
    )
    pending = Registration.objects.create(
        webinar=Webinar.objects.get(slug="preprints"),
        name="Pending Person",
        email="pending@example.org",
        status="pending",
    )
    confirm = f"/webinars/open-data/confirm-address/{held.token}/"
    pages = {
        "register-questions": client.get("/webinars/open-data/register/"),
        "register-questions-errors": client.post("/webinars/open-data/register/", {}),
        "webinar-questions": client.get("/webinars/open-data/"),
        "pending-page": client.get(f"/registrations/{pending.token}/"),
        "held-page": client.get(f"/registrations/{held.token}/"),
        "confirm-address": client.get(confirm),
        "confirm-address-gone": client.get(f"/webinars/open-data/confirm-address/{'x' * 30}/"),
    }
    assert {name: r.status_code for name, r in pages.items()} == {
        **dict.fromkeys(pages, 200),
        "confirm-address-gone": 410,
    }
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    files = []
    for name, response in pages.items():
        file = HTML_DIR / f"organiser-tools-{name}.html"
        file.write_bytes(response.content)
        files.append(file)

    assert run_vnu(files) == {}
