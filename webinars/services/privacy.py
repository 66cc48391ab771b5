"""Forgetting registrants: expired address holds and old registrations."""

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils import timezone

from webinars.models import Answer, Registration
from webinars.rules import phase
from webinars.signals import registrations_anonymised


def registrations_purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the holds whose address was not confirmed in time; returns how many.

    They held no seat and their address was never shown to be the registrant's, so nothing of
    them is kept. The confirmation link then says the hold expired (pages.views.registration).
    """
    now = now or timezone.now()
    deleted, by_model = Registration.objects.expired_holds(now).delete()
    return by_model.get(Registration._meta.label, 0)


# Registrations anonymised per statement: a bounded list of ids in each query (SQLite refuses
# more than its variable limit), and a bounded transaction.
PURGE_BATCH_SIZE = 500


def registrations_purge(
    *, older_than_days: int, now: datetime | None = None, batch_size: int = PURGE_BATCH_SIZE
) -> int:
    """Anonymise registrations of webinars that ended more than `older_than_days` ago.

    Rows stay (organisers keep their counts); name, email and organisation go, and the token
    is replaced so old links stop working. Returns how many were anonymised. Works through them
    `batch_size` at a time, each batch one transaction of a few statements, whatever the count.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=older_than_days)
    due = (
        Registration.objects.filter(phase.over_q(cutoff, prefix="webinar__"))
        .filter(anonymised_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done = after = 0
    while True:
        ids = list(due.filter(pk__gt=after)[:batch_size])
        if ids:
            _anonymise(ids, now)
            done += len(ids)
            after = ids[-1]
        if len(ids) < batch_size:
            return done


def _anonymise(ids: list[int], now: datetime) -> None:
    # Each row gets its own placeholder address and a token nobody can guess: a digest of its
    # id under a secret drawn for this batch, so old links stop working.
    secret = secrets.token_hex(32)
    with transaction.atomic():
        # Apps that keep more about a registrant (feedback comments) forget it too.
        registrations_anonymised.send(sender=Registration, ids=ids)
        Answer.objects.filter(registration_id__in=ids).delete()  # they may name or describe them
        Registration.objects.filter(pk__in=ids).update(
            name="",
            email=Concat(Value("removed-"), Cast("pk", CharField()), Value("@anonymised.invalid")),
            organisation="",
            token=MD5(Concat(Value(secret), Cast("pk", CharField()))),
            anonymised_at=now,
        )
