"""The data pages in a real browser: ask, read, erase; at phone and desktop size, light and
dark, with axe-core, no sideways scrolling and no cookie."""

import pytest

from tests.e2e.conftest import axe_violations, describe, horizontal_overflow, screenshot
from tests.mail_worker import send_queued_mail
from tests.privacy.conftest import ADA, settings_queued, world  # noqa: F401 (fixtures)


def check(page, name):
    violations = axe_violations(page)
    assert not violations, f"{name}:\n{describe(violations)}"
    assert horizontal_overflow(page) == 0, name
    screenshot(page, name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_asking_reading_and_erasing_ones_data(open_page, world, mailoutbox, viewport_name, scheme):  # noqa: F811
    size = {"phone": 390, "desktop": 1366}[viewport_name]
    page = open_page(viewport_name, "/privacy/my-data/", color_scheme=scheme)
    check(page, f"my-data-ask-{size}-{scheme}")

    page.get_by_label("Your email address").fill(ADA)
    page.get_by_role("button", name="Mail me the link").click()
    page.wait_for_url("**/privacy/my-data/sent/")
    check(page, f"my-data-sent-{size}-{scheme}")

    send_queued_mail()
    [message] = [m for m in mailoutbox if m.to == [ADA]]
    link = "/privacy/my-data/" + message.body.split("/privacy/my-data/")[1].split("/")[0] + "/"
    page.goto(link)
    assert page.get_by_role("heading", name="The data we keep about you").is_visible()
    check(page, f"my-data-list-{size}-{scheme}")

    page.get_by_role("button", name="Erase all of it").click()
    assert page.get_by_role("heading", name="Erase your data?").is_visible()
    check(page, f"my-data-confirm-{size}-{scheme}")

    page.get_by_role("button", name="Yes, erase all of it").click()
    page.wait_for_url("**/privacy/my-data/erased/")
    check(page, f"my-data-erased-{size}-{scheme}")
    assert page.context.cookies() == []
