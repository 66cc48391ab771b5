"""Organisers approve or decline registrations that wait for them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from webinars import mail, rules
from webinars.availability import badge_changes
from webinars.models import (
    Registration,
    Webinar,
)
from webinars.signals import availability_changed, registrations_event

if TYPE_CHECKING:
    pass

from webinars.services.seats import (
    _lock_webinars,
    _seats_taken,
)


@dataclass(frozen=True)
class ApprovalOutcome:
    confirmed: int = 0
    waitlisted: int = 0
    declined: int = 0
    # Not pending any more (another organiser answered first, or the registrant cancelled),
    # or the webinar is cancelled or over.
    skipped: int = 0


def _pending_by_webinar(registrations) -> dict[int, list[int]]:
    by_webinar: dict[int, list[int]] = {}
    for webinar_id, pk in sorted({(r.webinar_id, r.pk) for r in registrations}):
        by_webinar.setdefault(webinar_id, []).append(pk)
    return by_webinar


def registrations_approve(
    *, registrations: Sequence[Registration], now: datetime | None = None
) -> ApprovalOutcome:
    """Approve pending registrations, oldest first: a seat if one is free, else the waiting list.

    Each webinar is decided under its row lock, like registration_create, so approvals racing
    registrations or other approvals never exceed the capacity. Each approved registrant is
    mailed the confirmation (with the join link) or the waiting-list notice.
    """
    now = now or timezone.now()
    counts = {"confirmed": 0, "waitlisted": 0, "skipped": 0}
    for webinar_id, pks in _pending_by_webinar(registrations).items():
        with transaction.atomic():
            locked = _lock_webinars([webinar_id])
            # A hold (address not confirmed) is not a request yet: it is left alone.
            rows = list(
                Registration.objects.select_for_update()
                .filter(pk__in=pks, status=Registration.Status.PENDING, hold_expires_at=None)
                .order_by(*rules.seats.PROMOTION_ORDER)
            )
            if not locked or locked[0].is_cancelled or rules.phase.is_over(locked[0], now):
                counts["skipped"] += len(pks)
                continue
            webinar = locked[0]
            counts["skipped"] += len(pks) - len(rows)
            taken = _seats_taken(webinar) if webinar.capacity is not None else 0
            before = taken
            decided = {Registration.Status.CONFIRMED: [], Registration.Status.WAITLISTED: []}
            for registration in rows:
                free = not rules.seats.is_full(webinar.capacity, taken)
                registration.status = (
                    Registration.Status.CONFIRMED if free else Registration.Status.WAITLISTED
                )
                registration.approved_at = now
                registration.details_sent_at = now
                registration.save(
                    update_fields=["status", "approved_at", "details_sent_at", "updated"]
                )
                registration.webinar = webinar
                mail.queue_details(registration, approved=True)
                taken += free
                counts["confirmed" if free else "waitlisted"] += 1
                decided[registration.status].append(registration)
            registrations_event("confirmed", decided[Registration.Status.CONFIRMED], now)
            registrations_event("waitlisted", decided[Registration.Status.WAITLISTED], now)
            if webinar.capacity is not None and badge_changes(webinar.capacity, before, taken):
                availability_changed.send(sender=Webinar, webinar=webinar)
    return ApprovalOutcome(**counts)


def registrations_decline(
    *, registrations: Sequence[Registration], now: datetime | None = None
) -> ApprovalOutcome:
    """Decline pending registrations: cancelled, with a polite notice. They held no seat."""
    now = now or timezone.now()
    declined = skipped = 0
    for webinar_id, pks in _pending_by_webinar(registrations).items():
        with transaction.atomic():
            webinar = _lock_webinars([webinar_id])[0]
            rows = list(
                Registration.objects.select_for_update().filter(
                    pk__in=pks, status=Registration.Status.PENDING, hold_expires_at=None
                )
            )
            skipped += len(pks) - len(rows)
            for registration in rows:
                registration.status = Registration.Status.CANCELLED
                registration.cancelled_at = now
                registration.declined_at = now
                registration.save(
                    update_fields=["status", "cancelled_at", "declined_at", "updated"]
                )
                registration.webinar = webinar
                mail.queue_declined(registration)
                declined += 1
            registrations_event("cancelled", rows, now)
    return ApprovalOutcome(declined=declined, skipped=skipped)
