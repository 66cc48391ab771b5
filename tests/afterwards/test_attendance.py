"""Attendance: the join link records it; a meeting tool's report and the organiser's ticks add it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from afterwards.attendance import MAX_ROWS, ReportError, read_addresses
from tests.factories import make_registration, make_webinar
from tests.html import text_of

ZOOM_REPORT = (
    "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,Copper,06/04/2026 09:58:12 AM,06/04/2026 11:31:40 AM,host@example.org,94,3\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Ada Lovelace,Ada@Example.ORG,06/04/2026 10:00:03 AM,06/04/2026 11:30:00 AM,90,Yes\n"
    "Grace,grace@example.org,06/04/2026 10:05:00 AM,06/04/2026 11:30:00 AM,85,Yes\n"
    "Someone,stranger@example.net,06/04/2026 10:07:00 AM,06/04/2026 10:30:00 AM,23,Yes\n"
    "Ada again,ada@example.org,06/04/2026 10:40:00 AM,06/04/2026 11:30:00 AM,50,Yes\n"
)


@pytest.fixture
def webinar(db):
    return make_webinar(title="Copper", start=timezone.now() - timedelta(days=1))


@pytest.fixture
def people(webinar):
    return {
        "ada": make_registration(webinar, email="ada@example.org", status="confirmed"),
        "grace": make_registration(webinar, email="grace@example.org", status="confirmed"),
        "linus": make_registration(webinar, email="linus@example.org", status="confirmed"),
        "waiting": make_registration(webinar, email="wait@example.org", status="waitlisted"),
    }


def attendance_url(webinar):
    return reverse("admin:afterwards_webinarrecord_attendance", args=[webinar.pk])


def test_opening_the_join_link_during_the_webinar_records_attendance_once(db, _clock):
    webinar = make_webinar(
        start=timezone.now() + timedelta(hours=2), join_url="https://meet.example/x"
    )
    registration = make_registration(webinar, status="confirmed")
    join = f"/registrations/{registration.token}/join"

    Client().get(join)  # before the window opens
    registration.refresh_from_db()
    assert registration.attended_at is None

    _clock.shift(timedelta(hours=2, minutes=5))
    first = Client().get(join)
    _clock.shift(timedelta(minutes=20))
    Client().get(join)

    registration.refresh_from_db()
    assert first.status_code == 302
    assert registration.attended_at is not None
    assert registration.attended_at <= webinar.start + timedelta(minutes=6)


def test_a_zoom_report_is_previewed_then_saved(organiser_client, webinar, people):
    preview = organiser_client.post(
        attendance_url(webinar),
        {"step": "preview", "report": SimpleUploadedFile("report.csv", ZOOM_REPORT.encode())},
    )

    text = text_of(preview)
    assert preview.status_code == 200
    assert "Read the column “User Email”: 4 addresses" in text
    assert "2 registrants to mark as attended" in text
    assert "stranger@example.net" in text and "2 addresses match no confirmed registrant" in text
    assert not webinar.registrations.filter(attended_at__isnull=False).exists()

    saved = organiser_client.post(
        attendance_url(webinar), {"step": "confirm", "matched": preview.context["signed"]}
    )

    assert saved.status_code == 302
    attended = set(
        webinar.registrations.filter(attended_at__isnull=False).values_list("email", flat=True)
    )
    assert attended == {"ada@example.org", "grace@example.org"}


def test_a_changed_preview_saves_nothing(organiser_client, webinar, people):
    response = organiser_client.post(
        attendance_url(webinar),
        {"step": "confirm", "matched": f"[{people['linus'].pk}]"},
        follow=True,
    )

    assert "The preview is too old or was changed" in text_of(response)
    assert not webinar.registrations.filter(attended_at__isnull=False).exists()


def test_a_report_without_an_email_column_is_a_clear_message(organiser_client, webinar, people):
    response = organiser_client.post(
        attendance_url(webinar),
        {"step": "preview", "report": SimpleUploadedFile("r.csv", b"Name,Minutes\nAda,90\n")},
        follow=True,
    )

    assert "No column of email addresses was found" in text_of(response)


def test_teams_reports_in_utf16_with_tabs_and_a_named_column_are_read():
    teams = "Full Name\tJoin Time\tParticipant ID (UPN)\nAda\t6/4/26\tAda@Example.org\n"

    header, addresses = read_addresses(teams.encode("utf-16"), column="participant id (upn)")

    assert (header, addresses) == ("Participant ID (UPN)", ["ada@example.org"])
    with pytest.raises(ReportError, match="No column is headed"):
        read_addresses(teams.encode("utf-16"), column="Mail")
    with pytest.raises(ReportError, match="not text"):
        read_addresses(b"\x81\x8d\x8f\x90\x9d" * 10)


def test_attendance_is_ticked_by_hand(organiser_client, webinar, people):
    people["linus"].attended_at = timezone.now()
    people["linus"].save()

    organiser_client.post(
        attendance_url(webinar), {"step": "manual", "attended": [people["ada"].pk, "x"]}
    )

    attended = set(
        webinar.registrations.filter(attended_at__isnull=False).values_list("email", flat=True)
    )
    assert attended == {"ada@example.org"}


def test_attendance_needs_a_post_and_the_permission(client, organiser_client, webinar, people):
    assert organiser_client.get(attendance_url(webinar)).status_code == 403
    assert client.post(attendance_url(webinar), {"step": "manual"}).status_code == 302  # to login
    assert not webinar.registrations.filter(attended_at__isnull=False).exists()


def test_figures_per_webinar_and_series_with_a_chart_and_table(organiser_client, webinar, people):
    people["ada"].attended_at = timezone.now()
    people["ada"].save()

    listing = organiser_client.get(reverse("admin:afterwards_webinarrecord_changelist"))
    page = organiser_client.get(reverse("admin:afterwards_webinarrecord_change", args=[webinar.pk]))

    assert listing.status_code == page.status_code == 200
    totals = listing.context["totals"]
    assert (totals.registered, totals.confirmed, totals.waiting, totals.joined) == (4, 3, 1, 1)
    assert f"{totals.no_show_rate:.2f}" == "0.67"
    html = page.content.decode()
    assert '<svg class="figures-chart"' in html and 'role="img"' in html
    assert '<caption id="per-day-table-caption">' in html
    assert "67%" in text_of(page)


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "0", str(2**63), str(10**30), "1e3"])
def test_ticked_values_that_are_no_id_are_ignored_with_a_message(
    organiser_client, webinar, people, value
):
    response = organiser_client.post(
        attendance_url(webinar),
        {"step": "manual", "attended": [people["grace"].pk, value]},
        follow=True,
    )

    assert response.status_code == 200
    assert f"Ignored what names no registration: “{value}”." in text_of(response)
    attended = set(
        webinar.registrations.filter(attended_at__isnull=False).values_list("email", flat=True)
    )
    assert attended == {"grace@example.org"}


def test_the_largest_id_is_looked_up_not_refused(organiser_client, webinar, people):
    response = organiser_client.post(
        attendance_url(webinar), {"step": "manual", "attended": [str(2**63 - 1)]}, follow=True
    )

    assert "Attendance saved: 0 added, 0 removed." in text_of(response)
    assert "Ignored" not in text_of(response)


@pytest.mark.parametrize(
    ("report", "line"),
    [
        (b"User Email\n" + b"a" * 200_000 + b"@example.org\n", 2),
        (b'Name,User Email\nAda,ada@example.org\nEve,"' + b"x" * 140_000, 3),
    ],
)
def test_a_report_with_a_cell_out_of_range_is_a_clear_message(
    organiser_client, webinar, people, report, line
):
    response = organiser_client.post(
        attendance_url(webinar),
        {"step": "preview", "report": SimpleUploadedFile("r.csv", report)},
        follow=True,
    )

    assert response.status_code == 200
    assert f"Line {line} of the file cannot be read as CSV" in text_of(response)
    assert not webinar.registrations.filter(attended_at__isnull=False).exists()


def test_ticking_attendance_works_beyond_a_thousand_registrants(organiser_client, webinar, people):
    # Django refuses a form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields with a 400.
    others = [str(n) for n in range(10**6, 10**6 + 5_000)]

    response = organiser_client.post(
        attendance_url(webinar),
        {"step": "manual", "attended": [people["ada"].pk, *others]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Attendance saved: 1 added, 0 removed." in text_of(response)


def test_the_attendance_form_holds_as_many_fields_as_a_report_holds_rows(settings):
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS >= MAX_ROWS
