"""A visitor's registration: create, confirm the address, cancel, attend."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from webinars import mail, rules
from webinars.availability import badge_changes
from webinars.models import (
    Answer,
    Question,
    Registration,
    Webinar,
)
from webinars.signals import availability_changed, registrations_event

if TYPE_CHECKING:
    pass

from webinars.services.seats import (
    RegistrationError,
    RegistrationOutcome,
    _active_registration,
    _fill_seats,
    _lock_webinars,
    _refusal,
    _seat_decision,
    _seats_taken,
    normalise_email,
)


def registration_create(
    *,
    webinars: Sequence[Webinar],
    name: str,
    email: str,
    organisation: str = "",
    consent: bool,
    time_zone: str = "",
    answers: dict[int, object] | None = None,
    now: datetime | None = None,
) -> list[RegistrationOutcome]:
    """Register one person for one or several webinars, all or nothing.

    A free seat gives `confirmed`, a full webinar `waitlisted`, a webinar that requires
    approval `pending` (no seat until registrations_approve). An email already registered
    (in any letter case) creates nothing and re-sends the details at most once per
    REGISTRATION_RESEND_MINUTES. Raises RegistrationError when a webinar is not open.
    `answers` ({question pk: answer}, checked by the form) are stored with each registration
    whose webinar or series asks the question.
    """
    _check_request(webinars, consent)
    now = now or timezone.now()
    person = {
        "name": name.strip(),
        "email": normalise_email(email),
        "organisation": organisation.strip(),
        "time_zone": time_zone,
        # The page's language (its address): their mail is written in it.
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }
    with transaction.atomic():
        locked = _lock_open_webinars(webinars, now)
        questions = list(Question.objects.filter(pk__in=answers or {}))
        return [_register(webinar, person, questions, answers, now) for webinar in locked]


def _check_request(webinars: Sequence[Webinar], consent: bool) -> None:
    if not consent:
        raise RegistrationError(
            _("Please agree to the privacy notice to register."), code="consent"
        )
    if not webinars:
        raise RegistrationError(_("Choose at least one webinar."), code="no_webinar")


def _lock_open_webinars(webinars: Sequence[Webinar], now: datetime) -> list[Webinar]:
    """The webinars, locked (services.seats._lock_webinars); RegistrationError unless every
    one of them is there and open, so nothing is written for any."""
    locked = _lock_webinars([w.pk for w in webinars])
    if len(locked) != len({w.pk for w in webinars}):
        raise RegistrationError(_("That webinar no longer exists."), code="unavailable")
    for webinar in locked:
        if refusal := _refusal(webinar, now):
            raise refusal
    return locked


def _register(
    webinar: Webinar, person: dict, questions: list, answers: dict | None, now: datetime
) -> RegistrationOutcome:
    """One webinar's registration, with the webinar row locked: its status, the row, its
    answers and mail; or the address's registration that is already there."""
    held = webinar.needs_address_confirmation
    if held or webinar.requires_approval:
        # Waiting for approval or for the address to be confirmed takes no seat: none counted.
        status, taken = Registration.Status.PENDING, None
    else:
        status, taken = _seat_decision(webinar)
    fields = {
        **person,
        "webinar": webinar,
        "status": status,
        "consent_at": now,
        "created": now,
        "details_sent_at": now,
        "hold_expires_at": (
            now + timedelta(minutes=settings.REGISTRATION_HOLD_MINUTES) if held else None
        ),
    }
    registration, existing = _insert(fields, now)
    if registration is None:
        existing.webinar = webinar
        # The same rows as a new registration records: the answer must not take longer or
        # shorter for an address already registered. The worker decides whether the details
        # go out again (REGISTRATION_RESEND_MINUTES).
        _queue_registration_mail(existing, repeat=True, notify=not held, now=now)
        return RegistrationOutcome(existing, created=False)
    if taken is not None and badge_changes(webinar.capacity, taken, taken + 1):
        # e.g. the seat that leaves only a few, or the last one
        availability_changed.send(sender=Webinar, webinar=webinar)
    Answer.objects.bulk_create(
        Answer(registration=registration, question=q, value=answers[q.pk])
        for q in questions
        if q.webinar_id == webinar.pk or (q.series_id and q.series_id == webinar.series_id)
    )
    # The organisers hear of a held registration once its address is confirmed.
    _queue_registration_mail(registration, repeat=False, notify=not held, now=now)
    registrations_event("created", [registration], now)
    _status_event(registration, now)
    return RegistrationOutcome(registration, created=True)


def _status_event(registration: Registration, now: datetime) -> None:
    """A seat or the waiting list, just decided, for the tools outside that listen."""
    if registration.status == Registration.Status.CONFIRMED:
        registrations_event("confirmed", [registration], now)
    elif registration.status == Registration.Status.WAITLISTED:
        registrations_event("waitlisted", [registration], now)


def _queue_registration_mail(
    registration: Registration, *, repeat: bool, notify: bool, now: datetime
) -> None:
    webinar = registration.webinar
    mail.queue_details(registration, repeat=repeat, now=now)
    if notify and webinar.series and webinar.series.notice_addresses:
        mail.queue_organiser_notice(registration, repeat=repeat, now=now)


def _insert(fields: dict, now: datetime) -> tuple[Registration | None, Registration | None]:
    """(the new registration, None), or (None, the address's active one) if it has one.

    In a savepoint: a repeated address breaks the unique constraint and leaves the transaction
    usable. Cheaper than looking for it first on every POST. An expired hold of the address is
    deleted and the insert tried again: registering anew replaces it.
    """
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return Registration.objects.create(**fields), None
        except IntegrityError:
            existing = _active_registration(fields["webinar"], fields["email"])
            if existing is None:
                raise
            if not (existing.is_held and existing.hold_expires_at <= now):
                return None, existing
            existing.delete()
    raise IntegrityError("the address's expired hold came back")  # pragma: no cover


@dataclass(frozen=True)
class AddressConfirmation:
    """What confirming an address did: "confirmed" (a seat, the waiting list, or the
    organisers' approval to wait for), "done" (confirmed before), "expired" or "closed"."""

    outcome: str
    registration: Registration | None = None


def registration_confirm_address(
    *, registration: Registration, now: datetime | None = None
) -> AddressConfirmation:
    """Confirm a held registration's address, and with it every other hold of the same address
    still waiting (a series form makes one per webinar: one link is enough).

    Each then gets its seat (or the waiting list), or, for a webinar that requires approval,
    goes to the organisers: under the webinars' row locks, as every seat decision.
    """
    now = now or timezone.now()
    with transaction.atomic():
        others = dict(
            Registration.objects.held()
            .for_address(registration.email)
            .filter(hold_expires_at__gt=now)
            .values_list("pk", "webinar_id")
        )
        webinar_ids = sorted({registration.webinar_id, *others.values()})
        webinars = {w.pk: w for w in _lock_webinars(webinar_ids)}
        rows = list(
            Registration.objects.select_for_update()
            .filter(pk__in={registration.pk, *others})
            .order_by(*rules.seats.PROMOTION_ORDER)
        )
        current = next((r for r in rows if r.pk == registration.pk), None)
        if current is None:
            return AddressConfirmation("expired")  # purged meanwhile
        if not current.is_held:
            current.webinar = webinars[current.webinar_id]
            return AddressConfirmation("done", current)
        if current.hold_expires_at <= now:
            return AddressConfirmation("expired", current)
        if _refusal(webinars[current.webinar_id], now):
            return AddressConfirmation("closed", current)
        for row in rows:
            webinar = webinars[row.webinar_id]
            if row.is_held and row.hold_expires_at > now and not _refusal(webinar, now):
                _confirm_hold(row, webinar, now)
    return AddressConfirmation("confirmed", current)


def _confirm_hold(registration: Registration, webinar: Webinar, now: datetime) -> None:
    """The seat decision for a hold whose address is confirmed; call with the webinar locked."""
    registration.webinar = webinar
    if webinar.requires_approval:
        registration.status, before = Registration.Status.PENDING, None
    else:
        registration.status, before = _seat_decision(webinar)
    registration.hold_expires_at = None
    registration.email_confirmed_at = now
    registration.details_sent_at = now
    registration.save(
        update_fields=[
            "status",
            "hold_expires_at",
            "email_confirmed_at",
            "details_sent_at",
            "updated",
        ]
    )
    mail.queue_details(registration)
    if webinar.series and webinar.series.notice_addresses:
        mail.queue_organiser_notice(registration)
    if before is not None and badge_changes(webinar.capacity, before, before + 1):
        availability_changed.send(sender=Webinar, webinar=webinar)
    _status_event(registration, now)


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
        registrations_event("cancelled", [current], now)
        promoted = _fill_seats(webinar, now)
        # A promotion usually takes the freed seat again: the state moves only when it does not.
        # The row lock holds the count still, so what it is now follows without counting again.
        after = None if before is None else before - 1 + len(promoted)
        if before is not None and badge_changes(webinar.capacity, before, after):
            availability_changed.send(sender=Webinar, webinar=webinar)
    registration.status = current.status
    registration.cancelled_at = current.cancelled_at
    return True


def registration_record_attendance(
    *, registration: Registration, now: datetime | None = None
) -> bool:
    """Note that a registrant joined; only the first time counts. True if this call noted it."""
    now = now or timezone.now()
    with transaction.atomic():
        noted = Registration.objects.filter(pk=registration.pk, attended_at__isnull=True).update(
            attended_at=now
        )
        if noted:
            registration.attended_at = now
            registrations_event("attended", [registration], now)
    return bool(noted)


def registrations_mark_attended(
    *, webinar: Webinar, ids, at: datetime, now: datetime | None = None
) -> int:
    """An organiser marks confirmed registrants of `webinar` (pks in `ids`) as attended at `at`
    (an attendance report, ticks); those marked before keep their time. Returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            webinar.registrations.confirmed()
            .filter(pk__in=ids, attended_at__isnull=True, anonymised_at__isnull=True)
            .select_for_update()
        )
        Registration.objects.filter(pk__in=[r.pk for r in rows]).update(attended_at=at)
        for row in rows:
            row.attended_at = at
            row.webinar = webinar
        registrations_event("attended", rows, now)
    return len(rows)
