"""Fixtures for registration tests: the mail queue worker, a real SMTP server (aiosmtpd on
127.0.0.1) and a fresh rate-limit cache."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.mail_worker import send_queued_mail


@pytest.fixture
def flush_mail(mailoutbox):
    """Run the queue worker once (as cron would) and return the outbox it delivered into."""

    def flush():
        send_queued_mail()
        return mailoutbox

    return flush


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """Settings pointing the queue worker at a local SMTP port; start()/stop() a real server."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    class Server:
        inbox = Inbox()
        controller = None

        def start(self):
            self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

        def stop(self):
            if self.controller:
                self.controller.stop()
                self.controller = None

    server = Server()
    yield server
    server.stop()
