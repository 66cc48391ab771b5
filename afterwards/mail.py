"""The follow-up mail: recorded per registrant when it is due, composed and sent by the worker.

A record in webinars' one outbox (kind follow_up) like any other mail: a failure is kept with
its error and retried with growing delays, up to MAIL_MAX_ATTEMPTS, and the key
"follow-up:<follow-up>:<registration>" means nobody gets it twice, whatever workers run.
"""

from datetime import datetime

from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from afterwards.models import FollowUp
from afterwards.selectors import recap_for
from webinars.formatting import absolute_url, page_url, when
from webinars.language import offered_language
from webinars.mail import record_many
from webinars.mail.compose import compose, personal_links
from webinars.models import PendingMail, Registration


def follow_up_context(follow_up: FollowUp, registration: Registration, *, attended: bool) -> dict:
    webinar = follow_up.webinar
    token = {"token": registration.token}
    recap = recap_for(webinar, registrant=True)
    materials = [
        (
            m.title,
            absolute_url(reverse("afterwards:registrant_material", kwargs={**token, "pk": m.pk})),
        )
        for m in recap.materials
    ]
    return {
        "registration": registration,
        "webinar": webinar,
        "when": when(webinar),
        "webinar_url": page_url(webinar),
        "attended": attended,
        "text": follow_up.attendees_text if attended else follow_up.absentees_text,
        "recording_url": recap.recording_url,
        "materials": materials,
        "feedback_url": absolute_url(reverse("afterwards:feedback", kwargs=token)),
        **personal_links(registration),
    }


def follow_up_message(
    follow_up: FollowUp, registration: Registration, *, attended: bool, to: str | None = None
) -> EmailMultiAlternatives:
    with translation.override(offered_language(registration.language)):
        return compose(
            "follow_up",
            subject=follow_up.subject,
            to=to or registration.email,
            context=follow_up_context(follow_up, registration, attended=attended),
        )


def follow_up_key(follow_up_pk: int, registration_pk: int) -> str:
    return f"follow-up:{follow_up_pk}:{registration_pk}"


def record_due(now: datetime) -> int:
    """One record per confirmed registrant of every follow-up whose time has come."""
    recorded = 0
    for follow_up in FollowUp.objects.filter(send_at__lte=now).select_related("webinar"):
        registrations = follow_up.webinar.registrations.confirmed().filter(
            anonymised_at__isnull=True
        )
        recorded += record_many(
            PendingMail.Kind.FOLLOW_UP,
            [
                (
                    follow_up_key(follow_up.pk, pk),
                    {"follow_up": follow_up.pk, "attended": attended_at is not None},
                    pk,
                )
                for pk, attended_at in registrations.values_list("pk", "attended_at")
            ],
            now=now,
        )
    return recorded


def follow_up_for(record: PendingMail) -> EmailMultiAlternatives | None:
    follow_up = (
        FollowUp.objects.select_related("webinar__series")
        .filter(pk=record.args["follow_up"])
        .first()
    )
    registration = record.registration
    if follow_up is None or registration is None or registration.anonymised_at:
        return None
    return follow_up_message(follow_up, registration, attended=record.args["attended"])
