"""Mail intents: recorded with the registration, composed and queued once, never lost."""

import io
import threading
from datetime import timedelta

import icalendar
import pytest
from django.core import mail as django_mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.factories import add_speaker, make_organisation, make_series, make_webinar
from tests.mail_worker import send_queued_mail
from webinars import mail
from webinars.mail import worker
from webinars.models import PendingMail, Registration, Webinar
from webinars.services import registration_cancel, registration_create

VALID = {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on"}


def register(webinar, email="ada@example.org"):
    [outcome] = registration_create(webinars=[webinar], name="Ada", email=email, consent=True)
    return outcome.registration


def worker_pass(now=None) -> str:
    out = io.StringIO()
    if now is None:
        out.write(send_queued_mail())
    else:
        # The worker as it would run at `now` (after a retry delay has passed).
        counts = mail.queue_flush(now)
        from webinars.management.commands.send_queued_mail import summary

        out.write(summary(counts) + "\n")
    return out.getvalue()


def calendar_part(message) -> icalendar.Calendar:
    [(filename, content, mimetype)] = [
        (a.get_filename(), a.get_payload(decode=True), a.get_content_type())
        for a in message.attachments
    ]
    assert (filename, mimetype) == ("invite.ics", "text/calendar")
    return icalendar.Calendar.from_ical(content)


def test_registration_create_records_an_intent_not_a_message(db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    series = make_series(notify_email="team@example.org")
    webinar = make_webinar(title="Copper", series=series)

    registration = register(webinar)

    assert list(PendingMail.objects.values_list("registration", "kind", "status", "args")) == [
        (registration.pk, "details", "confirmed", {}),
        (registration.pk, "organiser_notice", "confirmed", {}),
    ]
    assert PendingMail.objects.sent().count() == 0
    assert mailoutbox == []


def test_registration_and_its_intents_roll_back_together(transactional_db, monkeypatch):
    series = make_series(notify_email="team@example.org")
    webinar = make_webinar(series=series)

    def broken_notice(registration, **kwargs):
        # After the registration row and its details intent are written.
        assert Registration.objects.filter(pk=registration.pk).exists()
        assert PendingMail.objects.filter(registration=registration).exists()
        raise RuntimeError("the organisers' notice could not be recorded")

    monkeypatch.setattr(mail, "queue_organiser_notice", broken_notice)

    with pytest.raises(RuntimeError, match="could not be recorded"):
        register(webinar)

    assert Registration.objects.count() == 0
    assert PendingMail.objects.count() == 0


def test_worker_composes_and_sends_the_confirmation(client, db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    webinar = make_webinar(title="Copper", join_url="https://meet.example.com/secret-room")
    add_speaker(webinar)

    response = client.post(f"/webinars/{webinar.slug}/register/", VALID)
    recorded = PendingMail.objects.count()
    output = worker_pass()

    registration = Registration.objects.get()
    assert response.status_code == 302
    assert recorded == 1
    assert output == "1 sent, 0 waiting to retry\n"
    [message] = mailoutbox
    assert message.subject == "Registered: Copper"
    assert message.to == ["ada@example.org"]
    assert f"/registrations/{registration.token}/join" in message.body
    assert "secret-room" not in message.message().as_string()
    cal = calendar_part(message)
    assert str(cal["method"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == webinar.local_start.replace(microsecond=0)
    assert str(event["attendee"]) == "mailto:ada@example.org"
    assert PendingMail.objects.unsent().count() == 0
    assert PendingMail.objects.get().sent_at is not None


def test_immediate_send_delivers_right_after_commit(client, transactional_db, settings):
    settings.MAIL_SEND_IMMEDIATELY = True
    webinar = make_webinar(title="Copper")

    response = client.post(f"/webinars/{webinar.slug}/register/", VALID)

    # No worker ran: the request composed and sent its own mail once the registration committed.
    assert response.status_code == 302
    assert [(m.to, m.subject) for m in django_mail.outbox] == [
        (["ada@example.org"], "Registered: Copper")
    ]
    assert PendingMail.objects.unsent().count() == 0


def test_immediate_send_off_leaves_the_intent_for_the_worker(client, transactional_db, settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    webinar = make_webinar(title="Copper")

    client.post(f"/webinars/{webinar.slug}/register/", VALID)

    assert django_mail.outbox == []
    assert PendingMail.objects.get().kind == "details"


def test_delivering_the_same_intent_twice_queues_one_message(db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    intent = mail.queue_details(make_registration_for(make_webinar(title="Copper")))

    first = mail.deliver(intent.pk)
    second = mail.deliver(intent.pk)
    worker_pass()

    assert (first.outcome, second.outcome) == ("sent", "taken")
    assert [m.subject for m in mailoutbox] == ["Registered: Copper"]


def test_two_workers_at_once_queue_one_message(transactional_db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    intent = mail.queue_details(make_registration_for(make_webinar(title="Copper")))
    barrier = threading.Barrier(2)
    outcomes = []

    def work():
        try:
            barrier.wait(timeout=30)
            outcomes.append(mail.deliver(intent.pk).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    worker_pass()

    assert sorted(outcomes) == ["sent", "taken"]
    assert [m.subject for m in mailoutbox] == ["Registered: Copper"]
    assert PendingMail.objects.unsent().count() == 0


def make_registration_for(webinar: Webinar) -> Registration:
    return Registration.objects.create(webinar=webinar, name="Ada", email="ada@example.org")


def test_compose_failure_keeps_intent_and_registration_and_never_fails_the_visitor(
    client, transactional_db, settings, caplog
):
    settings.MAIL_SEND_IMMEDIATELY = True
    settings.MAIL_RETRY_BASE_SECONDS = 60
    webinar = make_webinar(title="Copper")
    # A zone the database accepts but this machine cannot load (e.g. tzdata out of date):
    # the registration works, composing the message (times, calendar file) fails.
    Webinar.objects.filter(pk=webinar.pk).update(time_zone="Mars/Olympus_Mons")

    response = client.post(f"/webinars/{webinar.slug}/register/", VALID)
    started = timezone.now()

    assert response.status_code == 302
    registration = Registration.objects.get()
    intent = PendingMail.objects.get()
    assert (intent.registration, intent.kind, intent.attempts) == (registration, "details", 1)
    assert intent.last_error.startswith("ZoneInfoNotFoundError")
    assert started < intent.retry_after <= started + timedelta(seconds=61)
    assert f"Composing mail {intent.pk} failed" in caplog.text
    assert django_mail.outbox == []

    # Not retried before its delay; after it, a second failure doubles the delay.
    assert worker_pass() == "0 sent, 1 waiting to retry\n"
    later = started + timedelta(seconds=62)
    assert worker_pass(later) == (
        "0 sent, 1 waiting to retry, 1 failed (kept for a retry, see the log)\n"
    )
    intent.refresh_from_db()
    assert intent.attempts == 2
    assert intent.retry_after > timezone.now() + timedelta(seconds=110)

    # Once the data is mended, the next due pass sends the mail.
    Webinar.objects.filter(pk=webinar.pk).update(time_zone="Europe/Brussels")
    output = worker_pass(started + timedelta(minutes=10))

    assert output == "1 sent, 0 waiting to retry\n"
    assert [(m.to, m.subject) for m in django_mail.outbox] == [
        (["ada@example.org"], "Registered: Copper")
    ]
    assert PendingMail.objects.unsent().count() == 0


def test_worker_batch_with_one_failing_intent_still_sends_the_others(db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    good = [make_webinar(title=f"Good {n}") for n in range(3)]
    bad = make_webinar(title="Bad")
    for webinar in [good[0], bad, *good[1:]]:
        register(webinar)
    Webinar.objects.filter(pk=bad.pk).update(time_zone="Mars/Olympus_Mons")

    counts = mail.deliver_pending()
    worker_pass()

    assert counts == {"sent": 3, "failed": 1}
    assert sorted(m.subject for m in mailoutbox) == [
        "Registered: Good 0",
        "Registered: Good 1",
        "Registered: Good 2",
    ]
    [kept] = PendingMail.objects.unsent()
    assert (kept.registration.webinar, kept.attempts) == (bad, 1)


def test_worker_composes_a_batch_in_a_fixed_number_of_queries(
    db, settings, django_assert_num_queries, mailoutbox
):
    settings.MAIL_SEND_IMMEDIATELY = False
    for n in range(12):
        register(webinar_with_people(1 + n % 4), email=f"ada{n}@example.org")

    # Read the batch of due records with registration, webinar and series, speakers and
    # organisations (3 queries); registration counts and answers for the 12 organisers'
    # notices; each of the 24 marked sent as soon as it is. PostgreSQL also claims each record
    # in a transaction of its own: its row lock, a savepoint around composing and the
    # transaction's own savepoint (a test runs inside one), 5 more queries per record.
    per_record = 1 + (1 + 2 + 2 if worker.row_locks() else 0)
    # PostgreSQL: the pass turns synchronous_commit off and back.
    with django_assert_num_queries(3 + 12 * 2 + 24 * per_record + 2 * worker.row_locks()):
        counts = mail.deliver_pending()

    assert counts == {"sent": 24}
    assert len(mailoutbox) == 24


def test_message_tells_the_status_when_it_was_recorded(db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    webinar = make_webinar(title="Copper", capacity=5)
    registration = register(webinar)

    registration_cancel(registration=registration)  # before the worker composed anything
    worker_pass()

    assert [m.subject for m in mailoutbox] == [
        "Registered: Copper",
        "Registration cancelled: Copper",
    ]


def test_intent_of_an_anonymised_registration_is_dropped(db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    registration = register(make_webinar())
    Registration.objects.filter(pk=registration.pk).update(
        email="removed@anonymised.invalid", anonymised_at=timezone.now()
    )

    [intent] = PendingMail.objects.all()
    delivery = mail.deliver(intent.pk)

    assert delivery == mail.Delivery("dropped")
    assert PendingMail.objects.count() == 0
    assert mailoutbox == []


def test_recording_and_delivering_mail_keeps_cached_pages(client, db, settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    webinar = make_webinar(title="Copper")
    client.get("/")

    register(webinar)
    worker_pass()
    response = client.get("/")

    assert response["X-Page-Cache"] == "hit"


def test_queue_webinar_changed_refuses_an_unknown_change(db):
    registration = make_registration_for(make_webinar())

    with pytest.raises(ValueError, match="change must be one of"):
        mail.queue_webinar_changed(registration, change="moved")

    assert PendingMail.objects.count() == 0


# --- query counts ---------------------------------------------------------------------------


def webinar_with_people(speakers: int) -> Webinar:
    series = make_series(notify_email="team@example.org")
    for _ in range(speakers):
        make_organisation(series)
    webinar = make_webinar(title="Copper", series=series, capacity=100)
    for order in range(speakers):
        add_speaker(webinar, order=order)
    add_speaker(webinar, role="moderator")
    return webinar


@pytest.mark.parametrize("speakers", [1, 5])
def test_composing_an_intent_takes_a_fixed_number_of_queries(
    db, settings, django_assert_num_queries, speakers, mailoutbox
):
    settings.MAIL_SEND_IMMEDIATELY = False
    registration = register(webinar_with_people(speakers))
    details, notice = PendingMail.objects.order_by("pk")

    # The record with its registration, webinar and series, the speakers, the series'
    # organisations, mark it sent; on PostgreSQL within a transaction (here a savepoint) and a
    # savepoint around composing.
    locks = 4 if worker.row_locks() else 0
    with django_assert_num_queries(4 + locks):
        assert mail.deliver(details.pk).outcome == "sent"
    # The same plus one count of the webinar's registrations and the registrant's answers.
    with django_assert_num_queries(6 + locks):
        assert mail.deliver(notice.pk).outcome == "sent"

    message = mailoutbox[0]
    [event] = calendar_part(message).walk("VEVENT")
    assert str(event["description"]).count("(University)") == speakers + 1  # and the moderator
    assert registration.webinar.series.partners.count() == speakers
    assert str(event["organizer"].params["cn"]).count("Organisation") == speakers


def test_register_post_query_count_does_not_grow_with_speakers(
    client, db, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAIL_SEND_IMMEDIATELY = True  # composing and sending count too
    counts = []
    # The first registration fills per-process caches (site settings, webhook endpoints);
    # the two compared come after it.
    for n, speakers in enumerate([1, 1, 6]):
        webinar = webinar_with_people(speakers)
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(
                f"/webinars/{webinar.slug}/register/", {**VALID, "email": f"ada{n}@example.org"}
            )
        assert response.status_code == 302
        counts.append(len(queries))

    assert counts[1] == counts[2], counts
    # Every registration got its confirmation and the organisers their notice.
    assert (
        sorted(m.subject for m in mailoutbox)
        == ["New registration: Copper"] * 3 + ["Registered: Copper"] * 3
    )


def test_admin_lists_mail_that_failed_to_compose(admin_client, db, settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    registration = register(make_webinar(title="Copper"))
    PendingMail.objects.update(attempts=2, last_error="ZoneInfoNotFoundError: 'Mars/Olympus'")
    [intent] = PendingMail.objects.all()

    listing = admin_client.get(reverse("admin:webinars_pendingmail_changelist"))
    detail = admin_client.get(reverse("admin:webinars_pendingmail_change", args=[intent.pk]))

    assert listing.status_code == 200
    assert "confirmation or waiting-list notice" in listing.content.decode()
    assert escape(str(registration)) in listing.content.decode()
    assert detail.status_code == 200
    assert "ZoneInfoNotFoundError: &#x27;Mars/Olympus&#x27;" in detail.content.decode()
    assert admin_client.get(reverse("admin:webinars_pendingmail_add")).status_code == 403


def test_the_invitation_rings_at_the_first_reminder(client, db, settings, mailoutbox):
    settings.MAIL_SEND_IMMEDIATELY = False
    webinar = make_webinar(title="Copper", reminders="2h, 15m")

    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    worker_pass()

    [alarm] = calendar_part(mailoutbox[0]).walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(hours=-2)
    assert str(alarm["ACTION"]) == "DISPLAY"
