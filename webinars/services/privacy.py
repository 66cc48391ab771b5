"""Forgetting registrants: expired address holds and old registrations."""

from datetime import datetime, timedelta

from django.utils import timezone

from webinars.models import Answer, Registration, new_token
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
    # Apps that keep more about a registrant (feedback comments) forget it too.
    registrations_anonymised.send(sender=Registration, ids=ids)
    for pk in ids:
        # One row at a time: each needs its own placeholder address and fresh token.
        Answer.objects.filter(registration_id=pk).delete()  # answers may name or describe them
        Registration.objects.filter(pk=pk).update(
            name="",
            email=f"removed-{pk}@anonymised.invalid",
            organisation="",
            token=new_token(),
            anonymised_at=now,
        )
    return len(ids)
