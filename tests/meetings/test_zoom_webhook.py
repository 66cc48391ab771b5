"""Zoom's webhook: the URL validation, signatures and timestamps, attendance, the recording."""

import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from meetings import jobs
from meetings.models import MeetingRegistrant, MeetingRoom
from tests.factories import make_registration
from tests.fake_zoom import WEBHOOK_SECRET, signed_headers

URL = "/meetings/callbacks/zoom/webhook/"


def _post(client, event: dict | bytes, *, timestamp=None, headers=None):
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    stamp = int(timezone.now().timestamp()) if timestamp is None else timestamp
    sent = signed_headers(body, stamp) if headers is None else headers
    return client.post(URL, data=body, content_type="application/json", headers=sent)


@pytest.fixture
def zoomed(zoom, zoom_webinar):
    """A webinar whose Zoom meeting exists, with one confirmed registrant added there."""
    person = make_registration(zoom_webinar, status="confirmed", email="ada@example.org")
    jobs.run_due()
    room = MeetingRoom.objects.get(webinar=zoom_webinar)
    return room, person, MeetingRegistrant.objects.get(registration=person)


def _joined(room, **participant):
    return {
        "event": "meeting.participant_joined",
        "event_ts": 1,
        "payload": {
            "account_id": "x",
            "object": {
                "id": int(room.room_id),
                "uuid": "abc==",
                "participant": {"user_name": "Ada", "join_time": "2026-06-10T08:12:00Z"}
                | participant,
            },
        },
    }


def test_url_validation_is_answered_with_the_hmac(client, zoom):
    event = {
        "event": "endpoint.url_validation",
        "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
    }
    response = _post(client, event)
    assert response.status_code == 200
    expected = hmac.new(WEBHOOK_SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256)
    assert response.json() == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": expected.hexdigest(),
    }


def test_an_unsigned_validation_signs_nothing(client, zoom):
    # Otherwise anyone could have the site compute signatures of their choice.
    event = {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}
    assert _post(client, event, headers={}).status_code == 401
    odd = {"event": "endpoint.url_validation", "payload": {"plainToken": "v0:1:{}"}}
    assert _post(client, odd).status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-zm-signature": "v0=00", "x-zm-request-timestamp": "1781078400"},
        {"x-zm-signature": "v0=00", "x-zm-request-timestamp": "soon"},
        {"x-zm-request-timestamp": "1781078400"},
    ],
)
def test_missing_or_bad_signatures_are_401(client, zoomed, headers):
    room, person, _row = zoomed
    assert _post(client, _joined(room, email=person.email), headers=headers).status_code == 401
    person.refresh_from_db()
    assert person.attended_at is None


def test_a_signature_with_another_secret_or_altered_body_is_401(client, zoomed):
    room, person, _row = zoomed
    body = json.dumps(_joined(room, email=person.email)).encode()
    stamp = int(timezone.now().timestamp())
    other = signed_headers(body, stamp, secret="not-the-secret")
    assert _post(client, body, headers=other).status_code == 401
    altered = signed_headers(body, stamp)
    assert _post(client, body + b" ", headers=altered).status_code == 401


def test_old_or_future_timestamps_are_refused(client, zoomed, _clock):
    room, person, _row = zoomed
    now = int(timezone.now().timestamp())
    event = _joined(room, email=person.email)
    assert _post(client, event, timestamp=now - 301).status_code == 401
    assert _post(client, event, timestamp=now + 301).status_code == 401
    assert _post(client, event, timestamp=now - 290).status_code == 200
    # The same call replayed ten minutes later.
    body = json.dumps(event).encode()
    headers = signed_headers(body, now)
    _clock.shift(10 * 60)
    assert _post(client, body, headers=headers).status_code == 401


def test_bad_json_is_400_never_500(client, zoomed):
    assert _post(client, b"{not json").status_code == 400
    assert _post(client, b"[1, 2]").status_code == 400
    assert _post(client, {"event": "meeting.participant_joined", "payload": 5}).status_code == 400
    strange = {"event": "meeting.participant_joined", "payload": {"object": {"id": [1]}}}
    assert _post(client, strange).status_code == 200  # no such meeting here: acknowledged


def test_get_is_refused(client, zoom):
    assert client.get(URL).status_code == 405


def test_a_joined_participant_is_marked_by_registrant_id(client, zoomed):
    room, person, row = zoomed
    response = _post(client, _joined(room, registrant_id=row.remote_id, email="else@x.org"))
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.attended_at.isoformat() == "2026-06-10T08:12:00+00:00"
    room.refresh_from_db()
    assert room.attendance_received_at is not None
    assert room.last_callback == "participant_joined"
    # Zoom repeats itself: the first time is kept.
    later = _joined(room, registrant_id=row.remote_id)
    later["payload"]["object"]["participant"]["join_time"] = "2026-06-10T08:40:00Z"
    assert _post(client, later).status_code == 200
    person.refresh_from_db()
    assert person.attended_at.isoformat() == "2026-06-10T08:12:00+00:00"


def test_a_joined_participant_is_marked_by_email_of_this_meeting_only(client, zoomed, zoom):
    room, person, _row = zoomed
    assert _post(client, _joined(room, email="ADA@example.org")).status_code == 200
    person.refresh_from_db()
    assert person.attended_at is not None


def test_participants_of_other_meetings_or_strangers_change_nothing(client, zoomed):
    room, person, row = zoomed
    other = _joined(room, registrant_id=row.remote_id)
    other["payload"]["object"]["id"] = 99999
    assert _post(client, other).status_code == 200
    assert _post(client, _joined(room, email="stranger@example.org")).status_code == 200
    person.refresh_from_db()
    assert person.attended_at is None


def test_a_recording_arrives_for_registrants_only(client, zoomed):
    room, person, _row = zoomed
    event = {
        "event": "recording.completed",
        "payload": {
            "object": {
                "id": int(room.room_id),
                "share_url": "https://zoom.example/rec/share/abc",
                "recording_files": [
                    {"file_type": "MP4", "play_url": "https://zoom.example/rec/play/abc"}
                ],
            }
        },
    }
    assert _post(client, event).status_code == 200
    webinar = room.webinar
    webinar.refresh_from_db()
    assert webinar.recording_url == "https://zoom.example/rec/share/abc"
    assert webinar.recording_audience == "registrants"
    assert _post(client, event).status_code == 200  # idempotent
    # Without a share address, the MP4's play address.
    webinar.recording_url = ""
    webinar.save()
    del event["payload"]["object"]["share_url"]
    assert _post(client, event).status_code == 200
    webinar.refresh_from_db()
    assert webinar.recording_url == "https://zoom.example/rec/play/abc"


def test_meeting_ended_is_noted_and_other_events_acknowledged(client, zoomed):
    room, _person, _row = zoomed
    ended = {"event": "meeting.ended", "payload": {"object": {"id": int(room.room_id)}}}
    assert _post(client, ended).status_code == 200
    room.refresh_from_db()
    assert room.ended_at is not None
    other = {"event": "meeting.sharing_started", "payload": {"object": {"id": 1}}}
    assert _post(client, other).status_code == 200
