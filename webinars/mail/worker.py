"""Sending recorded mail: compose each record, send it with Django's mail backend, mark it sent.

Every kind of mail goes this one way: right after commit, in the web worker's mail thread (never
inside the request), when MAIL_SEND_IMMEDIATELY is on, and in `send_queued_mail`
(`queue_flush()`) for whatever is left. A record that fails (composing raises, or the server
refuses the message) is tried again after a growing delay and marked failed after
MAIL_MAX_ATTEMPTS; no failing message ever stops the others.

Records are claimed with locks that end with their holder: on PostgreSQL the rows themselves
(SELECT ... FOR UPDATE SKIP LOCKED, for as long as the transaction sends them), on SQLite an
flock() on MAIL_LOCK_FILE, which the kernel releases when the process dies, however it dies. A
lock that is only a file's existence would, after a killed sender, stop all mail silently.
"""

import base64
import fcntl
import logging
import pickle
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, connections, transaction
from django.utils import timezone

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


def _row_locks() -> bool:
    return connection.features.has_select_for_update_skip_locked


@contextmanager
def _file_lock(wait: float, lock_file: str | None = None) -> Iterator[bool]:
    """flock() on MAIL_LOCK_FILE (or lock_file): held by one open file at a time, and released by
    the kernel when its process ends, however it ends, so a killed sender never blocks the next."""
    path = lock_file or settings.MAIL_LOCK_FILE
    handle = open(path, "a+b")  # noqa: SIM115 (held for the with block)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


@contextmanager
def _claim(wait: float = 0, lock_file: str | None = None) -> Iterator[bool]:
    """The right to send: on PostgreSQL a transaction whose row locks claim each record; on
    SQLite the file lock, and no transaction, since a write transaction there holds the whole
    database and a slow mail server would hold every registration with it.

    Other queues sent the same way (webhooks) pass a lock file of their own, so that a slow
    receiver never holds the mail."""
    if _row_locks():
        with transaction.atomic():
            yield True
    else:
        with _file_lock(wait, lock_file) as acquired:
            yield acquired


claim = _claim


def _claimable(records):
    if _row_locks():
        # A second sender skips what the first holds instead of sending it again.
        return records.select_for_update(skip_locked=True, of=("self",))
    return records


claimable = _claimable


class _Sender:
    """One mail connection for a pass, reopened after a failure."""

    def __init__(self):
        self.connection = None

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = get_connection()
        message.connection = self.connection
        try:
            message.send()
        except Exception:
            self.close()
            raise
        finally:
            message.connection = None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 (a broken connection is dropped either way)
                logger.debug("Closing the mail connection failed", exc_info=True)
            self.connection = None


def _send_record(record: PendingMail, sender: _Sender, now: datetime) -> Delivery:
    # A savepoint on PostgreSQL, so that a composer's failed query leaves the pass's
    # transaction usable; nothing on SQLite, which sends outside any transaction.
    try:
        with transaction.atomic() if _row_locks() else nullcontext():
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
        with _claim(wait) as held:
            if not held:
                return Delivery("taken")
            records = PendingMail.objects.for_composing().unsent().filter(pk=pk)
            record = _claimable(records).first()
            if record is None:
                return Delivery("taken")
            return _send_record(record, sender, now)
    finally:
        sender.close()


def deliver_batch(pks: list[int], now: datetime) -> Counter:
    """deliver() for several records.

    On PostgreSQL each in a transaction of its own, so that a message is marked sent as soon as
    it is; on SQLite read together under one hold of the file lock and sent over one connection.
    """
    if _row_locks():
        return +Counter(deliver(pk, now=now).outcome for pk in pks)
    counts = Counter()
    sender = _Sender()
    try:
        with _claim() as held:
            if not held:
                return Counter(taken=len(pks))
            records = list(
                PendingMail.objects.for_composing().due(now).filter(pk__in=pks).order_by("pk")
            )
            counts["taken"] += len(pks) - len(records)
            for record in records:
                counts[_send_record(record, sender, now).outcome] += 1
    finally:
        sender.close()
    return +counts


BATCH_SIZE = 50


def deliver_pending(now: datetime | None = None) -> Counter:
    """Send every record that is due, oldest first, in batches; counts by outcome."""
    now = now or timezone.now()
    due = list(PendingMail.objects.due(now).order_by("pk").values_list("pk", flat=True))
    counts = Counter()
    for start in range(0, len(due), BATCH_SIZE):
        counts.update(deliver_batch(due[start : start + BATCH_SIZE], now))
    return counts


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
