"""Fixtures for registration tests: the mail queue worker (tests/conftest.py empties the cache,
rate-limit counters included, around every test)."""

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def flush_mail(mailoutbox):
    """Run the queue worker once (as cron would) and return the outbox it delivered into."""

    def flush():
        call_command("send_queued_mail", stdout=io.StringIO())
        return mailoutbox

    return flush
