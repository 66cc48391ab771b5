"""Send the queued mail; re-queue deferred messages whose back-off has passed. Cron-friendly."""

import time

from django.core.management.base import BaseCommand, CommandError

from webinars.mail import queue_flush


class Command(BaseCommand):
    help = (
        "Send every queued message once (run it every minute from cron), retrying messages "
        "that failed before with exponential back-off. --loop SECONDS keeps it running."
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
            self.stdout.write(
                "{sent} sent, {deferred} deferred, {requeued} re-queued for retry".format(**counts)
            )
            if not loop:
                return
            time.sleep(loop)
