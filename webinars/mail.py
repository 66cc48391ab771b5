"""Messages to registrants and organisers, composed from templates/mail/ and queued durably.

Every message is written to django-mailer's queue table inside the caller's transaction, so a
registration and its mail are stored together or not at all. `queue_flush()` (the
`send_queued_mail` command, and right after commit when MAIL_SEND_IMMEDIATELY is on) sends
them; a message the server refuses stays queued and is retried with exponential back-off.
"""

import logging
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from mailer import engine
from mailer.models import PRIORITY_MEDIUM, RESULT_FAILURE, Message, MessageLog, get_message_id

from webinars import ical
from webinars.models import Registration, Webinar
from webinars.templatetags.webinar_tags import when

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def personal_links(registration: Registration) -> dict[str, str]:
    """The registrant's own page, personal join link, calendar feed and cancel page."""
    token = registration.token
    return {
        "page_url": absolute(reverse("webinars:registration", kwargs={"token": token})),
        "join_url": absolute(reverse("webinars:registration_join", kwargs={"token": token})),
        "feed_url": absolute(reverse("webinars:registration_calendar", kwargs={"token": token})),
        "cancel_url": absolute(reverse("webinars:registration_cancel", kwargs={"token": token})),
    }


def _context(registration: Registration, **extra) -> dict:
    webinar = registration.webinar
    is_confirmed = registration.status == Registration.Status.CONFIRMED
    return {
        "registration": registration,
        "webinar": webinar,
        "when": when(webinar),
        "webinar_url": absolute(webinar.get_absolute_url()),
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


def queue(message: EmailMultiAlternatives) -> Message:
    """Store the message in the queue (in the current transaction) and schedule a send."""
    queued = Message(email=message, priority=PRIORITY_MEDIUM)
    queued.save()
    if settings.MAIL_SEND_IMMEDIATELY:
        transaction.on_commit(lambda: _send_now(queued.pk), robust=True)
    return queued


def _send_now(pk: int) -> None:
    try:
        engine.send_all(Message.objects.filter(pk=pk))
    except Exception:  # noqa: BLE001 (the queued row stays; the worker retries it)
        logger.exception("Immediate send failed; message %s stays queued", pk)


def _queue_to_registrant(
    registration: Registration,
    template: str,
    subject: str,
    *,
    invite_method: str | None = "REQUEST",
    **extra,
) -> Message:
    """Queue templates/mail/<template> to the registrant, with a calendar file unless None."""
    webinar = registration.webinar
    return queue(
        compose(
            template,
            subject=subject,
            to=registration.email,
            context=_context(registration, **extra),
            invite=(webinar, registration.email) if invite_method else None,
            invite_method=invite_method or "REQUEST",
        )
    )


def queue_details(registration: Registration) -> Message:
    """The confirmation or waiting-list notice, with an .ics invitation."""
    title = registration.webinar.title
    if registration.status == Registration.Status.CONFIRMED:
        return _queue_to_registrant(registration, "registration_confirmed", f"Registered: {title}")
    return _queue_to_registrant(registration, "registration_waitlisted", f"Waiting list: {title}")


def queue_promoted(registration: Registration) -> Message:
    title = registration.webinar.title
    return _queue_to_registrant(registration, "registration_promoted", f"A seat is yours: {title}")


def queue_cancelled(registration: Registration, *, by_organiser: bool = False) -> Message:
    """The acknowledgement, with a calendar file that removes the entry (METHOD:CANCEL)."""
    return _queue_to_registrant(
        registration,
        "registration_cancelled",
        f"Registration cancelled: {registration.webinar.title}",
        invite_method="CANCEL",
        by_organiser=by_organiser,
    )


def queue_webinar_changed(registration: Registration, *, change: str) -> Message:
    """Tell a registrant that the webinar was cancelled or moved, with the updated calendar entry.

    change is "cancelled" or "rescheduled"; the attached .ics (METHOD:CANCEL or REQUEST, with
    the grown SEQUENCE) updates the entry their calendar already holds.
    """
    cancelled = change == "cancelled"
    return _queue_to_registrant(
        registration,
        f"webinar_{change}",
        f"{'Cancelled' if cancelled else 'New time'}: {registration.webinar.title}",
        invite_method="CANCEL" if cancelled else "REQUEST",
    )


def queue_reminder(registration: Registration) -> Message:
    webinar = registration.webinar
    return _queue_to_registrant(
        registration, "reminder", f"Reminder: {webinar.title}, {when(webinar)}", invite_method=None
    )


def queue_organiser_notice(registration: Registration) -> Message:
    """A short notice to the series' notify_email about a new registration."""
    webinar = registration.webinar
    counts = {
        "confirmed": webinar.registrations.confirmed().count(),
        "waitlisted": webinar.registrations.waitlisted().count(),
    }
    return queue(
        compose(
            "organiser_notice",
            subject=f"New registration: {webinar.title}",
            to=webinar.series.notify_email,
            context=_context(
                registration,
                counts=counts,
                admin_url=absolute(
                    reverse("admin:webinars_registration_changelist")
                    + f"?webinar__id__exact={webinar.pk}"
                ),
            ),
        )
    )


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
    """One pass of the worker: re-queue what is due, then send everything queued."""
    requeued = requeue_due(now)
    before = Message.objects.count()
    engine.send_all()
    after = Message.objects.count()
    return {
        "requeued": requeued,
        "sent": before - after,
        "deferred": Message.objects.deferred().count(),
    }
