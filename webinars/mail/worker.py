"""Sending recorded mail: compose each record, send it with Django's mail backend, mark it sent.

Every kind of mail goes this one way: right after commit, in the web worker's mail thread (never
inside the request), when MAIL_SEND_IMMEDIATELY is on, and in `send_queued_mail`
(`queue_flush()`) for whatever is left. A record that fails (composing raises, or the server
refuses the message) is tried again after a growing delay and marked failed after
MAIL_MAX_ATTEMPTS; no failing message ever stops the others.

A pass reads the queue BATCH_SIZE records at a time and sends over one mail connection;
records are claimed with locks that end with their holder (webinars.mail.claims).
"""

import base64
import logging
import pickle
import smtplib
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connections, transaction
from django.utils import timezone

from webinars.mail.claims import claim, claimable, file_lock, quick_commits, row_locks
from webinars.mail.compose import shared_reads
from webinars.mail.kinds import compose_intent
from webinars.models import PendingMail

logger = logging.getLogger(__name__)

Composer = Callable[[PendingMail], EmailMessage | None]
_composers: dict[str, Composer] = {}


def register_composer(kind: str, composer: Composer) -> None:
    """Have records of `kind` composed by composer(record), which returns the message or None
    (nothing to send any more). The apps above webinars add their kinds in AppConfig.ready()."""
    _composers[kind] = composer


def compose_record(record: PendingMail) -> EmailMessage | None:
    composer = _composers.get(record.kind)
    if composer is not None:
        message = composer(record)
        if message is not None:
            # Fails now, where the record can keep the error, rather than in the backend.
            message.message()
        return message
    return compose_intent(record)


def dump_message(message: EmailMessage) -> str:
    """A composed message as text for a RAW record's args."""
    # The message object itself, as django-mailer kept its queue (so its unsent messages move
    # over unchanged), keeping every part and header. Only this code writes these rows.
    return base64.b64encode(pickle.dumps(message)).decode("ascii")


def load_message(data: str) -> EmailMessage:
    return pickle.loads(base64.b64decode(data))  # noqa: S301 (written by dump_message only)


def _raw_message(record: PendingMail) -> EmailMessage:
    return load_message(record.args["message"])


register_composer(PendingMail.Kind.RAW, _raw_message)


class Delivery(NamedTuple):
    """What deliver() did: "sent", "dropped" (nobody to send to any more), "taken" (another
    sender has the record, or it is done) or "failed" (kept for a retry, or given up)."""

    outcome: str
    message: EmailMessage | None = None


class _Sender:
    """One mail connection for a whole pass, reopened after a failure.

    It counts connection failures in a row (the server refuses or drops connections, or does
    not answer): `refused` tells the pass to stop rather than try every message against a
    server that is not there. A message the server refuses on an open connection is that
    message's trouble, not the server's, and resets nothing.
    """

    def __init__(self):
        self.connection = None
        self.connection_failures = 0

    @property
    def refused(self) -> bool:
        return self.connection_failures >= CONNECTION_FAILURES_TO_STOP

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            opening = get_connection()
            try:
                opening.open()
            except Exception:
                self.connection_failures += 1
                raise
            self.connection = opening
        message.connection = self.connection
        try:
            message.send()
        except Exception as error:
            if isinstance(error, CONNECTION_ERRORS):
                self.connection_failures += 1
            self.close()
            raise
        finally:
            message.connection = None
        self.connection_failures = 0

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 (a broken connection is dropped either way)
                logger.debug("Closing the mail connection failed", exc_info=True)
            self.connection = None


# What says the connection, not the message, failed (smtplib's own errors are OSErrors too).
CONNECTION_ERRORS = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)
# A pass stops after this many connection failures in a row: a server that refuses three
# connections refuses the next ten thousand too, each after a timeout and a back-off write.
CONNECTION_FAILURES_TO_STOP = 3


def _send_record(record: PendingMail, sender: _Sender, now: datetime) -> Delivery:
    # A savepoint on PostgreSQL, so that a composer's failed query leaves the claim's
    # transaction usable; nothing on SQLite, which sends outside any transaction.
    try:
        with transaction.atomic() if row_locks() else nullcontext():
            message = compose_record(record)
    except Exception as error:  # noqa: BLE001 (kept and retried; a visitor never sees it)
        logger.exception("Composing mail %s failed; it stays recorded for a retry", record.pk)
        _note_failure(record, error, now)
        return Delivery("failed")
    if message is None:
        # Nothing was sent, so its key is free again: a notice about a webinar unpublished
        # before it went out is recorded again when the webinar is published again.
        PendingMail.objects.filter(pk=record.pk).delete()
        return Delivery("dropped")
    try:
        sender.send(message)
    except Exception as error:  # noqa: BLE001 (kept and retried; the others go on)
        logger.warning("Sending mail %s failed; kept for a retry: %r", record.pk, error)
        _note_failure(record, error, now)
        return Delivery("failed")
    sent = {"sent_at": timezone.now()}
    if record.kind == PendingMail.Kind.RAW:
        # The whole message, addresses and text, is not kept once it is out.
        sent["args"] = {}
    PendingMail.objects.filter(pk=record.pk).update(**sent)
    return Delivery("sent", message)


def _note_failure(record: PendingMail, error: Exception, now: datetime) -> None:
    attempts = record.attempts + 1
    failed_at = None
    if attempts >= settings.MAIL_MAX_ATTEMPTS:
        failed_at = now
        logger.error("Mail %s failed %s times; given up", record.pk, attempts)
    PendingMail.objects.filter(pk=record.pk).update(
        attempts=attempts,
        retry_after=now + retry_delay(record.attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
        failed_at=failed_at,
    )


def deliver(pk: int, *, wait: float = 0, now: datetime | None = None) -> Delivery:
    """Compose and send record pk, if it is still to send; never raises for a failing message.

    Safe with several senders at once: one of them sends, the others get "taken".
    """
    now = now or timezone.now()
    sender = _Sender()
    try:
        with claim(wait) as held, shared_reads():
            if not held:
                return Delivery("taken")
            records = PendingMail.objects.for_composing().unsent().filter(pk=pk)
            record = claimable(records).first()
            if record is None:
                return Delivery("taken")
            return _send_record(record, sender, now)
    finally:
        sender.close()


# A pass reads this many due records at a time (with everything composing them reads), so its
# memory stays flat however long the queue is.
BATCH_SIZE = 200
# How long a pass waits for SQLite's sender lock (a request's mail thread may hold it briefly).
PASS_WAIT_SECONDS = 1


def _due_batch(after: int, now: datetime) -> list[PendingMail]:
    # Keyset paging: the next records by primary key; what waits for its back-off (retry_after)
    # is left out by the query, on the unsent rows' index.
    due = PendingMail.objects.for_composing().due(now).filter(pk__gt=after).order_by("pk")
    return list(due[:BATCH_SIZE])


def _after(records: list[PendingMail]) -> int | None:
    # A batch shorter than BATCH_SIZE was the queue's end: no query to find nothing.
    return records[-1].pk if len(records) == BATCH_SIZE else None


def _deliver_claimed(record: PendingMail, sender: _Sender, now: datetime) -> str:
    """PostgreSQL: claim the record's row in a transaction of its own (skipping it if another
    sender holds it or sent it since the batch was read), send it, mark it, commit: a message
    is marked sent as soon as it is, and a sender that dies releases its one row."""
    with transaction.atomic():
        attempts = (
            claimable(PendingMail.objects.due(now).filter(pk=record.pk))
            .values_list("attempts", flat=True)
            .first()
        )
        if attempts is None:
            return "taken"
        record.attempts = attempts
        return _send_record(record, sender, now).outcome


def _deliver_batch(after: int, now: datetime, sender: _Sender, counts: Counter) -> int | None:
    """Deliver the due records after pk `after`; the last pk read, or None when none is left
    (or, on SQLite, another sender holds the lock)."""
    if row_locks():
        records = _due_batch(after, now)
        for record in records:
            if sender.refused:
                break
            counts[_deliver_claimed(record, sender, now)] += 1
        return _after(records)
    with file_lock(PASS_WAIT_SECONDS) as held:
        if not held:
            return None
        records = _due_batch(after, now)
        for record in records:
            if sender.refused:
                break
            counts[_send_record(record, sender, now).outcome] += 1
        return _after(records)


def deliver_pending(now: datetime | None = None) -> Counter:
    """Send every record that is due, oldest first, BATCH_SIZE at a time over one mail
    connection; counts by outcome.

    When the mail server refuses CONNECTION_FAILURES_TO_STOP connections in a row the pass
    stops: what it tried waits for its back-off, the rest stays due for the next pass.
    """
    now = now or timezone.now()
    counts = Counter()
    sender = _Sender()
    after = 0
    try:
        with quick_commits():
            while not sender.refused:
                with shared_reads():
                    after = _deliver_batch(after, now, sender, counts)
                if after is None:
                    break
    finally:
        sender.close()
    if sender.refused:
        logger.warning(
            "The mail server refused %s connections in a row; the pass stopped, the rest waits",
            CONNECTION_FAILURES_TO_STOP,
        )
    return +counts


def retry_delay(retry_count: int) -> timedelta:
    """Back-off before the next attempt: base, 2 x base, 4 x base ... up to the maximum."""
    seconds = settings.MAIL_RETRY_BASE_SECONDS * (2 ** min(retry_count, 20))
    return timedelta(seconds=min(seconds, settings.MAIL_RETRY_MAX_SECONDS))


_background: ThreadPoolExecutor | None = None
_background_lock = threading.Lock()

# How long a request's mail waits for the SQLite sender lock before leaving it to the worker.
IMMEDIATE_WAIT_SECONDS = 5


def deliver_soon(pk: int) -> None:
    """Compose and send record pk in this process's mail thread, so no request ever waits for
    the mail server (MAIL_SEND_IMMEDIATELY). Whatever the thread does not get to (the process
    ends, the server is down) stays recorded for `send_queued_mail`."""
    in_mail_thread(deliver_now, pk)


def deliver_now(pk: int) -> None:
    deliver(pk, wait=IMMEDIATE_WAIT_SECONDS)


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
    except Exception:  # noqa: BLE001 (the record stays for the worker)
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


def queue_flush(now: datetime | None = None) -> dict[str, int]:
    """One pass of the worker: let the apps record what has come due, then send what is due."""
    now = now or timezone.now()
    for record_due in _due_recorders:
        record_due(now)
    counts = deliver_pending(now)
    return {
        "sent": counts["sent"],
        "dropped": counts["dropped"],
        "failed": counts["failed"],
        "retrying": PendingMail.objects.retrying().count(),
        "given_up": PendingMail.objects.failed().count(),
    }


_due_recorders: list[Callable[[datetime], object]] = []


def register_due_recorder(record_due: Callable[[datetime], object]) -> None:
    """Have record_due(now) run at the start of each worker pass, to record mail whose time has
    come (e.g. follow-ups); added by the apps above webinars in AppConfig.ready()."""
    if record_due not in _due_recorders:
        _due_recorders.append(record_due)
