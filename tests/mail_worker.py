"""One pass of the mail worker as cron runs it, for tests that look at what it sent."""

import io

from django.core.management import call_command
from django.core.management.base import CommandError


def send_queued_mail() -> str:
    """Runs `send_queued_mail` once and returns what it printed.

    A pass that could send nothing although mail was due exits non-zero (tested in
    tests/webinars/test_mail_worker_crash.py); here its report is what the caller reads.
    """
    out = io.StringIO()
    try:
        call_command("send_queued_mail", stdout=out)
    except CommandError as error:
        if not str(error).startswith("No mail could be sent"):
            raise
    return out.getvalue()
