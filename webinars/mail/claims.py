"""Which sender may send which record: locks that end with their holder.

On PostgreSQL the rows themselves (SELECT ... FOR UPDATE SKIP LOCKED, each in a short
transaction that sends that one record), on SQLite an flock() on MAIL_LOCK_FILE, which the
kernel releases when the process dies, however it dies. A lock that is only a file's existence
(or a "claimed until" column) would, after a killed sender, stop the mail silently or for a
while.
"""

import contextlib
import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection, transaction


def row_locks() -> bool:
    return connection.features.has_select_for_update_skip_locked


@contextmanager
def file_lock(wait: float, lock_file: str | None = None) -> Iterator[bool]:
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
def claim(wait: float = 0, lock_file: str | None = None) -> Iterator[bool]:
    """The right to send: on PostgreSQL a transaction whose row locks claim each record; on
    SQLite the file lock, and no transaction, since a write transaction there holds the whole
    database and a slow mail server would hold every registration with it.

    Other queues sent the same way (webhooks) pass a lock file of their own, so that a slow
    receiver never holds the mail."""
    if row_locks():
        with transaction.atomic():
            yield True
    else:
        with file_lock(wait, lock_file) as acquired:
            yield acquired


def claimable(records):
    if row_locks():
        # A second sender skips what the first holds instead of sending it again.
        return records.select_for_update(skip_locked=True, of=("self",))
    return records


@contextmanager
def quick_commits() -> Iterator[None]:
    """A pass's many small commits (each message marked sent as soon as it is) without waiting
    for the disk at each: PostgreSQL's synchronous_commit off, SQLite's synchronous NORMAL (in
    WAL mode). Both stay consistent, and a sender that dies loses nothing it committed; only a
    power cut could lose the last marks, and those messages would go out again."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit TO off")
            reset = ["RESET synchronous_commit"]
        elif connection.vendor == "sqlite" and not connection.in_atomic_block:
            # (SQLite refuses the change inside a transaction: a caller's, or a test's.)
            cursor.execute("PRAGMA synchronous")
            before = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA synchronous = NORMAL")
            reset = [f"PRAGMA synchronous = {before}"]
        else:
            reset = []
    try:
        yield
    finally:
        # A connection that broke during the pass is gone, and its setting with it.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            for statement in reset:
                cursor.execute(statement)
