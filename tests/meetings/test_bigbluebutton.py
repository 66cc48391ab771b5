"""BigBlueButton through the fake server: rooms, personal join links, hosts, outages."""

from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from meetings import identity, jobs, services
from meetings.models import MeetingJob, MeetingRoom
from meetings.providers.bigbluebutton import signed_url
from tests.factories import make_registration
from tests.meetings.conftest import join_as_browser
from webinars.services import webinar_save


def _join(client, registration):
    return client.get(f"/registrations/{registration.token}/join")


def test_a_confirmed_registrant_is_sent_to_a_personal_signed_join_url(client, bbb, confirmed):
    response = _join(client, confirmed)

    assert response.status_code == 302
    url = response["Location"]
    assert url.startswith(bbb.api_url + "join?")
    params = parse_qs(urlsplit(url).query)
    assert params["fullName"] == ["Ada Lovelace"]
    assert params["role"] == ["VIEWER"]
    assert params["userID"] == [identity.registrant_user_id(confirmed.pk)]
    assert confirmed.email not in url and "lovelace" not in params["userID"][0].lower()
    # The room was created first, named by an id no visitor can derive from the webinar.
    room = MeetingRoom.objects.get(webinar=confirmed.webinar)
    assert params["meetingID"] == [room.room_id]
    assert str(confirmed.webinar.uid) not in room.room_id
    create = dict(bbb.calls)["create"]
    assert create["name"] == "Cobalt supply chains"
    assert int(create["duration"]) >= 40
    assert create["meta_endCallbackUrl"].startswith("http://")
    assert "meta_analytics-callback-url" in create
    assert "meta_bbb-recording-ready-url" in create
    # The fake accepts the signed URL: the person is in.
    assert b"SUCCESS" in join_as_browser(url)
    assert bbb.meetings[room.room_id].attendees[0]["role"] == "VIEWER"
    confirmed.refresh_from_db()
    assert confirmed.attended_at is not None


def test_create_is_idempotent_one_meeting_for_many_joins(client, bbb, bbb_webinar):
    people = [make_registration(bbb_webinar, status="confirmed") for _ in range(3)]
    for person in people:
        assert _join(client, person).status_code == 302
    assert [call for call, _ in bbb.calls].count("create") == 3
    assert len(bbb.meetings) == 1


@pytest.mark.parametrize("status", ["pending", "waitlisted", "cancelled"])
def test_only_confirmed_registrants_get_in(client, bbb, bbb_webinar, status):
    person = make_registration(bbb_webinar, status=status)
    response = _join(client, person)
    assert response.status_code == 200
    assert bbb.api_url.encode() not in response.content
    assert not bbb.calls


def test_outside_the_window_no_room_is_made(client, bbb, bbb_webinar, confirmed, _clock):
    _clock.shift(-60 * 60)  # an hour earlier: 70 minutes before the start
    response = _join(client, confirmed)
    assert response.status_code == 200
    assert b"opens" in response.content
    assert not bbb.calls


def test_a_bad_checksum_is_refused_by_the_fake(bbb, settings):
    settings.BBB_SECRET = "not-the-secret"
    body = join_as_browser(signed_url("create", {"meetingID": "abc", "name": "Test"}))
    assert b"checksumError" in body
    assert bbb.refused == ["create"]
    settings.BBB_SECRET = bbb.secret
    assert b"SUCCESS" in join_as_browser(signed_url("create", {"meetingID": "abc", "name": "Test"}))


def test_sha256_checksums_are_accepted(client, bbb, confirmed, settings):
    settings.BBB_CHECKSUM = "sha256"
    url = _join(client, confirmed)["Location"]
    assert len(parse_qs(urlsplit(url).query)["checksum"][0]) == 64
    assert b"SUCCESS" in join_as_browser(url)


def test_server_down_gives_a_clear_page_and_an_error_in_admin(
    client, bbb, confirmed, organiser_client
):
    bbb.stop()
    response = _join(client, confirmed)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"could not be opened" in response.content
    room = MeetingRoom.objects.get(webinar=confirmed.webinar)
    assert "could not be reached" in room.last_error
    confirmed.refresh_from_db()
    assert confirmed.attended_at is None
    page = organiser_client.get(f"/admin/webinars/webinar/{confirmed.webinar.pk}/change/")
    assert page.status_code == 200
    assert b"could not be reached" in page.content


def test_a_slow_server_times_out(client, bbb, confirmed, settings):
    settings.MEETING_TIMEOUT_SECONDS = 0.3
    bbb.delay = 1.5
    response = _join(client, confirmed)
    assert response.status_code == 503
    assert "did not answer" in MeetingRoom.objects.get(webinar=confirmed.webinar).last_error


def test_start_as_host_leads_an_organiser_in_as_moderator(organiser_client, bbb, bbb_webinar):
    response = organiser_client.get(f"/admin/webinars/webinar/{bbb_webinar.pk}/meeting-host/")
    assert response.status_code == 302
    params = parse_qs(urlsplit(response["Location"]).query)
    assert params["role"] == ["MODERATOR"]
    assert params["userID"][0].startswith("h-")
    assert b"SUCCESS" in join_as_browser(response["Location"])


def test_admin_shows_the_state_and_the_host_button(organiser_client, bbb, bbb_webinar):
    page = organiser_client.get(f"/admin/webinars/webinar/{bbb_webinar.pk}/change/")
    assert b"Start as host" in page.content
    assert b'value="bigbluebutton"' in page.content


def test_unconfigured_providers_are_not_offered(organiser_client, db, settings):
    settings.BBB_API_URL = settings.BBB_SECRET = ""
    settings.JITSI_URL = ""
    page = organiser_client.get("/admin/webinars/webinar/add/")
    assert b'value="bigbluebutton"' not in page.content
    assert b'value="jitsi"' not in page.content
    assert b'value="zoom"' not in page.content
    assert b'value="manual"' in page.content


def test_create_rooms_now_action(organiser_client, bbb, bbb_webinar):
    response = organiser_client.post(
        "/admin/webinars/webinar/",
        {"action": "create_rooms", "_selected_action": [bbb_webinar.pk]},
        follow=True,
    )
    assert b"1 meeting room is ready" in response.content
    assert len(bbb.meetings) == 1
    assert MeetingRoom.objects.get(webinar=bbb_webinar).created_at is not None


def test_moving_ends_the_idle_meeting_and_cancelling_ends_it_through_the_worker(
    organiser_client, bbb, bbb_webinar
):
    services.room_ready(bbb_webinar)
    room_id = MeetingRoom.objects.get(webinar=bbb_webinar).room_id
    bbb_webinar.start += timedelta(hours=2)
    bbb_webinar.end += timedelta(hours=2)
    webinar_save(webinar=bbb_webinar)
    assert MeetingJob.objects.filter(webinar=bbb_webinar, action="sync").exists()
    assert room_id in bbb.meetings  # nothing remote inside the organiser's request

    assert jobs.run_due() == 1
    assert room_id not in bbb.meetings  # made again, with the new time, by the next join
    assert not MeetingJob.objects.exists()

    services.room_ready(bbb_webinar)
    assert room_id in bbb.meetings
    bbb_webinar.status = "cancelled"
    webinar_save(webinar=bbb_webinar)
    assert jobs.run_due() == 1
    assert room_id not in bbb.meetings
    assert MeetingRoom.objects.get(webinar=bbb_webinar).ended_at is not None


def test_a_failed_end_is_retried_with_back_off(bbb, bbb_webinar, _clock):
    services.room_ready(bbb_webinar)
    bbb.stop()
    bbb_webinar.status = "cancelled"
    webinar_save(webinar=bbb_webinar)
    assert jobs.run_due() == 0
    job = MeetingJob.objects.get()
    assert job.attempts == 1 and "could not be reached" in job.last_error
    assert jobs.run_due() == 0  # not due again yet
    assert MeetingJob.objects.get().attempts == 1


def test_the_mail_worker_runs_the_meeting_jobs(bbb, bbb_webinar):
    services.room_ready(bbb_webinar)
    bbb_webinar.status = "cancelled"
    webinar_save(webinar=bbb_webinar)
    assert len(bbb.meetings) == 1

    call_command("send_queued_mail", stdout=StringIO())

    assert not bbb.meetings
    assert not MeetingJob.objects.exists()
