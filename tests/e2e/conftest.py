"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Without /usr/bin/chromium these tests skip with one line of reason, except in CI (CI=true),
where a missing browser is a failure: CI must prove the pages work in a browser.
Never run `playwright install`: the system Chromium is the browser under test.
"""

import importlib
import json
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
NARROW = {"width": 320, "height": 640}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
# The desktop visitor sits in the webinars' zone; the phone visitor is abroad, so pages also
# show (through static/js/localtime.js) the visitor's own time, and the checks cover it.
TIME_ZONES = {"phone": "America/New_York", "desktop": "Europe/Brussels"}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, what: str) -> None:
    """Skip with a one-line reason when a tool is missing; fail instead in CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} is missing; CI must have it (see .ci/run)", pytrace=False)
    pytest.skip(f"{what} is missing; install it to run this check")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each journey starts with an empty cache: the registration rate limit counts per client
    address, and every browser test comes from 127.0.0.1."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium with flags that suit a headless, offline container."""
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    """Each journey runs at a phone and a desktop size."""
    return request.param


@pytest.fixture
def open_page(browser, live_server, settings):
    """open_page(viewport_name, path, color_scheme=...) -> a Page on the live server."""
    # Forms are accepted from the site's own origin only: here, the live server's.
    settings.SITE_URL = live_server.url
    contexts = []

    def _open(viewport_name, path="/", color_scheme="light", size=None):
        context = browser.new_context(
            viewport=size or VIEWPORTS[viewport_name],
            color_scheme=color_scheme,
            base_url=live_server.url,
            locale="en-GB",
            timezone_id=TIME_ZONES[viewport_name],
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield _open
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored, all default rules) on the page; return its violations."""
    page.evaluate(AXE_SOURCE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [json.dumps(n["target"]) for n in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {', '.join(targets)}")
    return "\n".join(lines)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.fixture
def e2e_organiser(transactional_db, django_user_model):
    """An organiser account as in production: staff, in the Organisers group.

    Transactional tests flush the database between tests, which removes the group the data
    migration made; rebuild it from the same migration's permission lists.
    """
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("webinars.migrations.0002_organisers_group")
    codenames = []
    for models in migration.CONTENT.values():
        for model in models:
            codenames += [f"{action}_{model}" for action in ("add", "change", "delete", "view")]
    for models in migration.REGISTRATIONS.values():
        for model, actions in models.items():
            codenames += [f"{action}_{model}" for action in actions]
    group, _ = Group.objects.get_or_create(name="Organisers")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["series", "webinars"], codename__in=codenames
        )
    )
    user = django_user_model.objects.create_user(
        username="organiser", password="organiser-pass", is_staff=True
    )
    user.groups.add(group)
    return user
