"""Calendar files read the same in every reader, on generated hard cases.

Webinars around every daylight-saving change of several zones and years (30-minute DST on
Lord Howe, odd offsets in Kolkata and Chatham), crossing midnight, cancelled and moved, are
written to one calendar and read back with icalendar, vobject, recurring-ical-events, ics-py,
Mozilla's ical.js and node-ical (node) and libical (ctypes); each reader's UTC instants must
equal the database's.
"""

import ctypes
import ctypes.util
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import ics
import pytest
import recurring_ical_events
import vobject

from core.timezones import is_ambiguous
from tests.e2e.conftest import require
from tests.factories import make_webinar
from webinars.ical import calendar_for
from webinars.vtimezone import _transitions

ROOT = Path(__file__).resolve().parents[2]
ICAL_JS_READER = ROOT / "tests" / "readers" / "ical_js.mjs"
NODE_ICAL_READER = ROOT / "tests" / "readers" / "node_ical.mjs"
ZONES = [
    "Europe/Brussels",
    "America/New_York",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "America/Santiago",
]
YEARS = [2026, 2027, 2031]


def read_with_node(package: str, reader: Path, content: bytes) -> dict:
    node = shutil.which("node")
    require(node is not None, f"node (for {package})")
    require((ROOT / "node_modules" / package).exists(), f"{package} (run npm ci)")
    result = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
        [node, str(reader)],
        input=content,
        capture_output=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def read_with_ical_js(content: bytes) -> dict:
    return read_with_node("ical.js", ICAL_JS_READER, content)


def instants_by_icalendar(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    calendar = icalendar.Calendar.from_ical(content)
    return {
        str(e["UID"]): (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in calendar.walk("VEVENT")
    }


def instants_by_vobject(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    calendar = vobject.readOne(content.decode())
    return {
        e.uid.value: (e.dtstart.value.astimezone(UTC), e.dtend.value.astimezone(UTC))
        for e in getattr(calendar, "vevent_list", [])
    }


def instants_by_recurring_ical_events(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    calendar = icalendar.Calendar.from_ical(content)
    events = recurring_ical_events.of(calendar).between((2000, 1, 1), (2040, 1, 1))
    return {
        str(e["UID"]): (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in events
    }


def instants_by_ics_py(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    return {
        e.uid: (e.begin.datetime.astimezone(UTC), e.end.datetime.astimezone(UTC))
        for e in ics.Calendar(content.decode()).events
    }


def instants_of(read: dict) -> dict[str, tuple[datetime, datetime]]:
    return {
        e["uid"]: (datetime.fromisoformat(e["start"]), datetime.fromisoformat(e["end"]))
        for e in read["events"]
    }


def instants_by_ical_js(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    return instants_of(read_with_ical_js(content))


def instants_by_node_ical(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    return instants_of(read_with_node("node-ical", NODE_ICAL_READER, content))


class IcalTime(ctypes.Structure):
    # struct icaltimetype of libical 3.
    _fields_ = [
        *(
            (name, ctypes.c_int)
            for name in (
                "year",
                "month",
                "day",
                "hour",
                "minute",
                "second",
                "is_date",
                "is_daylight",
            )
        ),
        ("zone", ctypes.c_void_p),
    ]


def load_libical():
    # libical is the reader of Evolution and GNOME Calendar (Debian's libical3).
    path = ctypes.util.find_library("ical")
    require(path is not None, "libical (Debian's libical3)")
    lib = ctypes.CDLL(path)
    lib.icalparser_parse_string.restype = ctypes.c_void_p
    lib.icalparser_parse_string.argtypes = [ctypes.c_char_p]
    lib.icalcomponent_string_to_kind.restype = ctypes.c_int
    lib.icalcomponent_string_to_kind.argtypes = [ctypes.c_char_p]
    for name in ("icalcomponent_get_first_component", "icalcomponent_get_next_component"):
        getattr(lib, name).restype = ctypes.c_void_p
        getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.icalcomponent_get_uid.restype = ctypes.c_char_p
    lib.icalcomponent_get_uid.argtypes = [ctypes.c_void_p]
    for name in ("icalcomponent_get_dtstart", "icalcomponent_get_dtend"):
        getattr(lib, name).restype = IcalTime
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    lib.icaltimezone_get_utc_timezone.restype = ctypes.c_void_p
    lib.icaltime_convert_to_zone.restype = IcalTime
    lib.icaltime_convert_to_zone.argtypes = [IcalTime, ctypes.c_void_p]
    lib.icalcomponent_free.argtypes = [ctypes.c_void_p]
    return lib


def instants_by_libical(content: bytes) -> dict[str, tuple[datetime, datetime]]:
    lib = load_libical()
    calendar = lib.icalparser_parse_string(content)
    assert calendar, "libical could not parse the calendar"
    utc = lib.icaltimezone_get_utc_timezone()
    vevent = lib.icalcomponent_string_to_kind(b"VEVENT")

    def instant(time: IcalTime) -> datetime:
        t = lib.icaltime_convert_to_zone(time, utc)
        return datetime(t.year, t.month, t.day, t.hour, t.minute, t.second, tzinfo=UTC)

    read = {}
    try:
        event = lib.icalcomponent_get_first_component(calendar, vevent)
        while event:
            read[lib.icalcomponent_get_uid(event).decode()] = (
                instant(lib.icalcomponent_get_dtstart(event)),
                instant(lib.icalcomponent_get_dtend(event)),
            )
            event = lib.icalcomponent_get_next_component(calendar, vevent)
    finally:
        lib.icalcomponent_free(calendar)
    return read


def hard_instants() -> list[tuple[str, datetime, timedelta]]:
    """(zone, UTC start, duration): around each change, in and across the skipped or repeated
    local hour, plus one crossing local midnight, for every zone and year."""
    cases = []
    for zone in ZONES:
        for year in YEARS:
            _, changes = _transitions(zone, year, year)
            for change in changes:
                at = datetime.fromtimestamp(change.at, UTC)
                for minutes in (-75, -45, -30, -15, 0, 15, 45):
                    for duration in (30, 90):
                        cases.append((zone, at + timedelta(minutes=minutes), duration))
            midnight = datetime(year, 6, 1, 23, 30, tzinfo=ZoneInfo(zone)).astimezone(UTC)
            cases.append((zone, midnight, 60))
    return [(zone, start, timedelta(minutes=m)) for zone, start, m in cases]


def test_the_generated_cases_include_repeated_and_shifted_local_times():
    cases = hard_instants()
    ambiguous = [c for c in cases if is_ambiguous(c[1].astimezone(ZoneInfo(c[0])))]
    assert {zone for zone, _, _ in ambiguous} == set(ZONES) - {"Asia/Kolkata"}
    assert len(cases) > 300


@pytest.mark.django_db
def test_every_reader_reads_the_database_instants_on_dst_nights_in_many_zones():
    webinars = [
        make_webinar(start=start, duration=duration, time_zone=zone)
        for zone, start, duration in hard_instants()
    ]
    moved = webinars[3]
    moved.start += timedelta(days=1, minutes=30)
    moved.end += timedelta(days=1, minutes=30)
    moved.save()
    webinars[5].status = "cancelled"
    webinars[5].save()
    expected = {f"{w.uid}@webinars": (w.start, w.end) for w in webinars}

    content = calendar_for(webinars, name="All, of them; here")

    for reader in (
        instants_by_icalendar,
        instants_by_vobject,
        instants_by_recurring_ical_events,
        instants_by_ics_py,
        instants_by_ical_js,
        instants_by_node_ical,
        instants_by_libical,
    ):
        assert reader(content) == expected, reader.__name__
    for w in webinars:
        assert w.end > w.start


@pytest.mark.django_db
def test_repeated_hour_is_written_in_utc_and_other_times_with_their_zone():
    # 02:30 CEST, then 02:30 CET an hour later: the night Brussels falls back in 2027.
    first = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    across = make_webinar(start=first, duration=timedelta(minutes=60))
    normal = make_webinar(start=datetime(2027, 10, 30, 8, tzinfo=UTC))

    content = calendar_for([across, normal]).decode()

    assert "DTSTART:20271031T003000Z" in content
    assert "DTEND:20271031T013000Z" in content
    assert "DTSTART;TZID=Europe/Brussels:20271030T100000" in content
    # The New York zone falls back at 01:30 local.
    new_york = make_webinar(
        start=datetime(2027, 11, 7, 5, 30, tzinfo=UTC),  # 01:30 EDT, the first 01:30
        duration=timedelta(minutes=30),
        time_zone="America/New_York",
    )
    text = calendar_for([new_york]).decode()
    assert "DTSTART:20271107T053000Z" in text
    # Its end, 01:00 EST, is the second 01:00 of the night: UTC too.
    assert "DTEND:20271107T060000Z" in text


def test_names_and_descriptions_read_unescaped_in_ical_js_and_icalendar(db):
    webinar = make_webinar()
    name = 'Mining, metals; and "chips" \\ more'
    description = "Line one,\nline two; end"

    content = calendar_for([webinar], name=name, description=description)

    read = read_with_ical_js(content)
    assert (read["name"], read["calname"], read["caldesc"]) == (name, name, description)
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["NAME"]) == name
    assert str(calendar["X-WR-CALNAME"]) == name
    assert str(calendar["X-WR-CALDESC"]) == description
    assert vobject.readOne(content.decode()).contents["name"][0].value == name


def test_an_empty_calendar_still_has_a_component(db):
    content = calendar_for([], name="My webinars")

    read = read_with_ical_js(content)
    assert read["components"] == ["vtimezone"]
    assert read["events"] == []
    calendar = icalendar.Calendar.from_ical(content)
    assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE"]
    vobject.readOne(content.decode())


def test_a_webinar_file_carries_an_alarm_at_the_first_reminder_that_readers_read(db):
    webinar = make_webinar(title="Copper, cobalt", reminders="1h, 1d")

    content = calendar_for([webinar], alarm=True)

    [alarm] = icalendar.Calendar.from_ical(content).walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert str(alarm["DESCRIPTION"]) == "Copper, cobalt"
    assert alarm.decoded("TRIGGER") == timedelta(days=-1)
    read = vobject.readOne(content.decode()).vevent.valarm
    assert read.action.value == "DISPLAY"
    assert read.description.value == "Copper, cobalt"
    assert read.trigger.value == timedelta(days=-1)


def test_feeds_and_webinars_without_reminders_carry_no_alarm(db):
    webinar = make_webinar(reminders="1h")
    quiet = make_webinar(reminders="none")

    assert b"BEGIN:VALARM" not in calendar_for([webinar], name="Feed")
    assert b"BEGIN:VALARM" not in calendar_for([quiet], alarm=True)
