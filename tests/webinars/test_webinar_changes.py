"""Organisers change a webinar: registrants hear about cancellations and new times, and
admin reads and shows times in the webinar's own zone."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.core import serializers
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_registration, make_webinar, webinar_admin_form
from webinars.changes import WebinarChanges
from webinars.models import Registration, Webinar
from webinars.services import registration_cancel, webinar_save


def _calendar_part(message) -> icalendar.Calendar:
    parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    # One inside multipart/alternative (the invitation card), the same one attached.
    assert len(parts) == 2
    inline, attached = (p.get_payload(decode=True) for p in parts)
    assert inline == attached
    return icalendar.Calendar.from_ical(inline)


def test_cancelling_a_webinar_mails_active_registrants_a_calendar_cancel(db, flush_mail):
    webinar = make_webinar(capacity=1, join_url="https://meet.example.org/secret-room")
    confirmed = make_registration(webinar, email="a@example.org")
    make_registration(webinar, email="b@example.org", status=Registration.Status.WAITLISTED)
    make_registration(webinar, email="c@example.org", status=Registration.Status.CANCELLED)

    webinar.status = Webinar.Status.CANCELLED
    webinar_save(webinar=webinar)

    outbox = flush_mail()
    assert sorted(m.to[0] for m in outbox) == ["a@example.org", "b@example.org"]
    message = next(m for m in outbox if m.to == ["a@example.org"])
    assert message.subject == f"Cancelled: {webinar.title}"
    assert "the organisers have cancelled this webinar" in message.body
    cal = _calendar_part(message)
    event = cal.walk("VEVENT")[0]
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert "secret-room" not in message.body
    confirmed.refresh_from_db()
    assert confirmed.status == Registration.Status.CONFIRMED


def test_moving_a_webinar_mails_the_new_time_with_an_updated_invite(db, flush_mail):
    webinar = make_webinar(start=datetime(2031, 3, 3, 9, 0, tzinfo=UTC))
    make_registration(webinar, email="a@example.org")

    webinar.start += timedelta(hours=2)
    webinar.end += timedelta(hours=2)
    webinar_save(webinar=webinar)

    (message,) = flush_mail()
    assert message.subject == f"New time: {webinar.title}"
    assert "Monday 3 March 2031, 12:00–13:30 CET, Brussels time" in message.body
    event = _calendar_part(message).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(
        2031, 3, 3, 12, 0, tzinfo=ZoneInfo("Europe/Brussels")
    )
    assert event["SEQUENCE"] == 1


def test_editing_other_fields_or_past_webinars_mails_nobody(db, flush_mail):
    upcoming = make_webinar()
    make_registration(upcoming)
    past = make_webinar(start=timezone.now() - timedelta(days=3))
    make_registration(past)

    upcoming.description = "New words"
    webinar_save(webinar=upcoming)
    past.start -= timedelta(hours=1)
    past.status = Webinar.Status.CANCELLED
    webinar_save(webinar=past)

    assert flush_mail() == []


def test_registrant_cancelling_gets_a_calendar_cancel(db, flush_mail):
    registration = make_registration(make_webinar())

    registration_cancel(registration=registration)

    (message,) = flush_mail()
    cal = _calendar_part(message)
    assert cal["METHOD"] == "CANCEL"
    assert cal.walk("VEVENT")[0]["STATUS"] == "CANCELLED"


def test_admin_reads_and_shows_times_in_the_webinars_own_zone(admin_client, db):
    webinar = make_webinar(
        start=datetime(2031, 7, 1, 14, 0, tzinfo=UTC), time_zone="America/New_York"
    )
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])

    form_page = admin_client.get(url)
    data = webinar_admin_form(
        title=webinar.title,
        slug=webinar.slug,
        start_0="2031-07-01",
        start_1="10:00:00",
        end_0="2031-07-01",
        end_1="11:30:00",
        time_zone="America/New_York",
    )
    response = admin_client.post(url, data)

    # Shown as 10:00 (New York, EDT) although the server's zone is Brussels (16:00).
    assert 'value="10:00:00"' in form_page.content.decode()
    assert response.status_code == 302
    webinar.refresh_from_db()
    assert webinar.start == datetime(2031, 7, 1, 14, 0, tzinfo=UTC)
    assert webinar.end == datetime(2031, 7, 1, 15, 30, tzinfo=UTC)


def test_admin_changing_the_zone_reads_the_typed_time_in_the_new_zone(admin_client, db):
    webinar = make_webinar(start=datetime(2031, 1, 10, 9, 0, tzinfo=UTC))
    url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
    data = webinar_admin_form(
        title=webinar.title,
        slug=webinar.slug,
        start_0="2031-01-10",
        start_1="10:00:00",
        end_0="2031-01-10",
        end_1="11:00:00",
        time_zone="Asia/Tokyo",
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302
    webinar.refresh_from_db()
    assert webinar.start == datetime(2031, 1, 10, 1, 0, tzinfo=UTC)  # 10:00 JST


def test_a_save_records_what_it_changed(db):
    webinar = make_webinar(is_published=False)  # created as a draft: news to nobody
    changes = [webinar.last_changes]
    webinar.start += timedelta(seconds=20)  # a correction, not a new time
    webinar.save()
    changes.append(webinar.last_changes)
    moved_from = webinar.start
    webinar.start += timedelta(hours=1)
    webinar.end += timedelta(hours=1)
    webinar.save()
    changes.append(webinar.last_changes)
    webinar.status = Webinar.Status.CANCELLED
    webinar.save()
    changes.append(webinar.last_changes)
    webinar.description = "Not shown in calendars"
    webinar.save()
    changes.append(webinar.last_changes)
    webinar.is_published = True
    webinar.save()
    changes.append(webinar.last_changes)
    changes.append(make_webinar(title="Created published").last_changes)

    assert changes == [
        WebinarChanges(created=True),
        WebinarChanges(calendar_fields_changed=True),
        WebinarChanges(moved=True, calendar_fields_changed=True, previous_start=moved_from),
        WebinarChanges(cancelled=True, calendar_fields_changed=True),
        WebinarChanges(),
        WebinarChanges(published=True),
        WebinarChanges(created=True, published=True),
    ]


def test_a_change_left_out_of_update_fields_is_neither_saved_nor_counted(db):
    webinar = make_webinar(capacity=10)
    webinar.status = Webinar.Status.CANCELLED

    webinar.save(update_fields=["capacity"])

    assert webinar.last_changes == WebinarChanges()
    saved = Webinar.objects.get(pk=webinar.pk)
    assert (saved.status, saved.sequence) == (Webinar.Status.SCHEDULED, 0)


def test_loading_a_fixture_mails_nobody(db, flush_mail, tmp_path):
    webinar = make_webinar()
    make_registration(webinar)
    webinar.status = Webinar.Status.CANCELLED
    webinar.start += timedelta(hours=2)
    webinar.end += timedelta(hours=2)
    fixture = tmp_path / "webinar.json"
    fixture.write_text(serializers.serialize("json", [webinar]))

    call_command("loaddata", str(fixture), stdout=io.StringIO())

    assert flush_mail() == []
    loaded = Webinar.objects.get(pk=webinar.pk)
    assert (loaded.status, loaded.sequence) == (Webinar.Status.CANCELLED, 0)
