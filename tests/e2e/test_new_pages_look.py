"""This round's new pages in Chromium: the meeting room that could not be opened, a speaker's
host link, single sign-on's problem pages, and the organisers' webhook, token and meeting
blocks in admin. Each is checked with axe-core, for sideways scrolling, and (visitors' pages)
for cookies; a screenshot of each goes to artifacts/screenshots/ for review."""

import re
from datetime import timedelta
from unittest import mock
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hooks import recording
from hooks.models import WebhookEndpoint
from meetings import services
from meetings.views import host_link_token
from sso import discovery
from tests.e2e.conftest import (
    AXE_SOURCE,
    NARROW,
    SCREENSHOTS,
    describe,
    horizontal_overflow,
    screenshot,
)
from tests.e2e.test_layout_in_browser import admin_login
from tests.factories import add_speaker, make_registration, make_speaker, make_webinar
from tests.fake_bbb import FakeBigBlueButton
from tests.sso import provider as oidc
from tests.sso.conftest import ACCOUNTS, sso_settings  # noqa: F401 (a fixture)
from tests.sso.provider import free_port, path_of, through_provider

pytestmark = [pytest.mark.e2e]

SIZES = {"phone": 390, "desktop": 1366}
# Serious and critical findings fail; the rest is judged on the screenshots.
BLOCKING = {"serious", "critical"}


def axe_violations(page, within: str = "document") -> list[dict]:
    """axe-core's violations on the page, or within one part of it (a CSS selector)."""
    page.evaluate(AXE_SOURCE)
    context = "document" if within == "document" else f"document.querySelector({within!r})"
    return page.evaluate(
        f"async () => (await axe.run({context}, {{resultTypes: ['violations']}})).violations"
    )


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def check(page, name: str, failures: dict, *, cookie_free: bool = True) -> None:
    screenshot(page, name)
    if found := blocking(axe_violations(page)):
        failures[name] = describe(found)
    if (overflow := horizontal_overflow(page)) > 0:
        failures[f"{name} overflow"] = f"{overflow}px wider than the viewport"
    if cookie_free and page.context.cookies():
        failures[f"{name} cookies"] = str(page.context.cookies())


def visit(open_page, viewport_name: str, path: str, **options):
    """A page with the browser's clock pinned to the server's (the suite's), so that the
    relative times localtime.js adds ("in 7 days") read as a visitor would see them."""
    page = open_page(viewport_name, "about:blank", **options)
    page.clock.set_fixed_time(timezone.now())
    page.goto(path)
    return page


def narrow(open_page, path: str, name: str, failures: dict) -> None:
    page = visit(open_page, "phone", path, size=NARROW)
    screenshot(page, f"look-narrow-320-{name}")
    if (overflow := horizontal_overflow(page)) > 0:
        failures[f"{name} at 320px"] = f"{overflow}px wider than the viewport"
    page.context.close()


@pytest.fixture
def bbb(settings):
    fake = FakeBigBlueButton().start()
    settings.BBB_API_URL = fake.api_url
    settings.BBB_SECRET = fake.secret
    settings.BBB_CHECKSUM = "sha1"
    settings.MEETING_TIMEOUT_SECONDS = 2
    yield fake
    fake.stop()


@pytest.fixture
def meeting_site(live_server, bbb):
    """A BigBlueButton webinar about to start, its room made, a speaker and a registrant; a
    second one next week, whose room is not open yet."""
    now = timezone.now()
    soon = make_webinar(
        slug="cobalt",
        title="Cobalt supply chains: who checks the smelters?",
        meeting_provider="bigbluebutton",
        start=now + timedelta(minutes=10),
    )
    add_speaker(soon, make_speaker(name="Katherine Johnson", affiliation="NASA Langley"))
    add_speaker(soon, make_speaker(name="Alan Turing"), role="moderator")
    registrant = make_registration(soon, status="confirmed", name="Ada Lovelace")
    services.room_ready(soon, now)
    later = make_webinar(
        slug="lithium",
        title="Lithium refining in Europe",
        meeting_provider="bigbluebutton",
        start=now + timedelta(days=7),
    )
    token = host_link_token(later, name="Katherine Johnson", key="speaker:1")
    return {
        "soon": soon,
        "join": reverse("webinars:registration_join", kwargs={"token": registrant.token}),
        "host": reverse("meetings_host:host", kwargs={"token": token}),
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_meeting_pages_read_well_and_set_no_cookie(
    open_page, meeting_site, bbb, viewport_name, scheme
):
    bbb.stop()
    size = SIZES[viewport_name]
    failures = {}
    for language in ("", "/nl"):
        tag = language.strip("/") or "en"
        page = visit(
            open_page, viewport_name, f"{language}{meeting_site['join']}", color_scheme=scheme
        )
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(
            {"en": "The meeting room could not be opened", "nl": "De vergaderruimte kon niet worden geopend"}[tag]
        )  # fmt: skip
        check(page, f"look-meeting-unavailable-{tag}-{size}-{scheme}", failures)
        page.context.close()

        page = visit(
            open_page, viewport_name, f"{language}{meeting_site['host']}", color_scheme=scheme
        )
        expect(page.locator("main")).to_contain_text("Lithium refining in Europe")
        check(page, f"look-meeting-host-link-{tag}-{size}-{scheme}", failures)
        page.context.close()
    if viewport_name == "phone" and scheme == "light":
        narrow(open_page, meeting_site["join"], "meeting-unavailable", failures)
        narrow(open_page, meeting_site["host"], "meeting-host-link", failures)
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_join_page_answers_503_with_a_retry(open_page, meeting_site, bbb):
    bbb.stop()
    page = open_page("phone", "/")
    response = page.goto(meeting_site["join"])
    assert response.status == 503
    assert response.headers["retry-after"] == "60"
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The meeting room could not be opened"
    )


@pytest.fixture(scope="module")
def live_provider(live_server):
    """The suite's OpenID provider, its client's callback on the live server (the site gives
    the provider its own address as it is reached, and the provider checks it)."""
    with mock.patch.object(oidc, "CALLBACK", f"{live_server.url}/oidc/callback/"):
        running = oidc.start_provider()
    yield running
    running.stop()


@pytest.fixture
def provider(sso_settings, live_provider):  # noqa: F811
    sso_settings.OIDC_ISSUER = live_provider.issuer
    for account, account_claims in ACCOUNTS.items():
        live_provider.set_account(account, account_claims)
    live_provider.sync_clock()
    return live_provider


def _start(page, next_url: str) -> str:
    """The sign-in's first step in the page's own browser (its session keeps state and nonce);
    the address it sends the browser to at the provider."""
    answer = page.request.get(f"/oidc/authenticate/?next={next_url}", max_redirects=0)
    assert answer.status == 302, answer.text()
    return answer.headers["location"]


def _forged(back: str) -> str:
    parts = urlsplit(back)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "forged-" + query["state"]
    return f"{parts.path}?{urlencode(query)}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
def test_single_sign_on_problem_pages_read_well(
    open_page,
    settings,
    provider,
    viewport_name,
    scheme,
):
    size = SIZES[viewport_name]
    failures = {}
    expected = {
        "en": {
            "refused": "No access to this site's administration",
            "not-completed": "Sign-in was not completed",
            "unavailable": "Sign-in is not available right now",
        },
        "nl": {
            "refused": "Geen toegang tot het beheer van deze site",
            "not-completed": "Aanmelden is niet voltooid",
            "unavailable": "Aanmelden is op dit moment niet mogelijk",
        },
    }
    for tag, admin_path in (("en", "/admin/"), ("nl", "/nl/admin/")):
        page = open_page(viewport_name, f"{admin_path}login/", color_scheme=scheme)
        expect(page.get_by_role("link", name="Test ID")).to_be_visible()
        check(page, f"look-sso-login-{tag}-{size}-{scheme}", failures, cookie_free=False)

        back = through_provider(provider, _start(page, admin_path), "outsider")
        assert page.goto(path_of(back)).status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text(expected[tag]["refused"])
        check(page, f"look-sso-refused-{tag}-{size}-{scheme}", failures, cookie_free=False)

        back = through_provider(provider, _start(page, admin_path), "organiser")
        assert page.goto(_forged(back)).status == 400
        expect(page.get_by_role("heading", level=1)).to_have_text(expected[tag]["not-completed"])
        check(page, f"look-sso-not-completed-{tag}-{size}-{scheme}", failures, cookie_free=False)
        page.context.close()

    # The provider goes away: the sign-in cannot start.
    real_issuer = settings.OIDC_ISSUER
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    discovery.forget()
    try:
        for tag, admin_path in (("en", "/admin/"), ("nl", "/nl/admin/")):
            page = open_page(
                viewport_name, f"/oidc/authenticate/?next={admin_path}", color_scheme=scheme
            )
            expect(page.get_by_role("heading", level=1)).to_have_text(expected[tag]["unavailable"])
            check(page, f"look-sso-unavailable-{tag}-{size}-{scheme}", failures)
            page.context.close()
    finally:
        settings.OIDC_ISSUER = real_issuer
        discovery.forget()
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_blocks_of_this_round_read_well_at_1366px(
    open_page, meeting_site, e2e_organiser, bbb, scheme
):
    failures = {}
    page = open_page("desktop", "/", color_scheme=scheme)
    admin_login(page)

    page.goto("/admin/hooks/webhookendpoint/add/")
    check(page, f"look-admin-webhook-add-1366-{scheme}", failures, cookie_free=False)
    page.get_by_label("URL").fill("https://receiver.example.org/webinars")
    page.get_by_label("description").fill("The CRM's intake")
    page.get_by_role("checkbox", name=re.compile("a registration was made")).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("Signing secret")).to_have_value(re.compile("^whsec_"))
    check(page, f"look-admin-webhook-secret-1366-{scheme}", failures, cookie_free=False)

    recording.record_test(WebhookEndpoint.objects.get(), timezone.now())
    page.goto("/admin/hooks/webhookdelivery/")
    check(page, f"look-admin-webhook-deliveries-1366-{scheme}", failures, cookie_free=False)

    page.goto("/admin/api/apitoken/add/")
    page.get_by_label("Name").fill("Registrations to the CRM")
    page.get_by_role("button", name="Save", exact=True).click()
    token = page.get_by_label("Token")
    expect(token).to_have_value(re.compile("^wbt_"))
    check(page, f"look-admin-token-once-1366-{scheme}", failures, cookie_free=False)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token.input_value()

    bbb.stop()
    page.goto(meeting_site["join"])  # a failed join: its error shows in the meeting block
    page.goto(f"/admin/webinars/webinar/{meeting_site['soon'].pk}/change/")
    expect(page.get_by_role("link", name="Start as host")).to_be_visible()
    block = page.locator(".field-meeting_state")
    expect(block).to_contain_text("could not be reached")
    screenshot(page, f"look-admin-webinar-meeting-1366-{scheme}")
    block.screenshot(path=str(SCREENSHOTS / f"look-admin-webinar-meeting-block-1366-{scheme}.png"))
    # The meeting block is this round's; the rest of the webinar's form is Django's own.
    if found := blocking(axe_violations(page, ".field-meeting_state")):
        failures["meeting block"] = describe(found)
    if block.evaluate("el => el.scrollWidth - el.clientWidth") > 0:
        failures["meeting block overflow"] = "wider than its box"
    assert failures == {}, "\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_a_secret_shown_once_is_there_to_copy_without_javascript(
    browser, live_server, settings, e2e_organiser
):
    settings.SITE_URL = live_server.url
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    page = context.new_page()
    admin_login(page)
    page.goto("/admin/api/apitoken/add/")
    page.get_by_label("Name").fill("No script")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_label("Token")).to_have_value(re.compile("^wbt_"))
    expect(page.get_by_label("Token")).to_have_attribute("readonly", "")
    # The button needs the script; without it, the page says how to copy instead.
    expect(page.locator("button.copy-button")).to_be_hidden()
    expect(page.get_by_text("select all of it")).to_be_visible()
    context.close()
