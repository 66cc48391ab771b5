"""Writes with side effects: the registration rules (capacity, duplicates, waiting list).

Every rule that changes a registration lives here. Each decision about seats is taken inside a
transaction that holds the webinar row lock (select_for_update on PostgreSQL; on SQLite the
transaction itself is BEGIN IMMEDIATE), so concurrent submissions can never exceed capacity.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from webinars import mail
from webinars.availability import badge_changes
from webinars.models import Registration, Webinar, WebinarSpeaker
from webinars.signals import availability_changed

if TYPE_CHECKING:
    from webinars.changes import WebinarChanges


class RegistrationError(ValidationError):
    """A registration refused by a rule; the message is meant for the visitor."""


@dataclass(frozen=True)
class RegistrationOutcome:
    registration: Registration
    created: bool


def normalise_email(email: str) -> str:
    """Trimmed, with the domain in lower case (the local part is the owner's business)."""
    email = email.strip()
    local, sep, domain = email.rpartition("@")
    return f"{local}{sep}{domain.lower()}" if sep else email


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


def registration_create(
    *,
    webinars: Sequence[Webinar],
    name: str,
    email: str,
    organisation: str = "",
    consent: bool,
    now: datetime | None = None,
) -> list[RegistrationOutcome]:
    """Register one person for one or several webinars, all or nothing.

    A free seat gives `confirmed`, a full webinar `waitlisted`. An email already registered
    (in any letter case) creates nothing and re-sends the details at most once per
    REGISTRATION_RESEND_MINUTES. Raises RegistrationError when a webinar is not open.
    """
    if not consent:
        raise RegistrationError(
            _("Please agree to the privacy notice to register."), code="consent"
        )
    if not webinars:
        raise RegistrationError(_("Choose at least one webinar."), code="no_webinar")
    now = now or timezone.now()
    email = normalise_email(email)
    outcomes = []
    with transaction.atomic():
        locked = _lock_webinars([w.pk for w in webinars])
        if len(locked) != len({w.pk for w in webinars}):
            raise RegistrationError(_("That webinar no longer exists."), code="unavailable")
        for webinar in locked:
            if refusal := _refusal(webinar, now):
                raise refusal
        for webinar in locked:
            taken = _seats_taken(webinar) if webinar.capacity is not None else 0
            full = webinar.capacity is not None and taken >= webinar.capacity
            try:
                # In a savepoint: a repeated address breaks the unique constraint and leaves
                # the transaction usable. Cheaper than looking for it first on every POST.
                with transaction.atomic():
                    registration = Registration.objects.create(
                        webinar=webinar,
                        name=name.strip(),
                        email=email,
                        organisation=organisation.strip(),
                        status=(
                            Registration.Status.WAITLISTED
                            if full
                            else Registration.Status.CONFIRMED
                        ),
                        consent_at=now,
                        created=now,
                        details_sent_at=now,
                    )
            except IntegrityError:
                existing = _active_registration(webinar, email)
                if existing is None:
                    raise
                _resend_details(registration=existing, webinar=webinar, now=now)
                outcomes.append(RegistrationOutcome(existing, created=False))
                continue
            if not full and badge_changes(webinar.capacity, taken, taken + 1):
                # e.g. the seat that leaves only a few, or the last one
                availability_changed.send(sender=Webinar, webinar=webinar)
            mail.queue_details(registration)
            if webinar.series and webinar.series.notify_email:
                mail.queue_organiser_notice(registration)
            outcomes.append(RegistrationOutcome(registration, created=True))
    return outcomes


def _resend_details(*, registration: Registration, webinar: Webinar, now: datetime) -> None:
    # A conditional update, so two quick repeats send one message, not two.
    cutoff = now - timedelta(minutes=settings.REGISTRATION_RESEND_MINUTES)
    sent = Registration.objects.filter(
        Q(details_sent_at__isnull=True) | Q(details_sent_at__lt=cutoff), pk=registration.pk
    ).update(details_sent_at=now)
    if sent:
        registration.webinar = webinar
        mail.queue_details(registration)


def registration_cancel(
    *, registration: Registration, by_organiser: bool = False, now: datetime | None = None
) -> bool:
    """Cancel a registration, free its seat and promote the oldest waiting registrant.

    Returns False when it was already cancelled (nothing changes, nothing is mailed).
    """
    now = now or timezone.now()
    with transaction.atomic():
        webinar = _lock_webinars([registration.webinar_id])[0]
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            return False
        freed = current.status == Registration.Status.CONFIRMED
        before = _seats_taken(webinar) if freed and webinar.capacity is not None else None
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at", "updated"])
        current.webinar = webinar
        mail.queue_cancelled(current, by_organiser=by_organiser)
        promoted = _fill_seats(webinar, now)
        # A promotion usually takes the freed seat again: the state moves only when it does not.
        # The row lock holds the count still, so what it is now follows without counting again.
        after = None if before is None else before - 1 + len(promoted)
        if before is not None and badge_changes(webinar.capacity, before, after):
            availability_changed.send(sender=Webinar, webinar=webinar)
    registration.status = current.status
    registration.cancelled_at = current.cancelled_at
    return True


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
    webinar: Webinar, changes: "WebinarChanges", *, now: datetime | None = None
) -> None:
    """What follows a saved edit of a webinar (Webinar.save calls it, for admin and ORM alike).

    Registrants hear that it was cancelled or moved, unless it is over. Waiting registrants
    take any free seats: a raised capacity frees some, and so do un-cancelling and moving the
    start later, after cancellations that could promote nobody then.
    """
    now = now or timezone.now()
    if webinar.end >= now:
        if changes.cancelled:
            webinar_notify_registrants(webinar=webinar, change="cancelled")
        elif changes.moved and not webinar.is_cancelled:
            webinar_notify_registrants(webinar=webinar, change="rescheduled")
    if webinar.registrations.waitlisted().exists():
        webinar_fill_seats(webinar=webinar, now=now)


def registration_send_reminder(*, registration: Registration, now: datetime | None = None) -> bool:
    """Mail the reminder unless it went already; True if this call sent it."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Registration.objects.filter(
            pk=registration.pk,
            reminder_sent_at__isnull=True,
            status=Registration.Status.CONFIRMED,
        ).update(reminder_sent_at=now)
        if claimed:
            mail.queue_reminder(registration)
    return bool(claimed)


def registrations_purge(*, older_than_days: int, now: datetime | None = None) -> int:
    """Anonymise registrations of webinars that ended more than `older_than_days` ago.

    Rows stay (organisers keep their counts); name, email and organisation go, and the token
    is replaced so old links stop working. Returns how many were anonymised.
    """
    from webinars.models import new_token

    now = now or timezone.now()
    cutoff = now - timedelta(days=older_than_days)
    ids = list(
        Registration.objects.filter(webinar__end__lt=cutoff, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for pk in ids:
        # One row at a time: each needs its own placeholder address and fresh token.
        Registration.objects.filter(pk=pk).update(
            name="",
            email=f"removed-{pk}@anonymised.invalid",
            organisation="",
            token=new_token(),
            anonymised_at=now,
        )
    return len(ids)


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
