"""Time text (webinars.formatting): weekday always, en dashes, each end's own abbreviation."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from webinars import formatting


def webinar(start: datetime, minutes: int, zone: str):
    tz = ZoneInfo(zone)
    return SimpleNamespace(
        tz=tz,
        local_start=start.astimezone(tz),
        local_end=(start + timedelta(minutes=minutes)).astimezone(tz),
    )


@pytest.mark.parametrize(
    ("start", "minutes", "zone", "text"),
    [
        (
            datetime(2020, 10, 1, 8, tzinfo=UTC),
            90,
            "Europe/Brussels",
            "Thursday 1 October 2020, 10:00–11:30 CEST, Brussels time",
        ),
        # Spring forward in Brussels: 01:30 is CET, 03:30 CEST.
        (
            datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
            60,
            "Europe/Brussels",
            "Sunday 28 March 2027, 01:30 CET – 03:30 CEST, Brussels time",
        ),
        # Fall back in New York: the first 01:30 (EDT) to the second (EST).
        (
            datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
            60,
            "America/New_York",
            "Sunday 7 November 2027, 01:30 EDT – 01:30 EST, New York time",
        ),
        (
            datetime(2026, 3, 1, 22, 30, tzinfo=UTC),
            60,
            "Europe/Brussels",
            "Sunday 1 March 2026, 23:30 CET – Monday 2 March 2026, 00:30 CET, Brussels time",
        ),
        (
            datetime(2026, 6, 1, 4, 30, tzinfo=UTC),
            45,
            "Asia/Kolkata",
            "Monday 1 June 2026, 10:00–10:45 IST, Kolkata time",
        ),
        (
            datetime(2026, 6, 1, 4, 30, tzinfo=UTC),
            45,
            "America/Argentina/Buenos_Aires",
            "Monday 1 June 2026, 01:30–02:15 -03, Buenos Aires time",
        ),
        (datetime(2026, 6, 1, 9, tzinfo=UTC), 30, "UTC", "Monday 1 June 2026, 09:00–09:30 UTC"),
    ],
)
def test_when_names_weekday_each_ends_abbreviation_and_the_zone(start, minutes, zone, text):
    assert formatting.when(webinar(start, minutes, zone)) == text


def test_clock_gives_the_times_alone_with_both_abbreviations_across_a_change():
    across = webinar(datetime(2027, 3, 28, 0, 30, tzinfo=UTC), 60, "Europe/Brussels")
    assert formatting.clock(across) == "01:30 CET – 03:30 CEST"
    plain = webinar(datetime(2026, 1, 16, 4, 30, tzinfo=UTC), 90, "America/New_York")
    assert formatting.clock(plain) == "23:30–01:00 EST"


def test_in_zone_names_the_weekday():
    moment = datetime(2020, 10, 1, 7, 30, tzinfo=UTC)
    assert formatting.in_zone(moment, ZoneInfo("Europe/Brussels")) == (
        "Thursday 1 October 2020, 09:30 CEST"
    )


def test_french_date_blocks_tell_june_from_july():
    june = webinar(datetime(2026, 6, 10, 8, tzinfo=UTC), 60, "Europe/Paris")
    july = webinar(datetime(2026, 7, 10, 8, tzinfo=UTC), 60, "Europe/Paris")

    with translation.override("fr"):
        months = formatting.date_parts(june)["month"], formatting.date_parts(july)["month"]
    with translation.override("en"):
        english = formatting.date_parts(june)["month"]

    assert months == ("juin", "juil.")
    assert english == "Jun"
