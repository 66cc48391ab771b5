"""One HTTP POST of a delivery, signed as Standard Webhooks says.

Signed with the `standardwebhooks` package, the specification's own reference library (pure
Python, no dependencies): the receiver's libraries and ours compute the same thing by
construction. http.client, not urllib: it follows no redirect (a redirect is an answer, and
fails the try, so a signed payload never lands somewhere the organiser did not choose), and it
lets the connection and the whole exchange have limits of their own. The answer's body is read
only up to EXCERPT_BYTES.
"""

import contextlib
import http.client
import json
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from standardwebhooks import Webhook

from hooks.models import EXCERPT_BYTES

CONNECT_TIMEOUT = 5
TOTAL_TIMEOUT = 10
USER_AGENT = "webinar-series-webhooks/1"


@dataclass(frozen=True)
class Answer:
    """What one try got: a status (None when no answer came), an error, the body's start."""

    status: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def body_bytes(body: dict) -> bytes:
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def signed_headers(secret: str, msg_id: str, timestamp: datetime, body: bytes) -> dict:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, timestamp, body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return cls(parts.hostname, parts.port, timeout=CONNECT_TIMEOUT), target


def post(url: str, headers: dict, body: bytes) -> Answer:
    """POST body to url; never raises for what the network or the receiver does."""
    started = time.monotonic()
    status, error, excerpt = None, "", ""
    connection, target = _connection(url)
    # The socket timeout bounds each wait; the timer bounds the whole exchange, so a receiver
    # that answers one byte at a time cannot hold the worker.
    watchdog = threading.Timer(TOTAL_TIMEOUT, _cut, [connection])
    try:
        connection.connect()
        watchdog.start()
        connection.sock.settimeout(TOTAL_TIMEOUT)
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException, ValueError) as problem:
        error = _describe(problem, time.monotonic() - started)
    finally:
        watchdog.cancel()
        connection.close()
    duration = int((time.monotonic() - started) * 1000)
    return Answer(status, error[:300], excerpt[:EXCERPT_BYTES], duration)


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # closed meanwhile: nothing left to cut
            sock.shutdown(socket.SHUT_RDWR)


def _describe(problem: Exception, elapsed: float) -> str:
    if isinstance(problem, TimeoutError) or elapsed >= TOTAL_TIMEOUT:
        return f"no answer in time ({CONNECT_TIMEOUT} s to connect, {TOTAL_TIMEOUT} s in all)"
    return f"{type(problem).__name__}: {problem}"
