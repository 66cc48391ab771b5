"""Messages to registrants and organisers, composed from templates/mail/ (text and HTML).

Composing reads the registration, its webinar, speakers and organisers and renders two
templates and a calendar file: the worker does it after commit, never a visitor's request.
"""

import re
import zoneinfo
from datetime import UTC
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from series.models import Series
from webinars import ical, theme
from webinars.calendar_links import google_calendar_url, ics_url, outlook_url
from webinars.formatting import absolute_url, in_zone, page_url, when
from webinars.identity import site_name
from webinars.images import thumbnail
from webinars.models import (
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
        alarm=True,
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
    # A copy made here, never the uploaded file: an upload from before uploads were cleaned
    # can still carry EXIF (GPS included). Twice the 32 pixels it is shown at.
    logo = thumbnail(site.logo, width=192, height=64)
    return {
        "accent": light.accent,
        "on_accent": light.on_accent,
        "tint": light.tint,
        "dark_accent": dark.accent,
        "dark_on_accent": dark.on_accent,
        "dark_tint": dark.tint,
        "logo_url": absolute_url(logo.url) if logo else "",
    }


def sender(series: Series | None) -> str:
    """The From of mail about `series`: its sender name on the site's own address
    (DEFAULT_FROM_EMAIL), the one the domain's SPF and DKIM vouch for."""
    name = one_line(series.sender_name).strip() if series is not None else ""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if not (name and address):
        return settings.DEFAULT_FROM_EMAIL
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def reply_to(series: Series | None) -> list[str]:
    """Where replies to mail about `series` go: its reply-to address, if it set one."""
    return [series.reply_to] if series is not None and series.reply_to else []


def compose(
    template: str,
    *,
    subject: str,
    to: str | list[str],
    context: dict,
    invite: tuple[Webinar, str] | None = None,
    invite_method: str = "REQUEST",
    sequence_offset: int = 0,
) -> EmailMultiAlternatives:
    """A text + HTML message from templates/mail/<template>.txt and .html, from the series'
    sender when it is about one (context's "series", else its "webinar"'s)."""
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
        from_email=sender(context.get("series")),
        to=[to] if isinstance(to, str) else list(to),
        reply_to=reply_to(context.get("series")),
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
