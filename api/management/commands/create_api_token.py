"""Make an organisers' API token for a user and print it, once (scripts read stdout)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.tokens import token_create
from series.access import organised_series
from series.models import Series

MAX_DAYS = 36_500


class Command(BaseCommand):
    help = (
        "Make an API token that acts as USERNAME may in admin, for the series given (default: "
        "every series the user organises), reading only unless --write. Prints the token once "
        "on standard output; only its digest is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--series",
            action="extend",
            nargs="+",
            default=[],
            metavar="SLUG",
            help="Only this series (repeat or list several).",
        )
        parser.add_argument("--write", action="store_true", help="Also register, cancel, edit.")
        parser.add_argument("--expires", type=int, metavar="DAYS", help="Expires after DAYS days.")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, username, series, write, expires, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username} is not active: a token of theirs would be refused.")
        if expires is not None and not 1 <= expires <= MAX_DAYS:
            raise CommandError(f"--expires takes a number of days from 1 to {MAX_DAYS}.")
        organised = organised_series(user)
        if not organised.exists():
            raise CommandError(f"{username} organises no series: the token would see nothing.")
        chosen = self._series(series, organised, username)
        token, raw = token_create(
            user=user,
            name=name.strip()[:100] or "manage.py create_api_token",
            series=chosen,
            can_write=write,
            expires_at=timezone.now() + timedelta(days=expires) if expires else None,
        )
        self.stderr.write(
            f"Token {token.prefix}... for {username}, "
            f"{'read and write' if write else 'read only'}, "
            f"{', '.join(s.slug for s in chosen) or 'every series they organise'}"
            f"{f', expires {token.expires_at:%Y-%m-%d %H:%M} UTC' if expires else ''}. "
            "It is shown once:"
        )
        self.stdout.write(raw)

    @staticmethod
    def _series(slugs, organised, username) -> list[Series]:
        chosen = []
        for slug in dict.fromkeys(slugs):
            found = Series.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"No series has the slug {slug!r}.")
            if not organised.filter(pk=found.pk).exists():
                raise CommandError(f"{username} does not organise the series {slug!r}.")
            chosen.append(found)
        return chosen
