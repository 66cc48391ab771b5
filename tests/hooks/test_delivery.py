"""Retries with growing delays, giving up, sending again, switching a failing endpoint off, and
what a receiver's answer may do to the worker."""

import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hooks import worker as hooks_worker
from hooks.models import EXCERPT_BYTES, WebhookAttempt, WebhookDelivery
from tests.factories import make_registration, make_webinar
from tests.threads import run_together
from webinars import services


def attended(webinar):
    """One registration.attended event, recorded by the service."""
    registration = make_registration(webinar, status="confirmed")
    services.registrations_mark_attended(webinar=webinar, ids=[registration.pk], at=webinar.start)
    return registration


@pytest.fixture
def webinar(db):
    return make_webinar(start=timezone.now() - timedelta(hours=2))


def test_receiver_down_then_up_retries_with_growing_delays(
    receiver, endpoint, worker, webinar, _clock
):
    hook = endpoint(events=["registration.attended"])
    receiver.stop()
    attended(webinar)
    delivery = WebhookDelivery.objects.get()
    delays = []
    for _try in range(3):
        started = timezone.now()
        worker()
        delivery.refresh_from_db()
        assert delivery.state == "retrying"
        delays.append(delivery.next_attempt_at - started)
        # Nothing is tried before its time.
        worker()
        assert WebhookAttempt.objects.count() == _try + 1
        _clock.move_to(delivery.next_attempt_at + timedelta(seconds=1))
    assert [round(d.total_seconds() / 60) for d in delays] == [1, 5, 30]
    hook.refresh_from_db()
    assert hook.failing_since is not None
    attempt = WebhookAttempt.objects.order_by("at").first()
    assert attempt.status is None and attempt.error

    receiver.start()  # the same port again
    worker()
    delivery.refresh_from_db()
    assert delivery.state == "sent" and delivery.attempts == 4 and delivery.last_status == 204
    assert receiver.types() == ["registration.attended"]
    hook.refresh_from_db()
    assert hook.failing_since is None


def test_given_up_after_the_limit_then_sent_again_from_admin(
    receiver, endpoint, worker, webinar, organiser_client, settings, _clock
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    endpoint(events=["registration.attended"])
    receiver.answer = (500, b"boom")
    attended(webinar)
    worker()
    _clock.shift(timedelta(minutes=2))
    worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == 2
    assert delivery.last_status == 500 and delivery.last_response == "boom"

    listing = organiser_client.get(reverse("admin:hooks_webhookdelivery_changelist"))
    assert "registration.attended" in listing.content.decode()
    organiser_client.post(
        reverse("admin:hooks_webhookdelivery_changelist"),
        {"action": "send_again", "_selected_action": [delivery.pk]},
    )
    receiver.answer = (200, b"ok")
    worker()
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    # Every try is logged; the receiver saw the same message id each time.
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 3
    assert len({r["headers"]["webhook-id"] for r in receiver.received}) == 1


def test_an_endpoint_failing_for_days_is_switched_off_and_its_owner_mailed(
    receiver, endpoint, worker, webinar, organiser, mailoutbox, _clock
):
    organiser.email = "owner@example.org"
    organiser.save()
    hook = endpoint(events=["registration.attended"])
    receiver.stop()
    attended(webinar)
    worker()
    for _day in range(3):
        _clock.shift(timedelta(days=1, minutes=1))
        worker()
    hook.refresh_from_db()
    assert not hook.active and hook.disabled_at and "failed since" in hook.disabled_reason
    [message] = [m for m in mailoutbox if "Webhook switched off" in m.subject]
    assert message.to == ["owner@example.org"]
    assert hook.url in message.body

    # Switched off: nothing is recorded or tried for it any more, and nobody is mailed twice.
    attended(webinar)
    _clock.shift(timedelta(days=1))
    worker()
    assert WebhookDelivery.objects.count() == 1
    assert len([m for m in mail.outbox if "switched off" in m.subject]) == 1


def test_a_redirect_is_not_followed_and_the_answer_is_kept_short(receiver, endpoint, webinar):
    endpoint(events=["registration.attended"])
    receiver.answer = (302, b"")
    attended(webinar)
    hooks_worker.deliver_due()
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "retrying" and delivery.last_status == 302
    assert [r["path"] for r in receiver.received] == ["/hook"]  # /elsewhere never asked

    receiver.answer = (200, b"x" * 50_000)
    attended(webinar)
    hooks_worker.deliver_due(timezone.now() + timedelta(minutes=2))
    for delivery in WebhookDelivery.objects.filter(state="sent"):
        assert len(delivery.last_response) == EXCERPT_BYTES
    assert all(len(a.response) <= EXCERPT_BYTES for a in WebhookAttempt.objects.all())


def test_a_silent_receiver_costs_the_timeout_and_is_retried(monkeypatch, endpoint, webinar):
    # A socket that accepts and never answers; the limit shortened for the test.

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    monkeypatch.setattr("hooks.sending.TOTAL_TIMEOUT", 0.5)
    hook = endpoint(events=["registration.attended"])
    hook.url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
    hook.save()
    attended(webinar)
    try:
        assert hooks_worker.deliver_due() == {"retrying": 1}
    finally:
        silent.close()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status is None and "no answer in time" in attempt.error


def test_two_workers_send_each_delivery_once(receiver, endpoint, webinar):
    endpoint(events=["registration.attended"])
    attended(webinar)
    delivery = WebhookDelivery.objects.get()
    assert hooks_worker.deliver(delivery.pk) == "sent"
    assert hooks_worker.deliver(delivery.pk) == "taken"
    assert len(receiver.received) == 1


def test_the_retry_schedule_grows_to_a_day():
    minutes = [hooks_worker.retry_delay(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 5, 30, 120, 360, 720, 1440, 1440, 1440]


def test_deliveries_are_forgotten_after_the_retention_days(
    receiver, endpoint, webinar, worker, _clock, settings
):
    endpoint(events=["registration.attended"])
    attended(webinar)
    worker()
    _clock.shift(timedelta(days=settings.WEBHOOK_RETENTION_DAYS + 1))
    worker()
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_workers_at_once_send_each_delivery_once(receiver, endpoint):
    # Real threads with their own connections: row locks (PostgreSQL) or the flock (SQLite).
    endpoint(events=["registration.attended"])
    webinar = make_webinar(start=timezone.now() - timedelta(hours=2))
    for _ in range(6):
        attended(webinar)
    results, errors = run_together(*[hooks_worker.deliver_due for _ in range(3)])
    assert errors == []
    assert sum(result["sent"] for result in results) == 6
    assert len(receiver.received) == 6
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"sent"}
