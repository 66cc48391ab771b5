""".ics files and calendar feeds: what icalendar, vobject and recurring-ical-events read."""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from series.models import Series
from tests.factories import add_speaker, make_organisation, make_series, make_speaker, make_webinar
from webinars.ical import calendar_for
from webinars.models import Webinar
from webinars.vtimezone import vtimezone

WEBINAR_2_ICS = "/webinars/artisanal-and-small-scale-mining/calendar.ics"
SERIES_ICS = "/series/responsible-supply-chain-electronics/calendar.ics"
WEBINAR_2_UID = "a3c1f0de-8a35-4a53-9d0e-2f4b8e6f0a02@webinars"
SITE = "https://webinars.example.org"
SECRET = "https://meet.example.org/secret-room-42"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "Webinar team <team@example.org>"


def events_of(content: bytes) -> list[icalendar.Event]:
    """The VEVENTs as icalendar reads them, after checking that vobject reads the same."""
    events = list(icalendar.Calendar.from_ical(content).walk("VEVENT"))
    by_vobject = getattr(vobject.readOne(content.decode()), "vevent_list", [])
    assert [
        (
            e.uid.value,
            e.dtstart.value.astimezone(UTC),
            e.dtend.value.astimezone(UTC),
            e.summary.value,
            e.status.value,
            int(e.sequence.value),
        )
        for e in by_vobject
    ] == [
        (
            str(e["UID"]),
            e["DTSTART"].dt.astimezone(UTC),
            e["DTEND"].dt.astimezone(UTC),
            str(e["SUMMARY"]),
            str(e["STATUS"]),
            e["SEQUENCE"],
        )
        for e in events
    ]
    return events


def test_webinar_2_ics_reads_10_00_brussels_08_00_utc_in_icalendar_and_vobject(client, seed):
    response = client.get(WEBINAR_2_ICS)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="artisanal-and-small-scale-mining.ics"'
    )
    [event] = events_of(response.content)
    assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
    assert event["DTSTART"].dt == datetime(2020, 10, 1, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert event["DTSTART"].dt.astimezone(UTC) == datetime(2020, 10, 1, 8, 0, tzinfo=UTC)
    assert event["DTEND"].dt.astimezone(UTC) == datetime(2020, 10, 1, 9, 30, tzinfo=UTC)
    vevent = vobject.readOne(response.content.decode()).vevent
    assert vevent.dtstart.value.strftime("%Y-%m-%d %H:%M") == "2020-10-01 10:00"
    assert vevent.dtstart.value.utcoffset() == timedelta(hours=2)
    assert vevent.dtstart.value.astimezone(UTC) == datetime(2020, 10, 1, 8, 0, tzinfo=UTC)
    assert vevent.dtend.value.astimezone(UTC) == datetime(2020, 10, 1, 9, 30, tzinfo=UTC)
    assert vevent.uid.value == WEBINAR_2_UID


def test_webinar_2_ics_has_every_property(client, seed):
    response = client.get(WEBINAR_2_ICS)

    calendar = icalendar.Calendar.from_ical(response.content)
    events_of(response.content)  # vobject agrees
    [event] = calendar.walk("VEVENT")
    assert calendar["PRODID"] == "-//Webinar series//webinars//EN"
    assert calendar["VERSION"] == "2.0"
    assert "METHOD" not in calendar
    assert event["UID"] == WEBINAR_2_UID
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == (
        "Artisanal and Small-scale Mining as part of a Fair Global Supply Chain"
    )
    assert event["URL"] == f"{SITE}/webinars/artisanal-and-small-scale-mining/"
    assert event["LOCATION"] == "Online"
    assert event["STATUS"] == "CONFIRMED"
    assert event["DTSTAMP"].dt == datetime(2020, 9, 1, 8, 0, tzinfo=UTC)
    assert event["LAST-MODIFIED"].dt == datetime(2020, 9, 1, 8, 0, tzinfo=UTC)
    assert event["ORGANIZER"] == "mailto:team@example.org"
    assert event["ORGANIZER"].params["CN"] == "Make ICT Fair"
    description = str(event["DESCRIPTION"])
    assert description.startswith(
        "Webinar 2 of the series Towards a Responsible Supply Chain for Electronics: "
        "From Mining to Manufacturing\n\nArtisanal and Small-scale Mining (ASM) represents"
    )
    assert (
        "Speakers: Prof Erik Smolders (KU Leuven), Boris Verbruggen (KU Leuven), "
        "Alberto Vázquez Ruiz (CATAPA)\nModerator: Piet Wostyn (KU Leuven)" in description
    )
    assert description.endswith(
        f"Details and registration: {SITE}/webinars/artisanal-and-small-scale-mining/"
    )
    assert "<" not in description


def test_ics_has_one_compact_vtimezone_per_zone_used(db):
    brussels_one = make_webinar(start=datetime(2026, 3, 20, 9, tzinfo=UTC))
    brussels_two = make_webinar(start=datetime(2026, 4, 20, 9, tzinfo=UTC))
    new_york = make_webinar(
        start=datetime(2026, 5, 1, 15, tzinfo=UTC), time_zone="America/New_York"
    )

    content = calendar_for([brussels_one, new_york, brussels_two]).decode()

    calendar = icalendar.Calendar.from_ical(content)
    events_of(content.encode())  # vobject agrees
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "America/New_York",
        "Europe/Brussels",
    ]
    assert "RDATE" not in content
    start = content.index("TZID:Europe/Brussels")
    brussels = content[start : content.index("END:VTIMEZONE", start)]
    # Summer time since 1981; winter time in late September until 1995, late October since.
    assert brussels.count("BEGIN:DAYLIGHT") == 1
    assert brussels.count("BEGIN:STANDARD") == 2
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in brussels
    assert "RRULE:FREQ=YEARLY;UNTIL=19950925T010000Z;BYDAY=-1SU;BYMONTH=9" in brussels
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in brussels
    assert "DTSTART:19890326T020000" in brussels
    assert "DTSTART:19961027T030000" in brussels
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in content
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in content


def test_vtimezone_of_a_zone_without_changes_is_one_standard(db):
    text = vtimezone("Asia/Tokyo").to_ical().decode()

    assert text == (
        "BEGIN:VTIMEZONE\r\nTZID:Asia/Tokyo\r\nX-LIC-LOCATION:Asia/Tokyo\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZNAME:JST\r\n"
        "TZOFFSETFROM:+0900\r\nTZOFFSETTO:+0900\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


# Local times in zones with every kind of rule: northern and southern DST, a rule change
# (US 2007), DST abolished (Sao Paulo 2019), Fri-before-last-Sunday (Israel), Ramadan
# (Morocco), half- and quarter-hour offsets, no DST at all.
ZONE_CASES = [
    ("Europe/Brussels", [(2020, 10, 1, 10), (2020, 10, 26, 10), (2020, 3, 28, 10)]),
    ("America/New_York", [(2006, 4, 1, 10), (2006, 4, 3, 10), (2008, 3, 10, 10), (2007, 11, 2)]),
    ("America/Sao_Paulo", [(2018, 12, 1, 10), (2020, 1, 5, 10)]),
    ("Australia/Sydney", [(2025, 1, 5, 10), (2025, 6, 5, 10)]),
    ("Asia/Jerusalem", [(2021, 3, 27, 10), (2023, 3, 25, 10), (2024, 3, 30, 10)]),
    ("Africa/Casablanca", [(2025, 3, 1, 10), (2025, 5, 1, 10)]),
    ("Asia/Kolkata", [(2026, 1, 1, 9)]),
    ("Pacific/Chatham", [(2025, 1, 1, 10), (2025, 7, 1, 10)]),
    ("America/St_Johns", [(2026, 3, 7, 23, 30), (2026, 3, 9, 0, 30)]),
    ("Asia/Tokyo", [(2026, 1, 1, 10)]),
]


@pytest.mark.parametrize(("zone", "local_times"), ZONE_CASES)
def test_vtimezone_definitions_alone_give_the_right_instants(db, zone, local_times):
    tz = ZoneInfo(zone)
    webinars = [
        make_webinar(start=datetime(*parts, tzinfo=tz), time_zone=zone) for parts in local_times
    ]
    expected = [w.start.astimezone(UTC) for w in webinars]
    # A name no parser knows (and unique: both parsers remember zones by name), so each must
    # build the zone from our VTIMEZONE instead of its own database.
    alias = f"Test/Zone-{uuid.uuid4().hex}"
    content = calendar_for(webinars).decode().replace(zone, alias)
    assert f"TZID={alias}" in content

    by_icalendar = [e["DTSTART"].dt.astimezone(UTC) for e in events_of(content.encode())]
    by_vobject = [e.dtstart.value.astimezone(UTC) for e in vobject.readOne(content).vevent_list]

    assert by_icalendar == expected
    assert by_vobject == expected


def test_uid_stays_and_sequence_grows_when_the_webinar_is_edited(client, seed):
    before = events_of(client.get(WEBINAR_2_ICS).content)[0]
    webinar = Webinar.objects.get(pk=2)
    webinar.start += timedelta(hours=1)
    webinar.end += timedelta(hours=1)
    webinar.save()

    after = events_of(client.get(WEBINAR_2_ICS).content)[0]

    assert before["UID"] == after["UID"] == WEBINAR_2_UID
    assert before["SEQUENCE"] == 0
    assert after["SEQUENCE"] == 1
    assert after["DTSTART"].dt.astimezone(UTC) == datetime(2020, 10, 1, 9, 0, tzinfo=UTC)
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt


def test_cancelled_webinar_is_status_cancelled(client, db):
    webinar = make_webinar(status=Webinar.Status.CANCELLED)

    [event] = events_of(client.get(f"/webinars/{webinar.slug}/calendar.ics").content)

    assert event["STATUS"] == "CANCELLED"
    assert event["TRANSP"] == "TRANSPARENT"
    assert str(event["DESCRIPTION"]).startswith("CANCELLED: this webinar will not take place.")


def test_venue_is_the_location(client, db):
    webinar = make_webinar(location="Aula Pieter De Somer, Leuven")

    [event] = events_of(client.get(f"/webinars/{webinar.slug}/calendar.ics").content)

    assert event["LOCATION"] == "Aula Pieter De Somer, Leuven"


@pytest.mark.parametrize(
    "path",
    ["/webinars/draft/calendar.ics", "/webinars/no-such/calendar.ics", "/series/x/calendar.ics"],
)
def test_unpublished_or_unknown_calendars_are_404(client, db, path):
    series = make_series(slug="x")
    make_webinar(slug="draft", series=series, is_published=False)

    assert client.get(path).status_code == 404


def test_series_feed_finds_exactly_its_webinars_with_recurring_ical_events(client, seed):
    series = make_series()
    make_webinar(series=series, start=datetime(2020, 9, 29, 8, tzinfo=UTC))
    make_webinar(start=datetime(2020, 9, 30, 8, tzinfo=UTC))
    make_webinar(series_id=1, is_published=False, start=datetime(2020, 9, 30, 12, tzinfo=UTC))

    response = client.get(SERIES_ICS)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    found = recurring_ical_events.of(calendar).between(date(2020, 9, 1), date(2020, 11, 1))
    assert sorted((str(e["UID"]), e["DTSTART"].dt.astimezone(UTC)) for e in found) == [
        ("a3c1f0de-8a35-4a53-9d0e-2f4b8e6f0a01@webinars", datetime(2020, 9, 28, 8, tzinfo=UTC)),
        ("a3c1f0de-8a35-4a53-9d0e-2f4b8e6f0a02@webinars", datetime(2020, 10, 1, 8, tzinfo=UTC)),
        ("a3c1f0de-8a35-4a53-9d0e-2f4b8e6f0a03@webinars", datetime(2020, 10, 2, 8, tzinfo=UTC)),
    ]
    assert recurring_ical_events.of(calendar).between(date(2020, 10, 3), date(2021, 1, 1)) == []
    title = "Towards a Responsible Supply Chain for Electronics: From Mining to Manufacturing"
    assert calendar["X-WR-CALNAME"] == title
    assert calendar["NAME"] == title
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=12)
    assert calendar["X-PUBLISHED-TTL"] == "PT12H"
    assert calendar["SOURCE"] == f"{SITE}{SERIES_ICS}"
    assert calendar["URL"] == f"{SITE}/series/responsible-supply-chain-electronics/"
    by_vobject = vobject.readOne(response.content.decode())
    assert [e.dtstart.value.astimezone(UTC) for e in by_vobject.vevent_list] == [
        datetime(2020, 9, 28, 8, tzinfo=UTC),
        datetime(2020, 10, 1, 8, tzinfo=UTC),
        datetime(2020, 10, 2, 8, tzinfo=UTC),
    ]


def test_site_feed_has_upcoming_and_the_last_90_days_published_webinars(client, db):
    now = timezone.now()
    soon = make_webinar(title="Soon", start=now + timedelta(days=3))
    recent = make_webinar(title="Recent", start=now - timedelta(days=80))
    make_webinar(title="Long ago", start=now - timedelta(days=100))
    make_webinar(title="Draft", start=now + timedelta(days=4), is_published=False)

    response = client.get("/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert not response.has_header("Content-Disposition")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Recent", "Soon"]
    assert [e["UID"] for e in calendar.walk("VEVENT")] == [
        f"{recent.uid}@webinars",
        f"{soon.uid}@webinars",
    ]
    assert calendar["X-WR-CALNAME"] == "Webinars"
    assert "Each series' own calendar keeps all of its webinars." in calendar["X-WR-CALDESC"]
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert [e.summary.value for e in vobject.readOne(response.content.decode()).vevent_list] == [
        "Recent",
        "Soon",
    ]


def test_site_feed_without_webinars_is_an_empty_valid_calendar(client, db):
    response = client.get("/calendar.ics")

    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    events_of(response.content)  # vobject agrees
    assert calendar.walk("VEVENT") == []
    assert calendar["X-WR-CALNAME"] == "Webinars"


@pytest.mark.parametrize("path", ["/calendar.ics", SERIES_ICS, WEBINAR_2_ICS])
def test_conditional_get_answers_304_until_something_changes(client, seed, path):
    make_webinar(series_id=1, start=timezone.now() + timedelta(days=2))
    first = client.get(path)
    etag = first["ETag"]

    by_etag = client.get(path, headers={"If-None-Match": etag})
    Webinar.objects.get(pk=2).save()  # any save moves `updated`
    after_edit = client.get(path, headers={"If-None-Match": etag})

    assert first.status_code == 200
    assert etag.startswith('"') and etag.endswith('"')
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    if path == "/calendar.ics":
        # The 2020 webinar is not in the site feed: the feed's own webinars decide.
        assert after_edit.status_code == 304
    else:
        assert after_edit.status_code == 200
        assert after_edit["ETag"] != etag


def test_site_feed_etag_changes_when_a_webinar_is_added(client, db):
    make_webinar()
    etag = client.get("/calendar.ics")["ETag"]
    make_webinar()

    response = client.get("/calendar.ics", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert len(events_of(response.content)) == 2


def test_calendar_feeds_are_read_only(client, seed):
    assert client.post("/calendar.ics").status_code == 405
    assert client.post(WEBINAR_2_ICS).status_code == 405


def _many_webinars(count: int):
    series = make_series()
    make_organisation(series)
    speaker = make_speaker()
    for n in range(count):
        webinar = make_webinar(series=series, start=timezone.now() + timedelta(days=n + 1))
        add_speaker(webinar, speaker)
        add_speaker(webinar, role="moderator")
    return series


@pytest.mark.parametrize("feed", ["site", "series"])
def test_feed_query_count_does_not_grow_with_webinars(client, db, feed):
    counts = []
    for size in (1, 30):
        Webinar.objects.all().delete()
        series = _many_webinars(size)
        path = "/calendar.ics" if feed == "site" else f"/series/{series.slug}/calendar.ics"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert len(events_of(response.content)) == size
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_join_url_is_never_in_calendar_files(client, db):
    series = make_series()
    webinar = make_webinar(series=series, join_url=SECRET)

    paths = ["/calendar.ics", f"/series/{series.slug}/calendar.ics"]
    paths.append(f"/webinars/{webinar.slug}/calendar.ics")

    for path in paths:
        response = client.get(path)
        assert response.status_code == 200
        assert b"secret-room" not in response.content


def test_mail_attachment_has_method_attendee_and_a_current_stamp(db):
    webinar = make_webinar(join_url=SECRET)

    content = calendar_for([webinar], method="REQUEST", attendee_email="ann@example.org")

    calendar = icalendar.Calendar.from_ical(content)
    events_of(content)  # vobject agrees
    [event] = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event["ATTENDEE"] == "mailto:ann@example.org"
    assert event["DTSTAMP"].dt > timezone.now() - timedelta(minutes=1)
    assert b"secret-room" not in content


def test_london_reads_right_in_both_parsers_winter_and_summer(client, db):
    # vobject takes a zone that looks like UTC from 2000 to 2020 for UTC and then falls back
    # to the TZID's name: London's real name must still give GMT and BST.
    london = ZoneInfo("Europe/London")
    winter = make_webinar(start=datetime(2026, 1, 20, 9, tzinfo=london), time_zone="Europe/London")
    summer = make_webinar(start=datetime(2026, 7, 20, 9, tzinfo=london), time_zone="Europe/London")

    events = events_of(calendar_for([winter, summer]))

    assert [e["DTSTART"].dt.astimezone(UTC) for e in events] == [
        datetime(2026, 1, 20, 9, tzinfo=UTC),
        datetime(2026, 7, 20, 8, tzinfo=UTC),
    ]


def test_stand_alone_webinar_is_organised_by_the_sender(db):
    webinar = make_webinar()

    [event] = events_of(calendar_for([webinar]))

    assert event["ORGANIZER"] == "mailto:team@example.org"
    assert event["ORGANIZER"].params["CN"] == "Webinar team"
    assert "CATEGORIES" not in event
    assert str(event["DESCRIPTION"]) == f"Details and registration: {SITE}/webinars/{webinar.slug}/"


def test_feed_reuses_nothing_stale_after_speaker_or_series_edits(client, db):
    from tests.factories import add_speaker, make_series, make_speaker, make_webinar

    series = make_series(title="Old series name")
    webinar = make_webinar(series=series)
    speaker = add_speaker(webinar, make_speaker(name="Old Name"))
    first = client.get("/calendar.ics").content.decode()

    speaker.name = "New Name"
    speaker.save()
    series.title = "New series name"
    series.save()
    second = client.get("/calendar.ics").content.decode()

    assert "Old Name" in first and "Old series name" in first
    assert "New Name" in second and "New series name" in second
    assert "Old Name" not in second and "Old series name" not in second


def _an_hour_ago(webinar):
    # HTTP dates have whole seconds: start from an older state so a change can show.
    earlier = timezone.now() - timedelta(hours=1)
    Webinar.objects.filter(pk=webinar.pk).update(updated=earlier)
    if webinar.series_id:
        Series.objects.filter(pk=webinar.series_id).update(updated=earlier)


@pytest.mark.parametrize("edit", ["rename speaker", "add moderator", "rename organiser"])
def test_feed_validators_move_when_speakers_or_organisers_change(client, db, edit):

    series = make_series()
    organisation = make_organisation(series, name="Old Org")
    webinar = make_webinar(series=series)
    speaker = add_speaker(webinar, make_speaker(name="Old Name"))
    _an_hour_ago(webinar)
    first = client.get("/calendar.ics")
    sequence = Webinar.objects.get(pk=webinar.pk).sequence

    if edit == "rename speaker":
        speaker.name = "New Name"
        speaker.save()
        expected = "New Name"
    elif edit == "add moderator":
        add_speaker(webinar, make_speaker(name="Mo Derator"), role="moderator")
        expected = "Moderator: Mo Derator"
    else:
        organisation.name = "New Org"
        organisation.save()
        expected = "New Org"
    by_etag = client.get("/calendar.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert by_etag.status_code == 200
    assert expected in " ".join(by_etag.content.decode().replace("\r\n ", "").split())
    assert Webinar.objects.get(pk=webinar.pk).sequence == sequence  # not a time/title change


def test_webinar_download_has_an_alarm_and_the_site_feed_has_none(client, db):
    webinar = make_webinar(reminders="30m")

    download = client.get(f"/webinars/{webinar.slug}/calendar.ics").content
    feed = client.get("/calendar.ics").content

    [alarm] = icalendar.Calendar.from_ical(download).walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    assert b"UID:" + str(webinar.uid).encode() in feed
    assert b"BEGIN:VALARM" not in feed


def test_series_feed_keeps_what_the_site_feed_leaves_out(client, db):
    series = make_series(slug="long-running")
    make_webinar(series=series, title="Years ago", start=timezone.now() - timedelta(days=900))
    make_webinar(series=series, title="Next", start=timezone.now() + timedelta(days=3))

    site = events_of(client.get("/calendar.ics").content)
    whole = events_of(client.get("/series/long-running/calendar.ics").content)

    assert [str(e["SUMMARY"]) for e in site] == ["Next"]
    assert [str(e["SUMMARY"]) for e in whole] == ["Years ago", "Next"]
