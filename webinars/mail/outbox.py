"""Recording mail to send: one small PendingMail row (an intent) per message.

A `queue_*` function writes its row inside the caller's transaction, so a registration and
its mail are stored together or not at all, and the webinar row lock is never held while a
message is composed (webinars.mail.worker does that after commit).
"""

import functools

from django.conf import settings
from django.db import transaction

from webinars.mail import worker
from webinars.mail.compose import WEBINAR_CHANGES
from webinars.models import PendingMail, Registration


def _record(registration: Registration, kind: str, **args) -> PendingMail:
    intent = PendingMail.objects.create(
        registration=registration, kind=kind, status=registration.status, args=args
    )
    if settings.MAIL_SEND_IMMEDIATELY:
        transaction.on_commit(functools.partial(worker.deliver_now, intent.pk), robust=True)
    return intent


def queue_details(registration: Registration, *, approved: bool = False) -> PendingMail:
    """The confirmation, waiting-list or awaiting-approval notice; approved=True says an
    organiser has just approved the registration."""
    if approved:
        return _record(registration, PendingMail.Kind.DETAILS, approved=True)
    return _record(registration, PendingMail.Kind.DETAILS)


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


def queue_organiser_notice(registration: Registration) -> PendingMail:
    """A short notice to the series' notify_email about a new registration."""
    return _record(registration, PendingMail.Kind.ORGANISER_NOTICE)
