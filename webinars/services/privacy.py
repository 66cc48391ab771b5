"""Forgetting registrants: expired address holds, old registrations, and one person's on request."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import MD5, Cast, Concat
from django.utils import timezone

from core.batches import IDS_PER_QUERY, batched
from webinars import mail
from webinars.models import Answer, MessageDelivery, PendingMail, Registration
from webinars.rules import phase
from webinars.services.registrations import registration_cancel
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
    # Hundreds of small commits need not wait for the disk each: a batch lost to a power cut
    # is anonymised the next night.
    with mail.quick_commits():
        while True:
            ids = list(due.filter(pk__gt=after)[:batch_size])
            if ids:
                done += registrations_anonymise(ids=ids, now=now)
                after = ids[-1]
            if len(ids) < batch_size:
                return done


def registrations_anonymise(*, ids: Iterable[int], now: datetime | None = None) -> int:
    """Remove what names or describes the registrants of these registrations; how many.

    The rows stay with their status, attendance and dates, so every count in the figures stays
    right. Name, address and organisation go, the answers with them, the token is replaced (old
    links stop working), mail still queued for them is dropped, and the log of organisers'
    messages forgets the address too.
    """
    now = now or timezone.now()
    ids = sorted(set(ids))
    for batch in batched(ids, IDS_PER_QUERY):
        _anonymise(batch, now)
    return len(ids)


def _placeholder(pk_field: str):
    """removed-<registration pk>@anonymised.invalid, for each row, in the database."""
    return Concat(
        Value("removed-"),
        Cast(pk_field, CharField()),
        Value("@anonymised.invalid"),
        output_field=CharField(),
    )


def _anonymise(ids: list[int], now: datetime) -> None:
    """A bounded batch in one transaction of a few statements, whatever the batch's size."""
    # A token nobody can guess for each row: a digest of its id under a secret drawn for this
    # batch, so old links stop working.
    secret = secrets.token_hex(32)
    with transaction.atomic():
        # Apps that keep more about a registrant (feedback comments) forget it too.
        registrations_anonymised.send(sender=Registration, ids=ids)
        Answer.objects.filter(registration_id__in=ids).delete()  # they may name or describe them
        PendingMail.objects.unsent().filter(registration_id__in=ids).delete()
        Registration.objects.filter(pk__in=ids).update(
            name="",
            email=_placeholder("pk"),
            organisation="",
            token=MD5(Concat(Value(secret), Cast("pk", CharField()))),
            anonymised_at=now,
        )
        MessageDelivery.objects.filter(registration_id__in=ids).update(
            email=_placeholder("registration_id")
        )
        _forget_addresses_in_keys(ids)


def _forget_addresses_in_keys(ids: list[int]) -> None:
    """Keys of organisers' messages name the address (`message:<message>:<address>`); the
    placeholder keeps each message recorded once without it."""
    sent = list(
        PendingMail.objects.filter(
            registration_id__in=ids, kind=PendingMail.Kind.MESSAGE, key__isnull=False
        ).only("pk", "key", "registration_id")
    )
    for row in sent:
        message = row.key.split(":")[1]
        row.key = f"message:{message}:removed-{row.registration_id}@anonymised.invalid"
    PendingMail.objects.bulk_update(sent, ["key"], batch_size=IDS_PER_QUERY)


@dataclass(frozen=True)
class Erasure:
    """What registrations_erase did: upcoming registrations cancelled, rows anonymised."""

    cancelled: int
    anonymised: int


def registrations_erase(*, registrations, now: datetime | None = None) -> Erasure:
    """Erase one person's registrations (a request to erase their data).

    Those of webinars not over yet are cancelled first, as if they cancelled themselves, so the
    seat goes to the waiting list (and its promotion mail) as usual; then every one is
    anonymised like an old registration, so the figures keep their counts. The cancellation
    acknowledgement is dropped with the rest of their queued mail: there is nobody to send it to.
    """
    now = now or timezone.now()
    rows = list(registrations.filter(anonymised_at__isnull=True).select_related("webinar"))
    cancelled = 0
    for registration in rows:
        if not phase.is_over(registration.webinar, now):
            cancelled += registration_cancel(registration=registration, now=now)
    return Erasure(
        cancelled=cancelled,
        anonymised=registrations_anonymise(ids=[r.pk for r in rows], now=now),
    )
