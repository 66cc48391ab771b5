"""The seat rules under the webinar row lock: who may register, seats taken, promotion.

Each decision about seats is taken inside a transaction that holds the webinar row lock
(select_for_update on PostgreSQL; on SQLite the transaction itself is BEGIN IMMEDIATE), so
concurrent submissions can never exceed capacity.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webinars import mail, rules
from webinars.addresses import sendable_address
from webinars.models import (
    Registration,
    Webinar,
)
from webinars.signals import availability_changed, registrations_event

if TYPE_CHECKING:
    pass


class RegistrationError(ValidationError):
    """A registration refused by a rule; the message is meant for the visitor."""


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool


def normalise_email(email: str) -> str:
    """The address as it will be sent (webinars.addresses); RegistrationError if it cannot be."""
    try:
        return sendable_address(email)
    except ValidationError as error:
        raise RegistrationError(error.messages[0], code="email") from None


def _refusal(webinar: Webinar, now: datetime) -> RegistrationError | None:
    """The visitor's words for rules.registration.refusal, or None when registration is open."""
    code = rules.registration.refusal(webinar, now)
    if code is None:
        return None
    title = {"title": webinar.title}
    if code == rules.registration.UNPUBLISHED:
        message = _("%(title)s is not open for registration.") % title
    elif code == rules.registration.CANCELLED:
        message = _("%(title)s has been cancelled, so registration is closed.") % title
    elif code == rules.registration.OVER:
        message = _("%(title)s has already taken place, so registration is closed.") % title
    else:
        message = _("Registration for %(title)s has closed.") % title
    return RegistrationError(message, code=code)


def _seats_taken(webinar: Webinar) -> int:
    """Confirmed registrations; call with the webinar row locked.

    A statement of its own after the lock: on PostgreSQL a statement sees every row committed
    before it starts, so the count includes the registrations the lock waited for.
    """
    return webinar.registrations.confirmed().count()


def _seat_decision(webinar: Webinar) -> tuple[str, int | None]:
    """A seat or the waiting list for someone who may have a seat now; call with the webinar
    row locked. (CONFIRMED, seats taken before this one) for a counted seat, (CONFIRMED, None)
    for unlimited seats, (WAITLISTED, None) when the webinar is full."""
    if webinar.capacity is None:
        return Registration.Status.CONFIRMED, None
    taken = _seats_taken(webinar)
    if rules.seats.is_full(webinar.capacity, taken):
        return Registration.Status.WAITLISTED, None
    return Registration.Status.CONFIRMED, taken


def _active_registration(webinar: Webinar, email: str) -> Registration | None:
    """This address's active registration for the webinar (through the unique index)."""
    return (
        Registration.objects.active()
        .for_address(email)
        .filter(webinar=webinar)
        .order_by("pk")
        .first()
    )


def _lock_webinars(ids: Sequence[int]) -> list[Webinar]:
    # Locked in primary-key order so two multi-webinar submissions cannot deadlock.
    return list(
        Webinar.objects.select_for_update(of=("self",))
        .select_related("series")
        .filter(pk__in=ids)
        .order_by("pk")
    )


def webinar_fill_seats(*, webinar: Webinar, now: datetime | None = None) -> list[Registration]:
    """Promote waiting registrants, oldest first, into every free seat; mail each of them.

    Nobody is promoted for a cancelled webinar or one that has started.
    """
    promoted = _fill_seats(webinar, now or timezone.now())
    if promoted and webinar.capacity is not None:
        availability_changed.send(sender=Webinar, webinar=webinar)
    return promoted


def _fill_seats(webinar: Webinar, now: datetime) -> list[Registration]:
    if not rules.seats.waiting_list_moves(webinar, now):
        return []
    with transaction.atomic():
        locked = _lock_webinars([webinar.pk])
        if not locked:
            return []
        webinar = locked[0]
        waiting = webinar.registrations.waitlisted().order_by(*rules.seats.PROMOTION_ORDER)
        if webinar.capacity is not None:
            limit = rules.seats.promotion_limit(webinar.capacity, _seats_taken(webinar))
            if limit == 0:
                return []
            waiting = waiting[:limit]
        promoted = list(waiting.select_for_update())
        for registration in promoted:
            registration.status = Registration.Status.CONFIRMED
            registration.promoted_at = now
            registration.save(update_fields=["status", "promoted_at", "updated"])
            registration.webinar = webinar
            mail.queue_promoted(registration)
        registrations_event("promoted", promoted, now)
    return promoted
