"""A run of webinars from one rule: which dates, and at which instants in a zone.

Dates first, instants second: each date gets the same wall-clock time in the zone, so a weekly
10:00 in Brussels stays 10:00 across the change to and from summer time (the instants in UTC
move by an hour instead).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from core.timezones import wall_time_readings

WEEKLY = "weekly"
FORTNIGHTLY = "fortnightly"
MONTHLY = "monthly"
# No run is longer than this: a preview and its creation stay one bounded request.
MAX_RUN = 100
# Candidates looked at before giving up (a long list of skipped dates could otherwise spin).
_MAX_STEPS = 10 * MAX_RUN


def nth_weekday(day: date) -> int:
    """Which of its weekday in the month `day` is: 1 to 4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def _in_month(year: int, month: int, weekday: int, nth: int) -> date | None:
    days = [
        week[weekday]
        for week in calendar.Calendar().monthdatescalendar(year, month)
        if week[weekday].month == month
    ]
    if nth == -1:
        return days[-1]
    return days[nth - 1] if nth <= len(days) else None


def _candidates(first: date, repeat: str):
    if repeat in (WEEKLY, FORTNIGHTLY):
        step = timedelta(weeks=1 if repeat == WEEKLY else 2)
        day = first
        while True:
            yield day
            day += step
    elif repeat == MONTHLY:
        weekday, nth = first.weekday(), nth_weekday(first)
        year, month = first.year, first.month
        while True:
            found = _in_month(year, month, weekday, nth)
            if found is not None and found >= first:
                yield found
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        raise ValueError(f"Unknown repeat rule: {repeat!r}")


def run_dates(
    first: date,
    repeat: str,
    *,
    count: int | None = None,
    until: date | None = None,
    skip: Iterable[date] = (),
    limit: int = MAX_RUN,
) -> list[date]:
    """The dates of a run: from `first` by the rule, without the skipped ones, until `count`
    dates are found or past `until` (inclusive), never more than `limit`."""
    skipped = set(skip)
    dates: list[date] = []
    for steps, day in enumerate(_candidates(first, repeat)):
        if until is not None and day > until:
            break
        if len(dates) >= min(count or limit, limit) or steps >= _MAX_STEPS:
            break
        if day not in skipped:
            dates.append(day)
    return dates


@dataclass(frozen=True)
class Occurrence:
    start: datetime  # in the zone
    end: datetime  # in the zone
    doubled: bool  # the wall time happens twice that night; the first is meant


class SkippedTime(ValueError):
    """The wall-clock time does not exist on that date in the zone (the clocks jump over it)."""

    def __init__(self, day: date):
        super().__init__(day)
        self.day = day


def occurrences(dates: list[date], at: time, zone: tzinfo, length: timedelta) -> list[Occurrence]:
    """Each date at the wall-clock time `at` in `zone`, lasting `length` (counted in UTC, so a
    webinar across a change still lasts what was chosen); SkippedTime names the first date on
    which that time does not exist."""
    found = []
    for day in dates:
        readings = wall_time_readings(datetime.combine(day, at), zone)
        if not readings:
            raise SkippedTime(day)
        start = readings[0]
        found.append(
            Occurrence(
                start=start.astimezone(zone),
                end=(start.astimezone(UTC) + length).astimezone(zone),
                doubled=len(readings) == 2,
            )
        )
    return found
