"""Delivering recorded mail: compose each intent, queue its message, send the queue.

`deliver()` composes an intent, puts the message on django-mailer's queue and deletes the
intent in one transaction: right after commit, in the web worker's mail thread (never inside the
request), when MAIL_SEND_IMMEDIATELY is on, and in
`send_queued_mail` (`queue_flush()`) for whatever is left. A message that fails to send (the
server refuses it, or anything else raises) stays queued, an intent that fails to compose stays
recorded; both are retried with exponential back-off and given up after MAIL_MAX_ATTEMPTS, and
no failing message ever stops the others.
"""

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone
from mailer import engine
from mailer.models import (
    PRIORITY_MEDIUM,
    RESULT_FAILURE,
    RESULT_SUCCESS,
    Message,
    MessageLog,
    get_message_id,
)

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
        now = timezone.now()
        intent.retry_after = now + retry_delay(intent.attempts)
        intent.attempts += 1
        intent.last_error = f"{type(error).__name__}: {error}"[:2000]
        if intent.attempts >= settings.MAIL_MAX_ATTEMPTS:
            intent.failed_at = now
            logger.error("Mail %s failed %s times; given up", pk, intent.attempts)
        intent.save(update_fields=["attempts", "retry_after", "last_error", "failed_at"])
    except Exception:  # noqa: BLE001 (the database itself may be what failed)
        logger.exception("Could not note the failure of mail %s", pk)


_background: ThreadPoolExecutor | None = None
_background_lock = threading.Lock()


def deliver_soon(pk: int) -> None:
    """Compose and send intent pk in this process's mail thread, so no request ever waits for
    the mail server (MAIL_SEND_IMMEDIATELY). Whatever the thread does not get to (the process
    ends, the server is down) stays recorded for `send_queued_mail`."""
    in_mail_thread(deliver_now, pk)


def in_mail_thread(deliver, pk: int) -> None:
    """Run deliver(pk) in this process's mail thread (inline when MAIL_BACKGROUND_THREAD is
    off); whatever it leaves undone stays recorded for the worker."""
    if not settings.MAIL_BACKGROUND_THREAD:
        deliver(pk)
        return
    global _background
    with _background_lock:
        if _background is None:
            # Created on first use, in the web worker itself: a thread started before gunicorn
            # forks its workers would not exist in them.
            _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")
        _background.submit(_deliver_in_thread, deliver, pk)


def _deliver_in_thread(deliver, pk: int) -> None:
    try:
        deliver(pk)
    except Exception:  # noqa: BLE001 (the intent or queued message stays for the worker)
        logger.exception("Background delivery of mail %s failed", pk)
    finally:
        # The thread's own database connection, not left open between messages.
        connections.close_all()


def wait_for_background_mail(timeout: float = 30) -> None:
    """Block until the mail thread has done what it was given (for tests and shutdown)."""
    with _background_lock:
        executor = _background
    if executor is not None:
        executor.submit(lambda: None).result(timeout=timeout)


def deliver_now(pk: int) -> None:
    delivery = deliver(pk)
    if delivery.message is not None:
        _send_now(delivery.message)


def _send_now(queued: Message) -> None:
    try:
        send_queue(Message.objects.filter(pk=queued.pk))
    except Exception:  # noqa: BLE001 (the queued row stays; the worker retries it)
        logger.exception("Immediate send failed; message %s stays queued", queued.pk)


def queue_composed(message) -> Message:
    """Put an already composed message (no registration behind it, e.g. an organiser's test)
    on the mail queue; sent after commit when MAIL_SEND_IMMEDIATELY is on, else by the worker."""
    queued = Message(email=message, priority=PRIORITY_MEDIUM)
    queued.save()
    if settings.MAIL_SEND_IMMEDIATELY:
        pk = queued.pk

        # In the mail thread, as registrations' mail: the request never waits for the server.
        def send_after_commit():
            in_mail_thread(_send_queued, pk)

        transaction.on_commit(send_after_commit, robust=True)
    return queued


def _send_queued(pk: int) -> None:
    _send_now(Message(pk=pk))


def queue_claimed(model, pk: int, now: datetime, compose) -> str:
    """Claim row pk of `model` (a per-person mail row with queued_at, attempts and last_error)
    and put the message compose(row) returns on the queue, in one transaction.

    "queued"; "skipped" when compose returns None (no longer news); "taken" when another
    worker claimed it first; "failed" when composing raised: the claim is undone, the error
    recorded, and the row tried again on a later pass (up to MAIL_MAX_ATTEMPTS).
    """
    try:
        with transaction.atomic():
            if not model.objects.filter(pk=pk, queued_at__isnull=True).update(queued_at=now):
                return "taken"
            message = compose(pk)
            if message is None:
                return "skipped"
            Message(email=message, priority=PRIORITY_MEDIUM).save()
            return "queued"
    except Exception as error:  # noqa: BLE001 (kept for a retry; other mail goes on)
        logger.exception("Composing %s %s failed", model._meta.verbose_name, pk)
        model.objects.filter(pk=pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return "failed"


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
    due = list(PendingMail.objects.due(now).order_by("pk").values_list("pk", flat=True))
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
    deferred = (
        Message.objects.deferred().filter(retry_count__lt=max_retries()).order_by("when_added")
    )
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


def max_retries() -> int:
    """Retries after the first attempt: a message is tried MAIL_MAX_ATTEMPTS times in all."""
    return max(settings.MAIL_MAX_ATTEMPTS - 1, 0)


def given_up_messages():
    """Queued messages that failed to send MAIL_MAX_ATTEMPTS times: nobody retries them."""
    return Message.objects.deferred().filter(retry_count__gte=max_retries())


def delivery_failed(smtp_connection, message: Message, error: Exception):
    """django-mailer's error handler (MAILER_ERROR_HANDLER): any failure defers that message.

    django-mailer's own handler re-raises everything but a few SMTP errors, which stopped the
    whole pass at one message a server could not take. A database error is the worker's own
    trouble and still raises.
    """
    if isinstance(error, DatabaseError):
        raise error
    logger.warning("Sending message %s failed; deferred: %r", message.pk, error)
    message.defer()
    MessageLog.objects.log(message, RESULT_FAILURE, log_message=f"{type(error).__name__}: {error}")
    if smtp_connection is not None:
        try:
            smtp_connection.close()
        except Exception:  # noqa: BLE001 (a broken connection is dropped either way)
            logger.debug("Closing the SMTP connection failed", exc_info=True)
    # None makes django-mailer open a fresh connection for the next message.
    return None, "deferred"


def send_queue(queryset=None) -> None:
    """Send the queued messages (or those of queryset) that are not deferred.

    django-mailer's send_all() sends each message inside a transaction that locks its row. On
    PostgreSQL that lock is the message's alone; on SQLite a transaction that writes holds the
    whole database, so a mail server that hangs would stop every registration for as long as
    it does. There the messages are sent outside any transaction, kept apart by django-mailer's
    lock file alone (one sender per machine, which is all SQLite serves).
    """
    if connection.vendor != "sqlite":
        engine.send_all(queryset)
        return
    acquired, lock = engine.acquire_lock()
    if not acquired:
        return
    try:
        smtp_connection = None
        for message in engine.prioritize(queryset):
            try:
                if smtp_connection is None:
                    smtp_connection = get_connection(backend=settings.MAILER_EMAIL_BACKEND)
                email = message.email
                if email is not None:
                    email.connection = smtp_connection
                    engine.ensure_message_id(email)
                    email.send()
                    email.connection = None
                    message.email = email
                    MessageLog.objects.log(message, RESULT_SUCCESS)
                message.delete()
            except Exception as error:  # noqa: BLE001 (delivery_failed defers it, or raises)
                smtp_connection, _ = delivery_failed(smtp_connection, message, error)
    finally:
        engine.release_lock(lock)


def queue_flush(now: datetime | None = None) -> dict[str, int]:
    """One pass of the worker: compose what is due, re-queue what is due, send what is queued."""
    from afterwards.mail import deliver_due as deliver_follow_ups
    from following.mail import deliver_due as deliver_followers_mail

    delivered = deliver_pending(now)
    for more in (deliver_followers_mail(now), deliver_follow_ups(now)):
        delivered.update(queued=more["queued"], failed=more["failed"])
    requeued = requeue_due(now)
    before = Message.objects.count()
    send_queue()
    after = Message.objects.count()
    given_up = given_up_messages().count() + PendingMail.objects.failed().count()
    return {
        "composed": delivered["queued"],
        "failed": delivered["failed"],
        "requeued": requeued,
        "sent": before - after,
        "deferred": Message.objects.deferred().count(),
        "given_up": given_up,
    }
