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
from webinars.selectors import message_audience, message_recipients_left, reminders_due

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


# A send to at most this many people is queued in the organiser's request; a larger one is
# recorded as a send to make (sending_since), which the mail worker queues in batches.
SEND_IN_REQUEST_MAX = 500
# Registrations read, and people queued, per batch.
MESSAGE_BATCH_SIZE = 500


def message_send(*, message: RegistrantMessage, now: datetime | None = None) -> int:
    """Queue the message for everyone it is for who has not had it yet; returns how many.

    Under the message's row lock, so two organisers pressing "send" at once queue each person
    once; the unique (message, address) delivery and the outbox key back that up. Up to
    SEND_IN_REQUEST_MAX people are queued at once; more, and the request only records the send
    (`sending_since`) for the mail worker (messages_queue_due), so it stays short whatever the
    count.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = RegistrantMessage.objects.select_for_update().get(pk=message.pk)
        waiting, _done = message_audience(locked, now)
        if waiting > SEND_IN_REQUEST_MAX or locked.sending_since:
            locked.sending_since = locked.sending_since or now
        else:
            _queue_batches(locked, now)
        locked.sent_at = now
        locked.save(update_fields=["sent_at", "sending_since"])
    message.sent_at, message.sending_since = now, locked.sending_since
    return waiting


def messages_queue_due(now: datetime | None = None) -> int:
    """Queue the sends recorded for the worker (each of its passes runs this); how many people.

    A send interrupted half way (the worker stopped) resumes where it was: who has the message
    is in its deliveries."""
    now = now or timezone.now()
    queued = 0
    for pk in RegistrantMessage.objects.filter(sending_since__isnull=False).values_list(
        "pk", flat=True
    ):
        message = RegistrantMessage.objects.filter(pk=pk).first()
        if message is None:
            continue
        queued += _queue_batches(message, now)
        RegistrantMessage.objects.filter(pk=pk, sending_since=message.sending_since).update(
            sending_since=None
        )
    return queued


def _queue_batches(message: RegistrantMessage, now: datetime) -> int:
    queued = 0
    while True:
        with transaction.atomic():
            rows = list(message_recipients_left(message, now)[:MESSAGE_BATCH_SIZE])
            queued += _queue_people(message, rows, now)
        if len(rows) < MESSAGE_BATCH_SIZE:
            return queued


def _queue_people(message: RegistrantMessage, rows: list[tuple[int, str, str]], now) -> int:
    """One delivery and one outbox record per address among rows (pk, address, status): the
    first row of an address is the registration it is written about."""
    chosen: dict[str, tuple[int, str]] = {}
    for pk, email, status in rows:
        chosen.setdefault(email, (pk, status))
    MessageDelivery.objects.bulk_create(
        [
            MessageDelivery(
                message=message, registration_id=pk, email=email, status=status, queued_at=now
            )
            for email, (pk, status) in chosen.items()
        ],
        ignore_conflicts=True,
    )
    # The message tells each registrant's status then (see mail.record).
    by_status: dict[str, list] = {}
    for email, (pk, status) in chosen.items():
        by_status.setdefault(status, []).append(
            (f"message:{message.pk}:{email}", {"message": message.pk}, pk)
        )
    for status, records in by_status.items():
        mail.record_many(PendingMail.Kind.MESSAGE, records, now=now, status=status)
    return len(chosen)
