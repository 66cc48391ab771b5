"""The data pages in a real browser: ask, read, erase; at phone and desktop size, light and
dark, with axe-core, no sideways scrolling and no cookie."""

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_role("heading", name="The data we keep about you")).to_be_visible()
    check(page, f"my-data-list-{size}-{scheme}")

    page.get_by_role("button", name="Erase all of it").click()
    expect(page.get_by_role("heading", name="Erase your data?")).to_be_visible()
    check(page, f"my-data-confirm-{size}-{scheme}")

    page.get_by_role("button", name="Yes, erase all of it").click()
    page.wait_for_url("**/privacy/my-data/erased/")
    check(page, f"my-data-erased-{size}-{scheme}")
    assert page.context.cookies() == []


def test_a_series_manager_answers_a_written_request_in_admin(
    open_page,
    world,  # noqa: F811
    django_user_model,
):
    user = django_user_model.objects.create_user(
        username="alpha-lead", password="alpha-lead-pass", is_staff=True
    )
    world.alpha.managers.add(user)
    page = open_page("desktop", "/admin/login/?next=/admin/privacy/honouredrequest/answer/")
    page.get_by_label("Username").fill("alpha-lead")
    page.get_by_label("Password").fill("alpha-lead-pass")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Email address").fill(ADA)
    page.get_by_role("button", name="Show what is kept").click()
    expect(page.get_by_role("heading", name="Registrations (2)")).to_be_visible()
    screenshot(page, "my-data-admin-answer-1366-light")

    page.get_by_role("button", name="Erase all of it…").click()
    expect(page.get_by_role("heading", name="Erase all of it?")).to_be_visible()
    screenshot(page, "my-data-admin-confirm-1366-light")
    page.get_by_role("button", name="Yes, erase all of it").click()
    expect(page.get_by_text("The data kept for this address is erased.")).to_be_visible()
    screenshot(page, "my-data-admin-list-1366-light")
