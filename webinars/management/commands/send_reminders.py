"""Mail confirmed registrants their reminders (REMINDERS, or a series' or webinar's own), each
at most once. Cron-friendly: run it every few minutes; two at once send nothing twice."""

from django.core.management.base import BaseCommand, CommandError

from webinars.services import reminders_send_due


class Command(BaseCommand):
    help = (
        "Send the reminders that have come due: REMINDERS (default '1d, 1h' before the start), "
        "or the series' or webinar's own. Each reminder goes at most once, only to confirmed "
        "registrants, and never one whose moment came before the registration. Run it every "
        "few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="One reminder this many hours before the start, instead of the configured ones.",
        )

    def handle(self, *args, hours: int | None, **options):
        if hours is not None and (hours <= 0 or hours > 24 * 365):
            raise CommandError("--hours must be between 1 and 8760.")
        sent = reminders_send_due(leads=None if hours is None else (hours * 60,))
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} queued")
