"""Recording mail to send: one small PendingMail row per message, whatever its kind.

`record()` writes its row inside the caller's transaction, so a change and its mail are stored
together or not at all, and no row lock is held while a message is composed
(webinars.mail.worker does that after commit). A key names the logical message: recording the
same key again records nothing, so nobody gets one message twice.
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from webinars.mail import worker
from webinars.mail.kinds import WEBINAR_CHANGES
from webinars.models import PendingMail, Registration


def record(
    kind: str,
    *,
    key: str | None = None,
    registration: Registration | None = None,
    args: dict | None = None,
    now: datetime | None = None,
) -> PendingMail | None:
    """Record one message of `kind` to send; None if `key` was recorded before."""
    row = PendingMail(
        registration=registration,
        kind=kind,
        key=key,
        status=registration.status if registration else "",
        args=args or {},
        created=now or timezone.now(),
    )
    if key is None:
        row.save()
    else:
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            if PendingMail.objects.filter(key=key).exists():
                return None
            raise
    _send_after_commit(row.pk)
    return row


def record_many(
    kind: str, rows: list[tuple[str, dict, int | None]], *, now: datetime | None = None
) -> int:
    """Record (key, args, registration pk or None) messages of `kind`, skipping keys recorded
    before; how many were new. The worker sends them (not the mail thread: there may be many).
    """
    if not rows:
        return 0
    known = set(
        PendingMail.objects.filter(key__in=[row[0] for row in rows]).values_list("key", flat=True)
    )
    created = now or timezone.now()
    new = [
        PendingMail(kind=kind, key=key, args=args, registration_id=registration, created=created)
        for key, args, registration in rows
        if key not in known
    ]
    PendingMail.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _send_after_commit(pk: int) -> None:
    if not settings.MAIL_SEND_IMMEDIATELY:
        return

    # After commit, in the mail thread: the request answers without waiting for it. A named
    # function, not a functools.partial: when a robust callback fails, Django logs its
    # __qualname__, which a partial lacks, and the committed change would answer 500.
    def deliver_after_commit():
        worker.deliver_soon(pk)

    transaction.on_commit(deliver_after_commit, robust=True)


def _record(
    registration: Registration, kind: str, *, now: datetime | None = None, key=None, **args
) -> PendingMail | None:
    return record(kind, key=key, registration=registration, args=args, now=now)


def queue_composed(message: EmailMessage) -> PendingMail:
    """Record an already composed message (no registration behind it, e.g. an organiser's test);
    sent after commit when MAIL_SEND_IMMEDIATELY is on, else by the worker."""
    return record(PendingMail.Kind.RAW, args={"message": worker.dump_message(message)})


def queue_details(
    registration: Registration,
    *,
    repeat: bool = False,
    approved: bool = False,
    now: datetime | None = None,
) -> PendingMail:
    """The confirmation, waiting-list or awaiting-approval notice, with an .ics invitation.

    repeat: the address registered again. The message goes out only if the last one is older
    than REGISTRATION_RESEND_MINUTES, decided when it is composed (kinds.compose_intent), so
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
    return _record(
        registration,
        PendingMail.Kind.REMINDER,
        key=f"reminder:{registration.pk}:{lead_minutes}",
        lead_minutes=lead_minutes,
    )


def queue_registrant_message(registration: Registration, *, message) -> PendingMail:
    """An organiser's message (webinars.models.RegistrantMessage) to this registrant."""
    return _record(
        registration,
        PendingMail.Kind.MESSAGE,
        key=f"message:{message.pk}:{registration.email.lower()}",
        message=message.pk,
    )


def queue_organiser_notice(
    registration: Registration, *, repeat: bool = False, now: datetime | None = None
) -> PendingMail:
    """A short notice to the series' notice addresses about a new registration.

    repeat: recorded for a repeated registration too, so that both cost the request the same
    rows; the worker drops it.
    """
    extra = {"repeat": True} if repeat else {}
    return _record(registration, PendingMail.Kind.ORGANISER_NOTICE, now=now, **extra)
