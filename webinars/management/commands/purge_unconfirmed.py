"""Delete registrations whose address was not confirmed in time. Cron-friendly."""

from django.core.management.base import BaseCommand

from webinars.services import registrations_purge_unconfirmed


class Command(BaseCommand):
    help = (
        "Delete the registrations held for an address confirmation that did not come within "
        "REGISTRATION_HOLD_MINUTES. They held no seat; their link then says the hold expired."
    )

    def handle(self, *args, **options):
        purged = registrations_purge_unconfirmed()
        self.stdout.write(f"{purged} unconfirmed registration{'s' if purged != 1 else ''} deleted")
