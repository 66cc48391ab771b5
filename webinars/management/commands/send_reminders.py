"""Mail confirmed registrants a reminder before their webinar, exactly once each. Cron-friendly."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from webinars.models import Registration, Webinar
from webinars.services import registration_send_reminder


class Command(BaseCommand):
    help = (
        "Send a reminder with the join link to confirmed registrants of webinars starting "
        "within the lead time (REMINDER_LEAD_HOURS, default 24). Each registration gets one "
        "reminder, however often this runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="Lead time in hours (default: REMINDER_LEAD_HOURS).",
        )

    def handle(self, *args, hours: int | None, **options):
        hours = settings.REMINDER_LEAD_HOURS if hours is None else hours
        if hours <= 0 or hours > 24 * 365:
            raise CommandError("--hours must be between 1 and 8760.")
        now = timezone.now()
        due = (
            Registration.objects.confirmed()
            .filter(
                reminder_sent_at__isnull=True,
                anonymised_at__isnull=True,
                webinar__status=Webinar.Status.SCHEDULED,
                webinar__start__gt=now,
                webinar__start__lte=now + timedelta(hours=hours),
            )
            .select_related("webinar")
            .order_by("webinar__start", "pk")
        )
        sent = sum(registration_send_reminder(registration=r, now=now) for r in due)
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} queued")
