"""What follows an organiser's change to a webinar, and copying one."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from webinars import mail, signals
from webinars.changes import WebinarChanges
from webinars.models import (
    Webinar,
    WebinarSpeaker,
)
from webinars.rules import phase
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


@transaction.atomic
def webinar_save(*, webinar: Webinar, now: datetime | None = None) -> WebinarChanges:
    """Save an organiser's new or edited webinar, then tell the people the change concerns;
    returns what the save changed.

    Admin calls this (a webinar's page, the series' webinar rows), as should any command or
    API that makes an organiser's change; a plain save() keeps derived data right and mails
    nobody. Followers of its series hear about it once it is
    published (through the webinar_published signal: following is built on top of webinars).
    Registrants hear that it was cancelled or moved, unless it is over. Waiting registrants
    take any free seats: a raised capacity frees some, and so do un-cancelling and moving the
    start later, after cancellations that could promote nobody then.
    """
    now = now or timezone.now()
    webinar.save()
    changes = webinar.last_changes
    if changes.published:
        signals.webinar_published.send(sender=Webinar, webinar=webinar, now=now)
    signals.webinar_saved.send(sender=Webinar, webinar=webinar, changes=changes, now=now)
    if changes.created:
        return changes
    if not phase.is_over(webinar, now):
        if changes.cancelled:
            webinar_notify_registrants(webinar=webinar, change="cancelled")
        elif changes.moved and not webinar.is_cancelled:
            webinar_notify_registrants(webinar=webinar, change="rescheduled")
    if webinar.registrations.waitlisted().exists():
        webinar_fill_seats(webinar=webinar, now=now)
    return changes


def webinar_publish(*, webinar: Webinar, now: datetime | None = None) -> WebinarChanges:
    """Publish a webinar and tell the followers of its series (webinar_save), e.g. a draft
    made by webinar_duplicate once its date is set."""
    webinar.is_published = True
    return webinar_save(webinar=webinar, now=now)


def free_slug(base: str, *, copy: bool = True) -> str:
    """A slug no webinar has: `base-copy`, `base-copy-2`, ... (or `base`, `base-2`, ... for a
    new webinar rather than a copy)."""
    base = base[:190]
    taken = set(Webinar.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    stem = f"{base}-copy" if copy else base
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
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
    copy.slug = free_slug(webinar.slug)
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
