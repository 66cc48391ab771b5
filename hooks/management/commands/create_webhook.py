"""Register a webhook endpoint and print its secret, once."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hooks.events import EVENTS
from hooks.models import WebhookEndpoint


class Command(BaseCommand):
    help = (
        "Register a webhook endpoint (an https:// URL) for some events (--event, repeatable; "
        "all events without it) owned by --owner (default: the first active superuser), and "
        "print its secret (whsec_...) once."
    )

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument(
            "--event",
            action="append",
            dest="events",
            metavar="NAME",
            help="An event to send, e.g. registration.created; one of: " + ", ".join(EVENTS),
        )
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="The staff account whose view of the series the deliveries follow.",
        )

    def handle(self, *args, url: str, events, owner, **options):
        endpoint = WebhookEndpoint(url=url, events=events or list(EVENTS), owner=self._owner(owner))
        try:
            endpoint.full_clean()
        except ValidationError as error:
            problems = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            raise CommandError(problems) from None
        endpoint.save()
        self.stdout.write(f"Endpoint {endpoint.pk}: {endpoint.url}")
        self.stdout.write(f"Events: {', '.join(endpoint.events)}")
        self.stdout.write("Secret (shown only now; the receiver verifies signatures with it):")
        self.stdout.write(endpoint.secret)

    def _owner(self, username: str | None):
        users = get_user_model().objects.filter(is_active=True)
        if username is None:
            owner = users.filter(is_superuser=True).order_by("pk").first()
            if owner is None:
                raise CommandError(
                    "No active superuser to own the endpoint: create one "
                    "(manage.py createsuperuser) or name a staff account with --owner."
                )
            return owner
        owner = users.filter(username=username).first()
        if owner is None or not owner.is_staff:
            raise CommandError(f"No active staff account named {username!r}.")
        return owner
