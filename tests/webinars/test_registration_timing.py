"""Registration answers alike for a new and a known address, and never waits for mail."""

import re
import socket
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_series, make_webinar
from tests.webinars.test_cache_outage import PORTS
from webinars.mail import worker
from webinars.models import PendingMail, Registration

# They time real waits: alone, not beside other tests (tests/conftest.py).
pytestmark = pytest.mark.serial

PERSON = {"name": "Ada Lovelace", "consent": "on"}


def _writes(queries) -> list[str]:
    """The statements that change rows: verb and table, in order."""
    found = []
    for query in queries:
        match = re.match(r'\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', query["sql"])
        if match:
            found.append(f"{match[1]} {match[2]}")
    return found


def _register(client, webinar, email):
    before = set(PendingMail.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/webinars/{webinar.slug}/register/", {**PERSON, "email": email})
    assert response.status_code == 302
    recorded = PendingMail.objects.exclude(pk__in=before).order_by("pk")
    return queries, [(m.kind, m.status) for m in recorded]


@pytest.mark.parametrize("send_immediately", [True, False])
def test_a_known_address_costs_the_request_what_a_new_one_does(
    client, db, settings, send_immediately
):
    settings.MAIL_SEND_IMMEDIATELY = send_immediately
    series = make_series(notify_email="team@example.org")
    webinar = make_webinar(series=series, capacity=50)
    _register(client, webinar, "known@example.org")

    new_queries, new_rows = _register(client, webinar, "new@example.org")
    known_queries, known_rows = _register(client, webinar, "known@example.org")

    # The same rows written, in the same order: the registration's INSERT is tried both times
    # (the unique index refuses the known one) and both record the same mail.
    assert _writes(new_queries) == _writes(known_queries)
    assert new_rows == known_rows == [("details", "confirmed"), ("organiser_notice", "confirmed")]
    # The known address only reads its row back (one indexed lookup) after the refused INSERT.
    assert len(known_queries) - len(new_queries) <= 2
    assert Registration.objects.count() == 2


def test_a_repeat_within_the_resend_window_sends_nothing_new(client, db, settings, flush_mail):
    settings.MAIL_SEND_IMMEDIATELY = False
    series = make_series(notify_email="team@example.org")
    webinar = make_webinar(series=series, title="Copper")
    client.post(f"/webinars/{webinar.slug}/register/", {**PERSON, "email": "ada@example.org"})
    client.post(f"/webinars/{webinar.slug}/register/", {**PERSON, "email": "ada@example.org"})

    outbox = flush_mail()

    assert sorted(m.subject for m in outbox) == ["New registration: Copper", "Registered: Copper"]
    assert PendingMail.objects.unsent().count() == 0


class SilentSMTPServer:
    """Accepts connections and never says a word, like a mail server that hangs."""

    def __init__(self):
        self.sock = socket.socket()
        for port in PORTS:
            try:
                self.sock.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        else:
            pytest.skip("no free port")
        self.port = self.sock.getsockname()[1]
        self.sock.listen(16)
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent_smtp(settings):
    server = SilentSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2
    settings.MAIL_SEND_IMMEDIATELY = True
    settings.MAIL_BACKGROUND_THREAD = True
    yield server
    worker.wait_for_background_mail(timeout=60)
    server.close()


def test_a_mail_server_that_never_answers_never_holds_a_visitor(
    client, transactional_db, silent_smtp
):
    series = make_series(slug="metals")
    webinars = [make_webinar(series=series, slug=f"w{n}", title=f"W{n}") for n in range(4)]

    started = time.monotonic()
    one = client.post("/webinars/w0/register/", {**PERSON, "email": "ada@example.org"})
    four = client.post(
        "/series/metals/register/",
        {**PERSON, "email": "bob@example.org", "webinars": [w.pk for w in webinars]},
    )
    elapsed = time.monotonic() - started

    assert (one.status_code, four.status_code) == (302, 302)
    # Five messages for a server that waits EMAIL_TIMEOUT (2 s) each: the visitors did not wait.
    assert elapsed < 1.5, elapsed
    assert Registration.objects.count() == 5
    worker.wait_for_background_mail(timeout=60)
    # The thread gave up on each at the timeout; every message is kept for the worker.
    assert PendingMail.objects.retrying().count() == 5


def test_the_mail_thread_delivers_after_the_response(
    client, transactional_db, settings, mailoutbox
):
    settings.MAIL_SEND_IMMEDIATELY = True
    settings.MAIL_BACKGROUND_THREAD = True
    webinar = make_webinar(title="Copper")

    response = client.post(
        f"/webinars/{webinar.slug}/register/", {**PERSON, "email": "ada@example.org"}
    )
    worker.wait_for_background_mail()

    assert response.status_code == 302
    assert [m.subject for m in mailoutbox] == ["Registered: Copper"]
    assert PendingMail.objects.unsent().count() == 0


def test_a_committed_registration_answers_even_if_handing_mail_over_fails(
    client, transactional_db, settings, monkeypatch
):
    settings.MAIL_SEND_IMMEDIATELY = True

    def no_thread(pk):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(worker, "deliver_soon", no_thread)
    webinar = make_webinar()

    response = client.post(
        f"/webinars/{webinar.slug}/register/", {**PERSON, "email": "ada@example.org"}
    )

    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert PendingMail.objects.count() == 1  # left for the worker
