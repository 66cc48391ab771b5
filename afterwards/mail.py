"""The follow-up mail: recorded per registrant when it is due, composed and queued by the worker.

Like the other mail, a failure to compose is kept with its error and retried, up to
MAIL_MAX_ATTEMPTS, and django-mailer retries what the mail server refuses; the unique
(follow-up, registration) pair means nobody gets it twice, whatever workers run.
"""

import logging
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone, translation

from afterwards.models import FollowUp, FollowUpDelivery
from afterwards.selectors import recap_for
from webinars.formatting import absolute_url, page_url, when
from webinars.language import offered_language
from webinars.mail.compose import compose, personal_links
from webinars.mail.worker import queue_claimed
from webinars.models import Registration

logger = logging.getLogger(__name__)


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


def record_due(now: datetime) -> int:
    """One delivery row per confirmed registrant of every follow-up whose time has come."""
    recorded = 0
    for follow_up in FollowUp.objects.filter(send_at__lte=now).select_related("webinar"):
        registrations = follow_up.webinar.registrations.confirmed().filter(
            anonymised_at__isnull=True
        )
        already = follow_up.deliveries.values("registration_id")
        rows = [
            FollowUpDelivery(
                follow_up=follow_up, registration_id=pk, attended=attended_at is not None
            )
            for pk, attended_at in registrations.exclude(pk__in=already).values_list(
                "pk", "attended_at"
            )
        ]
        FollowUpDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        recorded += len(rows)
    return recorded


def queue_delivery(pk: int, now: datetime) -> str:
    """Compose one follow-up: "queued", "taken" (another worker has it) or "failed"."""

    def compose(pk):
        delivery = FollowUpDelivery.objects.select_related(
            "follow_up__webinar__series", "registration"
        ).get(pk=pk)
        return follow_up_message(
            delivery.follow_up, delivery.registration, attended=delivery.attended
        )

    return queue_claimed(FollowUpDelivery, pk, now, compose)


def deliver_due(now: datetime | None = None) -> Counter:
    now = now or timezone.now()
    record_due(now)
    due = FollowUpDelivery.objects.filter(
        queued_at__isnull=True, attempts__lt=settings.MAIL_MAX_ATTEMPTS
    )
    return Counter(
        queue_delivery(pk, now) for pk in due.order_by("pk").values_list("pk", flat=True)
    )
