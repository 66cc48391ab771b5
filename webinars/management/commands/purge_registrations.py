"""Anonymise registrants' personal data some days after their webinar. Cron-friendly (daily)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from webinars.services import registrations_purge


class Command(BaseCommand):
    help = (
        "Remove the name, email and organisation of registrations whose webinar ended more "
        "than DAYS days ago (REGISTRATION_RETENTION_DAYS, default 90). Counts stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Days after the webinar.")

    def handle(self, *args, days: int | None, **options):
        days = settings.REGISTRATION_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        count = registrations_purge(older_than_days=days)
        self.stdout.write(f"{count} registration{'s' if count != 1 else ''} anonymised")
