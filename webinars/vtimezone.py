"""VTIMEZONE components built from a zone's own transitions, as calendar clients write them.

Each zone has exactly one definition, the same in every file the site serves or mails, valid
for every year a webinar can fall in: readers such as Radicale and vobject keep the first
definition of a TZID they see for the rest of their life, so a definition that depended on
the file's events would place other files' events wrongly.
"""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from webinars.models.validators import EARLIEST_MOMENT, LATEST_MOMENT

# A year either side of the bounds: local wall times of the first and last moments can fall in
# the neighbouring year, and the first event must follow a known change.
FIRST_YEAR = EARLIEST_MOMENT.year - 1
LAST_YEAR = LATEST_MOMENT.year + 1


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

    @property
    def observance(self) -> tuple:
        """Transitions that one observance with RDATEs can describe share all of these."""
        return (self.is_dst, self.offset_from, self.offset_to, self.name)


def _state(tz: ZoneInfo, at: int) -> tuple[timedelta, str, timedelta]:
    local = datetime.fromtimestamp(at, tz)
    return local.utcoffset(), local.tzname() or "", local.dst()


def _is_dst(state, neighbours) -> bool:
    """Daylight time in the positive form Google and Outlook write.

    tzdata writes Irish (and Moroccan) time with a negative save: winter GMT is the
    "daylight" time, an hour behind a standard IST. Calendar readers misread that, so a state
    with a negative save is standard and a state next to one, ahead of it, is daylight.
    """
    offset, _, save = state
    if save:
        return save > timedelta(0)
    return any(other[2] < timedelta(0) and other[0] < offset for other in neighbours)


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
    state = _state(tz, start)
    states = [state]
    changes = []
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
            state = _state(tz, high)
            states.append(state)
            changes.append(high)
            at = high
        else:
            at += day
    flags = [
        _is_dst(s, states[max(i - 1, 0) : i] + states[i + 1 : i + 2]) for i, s in enumerate(states)
    ]
    # A change of name or kind alone (Moscow's EEST at +03 in 1991, Morocco's summer time
    # becoming its standard time in 2018) is left out: readers work out their daylight saving
    # from the offsets, and an observance from +01 to +01 throws their arithmetic off.
    found = tuple(
        _Transition(at, states[i][0], states[i + 1][0], states[i + 1][1], flags[i + 1])
        for i, at in enumerate(changes)
        if states[i][0] != states[i + 1][0]
    )
    return (states[0][0], states[0][1], flags[0]), found


def _observance(is_dst: bool, offset_from, offset_to, name: str, onset: datetime):
    sub = icalendar.TimezoneDaylight() if is_dst else icalendar.TimezoneStandard()
    sub.add("tzoffsetfrom", offset_from)
    sub.add("tzoffsetto", offset_to)
    if name:
        sub.add("tzname", name)
    sub.add("dtstart", onset)
    return sub


@functools.cache
def vtimezone(tzid: str) -> icalendar.Timezone:
    """The one VTIMEZONE of a zone, valid for every instant a webinar can have.

    Shared between calls: read it, never change it. Yearly changes on the same weekday rule
    become one STANDARD or DAYLIGHT with an RRULE (open-ended when the rule still holds at
    the end, with UNTIL when it was replaced); the changes no rule describes (one-off years,
    Ramadan in Morocco) become one observance per kind of change with their dates as RDATEs.
    """
    initial, transitions = _transitions(tzid, FIRST_YEAR, LAST_YEAR)

    component = icalendar.Timezone()
    component.add("tzid", tzid)
    component.add("x-lic-location", tzid)

    offset, name, is_dst = initial
    if not transitions:
        # A zone with one offset all along: written like Google writes Asia/Tokyo.
        onset = datetime(1970, 1, 1)  # noqa: DTZ001 (VTIMEZONE onsets are local wall times)
        component.add_component(_observance(is_dst, offset, offset, name, onset))
        return component
    if transitions[0].at > datetime(FIRST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp():
        # No change in the year before the first possible event: say what held from the start.
        onset = datetime(FIRST_YEAR, 1, 1) + offset  # noqa: DTZ001 (local wall time)
        component.add_component(_observance(is_dst, offset, offset, name, onset))

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

    # Single changes of the same kind share one observance: DTSTART and RDATEs.
    one_offs: dict[tuple, list[_Transition]] = {}
    observances = []
    for run in runs:
        if len(run) == 1:
            one_offs.setdefault(run[0].observance, []).append(run[0])
        else:
            observances.append((run, True))
    observances.extend((group, False) for group in one_offs.values())

    for group, is_rule in sorted(observances, key=lambda g: g[0][0].at):
        first = group[0]
        sub = _observance(first.is_dst, first.offset_from, first.offset_to, first.name, first.onset)
        if is_rule:
            byday = functools.reduce(frozenset.intersection, [t.rule_parts for t in group])
            # Prefer "last Sunday" (how Europe's rule is written) over "fourth Sunday".
            rule = {"freq": "yearly", "bymonth": first.onset.month}
            rule["byday"] = sorted(byday, key=lambda p: (not p.startswith("-"), p))[0]
            if group[-1].onset.year < LAST_YEAR:
                # The rule was replaced: stop it after its last change (UNTIL in UTC, RFC 5545).
                # A day later, not at the instant itself: vobject and icalendar compare UNTIL
                # with the local onset, which east of UTC would drop the last change.
                rule["until"] = datetime.fromtimestamp(group[-1].at, UTC) + timedelta(days=1)
            sub.add("rrule", rule)
        elif len(group) > 1:
            for t in group[1:]:
                sub.add("rdate", t.onset)
        component.add_component(sub)
    return component


@functools.cache
def vtimezone_ical(tzid: str) -> bytes:
    """The zone's VTIMEZONE as written in every calendar: the same bytes each time."""
    return vtimezone(tzid).to_ical()
