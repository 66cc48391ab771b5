"""Load the seed content (fixtures/seed.json) into an empty database, and only then.

`make run` calls this every time; loading the fixture again would silently undo what
organisers changed in the seed webinars since.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from series.models import Series
from webinars.models import Webinar


class Command(BaseCommand):
    help = "Load the seed series and webinars, unless the database already has content."

    def handle(self, *args, **options):
        if Series.objects.exists() or Webinar.objects.exists():
            self.stdout.write("Content is already there: the seed is not loaded again.")
            return
        call_command("loaddata", "seed", verbosity=0)
        self.stdout.write(self.style.SUCCESS("Seed content loaded."))
