"""Create (or refresh) one clearly marked demo series with upcoming webinars to try registering.

Idempotent: run it as often as you like; it updates the same rows, moving their dates to the
coming weeks. It never touches the seed data.
"""

import zoneinfo
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from series.models import Series
from webinars.models import Speaker, Webinar, WebinarSpeaker

DEMO_SLUG = "demo-series"
DEMO_TZ = "Europe/Brussels"
DEMO_WEBINARS = [
    # (slug, days from today, local start hour, title, capacity, time zone)
    ("demo-getting-started", 7, 10, "Demo: Getting started with webinars", 50, DEMO_TZ),
    ("demo-small-room", 14, 15, "Demo: A small room (capacity 2, then a waiting list)", 2, DEMO_TZ),
    ("demo-across-the-atlantic", 21, 11, "Demo: Across the Atlantic", None, "America/New_York"),
]


class Command(BaseCommand):
    help = "Create or refresh the demo series (upcoming webinars relative to today)."

    @transaction.atomic
    def handle(self, *args, **options):
        series, _ = Series.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                "title": "Demo series (sample content, not a real event)",
                "description": (
                    "**This is demo content** created by `python manage.py load_demo` so you can "
                    "try registering. Delete it in admin before going live."
                ),
            },
        )
        host, _ = Speaker.objects.update_or_create(
            slug="demo-host", defaults={"name": "Demo Host", "affiliation": "Example Organisation"}
        )
        today = timezone.localdate()
        for number, (slug, days, hour, title, capacity, tz_name) in enumerate(DEMO_WEBINARS, 1):
            day = today + timedelta(days=days)
            tz = zoneinfo.ZoneInfo(tz_name)
            start = datetime.combine(day, time(hour), tzinfo=tz)
            webinar, _ = Webinar.objects.update_or_create(
                slug=slug,
                defaults={
                    "series": series,
                    "number": number,
                    "title": title,
                    "description": "A demo webinar. Register to see the confirmation mail and your own page.",
                    "start": start,
                    "end": start + timedelta(hours=1),
                    "time_zone": tz_name,
                    "capacity": capacity,
                    "status": Webinar.Status.SCHEDULED,
                    "is_published": True,
                    "join_url": f"https://meet.example.org/{slug}",
                },
            )
            WebinarSpeaker.objects.get_or_create(
                webinar=webinar, speaker=host, role=WebinarSpeaker.Role.MODERATOR
            )
        self.stdout.write(self.style.SUCCESS(f"Demo series ready: {series.get_absolute_url()}"))
