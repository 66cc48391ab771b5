"""What follows an organiser's change to a webinar, and copying one."""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from webinars import mail
from webinars.models import (
    Webinar,
    WebinarSpeaker,
)

if TYPE_CHECKING:
    from webinars.changes import WebinarChanges

from webinars.services.seats import (
    webinar_fill_seats,
)


def webinar_notify_registrants(*, webinar: Webinar, change: str) -> int:
    """Mail every active registrant that the webinar was cancelled or moved; returns how many.

    A cancelled webinar's registrations stay as they are (organisers may still want the list).
    """
    registrations = list(webinar.registrations.active().filter(anonymised_at__isnull=True))
    for registration in registrations:
        registration.webinar = webinar
        mail.queue_webinar_changed(registration, change=change)
    return len(registrations)


def webinar_changed(
    webinar: Webinar,
    changes: "WebinarChanges",
    *,
    created: bool = False,
    now: datetime | None = None,
) -> None:
    """What follows a saved edit of a webinar (Webinar.save calls it, for admin and ORM alike).

    Followers of its series hear about it once it is published. Registrants hear that it was
    cancelled or moved, unless it is over. Waiting registrants
    take any free seats: a raised capacity frees some, and so do un-cancelling and moving the
    start later, after cancellations that could promote nobody then.
    """
    now = now or timezone.now()
    if changes.published:
        from following.services import webinar_published

        webinar_published(webinar=webinar, now=now)
    if created:
        return
    if webinar.end >= now:
        if changes.cancelled:
            webinar_notify_registrants(webinar=webinar, change="cancelled")
        elif changes.moved and not webinar.is_cancelled:
            webinar_notify_registrants(webinar=webinar, change="rescheduled")
    if webinar.registrations.waitlisted().exists():
        webinar_fill_seats(webinar=webinar, now=now)


def _free_slug(base: str) -> str:
    base = base[:190]
    taken = set(Webinar.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, n = f"{base}-copy", 2
    while candidate in taken:
        candidate, n = f"{base}-copy-{n}", n + 1
    return candidate


@transaction.atomic
def webinar_duplicate(*, webinar: Webinar) -> Webinar:
    """A copy of a webinar with its speakers, as an unpublished draft with its own calendar
    identity and no registrations, for the organiser to give a new date."""
    copy = Webinar.objects.get(pk=webinar.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.uid = uuid.uuid4()
    copy.sequence = 0
    copy.slug = _free_slug(webinar.slug)
    copy.is_published = False
    copy.status = Webinar.Status.SCHEDULED
    # A closing time belongs to the original's date.
    copy.registration_closes = None
    copy.save()
    WebinarSpeaker.objects.bulk_create(
        WebinarSpeaker(webinar=copy, speaker_id=ws.speaker_id, role=ws.role, order=ws.order)
        for ws in webinar.webinar_speakers.all()
    )
    return copy
