"""Webinar.sequence grows on every ORM save that changes what a calendar shows."""

from datetime import timedelta

import pytest

from tests.factories import make_webinar
from webinars.models import Webinar


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "A new title"),
        ("status", Webinar.Status.CANCELLED),
        ("time_zone", "America/New_York"),
        ("location", "Leuven"),
    ],
)
def test_sequence_grows_when_a_calendar_field_changes(db, field, value):
    webinar = Webinar.objects.get(pk=make_webinar().pk)
    setattr(webinar, field, value)

    webinar.save()

    assert Webinar.objects.get(pk=webinar.pk).sequence == 1


def test_sequence_grows_when_the_time_moves(db):
    webinar = Webinar.objects.get(pk=make_webinar().pk)
    webinar.start += timedelta(minutes=30)
    webinar.end += timedelta(minutes=30)

    webinar.save()

    assert Webinar.objects.get(pk=webinar.pk).sequence == 1


def test_sequence_stays_for_other_edits_and_plain_saves(db):
    webinar = Webinar.objects.get(pk=make_webinar().pk)
    webinar.description = "More words."
    webinar.capacity = 40
    webinar.save()
    webinar.save()

    assert Webinar.objects.get(pk=webinar.pk).sequence == 0


def test_sequence_grows_once_per_save_also_on_a_created_instance(db):
    webinar = make_webinar()  # the instance create() returned, never loaded
    webinar.title = "First change"
    webinar.save()
    webinar.title = "Second change"
    webinar.save()
    webinar.save()

    assert Webinar.objects.get(pk=webinar.pk).sequence == 2


def test_sequence_is_saved_with_update_fields(db):
    webinar = Webinar.objects.get(pk=make_webinar().pk)
    webinar.title = "Renamed"

    webinar.save(update_fields=["title"])

    saved = Webinar.objects.get(pk=webinar.pk)
    assert (saved.title, saved.sequence) == ("Renamed", 1)


def test_sequence_ignores_changes_left_out_of_update_fields(db):
    webinar = Webinar.objects.get(pk=make_webinar().pk)
    webinar.title = "Not saved"

    webinar.save(update_fields=["capacity"])
    webinar.save(update_fields=["title"])

    saved = Webinar.objects.get(pk=webinar.pk)
    assert (saved.title, saved.sequence) == ("Not saved", 1)


def test_sequence_compares_with_the_database_after_refresh(db):
    webinar = Webinar.objects.get(pk=make_webinar().pk)
    Webinar.objects.filter(pk=webinar.pk).update(title="Changed elsewhere")
    webinar.refresh_from_db()

    webinar.save()

    assert Webinar.objects.get(pk=webinar.pk).sequence == 0


def test_sequence_grows_when_saved_through_admin(admin_client, db):
    webinar = make_webinar(title="Before")
    data = {
        "series": "",
        "number": "",
        "title_en": "After",
        "slug": webinar.slug,
        "description": "",
        "start_0": webinar.local_start.strftime("%d/%m/%Y"),
        "start_1": webinar.local_start.strftime("%H:%M:%S"),
        "end_0": webinar.local_end.strftime("%d/%m/%Y"),
        "end_1": webinar.local_end.strftime("%H:%M:%S"),
        "time_zone": webinar.time_zone,
        "location": "",
        "event_url": "",
        "join_url": "",
        "capacity": "",
        "registration_closes_0": "",
        "registration_closes_1": "",
        "status": "scheduled",
        "is_published": "on",
        "webinar_speakers-TOTAL_FORMS": "0",
        "webinar_speakers-INITIAL_FORMS": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "webinar_speakers-MIN_NUM_FORMS": "0",
        "webinar_speakers-MAX_NUM_FORMS": "1000",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "recording_audience": "public",
        "summary_audience": "public",
    }

    response = admin_client.post(f"/admin/webinars/webinar/{webinar.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].errors
    saved = Webinar.objects.get(pk=webinar.pk)
    assert (saved.title, saved.sequence) == ("After", 1)
