"""A message to many: the request records the send, the worker queues it in batches (and
resumes an interrupted one), and the message's page stays the same size at any count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_webinar
from tests.html import text_of
from webinars import mail
from webinars.models import MessageDelivery, PendingMail, RegistrantMessage, Registration
from webinars.services import message_send, messages


def webinar_with(count: int):
    webinar = make_webinar(title="Copper")
    Registration.objects.bulk_create(
        Registration(webinar=webinar, name=f"R{n}", email=f"R{n}@example.org") for n in range(count)
    )
    return webinar


def write(webinar):
    return RegistrantMessage.objects.create(webinar=webinar, subject="Slides", body="Online.")


@pytest.fixture
def small_batches(monkeypatch, settings):
    settings.MAIL_SEND_IMMEDIATELY = False
    monkeypatch.setattr(messages, "SEND_IN_REQUEST_MAX", 5)
    monkeypatch.setattr(messages, "MESSAGE_BATCH_SIZE", 4)


def test_a_send_to_many_is_recorded_in_the_request_and_queued_by_the_worker(
    db, small_batches, mailoutbox
):
    message = write(webinar_with(13))

    with CaptureQueriesContext(connection) as request:
        assert message_send(message=message) == 13

    # The lock, the count, the save (and the test's savepoint): nothing per person.
    assert len(request) <= 6
    message.refresh_from_db()
    assert message.sending_since is not None
    assert not MessageDelivery.objects.exists()

    counts = mail.queue_flush()

    assert counts["sent"] == 13
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"R{n}@example.org" for n in range(13))
    message.refresh_from_db()
    assert message.sending_since is None
    assert message.deliveries.count() == 13
    assert PendingMail.objects.filter(key__startswith=f"message:{message.pk}:").count() == 13
    assert mail.queue_flush()["sent"] == 0


def test_an_interrupted_send_resumes_and_reaches_each_person_once(db, small_batches, mailoutbox):
    webinar = webinar_with(10)
    message = write(webinar)
    message_send(message=message)
    # The worker stopped after one batch: those people are queued, the send is still on.
    first = list(webinar.registrations.order_by("email")[:4])
    messages._queue_people(
        message, [(r.pk, r.email.lower(), r.status) for r in first], message.sending_since
    )

    assert messages.messages_queue_due() == 6
    assert messages.messages_queue_due() == 0
    mail.queue_flush()

    assert len(mailoutbox) == 10
    assert len({m.to[0] for m in mailoutbox}) == 10


def test_a_small_send_is_queued_at_once(db, small_batches):
    message = write(webinar_with(5))

    assert message_send(message=message) == 5

    message.refresh_from_db()
    assert message.sending_since is None
    assert message.deliveries.count() == 5


def change_page_queries(admin_client, count: int) -> tuple[int, str]:
    message = write(webinar_with(count))
    message_send(message=message)
    mail.queue_flush()
    url = reverse("admin:webinars_registrantmessage_change", args=[message.pk])
    admin_client.get(url)  # Django's caches (content types, permissions) filled
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(url)
    assert response.status_code == 200
    return len(captured), text_of(response)


def test_a_sent_messages_page_costs_the_same_for_10_or_200_recipients(
    admin_client, db, settings, django_assert_max_num_queries
):
    settings.MAIL_SEND_IMMEDIATELY = False
    few, _text = change_page_queries(admin_client, 10)
    many, text = change_page_queries(admin_client, 200)

    assert many == few
    assert "Queued for 200 people" in text
    assert "200 sent, 0 waiting to go out, 0 failed" in text
    assert "page 1 of 4" in text
    assert text.count("@example.org") < 60
    message = RegistrantMessage.objects.latest("pk")
    url = reverse("admin:webinars_registrantmessage_change", args=[message.pk])
    with django_assert_max_num_queries(few):
        page = admin_client.get(url, {"deliveries": "4"})
    assert "page 4 of 4" in text_of(page)
