"""Each kind of message to a registrant, and which one an outbox record asks for."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from webinars.formatting import absolute_url, in_zone, when
from webinars.language import offered_language

# The registrant's own pages, each addressed by their token.
from webinars.mail.compose import (
    PERSONAL_PAGES,
    _context,
    _to_registrant,
    compose,
)
from webinars.models import (
    PendingMail,
    RegistrantMessage,
    Registration,
)


def details_message(
    registration: Registration, *, approved: bool = False
) -> EmailMultiAlternatives:
    """The confirmation with an invitation, or the waiting-list notice with a tentative entry;
    a registration that waits for approval gets a "we will let you know" note, with neither."""
    title = registration.webinar.title
    if registration.is_held:
        return _to_registrant(
            registration,
            "registration_confirm_address",
            _("Please confirm your address: %(title)s") % {"title": title},
            invite_method=None,
            confirm_url=absolute_url(
                reverse(
                    "webinars:confirm_address",
                    kwargs={"slug": registration.webinar.slug, "token": registration.token},
                )
            ),
            hold_expires=in_zone(registration.hold_expires_at, registration.webinar.tz),
        )
    if registration.status == Registration.Status.PENDING:
        return _to_registrant(
            registration,
            "registration_pending",
            _("Registration received: %(title)s") % {"title": title},
            invite_method=None,
        )
    if registration.status == Registration.Status.CONFIRMED:
        subject = _("Approved: %(title)s") if approved else _("Registered: %(title)s")
        return _to_registrant(
            registration,
            "registration_confirmed",
            subject % {"title": title},
            approved=approved,
        )
    return _to_registrant(
        registration,
        "registration_waitlisted",
        _("Waiting list: %(title)s") % {"title": title},
        invite_method="PUBLISH",
        approved=approved,
    )


def declined_message(registration: Registration) -> EmailMultiAlternatives:
    """An organiser declined the registration: no seat, no calendar entry."""
    return _to_registrant(
        registration,
        "registration_declined",
        _("Your registration: %(title)s") % {"title": registration.webinar.title},
        invite_method=None,
    )


def promoted_message(registration: Registration) -> EmailMultiAlternatives:
    title = registration.webinar.title
    return _to_registrant(
        registration,
        "registration_promoted",
        _("A seat is yours: %(title)s") % {"title": title},
    )


def cancelled_message(
    registration: Registration, *, by_organiser: bool = False
) -> EmailMultiAlternatives:
    """The acknowledgement, with a calendar file that removes the entry (METHOD:CANCEL).

    The webinar itself did not change, so its SEQUENCE did not grow; clients ignore a CANCEL
    that is not newer than the REQUEST it answers, hence one above it.
    """
    return _to_registrant(
        registration,
        "registration_cancelled",
        _("Registration cancelled: %(title)s") % {"title": registration.webinar.title},
        invite_method="CANCEL",
        sequence_offset=1,
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
        (_("Cancelled: %(title)s") if cancelled else _("New time: %(title)s"))
        % {"title": registration.webinar.title},
        invite_method="CANCEL" if cancelled else "REQUEST",
    )


def reminder_message(
    registration: Registration, *, lead_minutes: int | None = None
) -> EmailMultiAlternatives:
    """The reminder: the time in the webinar's zone and the registrant's, the join link when
    confirmed. lead_minutes is kept for the log; the text never says "tomorrow", which a late
    worker could make wrong."""
    webinar = registration.webinar
    return _to_registrant(
        registration,
        "reminder",
        _("Reminder: %(title)s, %(when)s") % {"title": webinar.title, "when": when(webinar)},
        invite_method=None,
    )


def organiser_notice_message(registration: Registration) -> EmailMultiAlternatives | None:
    """A short notice to the series' notice addresses; None if it has none (any more)."""
    webinar = registration.webinar
    if not (webinar.series and webinar.series.notice_addresses):
        return None
    counts = webinar.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        pending=Count("pk", filter=Q(status=Registration.Status.PENDING)),
    )
    return compose(
        "organiser_notice",
        subject=_("New registration: %(title)s") % {"title": webinar.title},
        to=webinar.series.notice_addresses,
        context=_context(
            registration,
            counts=counts,
            answers=registration.answers.select_related("question"),
            admin_url=absolute_url(
                reverse("admin:webinars_registration_changelist")
                + f"?webinar__id__exact={webinar.pk}"
            ),
        ),
    )


def registrant_message(
    registration: Registration, *, message: int
) -> EmailMultiAlternatives | None:
    """An organiser's message, with a link to the registrant's own page; None if the message
    was deleted before it was composed."""
    written = RegistrantMessage.objects.filter(pk=message).first()
    if written is None:
        return None
    return _to_registrant(
        registration, "registrant_message", written.subject, invite_method=None, message=written
    )


def registrant_message_sample(written: "RegistrantMessage", *, to: str) -> EmailMultiAlternatives:
    """The message as its registrants will read it, for the organiser's own address: a sample
    name and no registrant's links."""
    webinar = written.webinar or written.series.webinars.order_by("-start").first()
    # A token only for building the links, each replaced below by a placeholder.
    sample = Registration(webinar=webinar, name=_("(registrant's name)"), email=to, token="x" * 20)
    context = _context(sample, message=written)
    placeholder = _("(the registrant's own link)")
    context.update(dict.fromkeys(PERSONAL_PAGES, placeholder))
    return compose(
        "registrant_message",
        subject=_("[Test] %(subject)s") % {"subject": written.subject},
        to=to,
        context=context,
    )


COMPOSERS = {
    PendingMail.Kind.DETAILS: details_message,
    PendingMail.Kind.PROMOTED: promoted_message,
    PendingMail.Kind.CANCELLED: cancelled_message,
    PendingMail.Kind.WEBINAR_CHANGED: webinar_changed_message,
    PendingMail.Kind.DECLINED: declined_message,
    PendingMail.Kind.MESSAGE: registrant_message,
    PendingMail.Kind.REMINDER: reminder_message,
    PendingMail.Kind.ORGANISER_NOTICE: organiser_notice_message,
}


def _repeat_is_due(intent: PendingMail) -> bool:
    """A repeated registration re-sends the details at most once per REGISTRATION_RESEND_MINUTES
    (counted from when each was recorded), and never notifies the organisers again.

    A conditional update inside the worker's transaction: two workers composing two repeats at
    once send one message, and a failure to compose undoes it.
    """
    if intent.kind != PendingMail.Kind.DETAILS:
        return False
    cutoff = intent.created - timedelta(minutes=settings.REGISTRATION_RESEND_MINUTES)
    return bool(
        Registration.objects.filter(
            Q(details_sent_at__isnull=True) | Q(details_sent_at__lt=cutoff),
            pk=intent.registration_id,
        ).update(details_sent_at=intent.created)
    )


def compose_intent(intent: PendingMail) -> EmailMultiAlternatives | None:
    """The message an intent stands for; None when there is nobody to send it to any more."""
    registration = intent.registration
    args = dict(intent.args)
    if registration.anonymised_at:
        return None
    if args.pop("repeat", False) and not _repeat_is_due(intent):
        return None
    # The message tells the moment it was recorded, not whatever happened since.
    registration.status = intent.status
    if hasattr(intent, "earlier_cancellations"):
        registration.earlier_cancellations = intent.earlier_cancellations
    # In the registrant's language; the organisers' notice in the site's own.
    language = (
        settings.LANGUAGE_CODE
        if intent.kind == PendingMail.Kind.ORGANISER_NOTICE
        else offered_language(registration.language)
    )
    with translation.override(language):
        message = COMPOSERS[intent.kind](registration, **args)
    if message is not None:
        # Rendering the MIME message raises now, while the intent can record why, what would
        # otherwise fail at the mail server's door (an address or header that cannot be encoded).
        message.message()
    return message
