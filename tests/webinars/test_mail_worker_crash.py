"""A sender killed in the middle of a send stops nothing: the next pass sends, once."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.factories import make_registration, make_webinar
from webinars import mail
from webinars.models import PendingMail

ROOT = Path(__file__).resolve().parents[2]


class SilentServer:
    """Accepts connections and never says a word, like a mail server that hangs."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.clients = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            while True:
                client, _ = self.listener.accept()
                self.clients.append(client)
                self.connected.set()
        except OSError:
            return

    def close(self):
        for client in self.clients:
            client.close()
        self.listener.close()


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def test_a_sender_killed_mid_send_leaves_the_mail_to_the_next_pass(
    transactional_db, settings, mailoutbox, tmp_path
):
    settings.MAIL_SEND_IMMEDIATELY = False
    settings.MAIL_LOCK_FILE = str(tmp_path / "send_mail.flock")
    registration = make_registration(make_webinar(title="Soil talk"), email="ada@example.org")
    mail.queue_details(registration)
    server = SilentServer()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "test-only-secret-key",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{server.port}",
        "EMAIL_TIMEOUT": "120",
        "MAIL_LOCK_FILE": settings.MAIL_LOCK_FILE,
        "MAIL_SEND_IMMEDIATELY": "off",
    }
    env.pop("CACHE_URL", None)
    sender = subprocess.Popen(  # noqa: S603 (this interpreter, the project's own command)
        [sys.executable, "manage.py", "send_queued_mail"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The sender is inside its send, waiting for the server's greeting, holding its claim.
        assert server.connected.wait(timeout=60)
        assert sender.poll() is None
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=30)
        server.close()
    if connection.vendor == "postgresql":
        # The killed sender's session ends once the server notices; the test database can only
        # be dropped after that.
        for _ in range(100):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.1)

    # Whatever kept senders apart died with the killed one (PostgreSQL may take a moment to
    # notice the closed connection): the next pass sends the message, once.
    for _ in range(50):
        if mail.queue_flush()["sent"]:
            break
        time.sleep(0.1)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["ada@example.org"], "Registered: Soil talk")
    ]
    assert PendingMail.objects.get().state == "sent"
    assert mail.queue_flush()["sent"] == 0
    assert len(mailoutbox) == 1


def test_one_pass_that_sends_nothing_because_the_server_refuses_exits_non_zero(
    db, settings, caplog
):
    settings.MAIL_SEND_IMMEDIATELY = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with socket.create_server(("127.0.0.1", 0)) as closed:
        settings.EMAIL_PORT = closed.getsockname()[1]
    settings.EMAIL_TIMEOUT = 5
    mail.queue_details(make_registration(make_webinar(), email="ada@example.org"))

    with pytest.raises(CommandError, match="No mail could be sent: 0 sent"):
        call_command("send_queued_mail")

    assert "No mail could be sent" in caplog.text
    assert PendingMail.objects.get().state == "retrying"


def test_one_pass_with_an_empty_queue_exits_quietly(db, capsys):
    call_command("send_queued_mail")

    assert capsys.readouterr().out.startswith("0 sent")
