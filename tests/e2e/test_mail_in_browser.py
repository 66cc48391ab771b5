"""Every kind of message, rendered in Chromium as a mail client would: nothing wider than a phone.

Screenshots of each at 390 and 700 px, light and dark, go to artifacts/screenshots/mail/.
"""

import pytest

from tests.e2e.conftest import SCREENSHOTS
from tests.mail_kinds import every_mail_kind

# What is wider than the viewport: each element's right edge beyond it, the document's overflow.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {overflow: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def messages(db):
    return every_mail_kind()


def html_of(message) -> str:
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    return html


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_mail_kind_fits_a_phone(browser, messages, scheme):
    failures = {}
    for width in (390, 700):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        for kind, message in messages.items():
            page.set_content(html_of(message))
            measured = page.evaluate(TOO_WIDE)
            if width == 390 and (measured["overflow"] or measured["wide"]):
                failures[kind] = measured
            (SCREENSHOTS / "mail").mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SCREENSHOTS / "mail" / f"{kind}-{width}-{scheme}.png"), full_page=True
            )
        context.close()
    assert failures == {}
    assert len(messages) == 19


def test_dark_mode_turns_the_card_dark(browser, messages):
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme="dark")
    page = context.new_page()
    page.set_content(html_of(messages["registration_confirmed"]))
    card = page.locator(".m-card").first.evaluate("el => getComputedStyle(el).backgroundColor")
    text = page.locator("h1").evaluate("el => getComputedStyle(el).color")
    context.close()
    assert card == "rgb(23, 28, 35)"
    assert text == "rgb(231, 234, 238)"
