"""Jitsi Meet: an unguessable room, reached only through the personal join link; with an app
secret, each link carries a short-lived JWT."""

from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
import pytest
from django.utils import timezone

from meetings.models import MeetingRoom
from tests.factories import make_registration, make_webinar

APP_SECRET = "jitsi-app-secret-for-the-tests-only-0123456789"


@pytest.fixture
def jitsi_webinar(db, settings):
    settings.JITSI_URL = "https://meet.example.org"
    settings.JITSI_APP_ID = settings.JITSI_APP_SECRET = ""
    return make_webinar(
        slug="jitsi-webinar", meeting_provider="jitsi", start=timezone.now() + timedelta(minutes=5)
    )


def test_a_confirmed_registrant_gets_the_room_without_a_secret(client, jitsi_webinar):
    person = make_registration(jitsi_webinar, status="confirmed", name="Grace Hopper")
    url = client.get(f"/registrations/{person.token}/join")["Location"]
    room = MeetingRoom.objects.get(webinar=jitsi_webinar).room_id
    assert url.startswith(f"https://meet.example.org/{room}#")
    assert len(room) == 32 and room.isalnum() and room == room.lower()  # 160 random bits
    assert "Grace%20Hopper" in url
    # The same room for everyone, and for the same webinar every time.
    other = make_registration(jitsi_webinar, status="confirmed")
    assert client.get(f"/registrations/{other.token}/join")["Location"].startswith(
        f"https://meet.example.org/{room}#"
    )


def test_rooms_differ_between_webinars(client, jitsi_webinar):
    second = make_webinar(slug="second", meeting_provider="jitsi", start=jitsi_webinar.start)
    for webinar in (jitsi_webinar, second):
        person = make_registration(webinar, status="confirmed")
        client.get(f"/registrations/{person.token}/join")
    rooms = set(MeetingRoom.objects.values_list("room_id", flat=True))
    assert len(rooms) == 2


def test_pending_registrants_never_see_the_room(client, jitsi_webinar):
    person = make_registration(jitsi_webinar, status="pending")
    response = client.get(f"/registrations/{person.token}/join")
    assert response.status_code == 200
    assert b"meet.example.org" not in response.content


def test_with_an_app_secret_each_link_carries_a_short_lived_jwt(
    client, jitsi_webinar, settings, organiser_client
):
    settings.JITSI_APP_ID = "webinars"
    settings.JITSI_APP_SECRET = APP_SECRET
    person = make_registration(jitsi_webinar, status="confirmed", name="Grace Hopper")
    url = client.get(f"/registrations/{person.token}/join")["Location"]
    token = parse_qs(urlsplit(url).query)["jwt"][0]
    claims = jwt.decode(token, APP_SECRET, algorithms=["HS256"], audience="jitsi")
    room = MeetingRoom.objects.get(webinar=jitsi_webinar).room_id
    assert claims["iss"] == "webinars"
    assert claims["sub"] == "meet.example.org"
    assert claims["room"] == room
    assert claims["context"]["user"]["name"] == "Grace Hopper"
    assert claims["context"]["user"]["moderator"] is False
    assert claims["exp"] <= (jitsi_webinar.end + timedelta(minutes=15)).timestamp()
    assert "@" not in unquote(url)

    host = organiser_client.get(f"/admin/webinars/webinar/{jitsi_webinar.pk}/meeting-host/")
    host_claims = jwt.decode(
        parse_qs(urlsplit(host["Location"]).query)["jwt"][0],
        APP_SECRET,
        algorithms=["HS256"],
        audience="jitsi",
    )
    assert host_claims["context"]["user"]["moderator"] is True
    assert host_claims["room"] == room
