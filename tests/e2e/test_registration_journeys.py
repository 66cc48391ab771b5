"""Registration journeys in Chromium, written against the contract (issue 3, branch `reg`).

Contract points these tests rely on:
- URLs: /webinars/<slug>/register/, /series/<slug>/register/, /registrations/<token>/
- form labels: Name, Email, Organisation, and one consent checkbox (privacy notice)
- each registrant gets a mail with a link to /registrations/<token>/; their page cancels by POST
- errors: the form comes back with the errors focused and tied to their fields

They are excluded on branches without the registration feature by pyproject's addopts
(`-m 'not needs_registration'`); remove that once registration lands.
"""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, describe, horizontal_overflow, screenshot
from tests.e2e.site import build_site
from tests.e2e.test_html_valid import HTML_DIR, run_vnu
from webinars.models import Registration, Webinar

pytestmark = [pytest.mark.e2e, pytest.mark.needs_registration]

REGISTRATION_LINK = re.compile(r"/registrations/[A-Za-z0-9_-]{16,}/")


@pytest.fixture
def site(live_server):
    return build_site()


def wait_for_mail(count: int, timeout: float = 10.0) -> list:
    """The locmem outbox once it holds `count` messages (mail may go out just after commit)."""
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == count, [m.subject for m in mail.outbox]
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

    expect(page.locator("main")).to_contain_text("rosalind@example.org")
    message = wait_for_mail(1)[0]
    assert message.to == ["rosalind@example.org"]
    assert "Open data in practice" in message.subject
    path = REGISTRATION_LINK.search(message.body).group(0)

    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open data in practice")
    expect(page.locator("main")).to_contain_text(re.compile("confirmed", re.I))
    page.get_by_role("button", name=re.compile("cancel", re.I)).click()

    expect(page.locator("main")).to_contain_text(re.compile("cancelled", re.I))
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

    expect(page.locator("main")).to_contain_text("series.fan@example.org")
    rows = Registration.objects.filter(email="series.fan@example.org").order_by("webinar__start")
    assert [(r.webinar.slug, r.status) for r in rows] == [
        ("open-data", "confirmed"),
        ("research-software", "confirmed"),
    ]
    sent = wait_for_mail(1) if len(mail.outbox) <= 1 else mail.outbox
    assert all(m.to == ["series.fan@example.org"] for m in sent)


def test_keyboard_only_visitor_submits_the_form_and_lands_on_the_errors(open_page, site, viewport):
    page = open_page(viewport, "/webinars/open-data/register/")
    name = page.get_by_label("Name", exact=True)
    for _ in range(30):
        page.keyboard.press("Tab")
        if name.evaluate("e => e === document.activeElement"):
            break
    expect(name).to_be_focused()
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    page.keyboard.type("not-an-email")
    page.keyboard.press("Enter")

    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    # Focus lands on the error summary or on the first field in error; either way it is readable.
    assert focused.evaluate(
        "e => e.matches('[aria-invalid=true]') || /error|problem/i.test(e.textContent)"
    )
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("not-an-email")
    described_by = email.get_attribute("aria-describedby")
    assert described_by
    error_text = " ".join(page.locator(f"#{i}").inner_text() for i in described_by.split())
    assert "email" in error_text.lower()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_registration_pages_have_no_axe_violations(open_page, site, viewport, scheme):
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
            page.get_by_role("button", name=re.compile("register", re.I)).click()
            screenshot(page, f"{label}-errors")
            if violations := axe_violations(page):
                failures["register-errors"] = describe(violations)
            fill_person(page, email="axe@example.org")
            page.get_by_role("button", name=re.compile("register", re.I)).click()
            own = REGISTRATION_LINK.search(page.content())
            if own:
                page.goto(own.group(0))
            screenshot(page, f"{label}-personal-page")
            if violations := axe_violations(page):
                failures["personal-page"] = describe(violations)
        page.context.close()

    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_registration_pages_are_valid_html(client, db, mailoutbox):
    build_site()
    HTML_DIR.mkdir(parents=True, exist_ok=True)
    pages = {
        "register": client.get("/webinars/open-data/register/"),
        "register-errors": client.post("/webinars/open-data/register/", {"email": "nope"}),
        "series-register": client.get("/series/open-science/register/"),
    }
    registration = Registration.objects.create(
        webinar=Webinar.objects.get(slug="open-data"),
        name="Valid Person",
        email="valid@example.org",
    )
    pages["personal-page"] = client.get(f"/registrations/{registration.token}/")
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        file = HTML_DIR / f"registration-{name}.html"
        file.write_bytes(response.content)
        files.append(file)

    assert run_vnu(files) == {}
