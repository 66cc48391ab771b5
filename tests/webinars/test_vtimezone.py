"""One VTIMEZONE per zone, the same in every calendar file and right for every year a webinar
can have (1990-2099): readers such as vobject and Radicale keep the first definition of a TZID
they read for as long as they run."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from tests.factories import make_webinar
from webinars.ical import calendar_for
from webinars.models import EARLIEST_MOMENT, LATEST_MOMENT
from webinars.vtimezone import _transitions, vtimezone, vtimezone_ical

SEED_WEBINAR_2_ICS = "/webinars/artisanal-and-small-scale-mining/calendar.ics"


def vtimezone_block(content: bytes, tzid: str) -> bytes:
    start = content.index(b"BEGIN:VTIMEZONE\r\nTZID:" + tzid.encode() + b"\r\n")
    end = content.index(b"END:VTIMEZONE\r\n", start) + len(b"END:VTIMEZONE\r\n")
    return content[start:end]


def test_a_zone_has_the_same_vtimezone_bytes_in_files_of_different_years(db):
    early = make_webinar(start=datetime(1991, 5, 2, 8, tzinfo=UTC))
    late = make_webinar(start=datetime(2098, 11, 2, 9, tzinfo=UTC))
    dublin = make_webinar(start=datetime(2027, 1, 5, 9, tzinfo=UTC), time_zone="Europe/Dublin")

    one, other = calendar_for([early]), calendar_for([late, dublin])

    assert vtimezone_block(one, "Europe/Brussels") == vtimezone_block(other, "Europe/Brussels")
    assert vtimezone_block(other, "Europe/Brussels") == vtimezone_ical("Europe/Brussels")
    assert vtimezone_block(calendar_for([]), "Europe/Brussels") == vtimezone_ical("Europe/Brussels")
    assert vtimezone("Europe/Brussels") is vtimezone("Europe/Brussels")


def test_vobject_reads_a_2027_file_then_the_2020_seed_file_right_in_one_process(client, seed):
    later = make_webinar(start=datetime(2027, 3, 3, 9, tzinfo=UTC), is_published=True)
    seed_start = datetime(2020, 9, 1, 8, tzinfo=UTC) + timedelta(days=30)  # 1 Oct, 10:00 CEST

    first = client.get(f"/webinars/{later.slug}/calendar.ics").content
    second = client.get(SEED_WEBINAR_2_ICS).content

    # vobject keeps each TZID's first VTIMEZONE for the rest of the process.
    assert vobject.readOne(first.decode()).vevent.dtstart.value.astimezone(UTC) == later.start
    read = vobject.readOne(second.decode()).vevent.dtstart.value
    assert read.astimezone(UTC) == seed_start
    assert b"DTSTART;TZID=Europe/Brussels:20201001T100000" in second


def test_icalendar_and_vobject_read_files_of_different_years_with_one_unknown_zone(db):
    # A zone name no reader knows makes both build it from our VTIMEZONE, and remember it.
    alias = f"Test/Zone-{uuid.uuid4().hex}"
    webinars = [
        make_webinar(start=datetime(2027, 7, 1, 8, tzinfo=UTC)),
        make_webinar(start=datetime(2020, 10, 1, 8, tzinfo=UTC)),
        make_webinar(start=datetime(1995, 10, 15, 8, tzinfo=UTC)),  # summer time then, not now
    ]
    for webinar in webinars:
        content = calendar_for([webinar]).decode().replace("Europe/Brussels", alias)
        assert f"DTSTART;TZID={alias}:" in content

        [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
        assert event["DTSTART"].dt.astimezone(UTC) == webinar.start
        assert vobject.readOne(content).vevent.dtstart.value.astimezone(UTC) == webinar.start


def test_dublin_is_written_with_summer_time_as_daylight_and_read_right(db):
    summer = make_webinar(start=datetime(2026, 7, 1, 8, tzinfo=UTC), time_zone="Europe/Dublin")
    winter = make_webinar(start=datetime(2026, 12, 1, 9, tzinfo=UTC), time_zone="Europe/Dublin")
    block = vtimezone_ical("Europe/Dublin").decode()

    # tzdata's form is a negative save in winter; readers want IST as summer time.
    assert "TZOFFSETTO:-" not in block and "TZOFFSETFROM:-" not in block
    for part in block.split("BEGIN:")[2:]:
        kind = part.split("\r\n", 1)[0]
        if "TZNAME:IST" in part:
            assert (kind, "TZOFFSETTO:+0100" in part) == ("DAYLIGHT", True)
        else:
            assert (kind, "TZOFFSETTO:+0000" in part, "TZNAME:GMT" in part) == (
                "STANDARD",
                True,
                True,
            )

    content = calendar_for([summer, winter])
    alias = f"Test/Dublin-{uuid.uuid4().hex}"
    aliased = content.decode().replace("Europe/Dublin", alias)
    expected = [summer.start, winter.start]
    for text in (content.decode(), aliased):
        by_vobject = [e.dtstart.value for e in vobject.readOne(text).vevent_list]
        assert [d.astimezone(UTC) for d in by_vobject] == expected
        calendar = icalendar.Calendar.from_ical(text)
        by_icalendar = [e["DTSTART"].dt.astimezone(UTC) for e in calendar.walk("VEVENT")]
        assert by_icalendar == expected
        occurrences = recurring_ical_events.of(calendar).between((2026, 1, 1), (2027, 1, 1))
        assert sorted(e["DTSTART"].dt.astimezone(UTC) for e in occurrences) == expected
    zone = vobject.readOne(aliased).vtimezone.gettzinfo()
    assert zone.dst(datetime(2026, 7, 1, 9)) == timedelta(hours=1)  # noqa: DTZ001 (wall time)
    assert zone.dst(datetime(2026, 12, 1, 9)) == timedelta(0)  # noqa: DTZ001 (wall time)


def sample_instants(zone: str) -> list[datetime]:
    """An hour either side of every change, and 1 January and 1 July of every year."""
    _, changes = _transitions(zone, EARLIEST_MOMENT.year, LATEST_MOMENT.year - 1)
    samples = [
        datetime.fromtimestamp(change.at, UTC) + timedelta(hours=hours)
        for change in changes
        for hours in (-1, 1)
    ]
    for year in range(EARLIEST_MOMENT.year, LATEST_MOMENT.year):
        samples += [datetime(year, 1, 1, tzinfo=UTC), datetime(year, 7, 1, tzinfo=UTC)]
    return [s for s in samples if EARLIEST_MOMENT <= s < LATEST_MOMENT]


@pytest.mark.parametrize(
    "zone",
    [
        "America/Sao_Paulo",  # DST on changing dates, abolished in 2019
        "Africa/Casablanca",  # an hour back for Ramadan, on the moon's dates
        "Australia/Lord_Howe",  # 30-minute DST
        "Asia/Tehran",  # DST by the Persian calendar until 2022
        "Europe/Dublin",  # negative DST in tzdata
        "America/Santiago",
        "Europe/Brussels",
    ],
)
def test_the_vtimezone_gives_zoneinfos_offset_at_every_change_from_1990_to_2099(zone):
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
        + vtimezone_ical(zone).decode().replace(zone, f"Test/{uuid.uuid4().hex}")
        + "END:VCALENDAR\r\n"
    )
    by_icalendar = icalendar.Calendar.from_ical(calendar).walk("VTIMEZONE")[0].to_tz()
    by_vobject = vobject.readOne(calendar).vtimezone.gettzinfo()
    real = ZoneInfo(zone)
    samples = sample_instants(zone)
    assert len(samples) > 200

    expected = [s.astimezone(real).utcoffset() for s in samples]
    assert [s.astimezone(by_icalendar).utcoffset() for s in samples] == expected
    assert [s.astimezone(by_vobject).utcoffset() for s in samples] == expected
