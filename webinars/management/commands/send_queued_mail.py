"""Compose and send the recorded mail that is due, retrying failures with back-off. Cron-friendly."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from webinars.mail import queue_flush

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Compose and send every recorded message that is due, once (run it every minute from "
        "cron), retrying what failed before with exponential back-off. --loop SECONDS keeps it "
        "running."
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
            try:
                counts = queue_flush()
            except Exception as error:
                # A failing message never gets here (it is recorded and retried): this is the
                # worker's own trouble, such as the database being away. One pass says so with
                # its exit code; a loop keeps trying.
                if not loop:
                    raise CommandError(f"The mail worker could not run: {error!r}") from error
                logger.exception("Mail worker pass failed; trying again in %s s", loop)
                close_old_connections()
                time.sleep(loop)
                continue
            # A worker polling every second reports only the passes that did something.
            if not loop or any(
                n for name, n in counts.items() if name not in ("retrying", "given_up")
            ):
                self.stdout.write(summary(counts))
                self.stdout.flush()
            if counts["failed"] and not counts["sent"]:
                # Nothing went out although mail was due: the mail server refuses or does not
                # answer. The messages wait for their retry; cron and the supervisor must hear.
                logger.error("No mail could be sent: %s", summary(counts))
                if not loop:
                    raise CommandError(f"No mail could be sent: {summary(counts)}")
            if not loop:
                return
            time.sleep(loop)


def summary(counts: dict[str, int]) -> str:
    line = "{sent} sent, {retrying} waiting to retry".format(**counts)
    if counts["failed"]:
        line += ", {failed} failed (kept for a retry, see the log)".format(**counts)
    if counts.get("given_up"):
        line += ", {given_up} given up (see admin)".format(**counts)
    return line
