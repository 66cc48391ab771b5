"""Each event reaches a receiver that verifies it with the Standard Webhooks library, recorded by
the service that makes the change and sent by the worker, never in the visitor's request."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from api.representations import registration_data
from following.models import Follower
from hooks.models import WebhookDelivery
from tests.factories import add_webinar, make_registration, make_series, make_webinar
from tests.hooks.conftest import dumped
from webinars import services
from webinars.models import Registration

JOIN = "https://meet.example.com/PRIVATE-hooks-4711"


def register(client, webinar, n=1):
    return client.post(
        f"/webinars/{webinar.slug}/register/",
        {"name": f"Person {n}", "email": f"person{n}@example.org", "consent": "on"},
    )


def test_a_registration_through_the_form_is_delivered_signed_by_the_worker(
    client, receiver, endpoint, worker, queued
):
    hook = endpoint(events=["registration.created", "registration.confirmed"])
    webinar = make_webinar(title="Lithium", join_url=JOIN)

    assert register(client, webinar).status_code == 302
    # Recorded with the registration, not sent in the visitor's request.
    assert receiver.received == []
    assert WebhookDelivery.objects.filter(endpoint=hook, state="queued").count() == 2

    worker()
    assert receiver.refused == []
    assert receiver.types() == ["registration.created", "registration.confirmed"]
    registration = Registration.objects.get()
    first = receiver.received[0]
    assert set(first) >= {"type", "timestamp", "data"}
    assert first["data"]["id"] == registration.pk
    assert first["data"]["email"] == "person1@example.org"
    assert first["data"]["status"] == "confirmed"
    assert set(first["data"]) == set(registration_data(registration))
    headers = {k.lower(): v for k, v in first["headers"].items()}
    assert headers["webhook-id"].startswith("msg_")
    assert headers["webhook-signature"].startswith("v1,")
    assert registration.token not in dumped(receiver)
    assert JOIN not in dumped(receiver)
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"sent"}


def test_cancelling_on_the_registrants_page_promotes_and_both_are_told(
    client, receiver, endpoint, worker, queued
):
    endpoint(events=["registration.cancelled", "registration.promoted"])
    webinar = make_webinar(capacity=1)
    register(client, webinar, 1)
    register(client, webinar, 2)
    first, second = Registration.objects.order_by("pk")
    assert second.status == "waitlisted"

    client.post(f"/registrations/{first.token}/cancel/")
    worker()

    assert receiver.types() == ["registration.cancelled", "registration.promoted"]
    cancelled, promoted = receiver.received
    assert cancelled["data"]["id"] == first.pk and cancelled["data"]["status"] == "cancelled"
    assert promoted["data"]["id"] == second.pk and promoted["data"]["status"] == "confirmed"


def test_approval_tells_created_then_confirmed_or_waitlisted(
    client, organiser_client, receiver, endpoint, worker, queued
):
    endpoint()
    webinar = make_webinar(requires_approval=True, capacity=1)
    register(client, webinar, 1)
    register(client, webinar, 2)
    worker()
    assert receiver.types() == ["registration.created", "registration.created"]
    assert [p["data"]["status"] for p in receiver.received] == ["pending", "pending"]

    organiser_client.post(
        reverse("admin:webinars_registration_changelist"),
        {
            "action": "approve_registrations",
            "_selected_action": list(Registration.objects.values_list("pk", flat=True)),
        },
    )
    worker()
    assert receiver.types()[2:] == ["registration.confirmed", "registration.waitlisted"]


def test_webinar_publish_move_retitle_and_cancel(receiver, endpoint, worker):
    endpoint(events=["webinar.published", "webinar.changed", "webinar.cancelled"])
    draft = add_webinar(title="Cobalt", is_published=False, join_url=JOIN)
    draft.start += timedelta(hours=1)
    draft.end += timedelta(hours=1)
    services.webinar_save(webinar=draft)
    worker()
    assert receiver.received == []  # a draft's changes are nobody's business

    services.webinar_publish(webinar=draft)
    draft.start += timedelta(days=1)
    draft.end += timedelta(days=1)
    services.webinar_save(webinar=draft)
    draft.title = "Cobalt and copper"
    services.webinar_save(webinar=draft)
    draft.status = draft.Status.CANCELLED
    services.webinar_save(webinar=draft)
    # A plain save is not news.
    draft.title = "Quiet fix"
    draft.save()
    worker()

    assert receiver.types() == [
        "webinar.published",
        "webinar.changed",
        "webinar.changed",
        "webinar.cancelled",
    ]
    published, moved, retitled, cancelled = receiver.received
    assert published["data"]["slug"] == draft.slug
    assert moved["data"]["changed"] == ["time"]
    assert retitled["data"]["changed"] == ["title"]
    assert retitled["data"]["title"] == "Cobalt and copper"
    assert cancelled["data"]["status"] == "cancelled"
    assert JOIN not in dumped(receiver)


def test_attendance_by_join_link_and_by_organiser(receiver, endpoint, worker, _clock):
    endpoint(events=["registration.attended"])
    webinar = make_webinar(join_url=JOIN, start=timezone.now() + timedelta(minutes=10))
    joined, ticked = (make_registration(webinar, status="confirmed") for _ in range(2))

    assert services.registration_record_attendance(registration=joined)
    assert not services.registration_record_attendance(registration=joined)
    assert (
        services.registrations_mark_attended(
            webinar=webinar, ids=[joined.pk, ticked.pk], at=webinar.start
        )
        == 1
    )
    worker()
    assert [p["data"]["id"] for p in receiver.received] == [joined.pk, ticked.pk]


def test_following_and_unsubscribing_are_told(client, receiver, endpoint, worker, queued):
    endpoint(events=["follower.confirmed", "follower.unsubscribed"])
    make_webinar(series=make_series(slug="soil"))
    client.post("/series/soil/follow/", {"email": "ada@example.org"})
    follower = Follower.objects.get()
    client.post(f"/follow/{follower.token}/")
    client.post(f"/follow/{follower.token}/")  # again: harmless, not news
    client.post(f"/follow/{follower.token}/unsubscribe/")
    worker()
    assert receiver.types() == ["follower.confirmed", "follower.unsubscribed"]
    data = receiver.received[0]["data"]
    assert data["email"] == "ada@example.org"
    assert data["series"]["slug"] == "soil"
    assert follower.token not in dumped(receiver)


def test_an_endpoint_hears_only_the_events_it_chose(client, receiver, endpoint, worker, queued):
    endpoint("one", events=["registration.cancelled"])
    endpoint("all")
    register(client, make_webinar(), 1)
    worker()
    assert receiver.types("one") == []
    assert receiver.types("all") == ["registration.created", "registration.confirmed"]
