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
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from webinars import mail
from webinars.addresses import sendable_address
from webinars.availability import badge_changes
from webinars.models import (
    Answer,
    MessageDelivery,
    Question,
    RegistrantMessage,
    Registration,
    ReminderSent,
    Webinar,
    WebinarSpeaker,
)
from webinars.selectors import message_recipients, reminders_due
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
        questions = list(Question.objects.filter(pk__in=answers or {}))
        for webinar in locked:
            # A registration waiting for approval or for its address to be confirmed takes no
            # seat, so seats need no counting.
            held = webinar.needs_address_confirmation
            pending = held or webinar.requires_approval
            counted = webinar.capacity is not None and not pending
            taken = _seats_taken(webinar) if counted else 0
            full = counted and taken >= webinar.capacity
            if pending:
                status = Registration.Status.PENDING
            elif full:
                status = Registration.Status.WAITLISTED
            else:
                status = Registration.Status.CONFIRMED
            fields = {
                "webinar": webinar,
                "name": name.strip(),
                "email": email,
                "organisation": organisation.strip(),
                "time_zone": time_zone,
                # The page's language (its address): their mail is written in it.
                "language": translation.get_language() or settings.LANGUAGE_CODE,
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
                # The same rows as a new registration records: the answer must not take longer
                # or shorter for an address already registered. The worker decides whether the
                # details go out again (REGISTRATION_RESEND_MINUTES).
                _queue_registration_mail(existing, repeat=True, notify=not held, now=now)
                outcomes.append(RegistrationOutcome(existing, created=False))
                continue
            if counted and not full and badge_changes(webinar.capacity, taken, taken + 1):
                # e.g. the seat that leaves only a few, or the last one
                availability_changed.send(sender=Webinar, webinar=webinar)
            Answer.objects.bulk_create(
                Answer(registration=registration, question=q, value=answers[q.pk])
                for q in questions
                if q.webinar_id == webinar.pk or (q.series_id and q.series_id == webinar.series_id)
            )
            # The organisers hear of a held registration once its address is confirmed.
            _queue_registration_mail(registration, repeat=False, notify=not held, now=now)
            outcomes.append(RegistrationOutcome(registration, created=True))
    return outcomes


def _queue_registration_mail(
    registration: Registration, *, repeat: bool, notify: bool, now: datetime
) -> None:
    webinar = registration.webinar
    mail.queue_details(registration, repeat=repeat, now=now)
    if notify and webinar.series and webinar.series.notify_email:
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
            .order_by("created", "pk")
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
    before = None
    if webinar.requires_approval:
        registration.status = Registration.Status.PENDING
    elif webinar.capacity is not None and (before := _seats_taken(webinar)) >= webinar.capacity:
        registration.status = Registration.Status.WAITLISTED
        before = None
    else:
        registration.status = Registration.Status.CONFIRMED
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
    if webinar.series and webinar.series.notify_email:
        mail.queue_organiser_notice(registration)
    if before is not None and badge_changes(webinar.capacity, before, before + 1):
        availability_changed.send(sender=Webinar, webinar=webinar)


def registrations_purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the holds whose address was not confirmed in time; returns how many.

    They held no seat and their address was never shown to be the registrant's, so nothing of
    them is kept. The confirmation link then says the hold expired (views.registration).
    """
    now = now or timezone.now()
    deleted, by_model = Registration.objects.expired_holds(now).delete()
    return by_model.get(Registration._meta.label, 0)


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
                .order_by("created", "pk")
            )
            if not locked or locked[0].is_cancelled or now >= locked[0].end:
                counts["skipped"] += len(pks)
                continue
            webinar = locked[0]
            counts["skipped"] += len(pks) - len(rows)
            taken = _seats_taken(webinar) if webinar.capacity is not None else 0
            before = taken
            for registration in rows:
                free = webinar.capacity is None or taken < webinar.capacity
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
    return ApprovalOutcome(declined=declined, skipped=skipped)


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


def registration_send_reminder(
    *,
    registration: Registration,
    leads: Sequence[int],
    mail_nearest: bool = True,
    now: datetime | None = None,
) -> bool:
    """Record these reminders (minutes before the start) and mail the nearest, unless another
    worker recorded one of them first; True if this call mailed it.

    The unique (registration, lead) row is the claim: a second worker's insert fails (on
    PostgreSQL it waits for the first to commit), so each reminder is mailed at most once.
    """
    now = now or timezone.now()
    nearest = min(leads)
    try:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(
                [
                    ReminderSent(
                        registration=registration,
                        lead_minutes=lead,
                        sent_at=now,
                        mailed=mail_nearest and lead == nearest,
                    )
                    for lead in leads
                ]
            )
            still_confirmed = Registration.objects.filter(
                pk=registration.pk, status=Registration.Status.CONFIRMED
            ).update(reminder_sent_at=now)
            if not still_confirmed:
                raise _NotConfirmed
            if mail_nearest:
                mail.queue_reminder(registration, lead_minutes=nearest)
    except (IntegrityError, _NotConfirmed):
        return False
    return mail_nearest


class _NotConfirmed(Exception):
    """The registration was cancelled since it was read: undo the reminder's rows."""


def reminders_send_due(*, now: datetime | None = None, leads: tuple[int, ...] | None = None) -> int:
    """Send every reminder that has come due (see selectors.reminders_due); how many mailed."""
    now = now or timezone.now()
    return sum(
        registration_send_reminder(
            registration=due.registration, leads=due.leads, mail_nearest=due.mail, now=now
        )
        for due in reminders_due(now, leads=leads)
    )


def message_send(*, message: RegistrantMessage, now: datetime | None = None) -> int:
    """Queue the message for everyone it is for who has not had it yet; returns how many.

    Under the message's row lock, so two organisers pressing "send" at once queue each person
    once; the unique (message, address) row backs that up. Each message is an intent in the
    durable outbox: it waits there, and then in the mail queue, while the mail server is down.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = RegistrantMessage.objects.select_for_update().get(pk=message.pk)
        done = set(locked.deliveries.values_list("email", flat=True))
        new = [r for r in message_recipients(locked, now) if r.email.lower() not in done]
        MessageDelivery.objects.bulk_create(
            MessageDelivery(
                message=locked,
                registration=r,
                email=r.email.lower(),
                status=r.status,
                queued_at=now,
            )
            for r in new
        )
        for registration in new:
            mail.queue_registrant_message(registration, message=locked)
        locked.sent_at = now
        locked.save(update_fields=["sent_at"])
    message.sent_at = now
    return len(new)


def registration_record_attendance(
    *, registration: Registration, now: datetime | None = None
) -> bool:
    """Note that a registrant joined; only the first time counts. True if this call noted it."""
    now = now or timezone.now()
    noted = Registration.objects.filter(pk=registration.pk, attended_at__isnull=True).update(
        attended_at=now
    )
    return bool(noted)


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
    from afterwards.models import Feedback

    # A rating stays in the figures; a comment may say who wrote it.
    Feedback.objects.filter(registration_id__in=ids).update(comment="")
    for pk in ids:
        # One row at a time: each needs its own placeholder address and fresh token.
        Answer.objects.filter(registration_id=pk).delete()  # answers may name or describe them
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
