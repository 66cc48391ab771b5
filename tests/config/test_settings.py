"""Settings read from the environment, and start-up checks an operator sees."""

import pytest
from django.core.management import call_command

from tests.config.run_manage import run_manage


def _run_check(**env_overrides):
    return run_manage("check", **env_overrides)


def test_missing_secret_key_without_debug_stops_with_one_line():
    result = _run_check()

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "SECRET_KEY is not set: set it in the environment or .env (or set DEBUG=on for local development)."
    ]


def test_debug_on_starts_without_secret_key():
    result = _run_check(DEBUG="on")

    assert result.returncode == 0, result.stderr


def test_production_settings_start_with_a_secret_key():
    result = _run_check(SECRET_KEY="x" * 60, ALLOWED_HOSTS="webinars.example.org")

    assert result.returncode == 0, result.stderr


def test_models_and_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_load_demo_is_idempotent_and_upcoming(db):
    from webinars.models import Webinar

    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)

    demo = Webinar.objects.filter(series__slug="demo-series")
    assert demo.count() == 3
    assert demo.upcoming().count() == 3
    assert all(w.join_url for w in demo)


@pytest.mark.parametrize("command", [["loaddata", "seed"]])
def test_seed_fixture_loads_twice_without_duplicates(db, command):
    from webinars.models import Webinar

    call_command(*command, verbosity=0)
    call_command(*command, verbosity=0)

    assert Webinar.objects.filter(series__slug="responsible-supply-chain-electronics").count() == 3


def test_sqlite_keeps_its_connections_and_writes_ahead(tmp_path):
    # A new SQLite connection reads the schema again; WAL lets pages read during a write.
    database = tmp_path / "site.sqlite3"
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode');"
        "print(settings.DATABASES['default']['CONN_MAX_AGE'], c.fetchone()[0])",
        DEBUG="on",
        DATABASE_URL=f"sqlite:///{database}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["60", "wal"]


def test_unknown_language_stops_start_up_with_one_line():
    result = _run_check(DEBUG="on", LANGUAGES="en,nl,de")

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "LANGUAGES=en,nl,de: no translation shipped for de; choose among en,nl,fr."
    ]


@pytest.mark.parametrize(
    "value, offered",
    [
        (None, "en-gb,nl,fr"),
        ("nl", "en-gb,nl"),
        ("en-gb, fr", "en-gb,fr"),
        ("", "en-gb"),
    ],
)
def test_languages_setting_picks_shipped_languages_and_keeps_english(value, offered):
    overrides = {"DEBUG": "on"} if value is None else {"DEBUG": "on", "LANGUAGES": value}
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(','.join(c for c, _ in settings.LANGUAGES))",
        **overrides,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == offered


def test_a_dummy_cache_migrates_with_a_warning_that_rate_limits_are_off(tmp_path):
    result = run_manage(
        "migrate",
        "--no-input",
        DEBUG="on",
        CACHE_URL="dummycache://",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert "django_ratelimit" not in result.stdout + result.stderr
    assert "(webinars.W003) The cache is the dummy cache" in result.stdout + result.stderr


@pytest.mark.parametrize(("cache_url", "enabled"), [("dummycache://", "False"), ("", "True")])
def test_rate_limits_are_off_only_with_the_dummy_cache(tmp_path, cache_url, enabled):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.RATELIMIT_ENABLE)",
        DEBUG="on",
        CACHE_URL=cache_url,
        CACHE_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == enabled
