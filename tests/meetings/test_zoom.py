"""Zoom through the fake: OAuth tokens, the meeting kept in step, registrants and their links."""

from datetime import timedelta

import environ
import pytest
from django.core.cache import cache

from meetings import jobs
from meetings.conf import MeetingSettingsError, from_environment
from meetings.models import MeetingJob, MeetingRegistrant, MeetingRoom
from meetings.providers import zoom_api
from tests.factories import make_registration
from webinars.services import registration_cancel, registrations_purge, webinar_save


def _join(client, registration):
    return client.get(f"/registrations/{registration.token}/join")


def _calls(zoom, method=None):
    return [(m, p) for m, p, _ in zoom.calls if method in (None, m)]


def test_a_token_is_fetched_once_and_reused(zoom, db):
    cache.delete(zoom_api.token_cache_key())
    zoom_api.request("POST", "/users/me/meetings", {"topic": "One", "type": 2})
    zoom_api.request("POST", "/users/me/meetings", {"topic": "Two", "type": 2})
    assert zoom.tokens_issued == 1
    token = cache.get(zoom_api.token_cache_key())
    assert token in zoom.tokens


def test_a_401_fetches_a_fresh_token_once(zoom, db):
    zoom_api.request("POST", "/users/me/meetings", {"topic": "One", "type": 2})
    zoom.expire_tokens()
    zoom_api.request("POST", "/users/me/meetings", {"topic": "Two", "type": 2})
    assert zoom.tokens_issued == 2
    assert len(zoom.meetings) == 2


def test_wrong_client_secret_is_an_error_for_organisers(zoom, db, settings):
    settings.ZOOM_CLIENT_SECRET = "wrong"
    cache.delete(zoom_api.token_cache_key())
    try:
        zoom_api.request("GET", "/meetings/1")
    except zoom_api.remote.ProviderError as error:
        assert "OAuth" in str(error) and "401" in str(error)
        assert "wrong" not in str(error)
    else:
        raise AssertionError("expected a ProviderError")
    assert zoom.tokens_issued == 0


def test_choosing_zoom_creates_the_meeting_from_the_worker(zoom, zoom_webinar):
    webinar_save(webinar=zoom_webinar)
    assert not zoom.meetings  # nothing remote inside the organiser's request
    assert jobs.run_due() == 1
    room = MeetingRoom.objects.get(webinar=zoom_webinar)
    meeting = zoom.meetings[int(room.room_id)]
    assert meeting.kind == "meetings"
    assert meeting.fields["type"] == 2
    assert meeting.fields["topic"] == "Lithium refining"
    assert meeting.fields["start_time"] == zoom_webinar.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert meeting.fields["duration"] == 90
    assert meeting.fields["timezone"] == zoom_webinar.time_zone
    assert meeting.fields["settings"]["approval_type"] == 0
    assert meeting.fields["settings"]["registrants_confirmation_email"] is False
    assert room.created_at is not None
    assert "start_url" not in str(room.data) and "zak=" not in str(room.data)


def test_moving_patches_renaming_patches_cancelling_deletes(zoom, zoom_webinar):
    webinar_save(webinar=zoom_webinar)
    jobs.run_due()
    room_id = int(MeetingRoom.objects.get(webinar=zoom_webinar).room_id)

    zoom_webinar.start += timedelta(hours=2)
    zoom_webinar.end += timedelta(hours=2)
    webinar_save(webinar=zoom_webinar)
    assert jobs.run_due() == 1
    patch = [p for m, p, body in zoom.calls if m == "PATCH"]
    assert patch == [f"/meetings/{room_id}"]
    moved = zoom.meetings[room_id].fields["start_time"]
    assert moved == zoom_webinar.start.strftime("%Y-%m-%dT%H:%M:%SZ")

    zoom_webinar.title = "Lithium refining, revised"
    webinar_save(webinar=zoom_webinar)
    jobs.run_due()
    assert zoom.meetings[room_id].fields["topic"] == "Lithium refining, revised"
    assert len(_calls(zoom, "PATCH")) == 2

    zoom_webinar.status = "cancelled"
    webinar_save(webinar=zoom_webinar)
    assert jobs.run_due() == 1
    assert room_id not in zoom.meetings
    assert _calls(zoom, "DELETE") == [("DELETE", f"/meetings/{room_id}")]
    assert MeetingRoom.objects.get(webinar=zoom_webinar).ended_at is not None
    assert len(zoom.meetings) == 0  # not made again


def test_a_confirmed_registrant_is_added_by_the_worker_and_redirected(client, zoom, zoom_webinar):
    person = make_registration(zoom_webinar, status="confirmed", name="Ada King Lovelace")
    assert MeetingJob.objects.filter(action="registrants").exists()
    assert not zoom.meetings
    jobs.run_due()
    meeting = next(iter(zoom.meetings.values()))
    (added,) = meeting.registrants.values()
    assert added["email"] == person.email
    assert (added["first_name"], added["last_name"]) == ("Ada King", "Lovelace")
    row = MeetingRegistrant.objects.get(registration=person)

    calls_before = len(zoom.calls)
    response = _join(client, person)
    assert response.status_code == 302
    assert response["Location"] == row.join_url
    assert "personal-" in row.join_url
    assert len(zoom.calls) == calls_before  # the stored link: no call to Zoom


def test_pending_and_waitlisted_are_not_added(zoom, zoom_webinar):
    make_registration(zoom_webinar, status="pending")
    make_registration(zoom_webinar, status="waitlisted")
    jobs.run_due()
    assert not MeetingRegistrant.objects.exists()
    assert all(not m.registrants for m in zoom.meetings.values())


def test_a_registrant_the_worker_has_not_reached_is_added_on_join(client, zoom, zoom_webinar):
    person = make_registration(zoom_webinar, status="confirmed")
    response = _join(client, person)
    assert response.status_code == 302
    assert "personal-" in response["Location"]
    assert MeetingRegistrant.objects.get(registration=person).join_url == response["Location"]
    # The worker, coming later, finds nothing left to do.
    jobs.run_due()
    assert len(next(iter(zoom.meetings.values())).registrants) == 1
    assert len(_calls(zoom, "POST")) == 2  # the meeting and the registrant, once each


def test_zoom_down_gives_a_clear_page_an_admin_error_and_a_retry(
    client, zoom, zoom_webinar, organiser_client, _clock
):
    person = make_registration(zoom_webinar, status="confirmed")
    zoom.down = True
    response = _join(client, person)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"could not be opened" in response.content
    room = MeetingRoom.objects.get(webinar=zoom_webinar)
    assert "503" in room.last_error
    page = organiser_client.get(f"/admin/webinars/webinar/{zoom_webinar.pk}/change/")
    assert b"Zoom" in page.content and b"503" in page.content

    assert jobs.run_due() == 0
    job = MeetingJob.objects.get(action="registrants")
    assert job.attempts == 1
    zoom.down = False
    _clock.shift(60 * 60)
    assert jobs.run_due() == 1
    assert MeetingRegistrant.objects.filter(registration=person).exists()
    assert _join(client, person).status_code == 302


def test_a_cancelled_registrant_is_cancelled_at_zoom(zoom, zoom_webinar):
    person = make_registration(zoom_webinar, status="confirmed")
    jobs.run_due()
    registration_cancel(registration=person)
    assert MeetingJob.objects.filter(action="registrants").exists()
    jobs.run_due()
    (meeting,) = zoom.meetings.values()
    (added,) = meeting.registrants.values()
    assert added["status"] == "cancel"
    assert MeetingRegistrant.objects.get(registration=person).cancelled_at is not None
    puts = [body for m, _p, body in zoom.calls if m == "PUT"]
    assert puts[0]["action"] == "cancel"
    jobs.schedule(zoom_webinar, MeetingJob.Action.REGISTRANTS)
    jobs.run_due()
    assert len(_calls(zoom, "PUT")) == 1  # once only


def test_start_as_host_asks_zoom_for_a_fresh_start_url(organiser_client, zoom, zoom_webinar):
    response = organiser_client.get(f"/admin/webinars/webinar/{zoom_webinar.pk}/meeting-host/")
    assert response.status_code == 302
    assert "zak=host-" in response["Location"]
    assert ("GET", f"/meetings/{next(iter(zoom.meetings))}") in _calls(zoom)


def test_zoom_webinars_when_the_account_has_them(client, zoom, zoom_webinar, settings):
    settings.ZOOM_USE_WEBINARS = True
    person = make_registration(zoom_webinar, status="confirmed")
    jobs.run_due()
    (meeting,) = zoom.meetings.values()
    assert meeting.kind == "webinars" and meeting.fields["type"] == 5
    assert _join(client, person)["Location"].startswith(f"https://zoom.example/w/{meeting.id}")
    settings.ZOOM_USE_WEBINARS = False  # a room made as a webinar stays one
    zoom_webinar.status = "cancelled"
    webinar_save(webinar=zoom_webinar)
    jobs.run_due()
    assert ("DELETE", f"/webinars/{meeting.id}") in _calls(zoom)


def test_zoom_is_offered_only_when_configured(organiser_client, zoom, settings):
    page = organiser_client.get("/admin/webinars/webinar/add/")
    assert b'value="zoom"' in page.content
    settings.ZOOM_ACCOUNT_ID = ""
    page = organiser_client.get("/admin/webinars/webinar/add/")
    assert b'value="zoom"' not in page.content


def test_admin_says_how_many_registrants_zoom_knows(organiser_client, zoom, zoom_webinar):
    make_registration(zoom_webinar, status="confirmed")
    make_registration(zoom_webinar, status="confirmed")
    page = organiser_client.get(f"/admin/webinars/webinar/{zoom_webinar.pk}/change/")
    assert b"0 of 2 confirmed registrants" in page.content
    jobs.run_due()
    page = organiser_client.get(f"/admin/webinars/webinar/{zoom_webinar.pk}/change/")
    assert b"2 of 2 confirmed registrants" in page.content
    assert b"zak=" not in page.content and b"personal-" not in page.content


def test_anonymised_registrants_lose_their_zoom_link(zoom, zoom_webinar, _clock):
    person = make_registration(zoom_webinar, status="confirmed")
    jobs.run_due()
    assert MeetingRegistrant.objects.filter(registration=person).exists()
    _clock.shift(400 * 24 * 60 * 60)
    assert registrations_purge(older_than_days=30) == 1
    assert not MeetingRegistrant.objects.exists()


def test_zoom_settings_go_together(monkeypatch):
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "acc")
    monkeypatch.setenv("ZOOM_CLIENT_ID", "id")
    with pytest.raises(MeetingSettingsError, match="ZOOM_CLIENT_SECRET"):
        from_environment(environ.Env())
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", "s")
    monkeypatch.setenv("ZOOM_WEBHOOK_SECRET", "w")
    found = from_environment(environ.Env())
    assert found["ZOOM_API_URL"] == "https://api.zoom.us/v2"
    assert found["ZOOM_OAUTH_URL"] == "https://zoom.us/oauth/token"
    assert found["ZOOM_USE_WEBINARS"] is False
