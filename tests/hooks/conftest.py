"""A webhook receiver of our own on 127.0.0.1 (a free port) that verifies every delivery with the
Standard Webhooks library, as an organisation's receiver would."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from hooks.events import EVENTS
from hooks.models import WebhookEndpoint
from tests.mail_worker import send_queued_mail


class Receiver:
    def __init__(self):
        self.secrets: dict[str, str] = {}
        self.received: list[dict] = []
        self.refused: list[str] = []
        self.answer = (204, b"")
        self.port = 0
        self.server = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                secret = receiver.secrets.get(self.path)
                try:
                    payload = Webhook(secret).verify(body, dict(self.headers))
                except (WebhookVerificationError, TypeError) as error:
                    receiver.refused.append(repr(error))
                    self.send_response(400)
                    self.end_headers()
                    return
                receiver.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body, **payload}
                )
                status, content = receiver.answer
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def types(self, name: str | None = None) -> list[str]:
        return [r["type"] for r in self.received if name is None or r["path"] == f"/{name}"]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def endpoint(receiver, organiser):
    """make(name, owner=..., events=...): an endpoint on the receiver, all events by default."""

    def make(name="hook", owner=None, events=None, **fields):
        made = WebhookEndpoint.objects.create(
            url=receiver.url(name),
            owner=owner or organiser,
            events=events or list(EVENTS),
            **fields,
        )
        receiver.secrets[f"/{name}"] = made.secret
        return made

    return make


@pytest.fixture
def worker():
    """One pass of the worker as cron runs it: webhooks, then mail."""
    return send_queued_mail


@pytest.fixture
def queued(settings):
    # Requests only record mail, as production with a worker does.
    settings.MAIL_SEND_IMMEDIATELY = False
    return settings


def dumped(receiver) -> str:
    return json.dumps([r["data"] for r in receiver.received])
