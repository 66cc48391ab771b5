"""VTIMEZONE components built from a zone's own transitions, as calendar clients write them."""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar


@dataclass(frozen=True)
class _Transition:
    at: int  # the first second (Unix time) of the new offset
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def onset(self) -> datetime:
        """Local wall time of the change, read in the old offset, as RFC 5545 wants DTSTART."""
        return datetime.fromtimestamp(self.at, UTC).replace(tzinfo=None) + self.offset_from

    @property
    def rule_parts(self) -> frozenset[str]:
        """The BYDAY values that describe this day: '2SU' (second Sunday), '-1SU' (last)."""
        day = self.onset.date()
        weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day.weekday()]
        parts = {f"{(day.day - 1) // 7 + 1}{weekday}"}
        if (day + timedelta(days=7)).month != day.month:
            parts.add(f"-1{weekday}")
        return frozenset(parts)

    @property
    def family(self) -> tuple:
        """Transitions that one yearly RRULE can describe share all of these."""
        onset = self.onset
        return (
            self.is_dst,
            self.offset_from,
            self.offset_to,
            self.name,
            onset.month,
            onset.time(),
            onset.weekday(),
        )


def _state(tz: ZoneInfo, at: int) -> tuple[timedelta, str, bool]:
    local = datetime.fromtimestamp(at, tz)
    return local.utcoffset(), local.tzname() or "", bool(local.dst())


@functools.lru_cache(maxsize=128)
def _transitions(
    tzid: str, first_year: int, last_year: int
) -> tuple[tuple[timedelta, str, bool], tuple[_Transition, ...]]:
    """The zone's state on 1 January of first_year and every change until the end of last_year.

    zoneinfo has no public list of transitions, so walk the years a day at a time and bisect
    each change down to the second.
    """
    tz = ZoneInfo(tzid)
    day = 86400
    start = int(datetime(first_year, 1, 1, tzinfo=UTC).timestamp())
    stop = int(datetime(last_year + 1, 1, 1, tzinfo=UTC).timestamp())
    initial = state = _state(tz, start)
    found = []
    at = start
    while at < stop:
        following = _state(tz, at + day)
        if following != state:
            low, high = at, at + day
            while high - low > 1:
                middle = (low + high) // 2
                if _state(tz, middle) == state:
                    low = middle
                else:
                    high = middle
            new = _state(tz, high)
            found.append(_Transition(high, state[0], new[0], new[1], new[2]))
            state = new
            at = high
        else:
            at += day
    return initial, tuple(found)


def vtimezone(tzid: str, *, first_year: int, last_year: int) -> icalendar.Timezone:
    """A compact VTIMEZONE valid for every instant from first_year to last_year.

    Yearly changes on the same weekday rule become one STANDARD or DAYLIGHT with an RRULE
    (open-ended when the rule still holds at the end, with UNTIL when it was replaced);
    irregular changes become a single onset. A year either side is scanned so that the first
    event always follows a known change.
    """
    scan_first, scan_last = first_year - 1, last_year + 1
    initial, transitions = _transitions(tzid, scan_first, scan_last)

    component = icalendar.Timezone()
    component.add("tzid", tzid)
    component.add("x-lic-location", tzid)

    def observance(is_dst: bool, offset_from, offset_to, name: str, onset: datetime):
        sub = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
        sub.add("tzoffsetfrom", offset_from)
        sub.add("tzoffsetto", offset_to)
        if name:
            sub.add("tzname", name)
        sub.add("dtstart", onset)
        return sub

    offset, name, is_dst = initial
    if not transitions:
        # A zone with one offset all along: written like Google writes Asia/Tokyo.
        onset = datetime(1970, 1, 1)  # noqa: DTZ001 (VTIMEZONE onsets are local wall times)
        component.add_component(observance(is_dst, offset, offset, name, onset))
        return component
    if transitions[0].at > datetime(first_year, 1, 1, tzinfo=UTC).timestamp():
        # No change in the year before the first event: say what held from the scan's start.
        onset = datetime(scan_first, 1, 1) + offset  # noqa: DTZ001 (local wall time)
        component.add_component(observance(is_dst, offset, offset, name, onset))

    # Group changes into runs of consecutive years that one weekday rule describes.
    runs: list[list[_Transition]] = []
    open_runs: dict[tuple, list[_Transition]] = {}
    for transition in transitions:
        run = open_runs.get(transition.family)
        if (
            run is not None
            and transition.onset.year == run[-1].onset.year + 1
            and functools.reduce(frozenset.intersection, [t.rule_parts for t in run])
            & transition.rule_parts
        ):
            run.append(transition)
            continue
        run = [transition]
        runs.append(run)
        open_runs[transition.family] = run

    for run in sorted(runs, key=lambda r: r[0].at):
        first = run[0]
        sub = observance(first.is_dst, first.offset_from, first.offset_to, first.name, first.onset)
        if len(run) > 1:
            byday = functools.reduce(frozenset.intersection, [t.rule_parts for t in run])
            # Prefer "last Sunday" (how Europe's rule is written) over "fourth Sunday".
            rule = {"freq": "yearly", "bymonth": first.onset.month}
            rule["byday"] = sorted(byday, key=lambda p: (not p.startswith("-"), p))[0]
            if run[-1].onset.year < scan_last:
                # The rule was replaced: stop it after its last change (UNTIL in UTC, RFC 5545).
                # A day later, not at the instant itself: vobject and icalendar compare UNTIL
                # with the local onset, which east of UTC would drop the last change.
                rule["until"] = datetime.fromtimestamp(run[-1].at, UTC) + timedelta(days=1)
            sub.add("rrule", rule)
        component.add_component(sub)
    return component
