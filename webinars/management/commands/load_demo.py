"""Create one clearly marked demo series with upcoming webinars to try registering.

Idempotent: run it as often as you like. It creates what is missing and moves a demo webinar
that has ended back to the coming weeks; what an organiser changed is kept. It never touches
the seed data.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from series.models import Series
from webinars.models import Speaker, Webinar, WebinarSpeaker
from webinars.rules import phase

DEMO_SLUG = "demo-series"
DEMO_TZ = "Europe/Brussels"
DEMO_WEBINARS = [
    # (slug, days from today, local start hour, title, capacity, time zone)
    ("demo-getting-started", 7, 10, "Demo: Getting started with webinars", 50, DEMO_TZ),
    ("demo-small-room", 14, 15, "Demo: A small room (capacity 2, then a waiting list)", 2, DEMO_TZ),
    ("demo-across-the-atlantic", 21, 11, "Demo: Across the Atlantic", None, "America/New_York"),
]
# The same content in Dutch, so that the demo's /nl/ pages are Dutch throughout.
DEMO_TITLES_NL = {
    "demo-getting-started": "Demo: Aan de slag met webinars",
    "demo-small-room": "Demo: Een kleine zaal (2 plaatsen, daarna een wachtlijst)",
    "demo-across-the-atlantic": "Demo: Over de Atlantische Oceaan",
}


class Command(BaseCommand):
    help = "Create the demo series; move its ended webinars to the coming weeks."

    @transaction.atomic
    def handle(self, *args, **options):
        series, _ = Series.objects.get_or_create(
            slug=DEMO_SLUG,
            defaults={
                "title": "Demo series (sample content, not a real event)",
                "description": (
                    "**This is demo content** created by `python manage.py load_demo` so you can "
                    "try registering. Delete it in admin before going live."
                ),
                "title_nl": "Demoreeks (voorbeeldinhoud, geen echt evenement)",
                "description_nl": (
                    "**Dit is demo-inhoud**, gemaakt door `python manage.py load_demo` zodat u "
                    "het inschrijven kunt uitproberen. Verwijder ze in het beheer voordat de site "
                    "live gaat."
                ),
            },
        )
        host, _ = Speaker.objects.get_or_create(
            slug="demo-host",
            defaults={
                "name": "Demo Host",
                "affiliation": "Example Organisation",
                "affiliation_nl": "Voorbeeldorganisatie",
            },
        )
        today = timezone.localdate()
        for number, (slug, days, hour, title, capacity, tz_name) in enumerate(DEMO_WEBINARS, 1):
            day = today + timedelta(days=days)
            tz = zoneinfo.ZoneInfo(tz_name)
            start = datetime.combine(day, time(hour), tzinfo=tz)
            webinar, created = Webinar.objects.get_or_create(
                slug=slug,
                defaults={
                    "series": series,
                    "number": number,
                    "title": title,
                    "description": "A demo webinar. Register to see the confirmation mail and your own page.",
                    "title_nl": DEMO_TITLES_NL[slug],
                    "description_nl": (
                        "Een demowebinar. Schrijf u in om de bevestigingsmail en uw eigen pagina "
                        "te zien."
                    ),
                    "start": start,
                    "end": start + timedelta(hours=1),
                    "time_zone": tz_name,
                    "capacity": capacity,
                    "status": Webinar.Status.SCHEDULED,
                    "is_published": True,
                    "join_url": f"https://meet.example.org/{slug}",
                },
            )
            if created:
                WebinarSpeaker.objects.create(
                    webinar=webinar, speaker=host, role=WebinarSpeaker.Role.MODERATOR
                )
            elif phase.is_over(webinar, timezone.now()):
                # A plain save, not services.webinar_save: refreshing demo content is not news,
                # so the ended demo's registrants are not mailed a new time.
                webinar.end = start + (webinar.end - webinar.start)
                webinar.start = start
                webinar.save(update_fields=["start", "end", "updated"])
        self.stdout.write(self.style.SUCCESS(f"Demo series ready: {series.get_absolute_url()}"))
