"""Messages to registrants and organisers: recorded as intents, composed from templates/mail/.

A `queue_*` function writes one small PendingMail row inside the caller's transaction, so a
registration and its mail are stored together or not at all, and the webinar row lock is never
held while a message is composed. `deliver()` composes an intent, puts the message on
django-mailer's queue and deletes the intent in one transaction: right after commit when
MAIL_SEND_IMMEDIATELY is on, and in `send_queued_mail` (`queue_flush()`) for whatever is left.
A message the mail server refuses stays queued, an intent that fails to compose stays recorded;
both are retried with exponential back-off.
"""

import functools
import logging
from collections import Counter
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import make_msgid
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from mailer import engine
from mailer.models import PRIORITY_MEDIUM, RESULT_FAILURE, Message, MessageLog, get_message_id

from webinars import ical
from webinars.formatting import absolute_url, when
from webinars.models import PendingMail, Registration, Webinar

logger = logging.getLogger(__name__)


def personal_links(registration: Registration) -> dict[str, str]:
    """The registrant's own page, personal join link, calendar feed and cancel page."""
    token = registration.token
    return {
        "page_url": absolute_url(reverse("webinars:registration", kwargs={"token": token})),
        "join_url": absolute_url(reverse("webinars:registration_join", kwargs={"token": token})),
        "feed_url": absolute_url(
            reverse("webinars:registration_calendar", kwargs={"token": token})
        ),
        "cancel_url": absolute_url(
            reverse("webinars:registration_cancel", kwargs={"token": token})
        ),
    }


def _context(registration: Registration, **extra) -> dict:
    webinar = registration.webinar
    is_confirmed = registration.status == Registration.Status.CONFIRMED
    return {
        "registration": registration,
        "webinar": webinar,
        "when": when(webinar),
        "webinar_url": absolute_url(webinar.get_absolute_url()),
        "is_confirmed": is_confirmed,
        "is_waitlisted": registration.status == Registration.Status.WAITLISTED,
        "join_window_minutes": settings.JOIN_WINDOW_MINUTES,
        "site_url": settings.SITE_URL,
        **personal_links(registration),
        **extra,
    }


def _invite(webinar: Webinar, email: str, method: str = "REQUEST") -> MIMEText:
    # A text/calendar part with method=REQUEST is what makes Gmail and Outlook offer
    # "add to calendar" (CANCEL removes it again); the public builder never includes the
    # private join link.
    ics = ical.calendar_for([webinar], method=method, attendee_email=email)
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    filename = "cancel.ics" if method == "CANCEL" else "invite.ics"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def compose(
    template: str,
    *,
    subject: str,
    to: str,
    context: dict,
    invite: tuple[Webinar, str] | None = None,
    invite_method: str = "REQUEST",
) -> EmailMultiAlternatives:
    """A text + HTML message from templates/mail/<template>.txt and .html."""
    text = render_to_string(f"mail/{template}.txt", context)
    html = render_to_string(f"mail/{template}.html", context)
    message = EmailMultiAlternatives(
        # A line break in a title would make an invalid header; never let it fail a registration.
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname)},
    )
    message.attach_alternative(html, "text/html")
    if invite:
        message.attach(_invite(*invite, method=invite_method))
    return message


def _to_registrant(
    registration: Registration,
    template: str,
    subject: str,
    *,
    invite_method: str | None = "REQUEST",
    **extra,
) -> EmailMultiAlternatives:
    """templates/mail/<template> to the registrant, with a calendar file unless None."""
    webinar = registration.webinar
    return compose(
        template,
        subject=subject,
        to=registration.email,
        context=_context(registration, **extra),
        invite=(webinar, registration.email) if invite_method else None,
        invite_method=invite_method or "REQUEST",
    )


def details_message(registration: Registration) -> EmailMultiAlternatives:
    """The confirmation or waiting-list notice, with an .ics invitation."""
    title = registration.webinar.title
    if registration.status == Registration.Status.CONFIRMED:
        return _to_registrant(registration, "registration_confirmed", f"Registered: {title}")
    return _to_registrant(registration, "registration_waitlisted", f"Waiting list: {title}")


def promoted_message(registration: Registration) -> EmailMultiAlternatives:
    title = registration.webinar.title
    return _to_registrant(registration, "registration_promoted", f"A seat is yours: {title}")


def cancelled_message(
    registration: Registration, *, by_organiser: bool = False
) -> EmailMultiAlternatives:
    """The acknowledgement, with a calendar file that removes the entry (METHOD:CANCEL)."""
    return _to_registrant(
        registration,
        "registration_cancelled",
        f"Registration cancelled: {registration.webinar.title}",
        invite_method="CANCEL",
        by_organiser=by_organiser,
    )


WEBINAR_CHANGES = ("cancelled", "rescheduled")


def webinar_changed_message(registration: Registration, *, change: str) -> EmailMultiAlternatives:
    """Tell a registrant that the webinar was cancelled or moved, with the updated calendar entry.

    change is "cancelled" or "rescheduled"; the attached .ics (METHOD:CANCEL or REQUEST, with
    the grown SEQUENCE) updates the entry their calendar already holds.
    """
    cancelled = change == "cancelled"
    return _to_registrant(
        registration,
        f"webinar_{change}",
        f"{'Cancelled' if cancelled else 'New time'}: {registration.webinar.title}",
        invite_method="CANCEL" if cancelled else "REQUEST",
    )


def reminder_message(registration: Registration) -> EmailMultiAlternatives:
    webinar = registration.webinar
    return _to_registrant(
        registration, "reminder", f"Reminder: {webinar.title}, {when(webinar)}", invite_method=None
    )


def organiser_notice_message(registration: Registration) -> EmailMultiAlternatives | None:
    """A short notice to the series' notify_email; None if the series has no address (any more)."""
    webinar = registration.webinar
    if not (webinar.series and webinar.series.notify_email):
        return None
    counts = webinar.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
    )
    return compose(
        "organiser_notice",
        subject=f"New registration: {webinar.title}",
        to=webinar.series.notify_email,
        context=_context(
            registration,
            counts=counts,
            admin_url=absolute_url(
                reverse("admin:webinars_registration_changelist")
                + f"?webinar__id__exact={webinar.pk}"
            ),
        ),
    )


COMPOSERS = {
    PendingMail.Kind.DETAILS: details_message,
    PendingMail.Kind.PROMOTED: promoted_message,
    PendingMail.Kind.CANCELLED: cancelled_message,
    PendingMail.Kind.WEBINAR_CHANGED: webinar_changed_message,
    PendingMail.Kind.REMINDER: reminder_message,
    PendingMail.Kind.ORGANISER_NOTICE: organiser_notice_message,
}


def compose_intent(intent: PendingMail) -> EmailMultiAlternatives | None:
    """The message an intent stands for; None when there is nobody to send it to any more."""
    registration = intent.registration
    if registration.anonymised_at:
        return None
    # The message tells the moment it was recorded, not whatever happened since.
    registration.status = intent.status
    return COMPOSERS[intent.kind](registration, **intent.args)


# --- Recording intents (inside the caller's transaction) ------------------------------------


def _record(registration: Registration, kind: str, **args) -> PendingMail:
    intent = PendingMail.objects.create(
        registration=registration, kind=kind, status=registration.status, args=args
    )
    if settings.MAIL_SEND_IMMEDIATELY:
        transaction.on_commit(functools.partial(_deliver_now, intent.pk), robust=True)
    return intent


def queue_details(registration: Registration) -> PendingMail:
    """The confirmation or waiting-list notice, with an .ics invitation."""
    return _record(registration, PendingMail.Kind.DETAILS)


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


def queue_reminder(registration: Registration) -> PendingMail:
    return _record(registration, PendingMail.Kind.REMINDER)


def queue_organiser_notice(registration: Registration) -> PendingMail:
    """A short notice to the series' notify_email about a new registration."""
    return _record(registration, PendingMail.Kind.ORGANISER_NOTICE)


# --- Delivering intents (after commit, or in the worker) -------------------------------------


class Delivery(NamedTuple):
    """What deliver() did: "queued" (message), "dropped" (nobody to send to), "taken" (another
    worker has the intent, or it is gone) or "failed" (composing failed; kept for a retry)."""

    outcome: str
    message: Message | None = None


def _claimable(intents):
    if connection.features.has_select_for_update_skip_locked:
        # A second worker skips an intent the first is composing instead of composing it again.
        return intents.select_for_update(skip_locked=True, of=("self",))
    return intents


def deliver(pk: int) -> Delivery:
    """Compose intent pk, queue its message and delete the intent, in one transaction.

    Safe with several workers at once: one of them queues the message, the others get "taken".
    A failure to compose is logged and keeps the intent for a later try; it never raises.
    """
    try:
        with transaction.atomic():
            intent = _claimable(PendingMail.objects.for_composing().filter(pk=pk)).first()
            if intent is None:
                return Delivery("taken")
            message = compose_intent(intent)
            # Deleting is also the claim where rows cannot be locked (SQLite): only one
            # transaction deletes the row, the other queues nothing.
            if not intent.delete()[0]:
                return Delivery("taken")
            if message is None:
                return Delivery("dropped")
            queued = Message(email=message, priority=PRIORITY_MEDIUM)
            queued.save()
            return Delivery("queued", queued)
    except Exception as error:  # noqa: BLE001 (kept and retried; a visitor never sees it)
        logger.exception("Composing mail %s failed; it stays recorded for a retry", pk)
        _note_failure(pk, error)
        return Delivery("failed")


def _note_failure(pk: int, error: Exception) -> None:
    try:
        intent = PendingMail.objects.filter(pk=pk).first()
        if intent is None:
            return
        intent.retry_after = timezone.now() + retry_delay(intent.attempts)
        intent.attempts += 1
        intent.last_error = f"{type(error).__name__}: {error}"[:2000]
        intent.save(update_fields=["attempts", "retry_after", "last_error"])
    except Exception:  # noqa: BLE001 (the database itself may be what failed)
        logger.exception("Could not note the failure of mail %s", pk)


def _deliver_now(pk: int) -> None:
    delivery = deliver(pk)
    if delivery.message is None:
        return
    try:
        engine.send_all(Message.objects.filter(pk=delivery.message.pk))
    except Exception:  # noqa: BLE001 (the queued row stays; the worker retries it)
        logger.exception("Immediate send failed; message %s stays queued", delivery.message.pk)


class _Contended(Exception):
    """Another transaction deleted some of a batch's intents first."""


def deliver_batch(pks: list[int]) -> Counter:
    """deliver() for several intents in one transaction (a few queries for all of them).

    If anything goes wrong (a message fails to compose, another worker got there first) the
    batch is undone and each intent delivered on its own, so only a failing one stays behind.
    """
    try:
        with transaction.atomic():
            intents = list(_claimable(PendingMail.objects.for_composing().filter(pk__in=pks)))
            messages = [compose_intent(intent) for intent in intents]
            deleted, _ = PendingMail.objects.filter(pk__in=[i.pk for i in intents]).delete()
            if deleted != len(intents):
                raise _Contended
            queued = [Message(email=m, priority=PRIORITY_MEDIUM) for m in messages if m]
            Message.objects.bulk_create(queued)
    except Exception:  # noqa: BLE001 (each intent is tried, and any failure noted, one by one)
        return Counter(deliver(pk).outcome for pk in pks)
    # The unary plus drops the outcomes that did not happen.
    return +Counter(
        queued=len(queued), dropped=len(intents) - len(queued), taken=len(pks) - len(intents)
    )


BATCH_SIZE = 50


def deliver_pending(now: datetime | None = None) -> Counter:
    """Deliver every intent that is due, oldest first, in batches; counts by outcome."""
    now = now or timezone.now()
    due = list(
        PendingMail.objects.filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = Counter()
    for start in range(0, len(due), BATCH_SIZE):
        counts.update(deliver_batch(due[start : start + BATCH_SIZE]))
    return counts


def retry_delay(retry_count: int) -> timedelta:
    """Back-off before the next attempt: base, 2 x base, 4 x base ... up to the maximum."""
    seconds = settings.MAIL_RETRY_BASE_SECONDS * (2 ** min(retry_count, 20))
    return timedelta(seconds=min(seconds, settings.MAIL_RETRY_MAX_SECONDS))


def requeue_due(now: datetime | None = None) -> int:
    """Put deferred messages whose back-off has passed back in the queue; returns how many."""
    now = now or timezone.now()
    count = 0
    deferred = Message.objects.deferred().order_by("when_added")
    max_retries = getattr(settings, "MAILER_EMAIL_MAX_RETRIES", None)
    if max_retries is not None:
        deferred = deferred.filter(retry_count__lt=max_retries)
    for message in deferred:
        email = message.email
        message_id = get_message_id(email) if email is not None else None
        last = (
            MessageLog.objects.filter(message_id=message_id, result=RESULT_FAILURE)
            .order_by("-when_attempted")
            .values_list("when_attempted", flat=True)
            .first()
            if message_id
            else None
        )
        if last is None or now >= last + retry_delay(message.retry_count):
            message.priority = PRIORITY_MEDIUM
            message.retry_count += 1
            message.save(update_fields=["priority", "retry_count"])
            count += 1
    return count


def queue_flush(now: datetime | None = None) -> dict[str, int]:
    """One pass of the worker: compose what is due, re-queue what is due, send what is queued."""
    delivered = deliver_pending(now)
    requeued = requeue_due(now)
    before = Message.objects.count()
    engine.send_all()
    after = Message.objects.count()
    return {
        "composed": delivered["queued"],
        "failed": delivered["failed"],
        "requeued": requeued,
        "sent": before - after,
        "deferred": Message.objects.deferred().count(),
    }
