"""BigBlueButton's callbacks: verified, idempotent, and they bring attendance and recordings."""

import json
from urllib.parse import urlsplit

import jwt
from django.conf import settings

from meetings import identity, jobs, services
from meetings.models import MeetingJob, MeetingRoom
from tests.factories import make_registration
from tests.meetings.conftest import join_as_browser
from webinars.models import Audience


def _meeting_with(client, bbb, webinar, *registrations):
    """The registrants join through their personal links, then the meeting ends by itself."""
    for registration in registrations:
        join_as_browser(client.get(f"/registrations/{registration.token}/join")["Location"])
    room = MeetingRoom.objects.get(webinar=webinar)
    return bbb.end_by_itself(room.room_id)


def _path(url: str) -> str:
    return url[len(settings.SITE_URL) :]


def test_analytics_sets_attendance_for_those_who_joined(client, bbb, bbb_webinar, confirmed):
    absent = make_registration(bbb_webinar, status="confirmed")
    joined_only_in_bbb = make_registration(bbb_webinar, status="confirmed")
    _meeting_with(client, bbb, bbb_webinar, confirmed)
    # Someone who reached the room by a link of their own (the site did not see them join).
    analytics = next(cb for cb in bbb.callbacks if cb.method == "POST")
    payload = json.loads(analytics.body)
    payload["data"]["attendees"].append(
        {"ext_user_id": identity.registrant_user_id(joined_only_in_bbb.pk), "joins": []}
    )
    analytics.body = json.dumps(payload).encode()

    statuses = bbb.deliver_callbacks(client, settings.SITE_URL)

    assert statuses == [200, 200]
    joined_only_in_bbb.refresh_from_db()
    absent.refresh_from_db()
    assert joined_only_in_bbb.attended_at is not None
    assert absent.attended_at is None
    room = MeetingRoom.objects.get(webinar=bbb_webinar)
    assert room.ended_at is not None and room.attendance_received_at is not None
    assert room.last_callback == "analytics"


def test_a_repeated_callback_is_harmless(client, bbb, bbb_webinar, confirmed):
    _meeting_with(client, bbb, bbb_webinar, confirmed)
    callbacks = list(bbb.callbacks)
    assert bbb.deliver_callbacks(client, settings.SITE_URL) == [200, 200]
    confirmed.refresh_from_db()
    first = confirmed.attended_at
    bbb.callbacks = callbacks
    assert bbb.deliver_callbacks(client, settings.SITE_URL) == [200, 200]
    confirmed.refresh_from_db()
    assert confirmed.attended_at == first
    assert MeetingJob.objects.filter(action="recordings").count() == 1


def test_a_forged_token_or_signature_is_refused(client, bbb, bbb_webinar, confirmed):
    _meeting_with(client, bbb, bbb_webinar, confirmed)
    ended, analytics = bbb.callbacks
    forged = _path(ended.url).replace("/ended/", "/ended/x")
    assert client.get(forged).status_code == 403
    bad_bearer = jwt.encode({"exp": 9999999999}, "another-secret-" * 5, algorithm="HS512")
    response = client.generic(
        "POST",
        _path(analytics.url),
        analytics.body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {bad_bearer}",
    )
    assert response.status_code == 401
    response = client.post(_path(analytics.url), "not json", content_type="application/json")
    assert response.status_code == 400
    other_webinar_token = _path(analytics.url).replace(
        urlsplit(analytics.url).path.split("/")[-2], "1:bad"
    )
    assert client.post(other_webinar_token).status_code == 403
    confirmed.refresh_from_db()
    assert confirmed.attended_at is not None  # from the join link, not from the forged calls
    assert MeetingRoom.objects.get(webinar=bbb_webinar).attendance_received_at is None


def test_a_recording_fills_the_webinar_for_registrants_only(client, bbb, bbb_webinar, confirmed):
    meeting = _meeting_with(client, bbb, bbb_webinar, confirmed)
    bbb.deliver_callbacks(client, settings.SITE_URL)
    # The meeting-ended callback said a recording is coming: the worker asks, it is not ready.
    assert jobs.run_due() == 0
    assert MeetingJob.objects.get(action="recordings").attempts == 1

    bbb.publish_recording(meeting, "https://bbb.example.org/playback/presentation/2.3/rec-1")
    ready = bbb.callbacks[0]
    forged = ready.body.replace(b"signed_parameters=", b"signed_parameters=x")
    assert (
        client.generic(
            "POST", _path(ready.url), forged, content_type="application/x-www-form-urlencoded"
        ).status_code
        == 401
    )
    assert bbb.deliver_callbacks(client, settings.SITE_URL) == [200]

    bbb_webinar.refresh_from_db()
    assert bbb_webinar.recording_url == "https://bbb.example.org/playback/presentation/2.3/rec-1"
    assert bbb_webinar.recording_audience == Audience.REGISTRANTS
    assert not MeetingJob.objects.exists()
    assert MeetingRoom.objects.get(webinar=bbb_webinar).recording_received_at is not None


def test_an_organisers_own_recording_is_kept(bbb, bbb_webinar):
    bbb_webinar.recording_url = "https://video.example.org/edited"
    bbb_webinar.recording_audience = Audience.PUBLIC
    bbb_webinar.save()
    assert not services.recording_received(bbb_webinar, "https://bbb.example.org/raw")
    bbb_webinar.refresh_from_db()
    assert bbb_webinar.recording_url == "https://video.example.org/edited"
    assert bbb_webinar.recording_audience == Audience.PUBLIC


def test_callbacks_for_an_unconfigured_provider_are_404(client, db, settings):
    settings.BBB_API_URL = settings.BBB_SECRET = ""
    assert client.get("/meetings/callbacks/bigbluebutton/ended/1:abc/").status_code == 404
    assert client.get("/meetings/callbacks/nobody/ended/1:abc/").status_code == 404
