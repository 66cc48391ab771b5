"""Registration journeys in Chromium, written against the contract (issue 3, branch `reg`).

Contract points these tests rely on:
- URLs: /webinars/<slug>/register/, /series/<slug>/register/, /registrations/<token>/
- form labels: Name, Email, Organisation, and one consent checkbox (privacy notice)
- each registrant gets a mail with a link to /registrations/<token>/; their page cancels by POST
- errors: the form comes back with the errors focused and tied to their fields

Marked `needs_registration` so a branch without the feature can leave them out with
`-m "not needs_registration"`; they run in `make test`.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, describe, horizontal_overflow, screenshot
from tests.e2e.site import build_site
from tests.e2e.test_html_valid import HTML_DIR, run_vnu
from tests.mail_worker import send_queued_mail
from webinars.models import Registration, Webinar

pytestmark = [pytest.mark.e2e, pytest.mark.needs_registration]

REGISTRATION_LINK = re.compile(r"/registrations/[A-Za-z0-9_-]{16,}/")


@pytest.fixture
def site(live_server):
    return build_site()


def delivered_mail() -> list:
    """Run the mail queue worker once, as cron would, and return the locmem outbox."""
    send_queued_mail()
    return mail.outbox


def fill_person(page, name="Rosalind Franklin", email="rosalind@example.org"):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label(re.compile(r"^Organisation")).fill("King's College")
    page.get_by_role("checkbox", name=re.compile("privacy|consent|agree", re.I)).check()


def test_visitor_registers_reads_the_mail_opens_own_page_and_cancels(
    open_page, site, live_server, viewport, mailoutbox
):
    page = open_page(viewport, "/webinars/open-data/")
    page.goto("/webinars/open-data/register/")
    fill_person(page)
    page.get_by_role("button", name=re.compile("register", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator("main")).to_contain_text(
        "We have received your registration for Open data in practice."
    )
    outbox = delivered_mail()
    assert [m.to for m in outbox] == [["rosalind@example.org"]]
    assert "Open data in practice" in outbox[0].subject
    path = REGISTRATION_LINK.search(outbox[0].body).group(0)

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    expect(page.locator(".registration")).to_contain_text("Open data in practice")
    expect(page.locator(".status")).to_have_text("Confirmed: you have a seat")
    # Cancelling asks first: the link leads to a page whose button is the only change.
    page.get_by_role("link", name="Cancel my registration").click()
    page.get_by_role("button", name="Yes, cancel my registration").click()

    expect(page.get_by_role("status")).to_have_text(
        "Your registration is cancelled. We have sent you a confirmation by email."
    )
    expect(page.locator(".status")).to_have_text("Cancelled")
    registration = Registration.objects.get(email="rosalind@example.org")
    assert registration.status == Registration.Status.CANCELLED


def test_visitor_registers_for_two_webinars_of_the_series_in_one_form(
    open_page, site, viewport, mailoutbox
):
    page = open_page(viewport, "/series/open-science/register/")
    page.get_by_role("checkbox", name=re.compile("Open data in practice")).check()
    page.get_by_role("checkbox", name=re.compile("Research software that lasts")).check()
    fill_person(page, email="series.fan@example.org")
    page.get_by_role("button", name=re.compile("register", re.I)).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    rows = Registration.objects.filter(email="series.fan@example.org").order_by("webinar__start")
    assert [(r.webinar.slug, r.status) for r in rows] == [
        ("open-data", "confirmed"),
        ("research-software", "confirmed"),
    ]
    outbox = delivered_mail()
    assert sorted(m.to[0] for m in outbox) == ["series.fan@example.org"] * 2


def tab_to(page, locator, limit: int = 40) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("e => e === document.activeElement"):
            return
    expect(locator).to_be_focused()


def test_keyboard_only_visitor_submits_the_form_and_lands_on_the_errors(open_page, site, viewport):
    page = open_page(viewport, "/webinars/open-data/register/")
    name = page.get_by_label("Name", exact=True)
    email = page.get_by_label("Email", exact=True)
    tab_to(page, name)
    page.keyboard.type("Ada")

    # The browser's own check first: Enter with the email empty puts the focus on it.
    page.keyboard.press("Enter")
    expect(email).to_be_focused()
    assert email.evaluate("e => e.validationMessage") != ""

    # An address the browser accepts but the site does not: the server's errors come back.
    page.keyboard.type("ada@example")
    tab_to(page, page.get_by_role("checkbox", name=re.compile("privacy notice")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Register"))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        ["Email: Please enter a valid email address, like name@example.org."]
    )
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("ada@example")
    expect(name).to_have_value("Ada")
    described_by = email.get_attribute("aria-describedby")
    error_text = " ".join(page.locator(f"#{i}").inner_text() for i in described_by.split())
    assert "Please enter a valid email address, like name@example.org." in error_text
    # The summary's link takes the keyboard user to the field.
    summary.get_by_role("link").press("Enter")
    expect(email).to_be_focused()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_registration_pages_have_no_axe_violations(open_page, site, viewport, scheme, mailoutbox):
    failures = {}
    pages = {
        "register": "/webinars/open-data/register/",
        "register-waiting-list": "/webinars/preprints/register/",
        "series-register": "/series/open-science/register/",
    }
    for name, path in pages.items():
        page = open_page(viewport, path, color_scheme=scheme)
        label = f"{viewport}{'-dark' if scheme == 'dark' else ''}-{name}"
        screenshot(page, label)
        if violations := axe_violations(page):
            failures[name] = describe(violations)
        if horizontal_overflow(page) > 0:
            failures[f"{name} overflow"] = "wider than the viewport"
        if name == "register":
            # An address the browser accepts and the site refuses: the server's error state.
            page.get_by_label("Name", exact=True).fill("Ada")
            page.get_by_label("Email", exact=True).fill("ada@example")
            page.get_by_role("checkbox", name=re.compile("privacy notice")).check()
            page.get_by_role("button", name="Register").click()
            expect(page.get_by_role("alert")).to_be_focused()
            screenshot(page, f"{label}-errors")
            if violations := axe_violations(page):
                failures["register-errors"] = describe(violations)
            fill_person(page, email=f"axe.{viewport}.{scheme}@example.org")
            page.get_by_role("button", name=re.compile("register", re.I)).click()
            screenshot(page, f"{label}-thanks")
            if violations := axe_violations(page):
                failures["thanks"] = describe(violations)
            personal = REGISTRATION_LINK.search(delivered_mail()[-1].body).group(0)
            for sub, url in [("personal-page", personal), ("cancel-confirm", f"{personal}cancel/")]:
                page.goto(url)
                screenshot(page, f"{label}-{sub}")
                if violations := axe_violations(page):
                    failures[sub] = describe(violations)
        page.context.close()

    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_registration_pages_are_valid_html(client, db, mailoutbox):
    build_site()
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    pages = {
        "register": client.get("/webinars/open-data/register/"),
        "register-errors": client.post("/webinars/open-data/register/", {"email": "nope"}),
        "series-register": client.get("/series/open-science/register/"),
        "series-register-errors": client.post("/series/open-science/register/", {}),
        "thanks": client.post(
            "/webinars/open-data/register/",
            {"name": "Valid Person", "email": "thanks@example.org", "consent": "on"},
            follow=True,
        ),
    }
    registration = Registration.objects.create(
        webinar=Webinar.objects.get(slug="open-data"),
        name="Valid Person",
        email="valid@example.org",
    )
    pages["personal-page"] = client.get(f"/registrations/{registration.token}/")
    pages["cancel-confirm"] = client.get(f"/registrations/{registration.token}/cancel/")
    files = []
    assert {name: r.status_code for name, r in pages.items()} == {
        "register": 200,
        "register-errors": 200,
        "series-register": 200,
        "series-register-errors": 200,
        "thanks": 200,
        "personal-page": 200,
        "cancel-confirm": 200,
    }
    assert "There is a problem" in pages["register-errors"].content.decode()
    assert "There is a problem" in pages["series-register-errors"].content.decode()
    assert "Thank you" in pages["thanks"].content.decode()
    for name, response in pages.items():
        file = HTML_DIR / f"registration-{name}.html"
        file.write_bytes(response.content)
        files.append(file)

    assert run_vnu(files) == {}
