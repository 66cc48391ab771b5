"""Shared fixtures."""

import functools
import importlib
import os
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections

# Every test runs at this moment, the clock ticking on from it, whatever the real date and hour:
# a midweek morning far from a daylight-saving change, so "a week from now" is an ordinary
# day. Tests about a particular moment (a DST night, 29 February) travel there themselves.
# SUITE_NOW=2027-03-28T00:30:00Z (ISO 8601 with an offset) starts it elsewhere: `make
# test-clock` reruns the suite at awkward instants, where a test that reads the clock
# without saying what it expects of it shows up. SUITE_NOW=now starts it at the machine's
# clock (as shifted by faketime, say).
DEFAULT_SUITE_NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


def _suite_now() -> datetime:
    value = os.environ.get("SUITE_NOW", "").strip()
    if not value:
        return DEFAULT_SUITE_NOW
    if value == "now":
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise pytest.UsageError(
            f"SUITE_NOW={value!r}: give an ISO 8601 instant with an offset, "
            "e.g. 2027-03-28T00:30:00Z"
        )
    return moment.astimezone(UTC)


SUITE_NOW = _suite_now()


def pytest_configure(config):
    # From collection on: parameters such as `timezone.now() - timedelta(days=2)` are worked
    # out when the test modules are imported.
    time_machine.travel(SUITE_NOW, tick=True).start()


def pytest_addoption(parser):
    parser.addoption(
        "--serial-only",
        action="store_true",
        help="run only the tests marked serial (make test runs them after the parallel ones)",
    )


def pytest_collection_modifyitems(config, items):
    # Tests marked serial time real waits (a frozen cache, a silent mail server) and would be
    # slowed by their neighbours: a parallel run (-n) leaves them out, --serial-only runs them.
    serial_only = config.getoption("--serial-only")
    # xdist workers get their options from the controller, without -n: workerinput marks them.
    parallel = getattr(config.option, "numprocesses", None) or hasattr(config, "workerinput")
    if not (serial_only or parallel):
        return
    keep, drop = [], []
    for item in items:
        (keep if bool(item.get_closest_marker("serial")) == serial_only else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config):
    return f"suite clock starts at {SUITE_NOW.isoformat()} (SUITE_NOW)"


@pytest.fixture(autouse=True)
def _clock():
    """Each test starts at SUITE_NOW; `_clock.shift()` / `.move_to()` moves it."""
    with time_machine.travel(SUITE_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def client(settings):
    """A visitor's browser: like every browser, it sends Origin with a form post."""
    from django.test import Client

    return Client(headers={"Origin": settings.SITE_URL})


@pytest.fixture
def seed(db):
    call_command("loaddata", "seed", verbosity=0)


@pytest.fixture
def organiser(db, django_user_model):
    user = django_user_model.objects.create_user(
        username="organiser", password="organiser-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Organisers"))
    return user


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test starts with an empty cache: cached pages must not leak between tests."""
    from django.core.cache import cache

    from tests.factories import empty_cache
    from webinars.models import site

    # The database is back as it was (rolled back or flushed): its content generation is read
    # anew, before the test, as a running site has read it already.
    site._remember(None)
    database = _database_fixture(request)
    if database:
        request.getfixturevalue(database)
        site.content_generation()
    empty_cache()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to a /nl/ page leaves Dutch active in the thread (LocaleMiddleware sets it and
    nothing resets it): each test starts, and leaves, in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# The data migrations that make the Organisers group and grant its permissions, in order.
ORGANISER_GRANTS = [
    ("webinars.migrations.0002_organisers_group", "create_group"),
    ("webinars.migrations.0006_org_organiser_tools", "grant_organisers"),
    ("afterwards.migrations.0002_organisers_after_the_webinar", "grant"),
    ("following.migrations.0002_organisers_see_followers", "grant"),
    ("hooks.migrations.0002_organisers_webhooks", "grant"),
]


@functools.cache
def _migrated_apps():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    return MigrationLoader(connection).project_state().apps


@pytest.fixture(autouse=True)
def _organisers_group(request):
    """A transactional test (a browser test's live server) ends by flushing the database, and
    with it the group the data migrations made; pytest-django runs those tests last, but not
    every one is recognised as such. Any test with the database finds the group as migrated."""
    database = _database_fixture(request)
    if not database:
        return
    request.getfixturevalue(database)
    if not Group.objects.filter(name="Organisers").exists():
        rebuild_organisers_group()


def _database_fixture(request) -> str | None:
    """The database fixture the test uses ("db" or "transactional_db"), None for none."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        return None
    transactional = names & {"transactional_db", "live_server"} or (
        marker and marker.kwargs.get("transaction")
    )
    return "transactional_db" if transactional else "db"


def rebuild_organisers_group() -> None:
    for module, function in ORGANISER_GRANTS:
        getattr(importlib.import_module(module), function)(_migrated_apps(), None)


@pytest.fixture(scope="session", autouse=True)
def _no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """PostgreSQL refuses to drop a database that a session still uses. A background mail
    thread or a killed subprocess of a test may hold one at the very end; end them, so the
    test database is always dropped (and the next run can create it)."""
    yield
    if connections["default"].vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
