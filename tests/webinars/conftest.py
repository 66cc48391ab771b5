"""Fixtures for registration tests: the mail queue worker and a fresh rate-limit cache."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def flush_mail(mailoutbox):
    """Run the queue worker once (as cron would) and return the outbox it delivered into."""

    def flush():
        call_command("send_queued_mail", stdout=io.StringIO())
        return mailoutbox

    return flush
