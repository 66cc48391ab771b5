"""Give a newcomer a way into admin in development: an organiser account, its password shown once.

Only with DEBUG on: a production site never gets an account whose password went to a terminal.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

USERNAME = "demo-organiser"


class Command(BaseCommand):
    help = "In development (DEBUG on), create an organiser account and print how to sign in."

    @transaction.atomic
    def handle(self, *args, **options):
        admin_url = settings.SITE_URL.rstrip("/") + "/admin/"
        if not settings.DEBUG:
            self.stderr.write("DEBUG is off: no demo organiser is created.")
            return
        user_model = get_user_model()
        if user_model.objects.filter(username=USERNAME).exists():
            self.stdout.write(
                f"Sign in to {admin_url} as {USERNAME} with the password printed when it was "
                f"created (`manage.py changepassword {USERNAME}` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        user = user_model.objects.create_user(username=USERNAME, password=password, is_staff=True)
        # The Organisers group (a migration makes it) holds the organisers' permissions.
        user.groups.add(Group.objects.get(name="Organisers"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organiser created. Sign in to {admin_url}\n"
                f"  username: {USERNAME}\n  password: {password}\n"
                "The password is shown only this once."
            )
        )
