"""Messages to registrants from admin: recipients by status, preview, a test to oneself, the
durable outbox, each person at most once per message, and a log of who got it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from tests.factories import make_registration, make_series, make_webinar
from tests.html import text_of
from tests.mail_worker import send_queued_mail
from tests.threads import run_together
from webinars.models import MessageDelivery, PendingMail, RegistrantMessage
from webinars.services import message_send

SECRET = "https://meet.example.com/PRIVATE-message-4711"


@pytest.fixture
def webinar(db):
    webinar = make_webinar(title="Copper", join_url=SECRET)
    for status in ("confirmed", "waitlisted", "pending", "cancelled"):
        make_registration(
            webinar, name=status.title(), email=f"{status}@example.org", status=status
        )
    return webinar


def write(webinar=None, **fields):
    fields.setdefault("subject", "Slides are online")
    fields.setdefault("body", "Dear all,\n\nthe slides are on the event page.")
    return RegistrantMessage.objects.create(webinar=webinar, **fields)


def form(**fields) -> dict:
    data = {
        "webinar": "",
        "series": "",
        "subject": "Room change",
        "body": "We moved to room 2.",
        "to_confirmed": "on",
        "deliveries-TOTAL_FORMS": "0",
        "deliveries-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_an_organiser_writes_previews_confirms_and_sends(organiser_client, webinar, flush_mail):
    data = form(webinar=webinar.pk, to_waitlisted="on", to_pending="on", _continue="1")
    added = organiser_client.post(reverse("admin:webinars_registrantmessage_add"), data)
    message = RegistrantMessage.objects.get()
    change_url = reverse("admin:webinars_registrantmessage_change", args=[message.pk])
    send_url = reverse("admin:webinars_registrantmessage_send", args=[message.pk])

    change = organiser_client.get(change_url)
    confirm = organiser_client.get(send_url)
    sent = organiser_client.post(send_url, follow=True)

    assert added.status_code == 302
    assert "3 people will get it when you send it; 0 already had it" in text_of(change)
    # The preview is the text part, escaped into the page like any text.
    assert "(registrant&#x27;s name)" in text_of(change)
    assert "We moved to room 2." in text_of(change)
    assert "will go to 3 people who have not had it yet" in text_of(confirm)
    assert "Sent to 3 people; it goes out through the mail queue." in text_of(sent)
    log = dict(message.deliveries.values_list("email", "status"))
    assert log == {
        "confirmed@example.org": "confirmed",
        "waitlisted@example.org": "waitlisted",
        "pending@example.org": "pending",
    }
    assert "waitlisted@example.org" in text_of(organiser_client.get(change_url))  # the log
    outbox = flush_mail()
    assert sorted(m.to[0] for m in outbox) == sorted(log)
    for mail in outbox:
        registration = webinar.registrations.get(email=mail.to[0])
        assert mail.subject == "Room change"
        assert f"Hello {registration.name},\n\nWe moved to room 2." in mail.body
        assert f"/registrations/{registration.token}/" in mail.body
        assert "PRIVATE-message" not in mail.body + mail.alternatives[0][0]


def test_the_save_and_send_button_leads_to_the_confirmation(admin_client, webinar):
    response = admin_client.post(
        reverse("admin:webinars_registrantmessage_add"), form(webinar=webinar.pk, _send="1")
    )

    message = RegistrantMessage.objects.get()
    assert response["Location"] == reverse(
        "admin:webinars_registrantmessage_send", args=[message.pk]
    )
    assert not MessageDelivery.objects.exists()  # nothing goes before the confirmation


def test_each_person_gets_a_message_once_however_often_it_is_sent(webinar, flush_mail):
    message = write(webinar)

    first = message_send(message=message)
    late = make_registration(webinar, email="Late@Example.org")
    second = message_send(message=message)
    third = message_send(message=message)

    assert (first, second, third) == (1, 1, 0)
    assert sorted(m.to[0] for m in flush_mail()) == ["Late@Example.org", "confirmed@example.org"]
    assert late.email.lower() in message.deliveries.values_list("email", flat=True)
    with pytest.raises(IntegrityError):
        MessageDelivery.objects.create(
            message=message, registration=late, email="late@example.org", status="confirmed"
        )


def test_cancelled_registrants_only_when_chosen(webinar, flush_mail):
    assert message_send(message=write(webinar, to_confirmed=False, to_waitlisted=True)) == 1
    assert message_send(message=write(webinar, to_confirmed=False, to_cancelled=True)) == 1
    assert sorted(m.to[0] for m in flush_mail()) == [
        "cancelled@example.org",
        "waitlisted@example.org",
    ]


def test_attended_registrants_as_a_group_of_their_own(webinar, flush_mail):
    make_registration(
        webinar, email="joined@example.org", status="confirmed", attended_at=webinar.start
    )

    sent = message_send(message=write(webinar, to_confirmed=False, to_attended=True))

    assert sent == 1
    assert [m.to[0] for m in flush_mail()] == ["joined@example.org"]
    with pytest.raises(ValidationError):
        write(webinar, to_confirmed=False).full_clean()


def test_a_series_message_reaches_each_person_once_about_their_next_webinar(db, flush_mail):
    series = make_series(title="Mining")
    first = make_webinar(series=series, title="Part 1")
    second = make_webinar(series=series, title="Part 2", start=first.start + timedelta(days=200))
    make_registration(second, email="ada@example.org")
    ada_first = make_registration(first, email="ADA@example.org")
    make_registration(second, email="bob@example.org")
    message = RegistrantMessage.objects.create(series=series, subject="News", body="Hello.")

    assert message_send(message=message) == 2

    outbox = {m.to[0]: m for m in flush_mail()}
    assert sorted(outbox) == ["ADA@example.org", "bob@example.org"]
    assert f"/registrations/{ada_first.token}/" in outbox["ADA@example.org"].body
    assert "Part 1" in outbox["ADA@example.org"].body


def test_a_test_goes_to_the_organiser_only(organiser_client, organiser, webinar, flush_mail):
    organiser.email = "me@example.org"
    organiser.save()
    message = write(webinar)
    url = reverse("admin:webinars_registrantmessage_change", args=[message.pk])
    data = form(webinar=webinar.pk, subject=message.subject, body=message.body, _send_test="1")

    response = organiser_client.post(url, data, follow=True)

    assert "A test is on its way to me@example.org." in text_of(response)
    [mail] = flush_mail()
    assert (mail.to, mail.subject) == (["me@example.org"], "[Test] Slides are online")
    assert "(registrant's name)" in mail.body
    assert "/registrations/" not in mail.body
    assert not MessageDelivery.objects.exists()


def test_a_test_needs_an_address_on_the_account(admin_client, admin_user, webinar, flush_mail):
    admin_user.email = ""
    admin_user.save()
    message = write(webinar)
    url = reverse("admin:webinars_registrantmessage_change", args=[message.pk])

    response = admin_client.post(url, form(webinar=webinar.pk, _send_test="1"), follow=True)

    assert "Your account has no email address" in text_of(response)
    assert flush_mail() == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "Choose either a webinar or a series."),
        ({"to_confirmed": None}, "Choose at least one group of registrants."),
    ],
)
def test_a_message_needs_a_webinar_or_series_and_someone(admin_client, webinar, fields, error):
    data = form(**fields)
    if "to_confirmed" in fields:
        data["webinar"] = webinar.pk

    response = admin_client.post(reverse("admin:webinars_registrantmessage_add"), data)

    assert error in text_of(response)
    assert not RegistrantMessage.objects.exists()


def test_the_webinar_list_links_to_writing_to_its_registrants(admin_client, webinar):
    changelist = admin_client.get(reverse("admin:webinars_webinar_changelist"))
    add = admin_client.get(reverse("admin:webinars_registrantmessage_add"), {"webinar": webinar.pk})

    link = reverse("admin:webinars_registrantmessage_add") + f"?webinar={webinar.pk}"
    assert f'href="{link}"' in changelist.content.decode()
    assert f'value="{webinar.pk}" selected' in add.content.decode()


def test_with_the_mail_server_down_messages_wait_and_go_out_later(webinar, smtp, settings):
    settings.MAIL_RETRY_BASE_SECONDS = 0
    message = write(webinar, to_waitlisted=True)

    message_send(message=message)
    down = send_queued_mail()

    assert down == ("0 sent, 2 waiting to retry, 2 failed (kept for a retry, see the log)\n")
    assert PendingMail.objects.retrying().count() == 2

    smtp.start()
    up = send_queued_mail()

    assert up == "2 sent, 0 waiting to retry\n"
    assert sorted(to for tos, _ in smtp.inbox.messages for to in tos) == [
        "confirmed@example.org",
        "waitlisted@example.org",
    ]
    assert {m["Subject"] for _, m in smtp.inbox.messages} == {"Slides are online"}


@pytest.mark.django_db(transaction=True)
def test_two_organisers_sending_at_once_reach_each_person_once(flush_mail):
    webinar = make_webinar()
    for n in range(15):
        make_registration(webinar, email=f"p{n}@example.org")
    message = write(webinar)

    def send():
        return message_send(message=RegistrantMessage.objects.get(pk=message.pk))

    results, errors = run_together(send, send)

    assert errors == []
    assert sorted(results) == [0, 15]
    assert sorted(m.to[0] for m in flush_mail()) == sorted(f"p{n}@example.org" for n in range(15))
