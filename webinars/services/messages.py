"""Reminders and organisers' messages to registrants."""

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from webinars import mail
from webinars.models import (
    MessageDelivery,
    RegistrantMessage,
    Registration,
    ReminderSent,
)
from webinars.selectors import message_recipients, reminders_due

if TYPE_CHECKING:
    pass


def registration_send_reminder(
    *,
    registration: Registration,
    leads: Sequence[int],
    mail_nearest: bool = True,
    now: datetime | None = None,
) -> bool:
    """Record these reminders (minutes before the start) and mail the nearest, unless another
    worker recorded one of them first; True if this call mailed it.

    The unique (registration, lead) row is the claim: a second worker's insert fails (on
    PostgreSQL it waits for the first to commit), so each reminder is mailed at most once.
    """
    now = now or timezone.now()
    nearest = min(leads)
    try:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(
                [
                    ReminderSent(
                        registration=registration,
                        lead_minutes=lead,
                        sent_at=now,
                        mailed=mail_nearest and lead == nearest,
                    )
                    for lead in leads
                ]
            )
            still_confirmed = Registration.objects.filter(
                pk=registration.pk, status=Registration.Status.CONFIRMED
            ).update(reminder_sent_at=now)
            if not still_confirmed:
                raise _NotConfirmed
            if mail_nearest:
                mail.queue_reminder(registration, lead_minutes=nearest)
    except (IntegrityError, _NotConfirmed):
        return False
    return mail_nearest


class _NotConfirmed(Exception):
    """The registration was cancelled since it was read: undo the reminder's rows."""


def reminders_send_due(*, now: datetime | None = None, leads: tuple[int, ...] | None = None) -> int:
    """Send every reminder that has come due (see selectors.reminders_due); how many mailed."""
    now = now or timezone.now()
    return sum(
        registration_send_reminder(
            registration=due.registration, leads=due.leads, mail_nearest=due.mail, now=now
        )
        for due in reminders_due(now, leads=leads)
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
