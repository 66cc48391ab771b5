"""One message of every kind the site sends, built from realistic data: for the browser checks
and screenshots of the mail layout."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from afterwards.mail import follow_up_message
from afterwards.models import FollowUp
from following.mail import confirmation_message, notice_message
from following.models import Follower
from hooks.models import WebhookEndpoint
from hooks.worker import switched_off_message
from privacy.mail import link_message_for
from tests.factories import make_registration, make_series, make_webinar
from webinars.mail import kinds as mail
from webinars.models import PendingMail, RegistrantMessage, Registration, SiteSettings

Status = Registration.Status


def every_mail_kind() -> dict[str, object]:
    """{kind: EmailMultiAlternatives} for each template in templates/mail/."""
    SiteSettings.objects.create(
        site_name="Fair ICT Webinars",
        accent_colour="#0a7c59",
        contact_email="webinars@fair-ict.example.org",
        footer_text="Fair ICT Flanders, Ravensteingalerij 27, 1000 Brussels.",
    )
    series = make_series(
        title="Towards a Responsible Supply Chain for Electronics: From Mining to Manufacturing",
        notify_email="team@fair-ict.example.org",
    )
    start = timezone.now() + timedelta(days=9)
    online = make_webinar(
        series=series,
        number=3,
        title="Conflict minerals: tracing tin, tantalum and tungsten from mine to smelter",
        start=start,
        join_url="https://meet.example.com/room",
        capacity=40,
        is_published=True,
    )
    venue = make_webinar(
        series=series,
        number=4,
        title="Recycling at scale",
        start=start + timedelta(days=7),
        location="Ravensteingalerij 27, Brussels",
        is_published=True,
    )

    def reg(webinar=online, **fields):
        fields.setdefault("name", "Ada Lovelace-Byron")
        fields.setdefault("email", "ada.lovelace@university-of-somewhere.example.org")
        fields.setdefault("time_zone", "America/New_York")
        return make_registration(webinar, **fields)

    written = RegistrantMessage.objects.create(
        webinar=online,
        subject="Room change and slides",
        body="We moved to a bigger room.\n\nThe slides will be shared after the webinar.",
    )
    follower = Follower.objects.create(series=series, email="ada@example.org")
    follow_up = FollowUp.objects.create(
        webinar=online,
        subject="Thank you for joining",
        attendees_text="Thank you for joining us. Here is the recording.",
        absentees_text="Sorry we missed you.",
        send_at=start + timedelta(days=1),
    )

    def data_request(email):
        return PendingMail(kind=PendingMail.Kind.DATA_REQUEST, args={"email": email})

    owner = get_user_model().objects.create_user(
        username="crm-owner", email="integrations@fair-ict.example.org", is_staff=True
    )
    endpoint = WebhookEndpoint.objects.create(
        url="https://crm.fair-ict.example.org/hooks/webinars/registrations?source=site&v=2",
        owner=owner,
        events=["registration.created"],
        active=False,
        failing_since=timezone.now() - timedelta(days=3),
    )

    held = reg(email="held@example.org", status=Status.PENDING)
    held.hold_expires_at = timezone.now() + timedelta(hours=1)
    return {
        "registration_confirmed": mail.details_message(reg(status=Status.CONFIRMED)),
        "registration_confirmed_venue": mail.details_message(reg(venue, status=Status.CONFIRMED)),
        "registration_waitlisted": mail.details_message(
            reg(email="w@example.org", status=Status.WAITLISTED)
        ),
        "registration_pending": mail.details_message(
            reg(email="p@example.org", status=Status.PENDING)
        ),
        "registration_confirm_address": mail.details_message(held),
        "registration_declined": mail.declined_message(
            reg(email="d@example.org", status=Status.CANCELLED)
        ),
        "registration_promoted": mail.promoted_message(
            reg(email="pr@example.org", status=Status.CONFIRMED)
        ),
        "registration_cancelled": mail.cancelled_message(
            reg(email="c@example.org", status=Status.CANCELLED)
        ),
        "reminder": mail.reminder_message(reg(email="r@example.org", status=Status.CONFIRMED)),
        "webinar_rescheduled": mail.webinar_changed_message(
            reg(email="m@example.org", status=Status.CONFIRMED), change="rescheduled"
        ),
        "webinar_cancelled": mail.webinar_changed_message(
            reg(email="x@example.org", status=Status.CONFIRMED), change="cancelled"
        ),
        "registrant_message": mail.registrant_message(
            reg(email="rm@example.org", status=Status.CONFIRMED), message=written.pk
        ),
        "organiser_notice": mail.organiser_notice_message(reg(email="o@example.org")),
        "follow_confirm": confirmation_message(follower),
        "follow_new_webinar": notice_message(follower, venue),
        "follow_up": follow_up_message(
            follow_up, reg(email="f@example.org", status=Status.CONFIRMED), attended=True
        ),
        "privacy_link": link_message_for(data_request("ada@example.org")),
        "privacy_nothing": link_message_for(data_request("nobody@example.org")),
        "webhook_switched_off": switched_off_message(endpoint),
    }
