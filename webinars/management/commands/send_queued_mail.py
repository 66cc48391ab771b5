"""Compose recorded mail, re-queue deferred messages whose back-off has passed, send. Cron-friendly."""

import time

from django.core.management.base import BaseCommand, CommandError

from webinars.mail import queue_flush


class Command(BaseCommand):
    help = (
        "Compose every recorded message and send everything queued, once (run it every minute "
        "from cron), retrying what failed before with exponential back-off. --loop SECONDS keeps "
        "it running."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, one pass every SECONDS (for a supervised worker).",
        )

    def handle(self, *args, loop: int, **options):
        if loop < 0:
            raise CommandError("--loop must be 0 (one pass) or a number of seconds.")
        while True:
            counts = queue_flush()
            # A worker polling every second reports only the passes that did something.
            if not loop or any(n for name, n in counts.items() if name != "deferred"):
                self.stdout.write(summary(counts))
                self.stdout.flush()
            if not loop:
                return
            time.sleep(loop)


def summary(counts: dict[str, int]) -> str:
    line = (
        "{composed} composed, {sent} sent, {deferred} deferred, {requeued} re-queued for retry"
    ).format(**counts)
    if counts["failed"]:
        line += ", {failed} failed to compose (kept for a retry, see the log)".format(**counts)
    return line
