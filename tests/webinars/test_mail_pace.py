"""The mail worker at volume: batches, one connection per pass, bounded queries per message,
deferred mail left out by the query, a refusing server costing a few tries."""

import socket
from datetime import timedelta

import icalendar
import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import add_speaker, make_organisation, make_series, make_webinar
from webinars import ical, mail
from webinars.mail import worker
from webinars.models import PendingMail, Registration


class CountingBackend(EmailBackend):
    """The test mailbox, counting the connections the worker opens."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


def queue(count: int, webinar=None) -> list[PendingMail]:
    webinar = webinar or make_webinar(title="Copper", series=make_series())
    rows = Registration.objects.bulk_create(
        Registration(webinar=webinar, name=f"R{n}", email=f"r{n}@example.org") for n in range(count)
    )
    return PendingMail.objects.bulk_create(
        PendingMail(registration=r, kind=PendingMail.Kind.DETAILS, status="confirmed") for r in rows
    )


def queries_to_send(count: int) -> int:
    series = make_series()
    make_organisation(series)
    webinar = make_webinar(series=series)
    add_speaker(webinar)
    queue(count, webinar)
    with CaptureQueriesContext(connection) as captured:
        assert mail.deliver_pending() == {"sent": count}
    return len(captured)


@pytest.fixture
def quiet(settings):
    settings.MAIL_SEND_IMMEDIATELY = False


def test_queries_per_message_stay_the_same_as_the_queue_grows(db, quiet, mailoutbox):
    ten = queries_to_send(10)
    PendingMail.objects.all().delete()
    fifty = queries_to_send(50)

    # Marked sent as soon as it is; PostgreSQL also claims each row in a transaction of its own
    # (the row lock, a savepoint around composing and the test's own savepoint).
    per_message = 1 + (1 + 2 + 2 if worker.row_locks() else 0)
    assert fifty - ten == 40 * per_message
    # The rest is the batch's reads (records with what composing reads, speakers, partners)
    # and, on PostgreSQL, the pass's synchronous_commit switch.
    assert ten - 10 * per_message == 3 + 2 * worker.row_locks()
    assert len(mailoutbox) == 60


def test_a_long_queue_is_read_in_batches_over_one_connection(
    db, quiet, settings, monkeypatch, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened = 0
    monkeypatch.setattr(worker, "BATCH_SIZE", 5)
    queue(12)

    with CaptureQueriesContext(connection) as captured:
        counts = mail.deliver_pending()

    assert counts == {"sent": 12}
    assert len(mailoutbox) == 12
    assert CountingBackend.opened == 1
    batch_reads = [
        q for q in captured if 'FROM "webinars_pendingmail"' in q["sql"] and "LIMIT 5" in q["sql"]
    ]
    assert len(batch_reads) == 3
    assert PendingMail.objects.unsent().count() == 0


def test_mail_waiting_for_its_retry_is_left_out_by_the_query(db, quiet, mailoutbox):
    later = timezone.now() + timedelta(hours=1)
    waiting = queue(30)
    PendingMail.objects.filter(pk__in=[m.pk for m in waiting]).update(attempts=1, retry_after=later)
    [due] = queue(1)

    with CaptureQueriesContext(connection) as captured:
        assert mail.deliver_pending() == {"sent": 1}

    [read] = [q["sql"] for q in captured if f"LIMIT {worker.BATCH_SIZE}" in q["sql"]]
    assert '"retry_after"' in read
    assert [m.to for m in mailoutbox] == [[due.registration.email]]
    assert PendingMail.objects.retrying().count() == 30


def test_a_server_refusing_connections_stops_the_pass_after_a_few_tries(
    db, quiet, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    with socket.create_server(("127.0.0.1", 0)) as closed:
        settings.EMAIL_PORT = closed.getsockname()[1]
    settings.EMAIL_TIMEOUT = 5
    queue(40)

    with CaptureQueriesContext(connection) as captured:
        counts = mail.deliver_pending()

    tried = worker.CONNECTION_FAILURES_TO_STOP
    assert counts == {"failed": tried}
    # One batch read (3 queries) and a back-off per try, not 40 of them.
    assert len(captured) <= 3 + tried * (1 + 5 * worker.row_locks()) + 2
    assert PendingMail.objects.retrying().count() == tried
    assert PendingMail.objects.queued().count() == 40 - tried
    assert "refused 3 connections in a row" in caplog.text


def test_a_message_refused_on_an_open_connection_does_not_stop_the_pass(
    db, quiet, settings, monkeypatch, mailoutbox
):
    first, *rest = queue(6)
    send = EmailBackend.send_messages

    def refuse_the_first(self, messages):
        if messages[0].to == [first.registration.email]:
            raise ValueError("550 mailbox unavailable")
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_the_first)

    assert mail.deliver_pending() == {"sent": 5, "failed": 1}


@pytest.mark.parametrize("attendee", [None, "ada@example.org", "a" * 60 + "@example.org"])
@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_a_messages_calendar_event_reads_as_one_built_whole(db, attendee, method):
    webinar = make_webinar(title="Copper " * 20, series=make_series(title="Metals"))
    stamp = timezone.now()
    fields = ical._event_fields(
        webinar, stamp=stamp, attendee_email=attendee, cancelled=method == "CANCEL"
    )

    # Twice: the second comes from the stand-in serialised the first time.
    for _ in range(2):
        assert ical._message_event_ical(fields, stamp) == ical._event(fields).to_ical()
    event = icalendar.Event.from_ical(ical._message_event_ical(fields, stamp))
    assert event.decoded("dtstamp") == stamp.replace(microsecond=0)
