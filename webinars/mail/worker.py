"""Delivering recorded mail: compose each intent, queue its message, send the queue.

`deliver()` composes an intent, puts the message on django-mailer's queue and deletes the
intent in one transaction: right after commit when MAIL_SEND_IMMEDIATELY is on, and in
`send_queued_mail` (`queue_flush()`) for whatever is left. A message the mail server refuses
stays queued, an intent that fails to compose stays recorded; both are retried with
exponential back-off.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from mailer import engine
from mailer.models import PRIORITY_MEDIUM, RESULT_FAILURE, Message, MessageLog, get_message_id

from webinars.mail.compose import compose_intent
from webinars.models import PendingMail

logger = logging.getLogger(__name__)


class Delivery(NamedTuple):
    """What deliver() did: "queued" (message), "dropped" (nobody to send to), "taken" (another
    worker has the intent, or it is gone) or "failed" (composing failed; kept for a retry)."""

    outcome: str
    message: Message | None = None


def _claimable(intents):
    if connection.features.has_select_for_update_skip_locked:
        # A second worker skips an intent the first is composing instead of composing it again.
        return intents.select_for_update(skip_locked=True, of=("self",))
    return intents


def deliver(pk: int) -> Delivery:
    """Compose intent pk, queue its message and delete the intent, in one transaction.

    Safe with several workers at once: one of them queues the message, the others get "taken".
    A failure to compose is logged and keeps the intent for a later try; it never raises.
    """
    try:
        with transaction.atomic():
            intent = _claimable(PendingMail.objects.for_composing().filter(pk=pk)).first()
            if intent is None:
                return Delivery("taken")
            message = compose_intent(intent)
            # Deleting is also the claim where rows cannot be locked (SQLite): only one
            # transaction deletes the row, the other queues nothing.
            if not intent.delete()[0]:
                return Delivery("taken")
            if message is None:
                return Delivery("dropped")
            queued = Message(email=message, priority=PRIORITY_MEDIUM)
            queued.save()
            return Delivery("queued", queued)
    except Exception as error:  # noqa: BLE001 (kept and retried; a visitor never sees it)
        logger.exception("Composing mail %s failed; it stays recorded for a retry", pk)
        _note_failure(pk, error)
        return Delivery("failed")


def _note_failure(pk: int, error: Exception) -> None:
    try:
        intent = PendingMail.objects.filter(pk=pk).first()
        if intent is None:
            return
        intent.retry_after = timezone.now() + retry_delay(intent.attempts)
        intent.attempts += 1
        intent.last_error = f"{type(error).__name__}: {error}"[:2000]
        intent.save(update_fields=["attempts", "retry_after", "last_error"])
    except Exception:  # noqa: BLE001 (the database itself may be what failed)
        logger.exception("Could not note the failure of mail %s", pk)


def deliver_now(pk: int) -> None:
    delivery = deliver(pk)
    if delivery.message is not None:
        _send_now(delivery.message)


def _send_now(queued: Message) -> None:
    try:
        engine.send_all(Message.objects.filter(pk=queued.pk))
    except Exception:  # noqa: BLE001 (the queued row stays; the worker retries it)
        logger.exception("Immediate send failed; message %s stays queued", queued.pk)


def queue_composed(message) -> Message:
    """Put an already composed message (no registration behind it, e.g. an organiser's test)
    on the mail queue; sent after commit when MAIL_SEND_IMMEDIATELY is on, else by the worker."""
    queued = Message(email=message, priority=PRIORITY_MEDIUM)
    queued.save()
    if settings.MAIL_SEND_IMMEDIATELY:
        transaction.on_commit(lambda: _send_now(queued), robust=True)
    return queued


class _Contended(Exception):
    """Another transaction deleted some of a batch's intents first."""


def deliver_batch(pks: list[int]) -> Counter:
    """deliver() for several intents in one transaction (a few queries for all of them).

    If anything goes wrong (a message fails to compose, another worker got there first) the
    batch is undone and each intent delivered on its own, so only a failing one stays behind.
    """
    try:
        with transaction.atomic():
            intents = list(_claimable(PendingMail.objects.for_composing().filter(pk__in=pks)))
            messages = [compose_intent(intent) for intent in intents]
            deleted, _ = PendingMail.objects.filter(pk__in=[i.pk for i in intents]).delete()
            if deleted != len(intents):
                raise _Contended
            queued = [Message(email=m, priority=PRIORITY_MEDIUM) for m in messages if m]
            Message.objects.bulk_create(queued)
    except Exception:  # noqa: BLE001 (each intent is tried, and any failure noted, one by one)
        return Counter(deliver(pk).outcome for pk in pks)
    # The unary plus drops the outcomes that did not happen.
    return +Counter(
        queued=len(queued), dropped=len(intents) - len(queued), taken=len(pks) - len(intents)
    )


BATCH_SIZE = 50


def deliver_pending(now: datetime | None = None) -> Counter:
    """Deliver every intent that is due, oldest first, in batches; counts by outcome."""
    now = now or timezone.now()
    due = list(
        PendingMail.objects.filter(Q(retry_after__isnull=True) | Q(retry_after__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    counts = Counter()
    for start in range(0, len(due), BATCH_SIZE):
        counts.update(deliver_batch(due[start : start + BATCH_SIZE]))
    return counts


def retry_delay(retry_count: int) -> timedelta:
    """Back-off before the next attempt: base, 2 x base, 4 x base ... up to the maximum."""
    seconds = settings.MAIL_RETRY_BASE_SECONDS * (2 ** min(retry_count, 20))
    return timedelta(seconds=min(seconds, settings.MAIL_RETRY_MAX_SECONDS))


def requeue_due(now: datetime | None = None) -> int:
    """Put deferred messages whose back-off has passed back in the queue; returns how many."""
    now = now or timezone.now()
    count = 0
    deferred = Message.objects.deferred().order_by("when_added")
    max_retries = getattr(settings, "MAILER_EMAIL_MAX_RETRIES", None)
    if max_retries is not None:
        deferred = deferred.filter(retry_count__lt=max_retries)
    for message in deferred:
        email = message.email
        message_id = get_message_id(email) if email is not None else None
        last = (
            MessageLog.objects.filter(message_id=message_id, result=RESULT_FAILURE)
            .order_by("-when_attempted")
            .values_list("when_attempted", flat=True)
            .first()
            if message_id
            else None
        )
        if last is None or now >= last + retry_delay(message.retry_count):
            message.priority = PRIORITY_MEDIUM
            message.retry_count += 1
            message.save(update_fields=["priority", "retry_count"])
            count += 1
    return count


def queue_flush(now: datetime | None = None) -> dict[str, int]:
    """One pass of the worker: compose what is due, re-queue what is due, send what is queued."""
    delivered = deliver_pending(now)
    requeued = requeue_due(now)
    before = Message.objects.count()
    engine.send_all()
    after = Message.objects.count()
    return {
        "composed": delivered["queued"],
        "failed": delivered["failed"],
        "requeued": requeued,
        "sent": before - after,
        "deferred": Message.objects.deferred().count(),
    }
