"""Messages to registrants and organisers, composed from templates/mail/ (text and HTML).

Composing reads the registration, its webinar, speakers and organisers and renders two
templates and a calendar file: the worker does it after commit, never a visitor's request.
"""

from email.mime.text import MIMEText
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse

from webinars import ical
from webinars.formatting import absolute_url, page_url, when
from webinars.models import PendingMail, Registration, SiteSettings, Webinar

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
    return {
        "registration": registration,
        "webinar": webinar,
        "when": when(webinar),
        "webinar_url": page_url(webinar),
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
    # Every message is signed with the site's name and contact address (site settings).
    context = {"site": SiteSettings.current(), **context}
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
