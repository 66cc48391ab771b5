"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1): parts, invitation, durability."""

import io
from datetime import timedelta

import icalendar
import pytest
import vobject
from django.core.management import CommandError, call_command
from django.utils import timezone
from mailer.models import Message

from tests.factories import brussels, make_webinar
from webinars import mail
from webinars.ical import webinar_uid
from webinars.models import Registration

VALID = {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on"}


def send_queued() -> str:
    out = io.StringIO()
    call_command("send_queued_mail", stdout=out)
    return out.getvalue()


def test_confirmation_arrives_over_smtp_with_text_html_and_invitation(client, db, smtp):
    webinar = make_webinar(
        title="Copper",
        start=brussels(2027, 10, 1, 10, 0),
        duration=timedelta(minutes=90),
        join_url="https://meet.example.com/secret-room",
    )
    smtp.start()

    client.post(f"/webinars/{webinar.slug}/register/", VALID)
    output = send_queued()

    registration = Registration.objects.get()
    assert output == "1 composed, 1 sent, 0 deferred, 0 re-queued for retry\n"
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["ada@example.org"]
    assert message["Subject"] == "Registered: Copper"
    assert message["From"] == "Webinars <webinars@example.org>"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert set(parts) >= {"text/plain", "text/html", "text/calendar"}
    text = parts["text/plain"].get_content()
    assert "When: 1 October 2027, 10:00-11:30 CEST" in text
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
    assert event.decoded("dtstart") == brussels(2027, 10, 1, 10, 0)
    assert event.decoded("dtend") == brussels(2027, 10, 1, 11, 30)
    assert str(event["attendee"]) == "mailto:ada@example.org"
    other = vobject.readOne(invite.get_content()).vevent
    assert other.uid.value == webinar_uid(webinar)
    assert other.summary.value == "Copper"
    assert Message.objects.count() == 0


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


def test_registration_succeeds_with_smtp_down_and_mail_goes_out_when_back(
    client, db, smtp, settings
):
    settings.MAIL_RETRY_BASE_SECONDS = 0
    webinar = make_webinar(title="Copper")

    response = client.post(f"/webinars/{webinar.slug}/register/", VALID)
    first_pass = send_queued()

    assert response.status_code == 302
    assert Registration.objects.count() == 1
    assert first_pass == "1 composed, 0 sent, 1 deferred, 0 re-queued for retry\n"
    assert Message.objects.deferred().count() == 1

    smtp.start()
    second_pass = send_queued()

    assert second_pass == "0 composed, 1 sent, 0 deferred, 1 re-queued for retry\n"
    assert [m["Subject"] for _, m in smtp.inbox.messages] == ["Registered: Copper"]
    assert Message.objects.count() == 0


def test_immediate_send_after_commit_failing_keeps_the_message_queued(
    client, db, smtp, django_capture_on_commit_callbacks
):
    webinar = make_webinar()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/webinars/{webinar.slug}/register/", VALID)

    assert response.status_code == 302
    assert Message.objects.deferred().count() == 1


def test_immediate_send_after_commit_delivers(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    webinar = make_webinar(title="Copper")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/webinars/{webinar.slug}/register/", VALID)

    assert [m.subject for m in mailoutbox] == ["Registered: Copper"]
    assert Message.objects.count() == 0


def test_deferred_message_waits_for_its_back_off(db, smtp, settings):
    settings.MAIL_RETRY_BASE_SECONDS = 60
    webinar = make_webinar()
    Registration.objects.create(webinar=webinar, name="Ada", email="ada@example.org")
    registration = Registration.objects.get()
    mail.queue_details(registration)
    send_queued()  # server down: deferred, failure logged now
    now = timezone.now()

    assert mail.requeue_due(now + timedelta(seconds=30)) == 0
    assert mail.requeue_due(now + timedelta(seconds=61)) == 1
    message = Message.objects.get()
    assert message.retry_count == 1
    assert mail.retry_delay(1) == timedelta(seconds=120)
    assert mail.retry_delay(30) == timedelta(hours=6)


def test_send_queued_mail_rejects_negative_loop(db):
    with pytest.raises(CommandError, match="--loop must be 0"):
        call_command("send_queued_mail", "--loop", "-5")
