"""The moment after registering and coming back: where the mail went, when, what happens next,
the calendar buttons, and a cancel that asks first."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import make_registration, make_webinar
from tests.html import text_of
from tests.mail_kinds import every_mail_kind
from webinars.addresses import is_masked, masked
from webinars.mail import kinds

VALID = {"name": "Ada Lovelace", "email": "ada@example.org", "consent": "on"}


def register_url(webinar):
    return f"/webinars/{webinar.slug}/register/"


def test_masked_keeps_the_first_letter_and_the_domain():
    assert masked("Ada.Lovelace@Example.ORG") == "A\u2026@example.org"
    assert masked("not an address") == ""
    assert is_masked("a\u2026@example.org")
    assert not is_masked("ada@example.org")
    assert not is_masked("<\u2026@example.org")


def test_thanks_page_shows_where_the_mail_went_masked(client, db):
    webinar = make_webinar(title="Copper")

    thanks = client.get(client.post(register_url(webinar), VALID)["Location"])

    assert "We are sending an email to a\u2026@example.org" in text_of(thanks)
    assert "ada@example.org" not in thanks.content.decode()


def test_thanks_page_for_a_known_address_is_the_page_for_a_new_one(client, db):
    webinar = make_webinar(title="Copper")

    first = client.post(register_url(webinar), VALID)
    again = client.post(register_url(webinar), VALID)

    assert first["Location"] == again["Location"]
    assert client.get(first["Location"]).content == client.get(again["Location"]).content


def test_thanks_page_ignores_a_to_parameter_that_is_not_a_masked_address(client, db):
    webinar = make_webinar(title="Copper")

    response = client.get(f"/webinars/{webinar.slug}/register/thanks/?to=ada@example.org")

    assert response.status_code == 200
    assert "We are sending an email to" not in text_of(response)


def test_thanks_page_says_when_registering_again_resends(client, db, settings):
    settings.REGISTRATION_RESEND_MINUTES = 10
    webinar = make_webinar(title="Copper")

    response = client.get(f"/webinars/{webinar.slug}/register/thanks/")

    assert "Still nothing 10 minutes after registering? Register again" in text_of(response)


def test_thanks_page_offers_calendar_buttons(client, db):
    webinar = make_webinar(title="Copper", start=timezone.now() + timedelta(days=3))

    html = client.get(f"/webinars/{webinar.slug}/register/thanks/").content.decode()

    assert f'<a class="button" href="/webinars/{webinar.slug}/calendar.ics" download>' in html
    assert '<a class="button button--secondary" href="https://calendar.google.com' in html


@pytest.fixture
def webinar(db):
    return make_webinar(
        title="Copper",
        capacity=1,
        join_url="https://meet.example.com/room",
        start=timezone.now() + timedelta(days=2),
        time_zone="Europe/Brussels",
    )


def test_registrants_page_masks_the_address(client, webinar):
    registration = make_registration(webinar, email="ada@example.org", status="confirmed")

    response = client.get(f"/registrations/{registration.token}/")

    assert "Email a\u2026@example.org" in text_of(response)
    assert "ada@example.org" not in response.content.decode()


def test_cancelled_registration_offers_no_calendar(client, webinar):
    registration = make_registration(webinar, status="cancelled")

    response = client.get(f"/registrations/{registration.token}/")

    assert "Status Cancelled" in text_of(response)
    assert "Changed your mind? Register again while registration is open." in text_of(response)
    assert "Add to your calendar" not in text_of(response)
    assert "calendar.ics" not in response.content.decode()


def test_waiting_list_is_not_told_about_its_seat(client, webinar):
    make_registration(webinar, status="confirmed")
    waiting = make_registration(webinar, status="waitlisted")

    text = text_of(client.get(f"/registrations/{waiting.token}/"))

    assert "your seat" not in text
    assert "Cancel your registration to leave the waiting list." in text


def test_join_window_is_marked_up_for_the_readers_own_time(client, webinar):
    registration = make_registration(webinar, status="confirmed")
    opens = (webinar.start - timedelta(minutes=30)).astimezone(webinar.tz)

    html = client.get(f"/registrations/{registration.token}/").content.decode()

    assert f'<time datetime="{opens.isoformat(timespec="seconds")}">' in html


def test_mail_gives_the_join_window_in_the_registrants_zone_first(webinar):
    registration = make_registration(webinar, status="confirmed", time_zone="America/New_York")

    body = kinds.details_message(registration).body

    own = (webinar.start - timedelta(minutes=30)).astimezone(ZoneInfo("America/New_York"))
    assert f"{own:%H:%M} {own.tzname()} (America/New_York); " in body


def test_every_registrant_mail_links_the_registrants_page(db):
    registrant_kinds = {
        kind: message
        for kind, message in every_mail_kind().items()
        if kind.startswith(("registration_", "reminder", "webinar_", "registrant_", "follow_up"))
    }

    assert len(registrant_kinds) == 13
    for kind, message in registrant_kinds.items():
        assert "/registrations/" in message.body, kind
        assert "/registrations/" in message.alternatives[0][0], kind


def test_thanks_page_cache_keeps_each_masked_address_apart(client, db):
    webinar = make_webinar(title="Copper")
    url = f"/webinars/{webinar.slug}/register/thanks/"

    first = client.get(url, {"to": "a\u2026@example.org"})
    second = client.get(url, {"to": "b\u2026@example.net"})

    assert "a\u2026@example.org" in text_of(first)
    assert "b\u2026@example.net" in text_of(second)
    assert "a\u2026@example.org" not in text_of(second)
