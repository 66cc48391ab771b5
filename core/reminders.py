"""Reminder lead times written as text ("1d, 1h", "2d12h, 30m", "none").

Read by the settings (REMINDERS), by a series and by a webinar (their own overrides): one
parser, so a value means the same wherever it is typed.
"""

import functools
import re

from django.core.exceptions import ValidationError

UNITS = {"d": 24 * 60, "h": 60, "m": 1}
# Whole numbers of days, hours and minutes, largest first: "1d", "1h30m", "90m".
_LEAD = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
MAX_MINUTES = 365 * 24 * 60
NONE = "none"


class RemindersError(ValueError):
    """A reminders value that cannot be read; the message says what to type instead."""


@functools.lru_cache(maxsize=256)
def parse_reminders(text: str) -> tuple[int, ...]:
    """Lead times in minutes, longest first, without repeats; () for "none" or empty.

    Raises RemindersError for anything else than a comma list of leads like 1d, 1h, 1h30m.
    """
    text = text.strip().lower()
    if text in ("", NONE):
        return ()
    leads = set()
    for item in text.split(","):
        item = item.replace(" ", "")
        match = _LEAD.match(item)
        if not item or not match:
            raise RemindersError(
                f"{item or 'an empty item'!s} is not a lead time: write days, hours and "
                "minutes before the start like 1d, 1h or 1h30m, separated by commas "
                f"(or '{NONE}')."
            )
        days, hours, minutes = (int(part or 0) for part in match.groups())
        total = days * UNITS["d"] + hours * UNITS["h"] + minutes
        if not 0 < total <= MAX_MINUTES:
            raise RemindersError(f"{item} must be more than 0 minutes and at most 365 days.")
        leads.add(total)
    return tuple(sorted(leads, reverse=True))


def describe(minutes: int) -> str:
    """1500 -> '1d1h', the way parse_reminders reads it."""
    days, rest = divmod(minutes, UNITS["d"])
    hours, mins = divmod(rest, UNITS["h"])
    parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "m")) if n]
    return "".join(parts)


def validate_reminders(value: str) -> None:
    """The model field validator: the parser's message on the form."""
    try:
        parse_reminders(value)
    except RemindersError as error:
        raise ValidationError(str(error), code="reminders") from error
