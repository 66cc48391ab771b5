"""Reminders and organisers' messages to registrants."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from webinars import mail
from webinars.models import (
    MessageDelivery,
    PendingMail,
    RegistrantMessage,
    Registration,
    ReminderSent,
)
from webinars.selectors import message_recipients, reminders_due

# Registrations reminded per transaction: a few statements each, with bounded lists of ids.
REMINDER_BATCH_SIZE = 500


def reminders_send_due(*, now: datetime | None = None, leads: tuple[int, ...] | None = None) -> int:
    """Record every reminder that has come due (see selectors.reminders_due) and queue the
    nearest of each registration's new ones; how many were queued.

    In batches of REMINDER_BATCH_SIZE registrations, each one transaction of bulk inserts. The
    unique (registration, lead) rows and the mail's key (reminder:<registration>:<lead>) are
    the claim: a second run at the same time, or after an interrupted one, records nothing
    twice, and when several leads come due at once (a late registration, a worker that was
    down) only the nearest is mailed, never an earlier one after a nearer one went out.
    """
    now = now or timezone.now()
    queued = 0
    for due in reminders_due(now, leads=leads):
        after = 0
        while True:
            with transaction.atomic():
                rows = list(
                    due.registrations.select_for_update(of=("self",))
                    .filter(pk__gt=after)
                    .order_by("pk")
                    .values_list("pk", "created")[:REMINDER_BATCH_SIZE]
                )
                if rows:
                    queued += _remind(due.webinar, due.leads, rows, now)
            if len(rows) < REMINDER_BATCH_SIZE:
                break
            after = rows[-1][0]
    return queued


def _remind(webinar, leads: tuple[int, ...], rows: list[tuple[int, datetime]], now) -> int:
    pks = [pk for pk, _created in rows]
    sent: dict[int, set[int]] = {}
    for pk, lead in ReminderSent.objects.filter(registration_id__in=pks).values_list(
        "registration_id", "lead_minutes"
    ):
        sent.setdefault(pk, set()).add(lead)
    records, mails = [], []
    for pk, created in rows:
        had = sent.get(pk, set())
        new = [
            lead
            for lead in leads
            if lead not in had and created <= webinar.start - timedelta(minutes=lead)
        ]
        if not new:
            continue
        nearest = min(new)
        mailed = not had or nearest < min(had)
        records += [
            ReminderSent(
                registration_id=pk,
                lead_minutes=lead,
                sent_at=now,
                mailed=mailed and lead == nearest,
            )
            for lead in new
        ]
        if mailed:
            mails.append((f"reminder:{pk}:{nearest}", {"lead_minutes": nearest}, pk))
    ReminderSent.objects.bulk_create(records, ignore_conflicts=True)
    Registration.objects.filter(pk__in=pks).update(reminder_sent_at=now)
    return mail.record_many(
        PendingMail.Kind.REMINDER, mails, now=now, status=Registration.Status.CONFIRMED
    )


def message_send(*, message: RegistrantMessage, now: datetime | None = None) -> int:
    """Queue the message for everyone it is for who has not had it yet; returns how many.

    Under the message's row lock, so two organisers pressing "send" at once queue each person
    once; the unique (message, address) row backs that up. Each message is an intent in the
    durable outbox: it waits there, and then in the mail queue, while the mail server is down.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = RegistrantMessage.objects.select_for_update().get(pk=message.pk)
        done = set(locked.deliveries.values_list("email", flat=True))
        new = [r for r in message_recipients(locked, now) if r.email.lower() not in done]
        MessageDelivery.objects.bulk_create(
            MessageDelivery(
                message=locked,
                registration=r,
                email=r.email.lower(),
                status=r.status,
                queued_at=now,
            )
            for r in new
        )
        for registration in new:
            mail.queue_registrant_message(registration, message=locked)
        locked.sent_at = now
        locked.save(update_fields=["sent_at"])
    message.sent_at = now
    return len(new)
