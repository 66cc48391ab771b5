"""The organiser side in Dutch: admin labels, help and actions, mail subjects, calendar text,
certificates and the attendance import speak Dutch when the language is Dutch."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from afterwards.attendance import ReportError, read_addresses
from tests.factories import add_speaker, make_registration, make_series, make_webinar
from tests.html import text_of
from webinars.calendar_links import google_calendar_url
from webinars.ical import event_description
from webinars.mail.kinds import (
    cancelled_message,
    organiser_notice_message,
    promoted_message,
    webinar_changed_message,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def webinar():
    series = make_series(title="Metals", slug="metals", notify_email="team@example.org")
    webinar = make_webinar(
        series=series, number=2, title="Copper", start=timezone.now() + timedelta(days=5)
    )
    add_speaker(webinar)
    return webinar


def test_webinar_changelist_under_nl_prefix_has_dutch_columns_filters_and_actions(
    admin_client, webinar
):
    with translation.override("nl"):
        url = reverse("admin:webinars_webinar_changelist")
    assert url.startswith("/nl/")

    text = text_of(admin_client.get(url))

    for dutch in [
        "Start (eigen zone)",
        "Bevestigd / capaciteit",
        "Komende",
        "Geselecteerde webinars dupliceren (als concept)",
    ]:
        assert dutch in text
    assert "Duplicate selected webinars" not in text
    assert "Confirmed / capacity" not in text


def test_webinar_change_form_in_dutch_has_dutch_labels_help_and_fieldsets(admin_client, webinar):
    with translation.override("nl"):
        url = reverse("admin:webinars_webinar_change", args=[webinar.pk])
        response = admin_client.get(url)

    text = text_of(response)
    for dutch in [
        "Inschrijving en publicatie",
        "Wanneer",
        "Plaatsen voor bevestigde deelnemers. Laat leeg voor onbeperkt.",
        "Privélink naar de vergadering",
    ]:
        assert dutch in text
    assert "Seats for confirmed registrants" not in text


def test_registration_changelist_counts_in_dutch(admin_client, webinar):
    make_registration(webinar, status="confirmed")
    with translation.override("nl"):
        url = reverse("admin:webinars_registration_changelist")

    text = text_of(admin_client.get(url, {"webinar__id__exact": webinar.pk}))

    assert "(in deze lijst)" in text
    assert "(in this list)" not in text


def test_mail_subjects_composed_in_dutch(webinar):
    registration = make_registration(webinar, status="confirmed")

    with translation.override("nl"):
        subjects = [
            promoted_message(registration).subject,
            cancelled_message(registration).subject,
            webinar_changed_message(registration, change="cancelled").subject,
            webinar_changed_message(registration, change="rescheduled").subject,
            organiser_notice_message(registration).subject,
        ]

    assert subjects == [
        "Er is een plaats voor u: Copper",
        "Inschrijving geannuleerd: Copper",
        "Geannuleerd: Copper",
        "Nieuw tijdstip: Copper",
        "Nieuwe inschrijving: Copper",
    ]


def test_ics_description_in_dutch_under_the_nl_prefix(client, webinar):
    webinar.status = "cancelled"
    webinar.save()
    with translation.override("nl"):
        url = reverse("webinars:ical", kwargs={"slug": webinar.slug})
    assert url.startswith("/nl/")

    response = client.get(url)

    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert description.startswith("GEANNULEERD: dit webinar gaat niet door.\n\n")
    assert "Webinar 2 van de reeks Metals" in description
    assert "Spreker: " in description
    assert "Details en inschrijving: " in description
    assert str(event["LOCATION"]) == "Online"


def test_calendar_text_switches_language_with_the_override(webinar):
    with translation.override("nl"):
        dutch = event_description(webinar)
        google = google_calendar_url(webinar)
    english = event_description(webinar)

    assert "Webinar 2 van de reeks Metals" in dutch
    assert "Webinar 2 of the series Metals" in english
    assert parse_qs(urlsplit(google).query)["details"][0].startswith("Spreker: ")


def test_attendance_import_errors_in_dutch():
    with translation.override("nl"), pytest.raises(ReportError) as raised:
        read_addresses(b"Name,Duration\nAda,12\n")

    assert "Er werd geen kolom met e-mailadressen gevonden" in str(raised.value)
