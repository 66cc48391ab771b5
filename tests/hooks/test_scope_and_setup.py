"""Who hears what (series.access), addresses that are refused, the command, admin, and the
queries recording costs."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from hooks import sending
from hooks.models import WebhookDelivery, WebhookEndpoint
from hooks.validators import validate_endpoint_url
from tests.factories import make_registration, make_series, make_webinar
from webinars import services


@pytest.fixture
def manager(db, django_user_model):
    return django_user_model.objects.create_user("alpha-manager", password="x", is_staff=True)


def test_a_series_manager_hears_only_about_their_series(
    receiver, endpoint, manager, organiser, worker
):
    alpha, beta = make_series(title="Alpha"), make_series(title="Beta")
    alpha.managers.add(manager)
    endpoint("manager", owner=manager, events=["registration.attended", "webinar.changed"])
    endpoint("organiser", owner=organiser, events=["registration.attended"])
    start = timezone.now() - timedelta(hours=2)
    webinars = [make_webinar(series=s, start=start) for s in (alpha, beta, None)]
    for webinar in webinars:
        registration = make_registration(webinar, status="confirmed")
        services.registrations_mark_attended(webinar=webinar, ids=[registration.pk], at=start)
    webinars[1].title = "Beta renamed"
    services.webinar_save(webinar=webinars[1])
    worker()
    assert [r["data"]["webinar"] for r in receiver.received if r["path"] == "/manager"] == [
        webinars[0].slug
    ]
    assert len(receiver.types("organiser")) == 3

    # An owner who is no longer staff hears nothing at all.
    manager.is_staff = False
    manager.save()
    registration = make_registration(webinars[0], status="confirmed")
    services.registrations_mark_attended(webinar=webinars[0], ids=[registration.pk], at=start)
    assert not WebhookDelivery.objects.filter(endpoint__owner=manager, state="queued").exists()


def test_recording_costs_the_same_queries_for_one_registration_or_many(endpoint, db):
    endpoint("a", events=["registration.attended"])
    webinar = make_webinar(start=timezone.now() - timedelta(hours=2))
    counts = []
    for n in (1, 1, 8):  # the first one also fills the cached list of endpoints
        ids = [make_registration(webinar, status="confirmed").pk for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            services.registrations_mark_attended(webinar=webinar, ids=ids, at=webinar.start)
        counts.append(len(queries))
    assert counts[1] == counts[2] <= 8
    assert WebhookDelivery.objects.count() == 10


def test_a_registration_nobody_listens_to_costs_no_query_once_the_list_is_cached(client, db):
    webinar = make_webinar()
    data = {"name": "Ada", "email": "ada@example.org", "consent": "on"}
    client.post(f"/webinars/{webinar.slug}/register/", data | {"email": "warm@example.org"})
    with CaptureQueriesContext(connection) as queries:
        client.post(f"/webinars/{webinar.slug}/register/", data)
    assert [q for q in queries.captured_queries if "hooks_" in q["sql"]] == []

    # A new endpoint is heard of at once: saving it forgets the cached list.
    WebhookEndpoint.objects.create(
        url="https://crm.example.org/", owner=User.objects.create_user("o", is_staff=True, is_superuser=True), events=["registration.created"]
    )  # fmt: skip
    client.post(f"/webinars/{webinar.slug}/register/", data | {"email": "new@example.org"})
    assert WebhookDelivery.objects.get().data["email"] == "new@example.org"


@pytest.mark.parametrize(
    ("url", "debug", "ok"),
    [
        ("https://crm.example.org/hooks", False, True),
        ("http://127.0.0.1:8080/in", False, True),
        ("http://localhost/in", False, True),
        ("http://[::1]:9000/in", False, True),
        ("http://crm.example.org/hooks", False, False),
        ("http://crm.example.org/hooks", True, True),
        ("ftp://crm.example.org/hooks", True, False),
        ("https://user:pw@crm.example.org/", False, False),
        ("crm.example.org", False, False),
    ],
)
def test_addresses_https_only_unless_loopback_or_debug(settings, url, debug, ok):
    settings.DEBUG = debug
    if ok:
        validate_endpoint_url(url)
    else:
        with pytest.raises(ValidationError):
            validate_endpoint_url(url)


def test_create_webhook_prints_the_secret_once_and_refuses_bad_input(organiser, django_user_model):
    django_user_model.objects.create_superuser("root", password="x")
    out = io.StringIO()
    call_command(
        "create_webhook", "https://crm.example.org/in", "--event", "registration.created",
        "--owner", "organiser", stdout=out,
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.owner == organiser and endpoint.events == ["registration.created"]
    assert out.getvalue().splitlines()[-1] == endpoint.secret
    assert endpoint.secret.startswith("whsec_")
    Webhook(endpoint.secret)  # a secret the library reads

    call_command("create_webhook", "https://crm.example.org/all", stdout=io.StringIO())
    assert WebhookEndpoint.objects.get(url__endswith="/all").owner.username == "root"

    with pytest.raises(CommandError, match="https://"):
        call_command("create_webhook", "http://crm.example.org/in")
    with pytest.raises(CommandError, match="Unknown event registration.bogus"):
        call_command(
            "create_webhook", "https://crm.example.org/in", "--event", "registration.bogus"
        )
    with pytest.raises(CommandError, match="No active staff account named 'nobody'"):
        call_command("create_webhook", "https://crm.example.org/in", "--owner", "nobody")
    assert WebhookEndpoint.objects.count() == 2


def test_admin_adds_an_endpoint_shows_its_secret_once_and_scopes_by_owner(
    organiser_client, organiser, django_user_model
):
    add = reverse("admin:hooks_webhookendpoint_add")
    refused = organiser_client.post(add, {"url": "http://crm.example.org/", "events": ["registration.created"], "active": "on"})  # fmt: skip
    assert refused.status_code == 200
    assert "Use an https:// address" in refused.content.decode()
    none_chosen = organiser_client.post(add, {"url": "https://crm.example.org/", "active": "on"})
    assert "This field is required" in none_chosen.content.decode()
    assert not WebhookEndpoint.objects.exists()

    added = organiser_client.post(
        add, {"url": "https://crm.example.org/", "events": ["registration.created"], "active": "on"}
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.owner == organiser
    page = organiser_client.get(added["Location"]).content.decode()
    assert endpoint.secret in page
    again = organiser_client.get(added["Location"]).content.decode()
    assert endpoint.secret not in again

    other = django_user_model.objects.create_superuser("root", password="x")
    WebhookEndpoint.objects.create(
        url="https://other.example.org/", owner=other, events=["webinar.published"]
    )
    listing = organiser_client.get(
        reverse("admin:hooks_webhookendpoint_changelist")
    ).content.decode()
    assert "crm.example.org" in listing and "other.example.org" not in listing


def test_admin_test_event_reaches_the_receiver(organiser_client, receiver, endpoint, worker):
    hook = endpoint(events=["webinar.published"])
    organiser_client.post(
        reverse("admin:hooks_webhookendpoint_changelist"),
        {"action": "send_test", "_selected_action": [hook.pk]},
    )
    worker()
    assert receiver.types() == ["webhook.test"]
    page = organiser_client.get(reverse("admin:hooks_webhookendpoint_change", args=[hook.pk]))
    assert "webhook.test" in page.content.decode()


def test_signing_is_standard_webhooks():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    headers = sending.signed_headers(secret, "msg_1", timezone.now(), b'{"type":"x"}')
    assert Webhook(secret).verify(b'{"type":"x"}', headers) == {"type": "x"}


def test_organisers_see_only_their_own_deliveries(organiser_client, organiser, django_user_model):
    other = django_user_model.objects.create_superuser("root", password="x")
    mine = WebhookEndpoint.objects.create(url="https://mine.example.org/", owner=organiser, events=["webinar.published"])  # fmt: skip
    theirs = WebhookEndpoint.objects.create(url="https://theirs.example.org/", owner=other, events=["webinar.published"])  # fmt: skip
    now = timezone.now()
    for endpoint in (mine, theirs):
        WebhookDelivery.objects.create(endpoint=endpoint, event="webinar.published", occurred_at=now, data={"title": f"for {endpoint.url}"})  # fmt: skip
    listing = reverse("admin:hooks_webhookdelivery_changelist")
    page = organiser_client.get(listing).content.decode()
    assert "mine.example.org" in page and "theirs.example.org" not in page
    filtered = organiser_client.get(f"{listing}?endpoint={mine.pk}")
    assert filtered.status_code == 200
    assert organiser_client.get(f"{listing}?endpoint=nonsense").status_code == 200
    theirs_delivery = WebhookDelivery.objects.get(endpoint=theirs)
    change = reverse("admin:hooks_webhookdelivery_change", args=[theirs_delivery.pk])
    assert organiser_client.get(change).status_code in (302, 404)
    endpoint_page = reverse("admin:hooks_webhookendpoint_change", args=[theirs.pk])
    assert organiser_client.get(endpoint_page).status_code in (302, 404)
