"""Messages to registrants and organisers, composed from templates/mail/ (text and HTML).

Composing reads the registration, its webinar, speakers and organisers and renders two
templates and a calendar file: the worker does it after commit, never a visitor's request.
"""

import re
import zoneinfo
from datetime import UTC, timedelta
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from webinars import ical, theme
from webinars.calendar_links import google_calendar_url, ics_url, outlook_url
from webinars.formatting import absolute_url, in_zone, page_url, when
from webinars.identity import site_name
from webinars.models import (
    PendingMail,
    RegistrantMessage,
    Registration,
    SiteSettings,
    Webinar,
    available_time_zones,
)
from webinars.rules import join
from webinars.text import one_line

# The registrant's own pages, each addressed by their token.
PERSONAL_PAGES = {
    "page_url": "webinars:registration",
    "join_url": "webinars:registration_join",
    "feed_url": "webinars:registration_calendar",
    "cancel_url": "webinars:registration_cancel",
}


def personal_links(registration: Registration) -> dict[str, str]:
    """The registrant's own page, personal join link, calendar feed and cancel page."""
    kwargs = {"token": registration.token}
    return {key: absolute_url(reverse(name, kwargs=kwargs)) for key, name in PERSONAL_PAGES.items()}


def _context(registration: Registration, **extra) -> dict:
    webinar = registration.webinar
    is_confirmed = registration.status == Registration.Status.CONFIRMED
    still_on = not webinar.is_cancelled and registration.status != Registration.Status.CANCELLED
    return {
        "registration": registration,
        "webinar": webinar,
        "when": when(webinar),
        "own_when": own_when(registration),
        "webinar_url": page_url(webinar),
        "is_confirmed": is_confirmed,
        "is_waitlisted": registration.status == Registration.Status.WAITLISTED,
        "is_pending": registration.status == Registration.Status.PENDING,
        "join_window_minutes": settings.JOIN_WINDOW_MINUTES,
        "join_opens": join_opens_text(registration),
        # Calendar buttons and the cancel link only while there is something to keep or give up.
        "calendar": still_on
        and {
            "ics": absolute_url(ics_url(webinar)),
            "google": google_calendar_url(webinar),
            "outlook": outlook_url(webinar),
        },
        "can_cancel": still_on,
        "site_url": settings.SITE_URL,
        **personal_links(registration),
        **extra,
    }


# How each kind of calendar part describes the webinar to its recipient.
INVITE_KINDS = {
    # An invitation to a seat: Gmail and Outlook offer "add to calendar" / accept.
    "REQUEST": {"filename": "invite.ics"},
    # Removes the entry again.
    "CANCEL": {"filename": "cancel.ics"},
    # Someone on the waiting list has no seat: a tentative entry they may keep, no invitation.
    "PUBLISH": {"filename": "webinar.ics", "tentative": True},
}


def _calendar_parts(
    webinar: Webinar, email: str, method: str = "REQUEST", sequence_offset: int = 0
) -> tuple[MIMEText, MIMEText]:
    """The text/calendar part for multipart/alternative and the same calendar as an attachment.

    Calendar servers send both: the part inside the alternative is what Gmail and Outlook turn
    into an invitation card, the attachment what other clients import. The public builder
    never includes the private join link.
    """
    kind = INVITE_KINDS[method]
    tentative = kind.get("tentative", False)
    ics = ical.calendar_for(
        [webinar],
        method=method,
        # A PUBLISH addresses nobody (RFC 5546): no ATTENDEE, so no PARTSTAT=ACCEPTED either.
        attendee_email=None if tentative else email,
        tentative=tentative,
        sequence_offset=sequence_offset,
    ).decode("utf-8")
    inline = MIMEText(ics, "calendar", "utf-8")
    inline.set_param("method", method)
    attached = MIMEText(ics, "calendar", "utf-8")
    attached.set_param("method", method)
    attached.add_header("Content-Disposition", "attachment", filename=kind["filename"])
    return inline, attached


class CalendarMessage(EmailMultiAlternatives):
    """Text, HTML and (when set) a text/calendar part in multipart/alternative."""

    calendar_part: MIMEText | None = None

    def message(self, *args, **kwargs):
        # attach_alternative() takes a string and a bare content type, which would drop the
        # METHOD parameter Outlook and Gmail read: the ready part goes in after Django built
        # the alternative, through message(), the method Django documents for extending.
        msg = super().message(*args, **kwargs)
        if self.calendar_part is not None:
            alternative = next(
                part for part in msg.walk() if part.get_content_type() == "multipart/alternative"
            )
            alternative.attach(self.calendar_part)
        return msg


def mail_brand(site: SiteSettings) -> dict[str, str]:
    """The site's colours for mail, made readable in light and dark clients, and its logo."""
    light, dark = site.light or theme.HOUSE_LIGHT, site.dark or theme.HOUSE_DARK
    return {
        "accent": light.accent,
        "on_accent": light.on_accent,
        "tint": light.tint,
        "dark_accent": dark.accent,
        "dark_on_accent": dark.on_accent,
        "dark_tint": dark.tint,
        "logo_url": absolute_url(site.logo.url) if site.logo else "",
    }


def compose(
    template: str,
    *,
    subject: str,
    to: str,
    context: dict,
    invite: tuple[Webinar, str] | None = None,
    invite_method: str = "REQUEST",
    sequence_offset: int = 0,
) -> EmailMultiAlternatives:
    """A text + HTML message from templates/mail/<template>.txt and .html."""
    # Every message is signed with the site's name and contact address (site settings).
    site = SiteSettings.current()
    context = {
        "site": site,
        "site_name": site_name(),
        "brand": mail_brand(site),
        "site_url": settings.SITE_URL,
        **context,
    }
    if "series" not in context and context.get("webinar") is not None:
        context["series"] = context["webinar"].series
    # Optional sections (join link, calendar buttons) leave blank lines behind when absent.
    text = re.sub(r"\n{3,}", "\n\n", render_to_string(f"mail/{template}.txt", context).strip())
    text += "\n"
    html = render_to_string(f"mail/{template}.html", context)
    message = CalendarMessage(
        # A line break in a title would make an invalid header; never let it fail a message.
        subject=one_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname),
            # Django's default says "-0000" (offset unknown); this instant is known, in UTC.
            "Date": format_datetime(timezone.now().astimezone(UTC)),
        },
    )
    message.attach_alternative(html, "text/html")
    if invite:
        inline, attached = _calendar_parts(
            *invite, method=invite_method, sequence_offset=sequence_offset
        )
        message.calendar_part = inline
        message.attach(attached)
    return message


def _to_registrant(
    registration: Registration,
    template: str,
    subject: str,
    *,
    invite_method: str | None = "REQUEST",
    sequence_offset: int = 0,
    **extra,
) -> EmailMultiAlternatives:
    """templates/mail/<template> to the registrant, with a calendar file unless None."""
    webinar = registration.webinar
    if invite_method:
        sequence_offset += 2 * _earlier_cancellations(registration)
    return compose(
        template,
        subject=subject,
        to=registration.email,
        context=_context(registration, **extra),
        invite=(webinar, registration.email) if invite_method else None,
        invite_method=invite_method or "REQUEST",
        sequence_offset=sequence_offset,
    )


def _earlier_cancellations(registration: Registration) -> int:
    """How many registrations of this address for this webinar were cancelled before this one.

    The entry in the registrant's calendar has one UID per webinar: after their own CANCEL
    (one above the webinar's SEQUENCE) a new registration's invitation must be newer still, or
    calendars ignore it. Each earlier cancellation moves this person's SEQUENCE up by two.
    The worker reads it with the intent (PendingMail.objects.for_composing).
    """
    known = getattr(registration, "earlier_cancellations", None)
    if known is not None:
        return known
    return (
        Registration.objects.filter(
            webinar_id=registration.webinar_id,
            email=registration.email,
            status=Registration.Status.CANCELLED,
            created__lt=registration.created,
        )
        .exclude(pk=registration.pk)
        .count()
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


def own_when(registration: Registration) -> str:
    """The webinar's time in the registrant's own zone, when known and not the webinar's."""
    webinar = registration.webinar
    if registration.time_zone not in available_time_zones():
        return ""
    own = when(webinar, zoneinfo.ZoneInfo(registration.time_zone))
    return "" if own == when(webinar) else f"{own} ({registration.time_zone})"


def join_opens_text(registration: Registration) -> str:
    """When the join link opens: in the registrant's own zone first when known and not the
    webinar's, then in the webinar's."""
    webinar = registration.webinar
    opens = join.opens(webinar)
    theirs = in_zone(opens, webinar.tz)
    if registration.time_zone not in available_time_zones():
        return theirs
    own = in_zone(opens, zoneinfo.ZoneInfo(registration.time_zone))
    return theirs if own == theirs else f"{own} ({registration.time_zone}); {theirs}"


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
    """A short notice to the series' notify_email; None if the series has no address (any more)."""
    webinar = registration.webinar
    if not (webinar.series and webinar.series.notify_email):
        return None
    counts = webinar.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waitlisted=Count("pk", filter=Q(status=Registration.Status.WAITLISTED)),
        pending=Count("pk", filter=Q(status=Registration.Status.PENDING)),
    )
    return compose(
        "organiser_notice",
        subject=_("New registration: %(title)s") % {"title": webinar.title},
        to=webinar.series.notify_email,
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
        else registration.language
    )
    with translation.override(language):
        message = COMPOSERS[intent.kind](registration, **args)
    if message is not None:
        # Rendering the MIME message raises now, while the intent can record why, what would
        # otherwise fail at the mail server's door (an address or header that cannot be encoded).
        message.message()
    return message
