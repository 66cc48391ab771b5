"""Forgetting registrants: expired address holds, old registrations, and one person's on request."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from webinars.models import (
    Answer,
    MessageDelivery,
    PendingMail,
    Registration,
    new_token,
)
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


def registrations_purge(*, older_than_days: int, now: datetime | None = None) -> int:
    """Anonymise registrations of webinars that ended more than `older_than_days` ago.

    Rows stay (organisers keep their counts); name, email and organisation go, and the token
    is replaced so old links stop working. Returns how many were anonymised.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=older_than_days)
    ids = list(
        Registration.objects.filter(phase.over_q(cutoff, prefix="webinar__"))
        .filter(anonymised_at__isnull=True)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    return registrations_anonymise(ids=ids, now=now)


def registrations_anonymise(*, ids: Iterable[int], now: datetime | None = None) -> int:
    """Remove what names or describes the registrants of these registrations; how many.

    The rows stay with their status, attendance and dates, so every count in the figures stays
    right. Name, address and organisation go, the answers with them, the token is replaced (old
    links stop working), mail still queued for them is dropped, and the log of organisers'
    messages forgets the address too.
    """
    now = now or timezone.now()
    ids = sorted(set(ids))
    if not ids:
        return 0
    with transaction.atomic():
        # Apps that keep more about a registrant (feedback comments) forget it too.
        registrations_anonymised.send(sender=Registration, ids=ids)
        Answer.objects.filter(registration_id__in=ids).delete()
        PendingMail.objects.unsent().filter(registration_id__in=ids).delete()
        for pk in ids:
            # One row at a time: each needs its own placeholder address and fresh token.
            placeholder = f"removed-{pk}@anonymised.invalid"
            Registration.objects.filter(pk=pk).update(
                name="",
                email=placeholder,
                organisation="",
                token=new_token(),
                anonymised_at=now,
            )
            MessageDelivery.objects.filter(registration_id=pk).update(email=placeholder)
            _forget_address_in_keys(pk, placeholder)
    return len(ids)


def _forget_address_in_keys(registration_pk: int, placeholder: str) -> None:
    """Keys of organisers' messages name the address (`message:<message>:<address>`); the
    placeholder keeps each message recorded once without it."""
    sent = PendingMail.objects.filter(
        registration_id=registration_pk, kind=PendingMail.Kind.MESSAGE, key__isnull=False
    )
    for pk, key in sent.values_list("pk", "key"):
        message = key.split(":")[1]
        PendingMail.objects.filter(pk=pk).update(key=f"message:{message}:{placeholder}")


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
