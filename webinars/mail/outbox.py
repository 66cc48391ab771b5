"""Recording mail to send: one small PendingMail row (an intent) per message.

A `queue_*` function writes its row inside the caller's transaction, so a registration and
its mail are stored together or not at all, and the webinar row lock is never held while a
message is composed (webinars.mail.worker does that after commit).
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from webinars.mail import worker
from webinars.mail.compose import WEBINAR_CHANGES
from webinars.models import PendingMail, Registration


def _record(
    registration: Registration, kind: str, *, now: datetime | None = None, **args
) -> PendingMail:
    intent = PendingMail.objects.create(
        registration=registration,
        kind=kind,
        status=registration.status,
        args=args,
        created=now or timezone.now(),
    )
    if settings.MAIL_SEND_IMMEDIATELY:
        pk = intent.pk

        # After commit, in the mail thread: the request answers without waiting for it. A named
        # function, not a functools.partial: when a robust callback fails, Django logs its
        # __qualname__, which a partial lacks, and the committed registration would answer 500.
        def deliver_after_commit():
            worker.deliver_soon(pk)

        transaction.on_commit(deliver_after_commit, robust=True)
    return intent


def queue_details(
    registration: Registration,
    *,
    repeat: bool = False,
    approved: bool = False,
    now: datetime | None = None,
) -> PendingMail:
    """The confirmation, waiting-list or awaiting-approval notice, with an .ics invitation.

    repeat: the address registered again. The message goes out only if the last one is older
    than REGISTRATION_RESEND_MINUTES, decided when it is composed (compose.compose_intent), so
    that a repeat costs the request exactly what a new registration does.
    approved: an organiser has just approved the registration.
    """
    extra = {"repeat": True} if repeat else {}
    if approved:
        extra["approved"] = True
    return _record(registration, PendingMail.Kind.DETAILS, now=now, **extra)


def queue_declined(registration: Registration) -> PendingMail:
    """A polite notice that an organiser declined the registration."""
    return _record(registration, PendingMail.Kind.DECLINED)


def queue_promoted(registration: Registration) -> PendingMail:
    return _record(registration, PendingMail.Kind.PROMOTED)


def queue_cancelled(registration: Registration, *, by_organiser: bool = False) -> PendingMail:
    """The acknowledgement, with a calendar file that removes the entry (METHOD:CANCEL)."""
    return _record(registration, PendingMail.Kind.CANCELLED, by_organiser=by_organiser)


def queue_webinar_changed(registration: Registration, *, change: str) -> PendingMail:
    """Tell a registrant that the webinar was cancelled ("cancelled") or moved ("rescheduled")."""
    if change not in WEBINAR_CHANGES:
        # Refused now, in the caller's transaction, rather than failing later in the worker.
        raise ValueError(f"change must be one of {WEBINAR_CHANGES}, not {change!r}")
    return _record(registration, PendingMail.Kind.WEBINAR_CHANGED, change=change)


def queue_reminder(registration: Registration, *, lead_minutes: int | None = None) -> PendingMail:
    return _record(registration, PendingMail.Kind.REMINDER, lead_minutes=lead_minutes)


def queue_registrant_message(registration: Registration, *, message) -> PendingMail:
    """An organiser's message (webinars.models.RegistrantMessage) to this registrant."""
    return _record(registration, PendingMail.Kind.MESSAGE, message=message.pk)


def queue_organiser_notice(
    registration: Registration, *, repeat: bool = False, now: datetime | None = None
) -> PendingMail:
    """A short notice to the series' notify_email about a new registration.

    repeat: recorded for a repeated registration too, so that both cost the request the same
    rows; the worker drops it.
    """
    extra = {"repeat": True} if repeat else {}
    return _record(registration, PendingMail.Kind.ORGANISER_NOTICE, now=now, **extra)
