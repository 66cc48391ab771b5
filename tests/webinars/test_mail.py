"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1): parts, invitation, durability."""

import io
from datetime import timedelta

import icalendar
import pytest
import vobject
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import brussels, make_webinar
from tests.mail_worker import send_queued_mail
from webinars import mail
from webinars.ical import webinar_uid
from webinars.models import PendingMail, Registration

VALID = {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on"}


def send_queued() -> str:
    return send_queued_mail()


def test_confirmation_arrives_over_smtp_with_text_html_and_invitation(client, db, smtp):
    webinar = make_webinar(
        title="Copper",
        start=brussels(2037, 10, 1, 10, 0),
        duration=timedelta(minutes=90),
        join_url="https://meet.example.com/secret-room",
    )
    smtp.start()

    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    output = send_queued()

    registration = Registration.objects.get()
    assert output == "1 sent, 0 waiting to retry\n"
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["ada@example.org"]
    assert message["Subject"] == "Registered: Copper"
    assert message["From"] == "Webinars <webinars@example.org>"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert set(parts) >= {"text/plain", "text/html", "text/calendar"}
    text = parts["text/plain"].get_content()
    assert "When: Thursday 1 October 2037, 10:00–11:30 CEST, Brussels time" in text
    assert f"http://127.0.0.1:8000/registrations/{registration.token}/join" in text
    assert f"http://127.0.0.1:8000/registrations/{registration.token}/" in text
    assert "secret-room" not in message.as_string()
    html = parts["text/html"].get_content()
    assert f'href="http://127.0.0.1:8000/registrations/{registration.token}/join"' in html
    invite = parts["text/calendar"]
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_filename() == "invite.ics"
    cal = icalendar.Calendar.from_ical(invite.get_content())
    assert str(cal["method"]) == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["uid"]) == webinar_uid(webinar)
    assert event.decoded("dtstart") == brussels(2037, 10, 1, 10, 0)
    assert event.decoded("dtend") == brussels(2037, 10, 1, 11, 30)
    assert str(event["attendee"]) == "mailto:ada@example.org"
    other = vobject.readOne(invite.get_content()).vevent
    assert other.uid.value == webinar_uid(webinar)
    assert other.summary.value == "Copper"
    assert PendingMail.objects.unsent().count() == 0


def test_waiting_list_notice_has_no_join_link(client, db, smtp):
    webinar = make_webinar(title="Copper", capacity=1, join_url="https://meet.example.com/x")
    Registration.objects.create(webinar=webinar, name="First", email="first@example.org")
    smtp.start()

    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    send_queued()

    [(_, message)] = smtp.inbox.messages
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "Waiting list: Copper"
    assert "/join" not in message.as_string()
    assert "you are on its waiting list" in text


def mime_tree(part) -> list:
    """[content type (with method for calendars), children...] of a message, for comparing."""
    kind = part.get_content_type()
    if kind == "text/calendar":
        kind += f"; method={part.get_param('method')}"
        if part.get_filename():
            kind += f"; attachment {part.get_filename()}"
    if part.is_multipart():
        return [kind, *(mime_tree(child) for child in part.iter_parts())]
    return kind


def calendars_in(message) -> list[icalendar.Calendar]:
    return [
        icalendar.Calendar.from_ical(part.get_content())
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]


def test_invitation_is_shaped_as_calendar_servers_send_it(client, db, smtp):
    webinar = make_webinar(title="Copper", start=brussels(2037, 10, 1, 10, 0))
    smtp.start()

    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    send_queued()

    [(_, message)] = smtp.inbox.messages
    assert mime_tree(message) == [
        "multipart/mixed",
        [
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/calendar; method=REQUEST",
        ],
        "text/calendar; method=REQUEST; attachment invite.ics",
    ]
    inline, attached = calendars_in(message)
    assert inline.to_ical() == attached.to_ical()
    assert str(inline["METHOD"]) == "REQUEST"
    # A real offset (UTC), not RFC 5322's "-0000" for "unknown".
    assert message["Date"].endswith(" +0000")
    assert abs(message["Date"].datetime - timezone.now()) < timedelta(minutes=1)


def test_waiting_list_notice_offers_a_tentative_entry_not_an_invitation(client, db, smtp):
    webinar = make_webinar(title="Copper", capacity=1)
    Registration.objects.create(webinar=webinar, name="First", email="first@example.org")
    smtp.start()

    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    send_queued()

    [(_, message)] = smtp.inbox.messages
    assert "REQUEST" not in str(mime_tree(message))
    for calendar in calendars_in(message):
        assert str(calendar["METHOD"]) == "PUBLISH"
        [event] = calendar.walk("VEVENT")
        assert str(event["STATUS"]) == "TENTATIVE"
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert "ATTENDEE" not in event
    assert "PARTSTAT" not in message.as_string()


def test_registrants_own_cancellation_is_newer_than_the_invitation(client, db, smtp):
    webinar = make_webinar(title="Copper")
    smtp.start()
    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    send_queued()
    registration = Registration.objects.get()

    client.post(f"/registrations/{registration.token}/cancel/", {})
    send_queued()

    invitation, cancellation = (message for _, message in smtp.inbox.messages)
    [request] = {c.walk("VEVENT")[0]["SEQUENCE"] for c in calendars_in(invitation)}
    [cancel] = {c.walk("VEVENT")[0]["SEQUENCE"] for c in calendars_in(cancellation)}
    assert {str(c["METHOD"]) for c in calendars_in(cancellation)} == {"CANCEL"}
    assert cancel > request

    # Registering again: the new invitation must be newer than the cancellation.
    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    send_queued()

    again = smtp.inbox.messages[-1][1]
    [request_again] = {c.walk("VEVENT")[0]["SEQUENCE"] for c in calendars_in(again)}
    assert {str(c["METHOD"]) for c in calendars_in(again)} == {"REQUEST"}
    assert request_again > cancel


def test_registration_succeeds_with_smtp_down_and_mail_goes_out_when_back(
    client, db, smtp, settings
):
    settings.MAIL_RETRY_BASE_SECONDS = 0
    webinar = make_webinar(title="Copper")

    response = client.post(f"/webinars/{webinar.slug}/register/", VALID)
    first_pass = send_queued()

    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert first_pass == "0 sent, 1 waiting to retry, 1 failed (kept for a retry, see the log)\n"
    assert PendingMail.objects.retrying().count() == 1

    smtp.start()
    second_pass = send_queued()

    assert second_pass == "1 sent, 0 waiting to retry\n"
    assert [m["Subject"] for _, m in smtp.inbox.messages] == ["Registered: Copper"]
    assert PendingMail.objects.unsent().count() == 0


def test_immediate_send_after_commit_failing_keeps_the_message_queued(
    client, db, smtp, django_capture_on_commit_callbacks
):
    webinar = make_webinar()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webinars/{webinar.slug}/register/", VALID)

    assert response.status_code == 302
    assert PendingMail.objects.retrying().count() == 1


def test_immediate_send_after_commit_delivers(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    webinar = make_webinar(title="Copper")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/webinars/{webinar.slug}/register/", VALID)

    assert [m.subject for m in mailoutbox] == ["Registered: Copper"]
    assert PendingMail.objects.unsent().count() == 0


def test_deferred_message_waits_for_its_back_off(db, smtp, settings):
    settings.MAIL_RETRY_BASE_SECONDS = 60
    webinar = make_webinar()
    Registration.objects.create(webinar=webinar, name="Ada", email="ada@example.org")
    registration = Registration.objects.get()
    mail.queue_details(registration)
    send_queued()  # server down: kept, tried again after its back-off
    now = timezone.now()

    record = PendingMail.objects.get()
    assert record.attempts == 1
    assert now - timedelta(seconds=5) < record.retry_after - timedelta(seconds=60) <= now
    assert mail.deliver_pending(now + timedelta(seconds=30)) == {}
    assert mail.deliver_pending(now + timedelta(seconds=61)) == {"failed": 1}
    record.refresh_from_db()
    assert record.attempts == 2
    assert mail.retry_delay(1) == timedelta(seconds=120)
    assert mail.retry_delay(30) == timedelta(hours=6)


def test_send_queued_mail_rejects_negative_loop(db):
    with pytest.raises(CommandError, match="--loop must be 0"):
        call_command("send_queued_mail", "--loop", "-5")


def _queue_for(webinar, email):
    registration = Registration.objects.create(webinar=webinar, name="Someone", email=email)
    return mail.queue_details(registration)


def test_a_poisoned_message_beside_fifty_good_ones_fails_alone_and_shows_in_admin(
    db, smtp, settings, admin_client
):
    settings.MAIL_SEND_IMMEDIATELY = False
    settings.MAIL_RETRY_BASE_SECONDS = 0
    settings.MAIL_MAX_ATTEMPTS = 2
    webinar = make_webinar(title="Copper")
    for n in range(25):
        _queue_for(webinar, f"person{n}@example.org")
    # Stored before addresses were checked: a line separator no mail header can carry.
    poisoned = _queue_for(webinar, "poison@exa\u2028mple.org")
    for n in range(25, 50):
        _queue_for(webinar, f"person{n}@example.org")
    smtp.start()

    first_pass = send_queued()
    second_pass = send_queued()

    delivered = sorted(rcpt for rcpts, _ in smtp.inbox.messages for rcpt in rcpts)
    assert delivered == sorted(f"person{n}@example.org" for n in range(50))
    assert first_pass == ("50 sent, 1 waiting to retry, 1 failed (kept for a retry, see the log)\n")
    assert second_pass == (
        "0 sent, 0 waiting to retry, 1 failed (kept for a retry, see the log),"
        " 1 given up (see admin)\n"
    )
    poisoned.refresh_from_db()
    assert poisoned.attempts == 2
    assert poisoned.failed_at is not None
    assert poisoned.last_error.startswith("UnicodeError")
    assert PendingMail.objects.unsent().count() == 0
    # Given up: a third pass leaves it alone.
    assert send_queued().startswith("0 sent")
    poisoned.refresh_from_db()
    assert poisoned.attempts == 2

    failed_list = admin_client.get("/admin/webinars/pendingmail/?state=failed")
    waiting_list = admin_client.get("/admin/webinars/pendingmail/?state=queued")

    assert failed_list.status_code == 200
    assert f"for registration {poisoned.registration_id}" in failed_list.content.decode()
    assert '<td class="field-state">failed</td>' in failed_list.content.decode()
    assert f"for registration {poisoned.registration_id}" not in waiting_list.content.decode()


def test_a_queued_message_that_cannot_be_sent_is_deferred_and_the_others_go(
    db, smtp, settings, admin_client
):
    from django.core.mail import EmailMessage

    settings.MAIL_MAX_ATTEMPTS = 1
    settings.MAIL_SEND_IMMEDIATELY = False
    for to in ["one@example.org", "poison@exa\u2028mple.org", "two@example.org"]:
        mail.queue_composed(EmailMessage("Hello", "Body", "webinars@example.org", [to]))
    smtp.start()

    out = send_queued()

    assert out == (
        "2 sent, 0 waiting to retry, 1 failed (kept for a retry, see the log),"
        " 1 given up (see admin)\n"
    )
    assert sorted(r for rcpts, _ in smtp.inbox.messages for r in rcpts) == [
        "one@example.org",
        "two@example.org",
    ]
    failed_list = admin_client.get("/admin/webinars/pendingmail/?state=failed")
    assert failed_list.status_code == 200
    assert '<td class="field-state">failed</td>' in failed_list.content.decode()


def test_send_queued_mail_loop_survives_a_failing_pass(db, monkeypatch):
    from webinars.management.commands import send_queued_mail

    passes = []

    def flaky_flush():
        passes.append(1)
        if len(passes) == 1:
            raise ConnectionError("database away")
        return mail.queue_flush()

    class Stop(Exception):
        pass

    def sleep(seconds):
        if len(passes) >= 2:
            raise Stop

    monkeypatch.setattr(send_queued_mail, "queue_flush", flaky_flush)
    monkeypatch.setattr(send_queued_mail.time, "sleep", sleep)

    with pytest.raises(Stop):
        call_command("send_queued_mail", "--loop", "1", stdout=io.StringIO())

    assert len(passes) == 2


def test_send_queued_mail_one_pass_reports_a_broken_worker(db, monkeypatch):
    from webinars.management.commands import send_queued_mail

    def broken():
        raise ConnectionError("database away")

    monkeypatch.setattr(send_queued_mail, "queue_flush", broken)

    with pytest.raises(CommandError, match="could not run"):
        call_command("send_queued_mail", stdout=io.StringIO())
