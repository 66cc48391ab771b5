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

from webinars import mail
from webinars.addresses import sendable_address
from webinars.models import (
    Registration,
    Webinar,
)
from webinars.signals import availability_changed

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
    if not webinar.is_published:
        return RegistrationError(
            _("%(title)s is not open for registration.") % {"title": webinar.title},
            code="unavailable",
        )
    if webinar.is_cancelled:
        return RegistrationError(
            _("%(title)s has been cancelled, so registration is closed.")
            % {"title": webinar.title},
            code="cancelled",
        )
    if now >= webinar.end:
        return RegistrationError(
            _("%(title)s has already taken place, so registration is closed.")
            % {"title": webinar.title},
            code="past",
        )
    if now >= webinar.closes_at:
        return RegistrationError(
            _("Registration for %(title)s has closed.") % {"title": webinar.title},
            code="closed",
        )
    return None


def _seats_taken(webinar: Webinar) -> int:
    """Confirmed registrations; call with the webinar row locked.

    A statement of its own after the lock: on PostgreSQL a statement sees every row committed
    before it starts, so the count includes the registrations the lock waited for.
    """
    return webinar.registrations.confirmed().count()


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
    if webinar.is_cancelled or now >= webinar.start:
        return []
    with transaction.atomic():
        locked = _lock_webinars([webinar.pk])
        if not locked:
            return []
        webinar = locked[0]
        waiting = webinar.registrations.waitlisted().order_by("created", "pk")
        if webinar.capacity is not None:
            free = webinar.capacity - webinar.registrations.confirmed().count()
            if free <= 0:
                return []
            waiting = waiting[:free]
        promoted = list(waiting.select_for_update())
        for registration in promoted:
            registration.status = Registration.Status.CONFIRMED
            registration.promoted_at = now
            registration.save(update_fields=["status", "promoted_at", "updated"])
            registration.webinar = webinar
            mail.queue_promoted(registration)
    return promoted
